"""Writing the worked note: the note's text as it is, with symderiv's blocks inserted between
`<!-- symderiv:begin -->` and `<!-- symderiv:end -->` (`reading.strip_worked` takes them out again).

Each worked block folds: an Obsidian/GitHub callout `> [!note]-` (style "callout") or an HTML
`<details>` (style "details"); the markers stay outside it, so a re-run finds them at top level.
Line numbers in the blocks are written as `line_ref(n)` (a line of the note as the user wrote it) and
become the line where that text stands in the worked note, so no reference points at a line that moved.

Inserted lines end the way the note's lines do (a CRLF note gets CRLF lines); a block goes at the
start of a line, after the top-level block its formula belongs to, or after the last line when the
note does not end with a line break (then the note still does not end with one).
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from symderiv.notes.markdown import NEWLINE, Lines, line_ending
from symderiv.notes.reading import BEGIN, BEGIN_AT_END, END, Formula
from symderiv.output.phrases import phrase

STYLES = ("callout", "details")
_REF = re.compile("\x00(\\d+)\x00")


def line_ref(n: int) -> str:
    """Line n (1-based) of the note as written, to be renumbered for the worked note."""
    return f"\x00{n}\x00"


def assemble(text: str, worked: Sequence[tuple[int, str]], skipped: Sequence[tuple[Formula, str]],
             total: int, lang: str, style: str = "callout") -> str:
    """The note with each worked block [(offset, markdown)] inserted and the summary at its end."""
    nl = line_ending(text)
    inserts: dict[int, list[str]] = {}
    for pos, markdown in worked:
        inserts.setdefault(pos, []).append(fold(markdown, style))
    pieces, last, added = [], 0, []
    for pos in sorted(inserts):
        pieces.append(text[last:pos])
        block = _block(text[:pos], "\n\n".join(inserts[pos]), nl)
        pieces.append(block)
        added.append((pos, len(NEWLINE.findall(block))))
        last = pos
    pieces.append(text[last:])
    out = "".join(pieces)
    out += _block(out, summary(skipped, len(worked), total, lang), nl)
    lines = Lines.of(text)

    def moved(m: re.Match[str]) -> str:
        n = int(m.group(1))
        start = lines.start(n - 1)
        return str(n + sum(count for pos, count in added if pos <= start))

    return _REF.sub(moved, out)


def fold(markdown: str, style: str) -> str:
    """A worked block that folds, its first paragraph (symderiv · …) as the title."""
    head, _, body = markdown.partition("\n\n")
    title = head.strip().removeprefix("**").removesuffix("**")
    if style == "details":
        return f"<details>\n<summary>{title}</summary>\n\n{body}\n\n</details>"
    quoted = "\n".join(f"> {line}" if line else ">" for line in body.split("\n"))
    return f"> [!note]- {title}\n{quoted}" if body else f"> [!note]- {title}"


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
        where = f"{phrase('line', lang, n=line_ref(f.line))}{phrase('colon', lang)}"
        lines.append(f"- {where} {fence}{shown}{fence} — {reason}")
    return "\n".join(["---", "", *(lines if skipped else []), "",
                      f"*{phrase('generated_by', lang)} ({worked} / {total})*"])
