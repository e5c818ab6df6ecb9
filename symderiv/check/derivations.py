r"""Reading a hand derivation: its lines (align environments or $$ lines) and line 1's head.

Line 1 may carry the derivative head: `\frac{d}{dx}(…) &= …` gives the function,
`\frac{\partial L}{\partial \theta} &= …` or `\nabla_\theta L = …` only the variable.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from symderiv.check.variables import normalise_name
from symderiv.core.errors import VerifyError


@dataclass(frozen=True)
class Head:
    """What line 1's left side says: the function (LaTeX) if written inline, and the variable."""

    function: str | None
    wrt: str | None
    name: str | None = None


_ANNOTATION = re.compile(r"(\\q?quad\s*)?(\\text|\\mathrm|\\textrm)\{[^{}]*\}\s*$|\\tag\*?\{[^{}]*\}|"
                         r"\\label\{[^{}]*\}|\\nonumber|\\notag")
_VAR = r"(\\[A-Za-z]+|[A-Za-z])(?:_\{?[A-Za-z0-9]+\}?)?"


def split_derivation(text: str) -> list[tuple[str, str]]:
    """(lhs, rhs) per line of an align/aligned environment or of consecutive $$…$$ lines."""
    env = re.search(r"\\begin\{(align\*?|aligned|eqnarray\*?|gather\*?)\}(.*?)\\end\{\1\}", text, re.S)
    if env:
        raw = re.split(r"\\\\", env.group(2))
    else:
        raw = re.findall(r"\$\$(.*?)\$\$", text, re.S) or text.splitlines()
        if len(raw) == 1:
            raw = re.split(r"\\\\", raw[0])
    out = []
    for line in raw:
        line = _ANNOTATION.sub("", line.replace("\n", " ")).strip()
        line = re.sub(r"(&\s*)+(\\text\{[^{}]*\}|\\quad.*)$", "", line).strip().rstrip(".,;").strip()
        if not line:
            continue
        lhs, rhs = _split_equals(line)
        out.append((lhs.replace("&", "").strip(), rhs.replace("&", "").strip()))
    return out


def _split_equals(line: str) -> tuple[str, str]:
    """Split at the first `=` outside braces/parentheses; `= rhs` has an empty lhs."""
    depth = 0
    for pos, ch in enumerate(line):
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif ch == "=" and depth == 0:
            return line[:pos], line[pos + 1:]
    return "", line


_HEAD_OPERATOR = re.compile(
    r"^\\(?:d?frac|tfrac)\s*\{\s*(?:d|\\partial|\\mathrm\{d\})\s*\}\s*"
    r"\{\s*(?:d|\\partial|\\mathrm\{d\})\s*(?P<var>" + _VAR + r")\s*\}\s*(?P<rest>.*)$", re.S)
_HEAD_RATIO = re.compile(
    r"^\\(?:d?frac|tfrac)\s*\{\s*(?:d|\\partial|\\mathrm\{d\})\s*(?P<name>[^{}]*?|\{[^{}]*\})\s*\}\s*"
    r"\{\s*(?:d|\\partial|\\mathrm\{d\})\s*(?P<var>" + _VAR + r")\s*\}\s*$", re.S)
_HEAD_NABLA = re.compile(r"^\\nabla_\{?\s*(?P<var>" + _VAR + r")\s*\}?\s*(?P<name>.*)$", re.S)


def parse_head(lhs: str) -> Head:
    r"""Recognise `\frac{d}{dx}(…)`, `\frac{\partial L}{\partial \theta}`, `\nabla_\theta L`."""
    lhs = lhs.strip()
    m = _HEAD_OPERATOR.match(lhs)
    if m and m.group("rest").strip():
        return Head(_strip_brackets(m.group("rest")), normalise_name(m.group("var")))
    m = _HEAD_RATIO.match(lhs)
    if m:
        return Head(None, normalise_name(m.group("var")), m.group("name").strip() or None)
    m = _HEAD_NABLA.match(lhs)
    if m:
        return Head(None, normalise_name(m.group("var")), m.group("name").strip() or None)
    raise VerifyError(f"line 1: cannot read the derivative on the left of '=': {lhs[:60]}")


def _strip_brackets(text: str) -> str:
    t = text.strip()
    for left, right in ((r"\left(", r"\right)"), (r"\left[", r"\right]"), ("(", ")"), ("[", "]")):
        if t.startswith(left) and t.endswith(right) and _balanced(t[len(left):-len(right)]):
            return t[len(left):-len(right)].strip()
    return t


def _balanced(t: str) -> bool:
    depth = 0
    for ch in t:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth < 0:
            return False
    return depth == 0
