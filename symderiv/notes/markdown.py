"""The note read as CommonMark: markdown-it-py with dollar math, front matter, amsmath environments
and `\\(…\\)` / `\\[…\\]`, plus the table of the note's lines that the token maps index.

Code spans, fenced and indented code, HTML blocks and comments and front matter are tokens of their
own, so their content is never taken for math. markdown-it reads `\\r\\n`, `\\r` and `\\n` all as line
breaks (and numbers lines the same way): `Lines` splits the note's own text alike, so a token's
`map` gives offsets into the note as it is, line endings and a byte-order mark included.
"""
from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_block, amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.dollarmath.index import math_block_dollar
from mdit_py_plugins.front_matter import front_matter_plugin

if TYPE_CHECKING:
    from markdown_it.ruler import RuleOptionsType
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

BOM = "\ufeff"
NEWLINE = re.compile(r"\r\n|\r|\n")
# what a display block may interrupt, as amsmath and front matter do (Obsidian/Typora start math there)
_INTERRUPTS: RuleOptionsType = {"alt": ["paragraph", "reference", "blockquote", "list"]}


# --------------------------------------------------------------------------- the parser
@functools.lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """CommonMark (HTML on) with GFM tables, front matter, `$…$`/`$$…$$`, amsmath, `\\(…\\)`, `\\[…\\]`.

    `$…$` follows Pandoc: no space inside the dollars and no digit right after the closing one, so
    `$5 or $6` is money, not math. A `$$` block may hold blank lines (Obsidian and Typora allow
    them); a `\\[` block may not (LaTeX does not).
    """
    md = MarkdownIt("commonmark").enable("table")
    md.use(front_matter_plugin)
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.block.ruler.at("math_block", _quiet_when_silent(math_block_dollar(allow_blank_lines=True)), _INTERRUPTS)
    md.use(amsmath_plugin)
    md.block.ruler.at("amsmath", _amsmath_block, _INTERRUPTS)
    md.inline.ruler.before("escape", "math_paren", _paren_inline)
    md.block.ruler.before("fence", "math_bracket", _bracket_block, _INTERRUPTS)
    return md


def tokens(text: str) -> list[Token]:
    """The block tokens of the note (a leading byte-order mark is not part of the Markdown)."""
    return parser().parse(text[1:] if text.startswith(BOM) else text)


def escaped(src: str, pos: int) -> bool:
    """True when src[pos] follows an odd number of backslashes."""
    n = 0
    while pos - n - 1 >= 0 and src[pos - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def _quiet_when_silent(rule: Callable[[StateBlock, int, int, bool], bool]
                       ) -> Callable[[StateBlock, int, int, bool], bool]:
    """A block rule that leaves no token behind when asked only whether it matches (`silent`, as a
    paragraph, list or quote asks before a line interrupts it). mdit-py-plugins 0.7's `$$` rule pushes
    its token even then, so a `$$…$$` line right under a paragraph came out two or three times."""

    def quiet(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if not silent:
            return rule(state, start, end, silent)
        count, line = len(state.tokens), state.line
        found = rule(state, start, end, silent)
        del state.tokens[count:]
        state.line = line
        return found

    return quiet


def _amsmath_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """mdit-py-plugins' amsmath rule, its token's map ending after the `\\end{…}` line (not on it)."""
    found = amsmath_block(state, start, end, silent)
    if found and not silent:
        state.tokens[-1].map = [start, state.line]
    return found


def _paren_inline(state: StateInline, silent: bool) -> bool:
    """Inline `\\(…\\)` (also over several lines of a paragraph)."""
    src, pos = state.src, state.pos
    if not src.startswith("\\(", pos) or escaped(src, pos):
        return False
    close = src.find("\\)", pos + 2)
    while close >= 0 and escaped(src, close):
        close = src.find("\\)", close + 2)
    if close < 0 or not src[pos + 2:close].strip():
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = src[pos + 2:close]
        token.markup = "\\("
    state.pos = close + 2
    return True


def _bracket_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """`\\[` opening a line, `\\]` closing a line (the same or a later one, no blank line between)."""
    if state.is_code_block(start):
        return False
    first = state.bMarks[start] + state.tShift[start]
    if not state.src.startswith("\\[", first):
        return False
    last = _bracket_close(state, start, end, first + 2)
    if last is None:
        return False
    parts = [state.src[first + 2:state.eMarks[start]]]
    parts += [state.src[state.bMarks[n]:state.eMarks[n]] for n in range(start + 1, last + 1)]
    content = "\n".join(parts).rstrip()[:-2]
    if not content.strip():
        return False
    if silent:
        return True
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = content
    token.markup = "\\["
    token.map = [start, last + 1]
    state.line = last + 1
    return True


def _bracket_close(state: StateBlock, start: int, end: int, after: int) -> int | None:
    """The line that ends with the closing `\\]`, or None."""
    for line in range(start, end):
        begin = after if line == start else state.bMarks[line] + state.tShift[line]
        text = state.src[begin:state.eMarks[line]].rstrip()
        if line > start and (not text or state.sCount[line] < state.blkIndent):
            return None
        if text.endswith("\\]") and not escaped(text, len(text) - 2):
            return line
    return None


# --------------------------------------------------------------------------- the note's lines
@dataclass(frozen=True)
class Lines:
    """Where each line of a text starts and where its content ends (before its line break)."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Lines:
        """The lines of `text`, split where markdown-it splits them (`\\r\\n`, `\\r`, `\\n`)."""
        breaks = list(NEWLINE.finditer(text))
        starts = (0, *(m.end() for m in breaks))
        ends = (*(m.start() for m in breaks), len(text))
        return cls(text, starts, ends)

    def start(self, n: int) -> int:
        """Offset of line n (0-based); the end of the text past the last line."""
        return self.starts[n] if n < len(self.starts) else len(self.text)

    def end(self, n: int) -> int:
        """Offset where line n's content ends (its line break not included)."""
        return self.ends[min(n, len(self.ends) - 1)]

    def blank(self, n: int) -> bool:
        return not self.text[self.start(n):self.end(n)].strip()

    def line_of(self, offset: int) -> int:
        """The 0-based line holding `offset`."""
        return bisect.bisect_right(self.starts, offset) - 1

    def after_block(self, first: int, stop: int) -> int:
        """Offset just after the last non-blank line of lines [first, stop): where a block goes after it."""
        last = max(first, stop - 1)
        while last > first and self.blank(last):
            last -= 1
        return self.start(last + 1)


def line_ending(text: str) -> str:
    """The note's line break: the one it uses most (`\\n` for a note of one line)."""
    counts: dict[str, int] = {}
    for m in NEWLINE.finditer(text):
        counts[m.group()] = counts.get(m.group(), 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else "\n"
