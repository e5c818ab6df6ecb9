"""What a request asks for, read from the page's URL or an API call's JSON, as the CLI's argv.

Both read the same fields as the CLI's options (latex, where, wrt, hessian, claim, steps, start, lang,
timeout); the argv is built with `--option=value` and `--` before the formula, so a value that starts
with `-` is read as typed and never taken for an option.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from symderiv.core.errors import SymderivError

MODES = ("derive", "verify", "analyze", "optimize")
LANGS = ("en", "zh")
MAX_FIELD = 10_000  # characters in one field (the parser refuses formulas over 5,000 itself)

# the JSON fields each API command takes (its CLI options; `steps` is the derivation's text)
API_FIELDS = {
    "derive": {"latex", "where", "wrt", "hessian", "lang", "timeout"},
    "verify": {"latex", "where", "wrt", "claim", "steps", "lang", "timeout"},
    "analyze": {"latex", "where", "lang", "timeout"},
}


class RequestError(SymderivError):
    """A request with a missing, unknown or mistyped field (400)."""


@dataclass(frozen=True)
class Form:
    """One request: the mode (the command) and its fields."""

    mode: str = "derive"
    latex: str = ""
    where: tuple[str, ...] = ()
    wrt: str = ""
    hessian: bool = False
    claim: str = ""
    steps: str = ""
    start: str = ""
    lang: str = "en"
    timeout: float | None = None

    def argv(self, fmt: str) -> list[str]:
        """`symderiv MODE --format=FMT … -- LATEX`, the words the CLI would be given."""
        argv = [self.mode, f"--format={fmt}", f"--lang={self.lang}"]
        argv += [f"--where={w}" for w in self.where]
        if self.wrt:
            argv.append(f"--wrt={self.wrt}")
        if self.hessian and self.mode == "derive":
            argv.append("--hessian")
        if self.mode == "verify" and self.claim:
            argv.append(f"--claim={self.claim}")
        if self.mode == "optimize" and self.start:
            argv.append(f"--start={self.start}")
        return [*argv, "--", self.latex] if self.latex else argv


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise RequestError(f"{name}: expected a string, got {type(value).__name__}")
    if len(value) > MAX_FIELD:
        raise RequestError(f"{name}: longer than {MAX_FIELD} characters")
    return value.strip()


def _lines(value: Any, name: str) -> tuple[str, ...]:
    """`where`: a list of definitions, or one string with a definition per line."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        out += [line.strip() for line in _text(item, name).splitlines() if line.strip()]
    return tuple(out)


def _wrt(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(_text(v, "wrt") for v in value)
    return _text(value, "wrt")


def from_json(command: str, data: Any) -> Form:
    """An API call's JSON object, checked field by field."""
    if not isinstance(data, dict):
        raise RequestError("the request body must be a JSON object")
    unknown = set(data) - API_FIELDS[command]
    if unknown:
        raise RequestError(f"unknown field(s) {', '.join(sorted(unknown))}; {command} takes "
                           + ", ".join(sorted(API_FIELDS[command])))
    latex = data.get("latex")
    hessian = data.get("hessian", False)
    if not isinstance(hessian, bool):
        raise RequestError("hessian: expected true or false")
    timeout = data.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or not 0 < timeout < float("inf")):
        raise RequestError("timeout: expected a positive number of seconds")
    return Form(mode=command, latex="" if latex is None else _text(latex, "latex"),
                where=_lines(data.get("where", []), "where"), wrt=_wrt(data.get("wrt", "")), hessian=hessian,
                claim=_text(data.get("claim", ""), "claim"), steps=_text(data.get("steps", ""), "steps"),
                lang=_lang(data.get("lang", "en")), timeout=None if timeout is None else float(timeout))


def _lang(value: Any) -> str:
    if value not in LANGS:
        raise RequestError(f"lang: expected one of {', '.join(LANGS)}")
    return str(value)


def from_query(params: Mapping[str, Any], getlist: Any, default_lang: str = "en") -> Form:
    """The page's URL (`/?latex=…&where=…&wrt=…&lang=zh`): unknown or odd values fall back to defaults."""
    mode = params.get("mode", "derive")
    lang = params.get("lang", default_lang)
    return Form(mode=mode if mode in MODES else "derive", latex=_text(params.get("latex", ""), "latex"),
                where=_lines(list(getlist("where")), "where"), wrt=_text(params.get("wrt", ""), "wrt"),
                hessian=params.get("hessian", "") in ("1", "on", "true"), claim=_text(params.get("claim", ""), "claim"),
                steps=params.get("steps", "").strip()[:MAX_FIELD], start=_text(params.get("start", ""), "start"),
                lang=lang if lang in LANGS else default_lang)


def has_work(form: Form) -> bool:
    """Whether the URL asks for a result (a formula, or a derivation to check)."""
    return bool(form.latex or (form.mode == "verify" and form.steps))
