"""Writing the worked note: the note's text as it is, with symderiv's blocks inserted between
`<!-- symderiv:begin -->` and `<!-- symderiv:end -->` (`reading.strip_worked` takes them out again).

Inserted lines end the way the note's lines do (a CRLF note gets CRLF lines); a block goes at the
start of a line, after the top-level block its formula belongs to, or after the last line when the
note does not end with a line break (then the note still does not end with one).
"""
from __future__ import annotations

from collections.abc import Sequence

from symderiv.notes.markdown import line_ending
from symderiv.notes.reading import BEGIN, BEGIN_AT_END, END, Formula
from symderiv.output.phrases import phrase


def assemble(text: str, worked: Sequence[tuple[int, str]], skipped: Sequence[tuple[Formula, str]],
             total: int, lang: str) -> str:
    """The note with each worked block [(offset, markdown)] inserted and the summary at its end."""
    nl = line_ending(text)
    inserts: dict[int, list[str]] = {}
    for pos, markdown in worked:
        inserts.setdefault(pos, []).append(markdown)
    pieces, last = [], 0
    for pos in sorted(inserts):
        pieces.append(text[last:pos])
        pieces.append(_block(text[:pos], "\n\n".join(inserts[pos]), nl))
        last = pos
    pieces.append(text[last:])
    out = "".join(pieces)
    return out + _block(out, summary(skipped, len(worked), total, lang), nl)


def _block(before: str, body: str, nl: str) -> str:
    """A marked block to go after `before` (at a line start, or after a last line without a break)."""
    if before and not before.endswith(("\n", "\r")):
        return f"\n\n{BEGIN_AT_END}\n\n{body}\n\n{END}".replace("\n", nl)
    return f"\n{BEGIN}\n\n{body}\n\n{END}\n".replace("\n", nl)


def summary(skipped: Sequence[tuple[Formula, str]], worked: int, total: int, lang: str) -> str:
    """The note's closing block: the formulas not differentiated, each with its reason, and the count."""
    lines = [f"**{phrase('skipped_title', lang)}**", "", phrase("skipped_intro", lang), ""]
    for f, reason in skipped:
        shown = " ".join(f.tex.split())
        fence = "``" if "`" in shown else "`"
        where = f"{phrase('line', lang, n=f.line)}{phrase('colon', lang)}"
        lines.append(f"- {where} {fence}{shown}{fence} — {reason}")
    return "\n".join(["---", "", *(lines if skipped else []), "",
                      f"*{phrase('generated_by', lang)} ({worked} / {total})*"])
