"""The options every command shares, defined once: --format, --lang, -o, --timeout, --where.

Values that start with `-` are taken as users type them (`--start -1,1`, `--lr -1e-3` is then
refused by --lr's own check, not by argparse): `join_dash_values` rewrites `--opt -v` to `--opt=-v`
for every option that takes one value, before argparse sees the words.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Sequence

from symderiv.core.errors import SymderivError
from symderiv.core.limits import DEFAULT_TIMEOUT

LANGUAGES = ("en", "zh")


class UsageError(SymderivError):
    """The command line itself is wrong (exit 2, one `error:` line)."""


def seconds(value: str) -> float:
    """--timeout: a positive, finite number of seconds."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if math.isnan(number) or math.isinf(number) or number <= 0:
        raise argparse.ArgumentTypeError(f"the time limit must be a positive, finite number of seconds, not {value}")
    return number


def jobs(value: str) -> int:
    """--jobs: a positive number of worker processes."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of processes: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"--jobs takes at least 1 process, not {value}")
    return number


def add_parallel(parser: argparse.ArgumentParser, what: str) -> None:
    """--jobs, for a command that works many items (notes, verify --batch)."""
    parser.add_argument("--jobs", type=jobs, default=None, metavar="N",
                        help=f"worker processes for the {what} (default: the cores; 1 works them here, in order)")


def add_formula(parser: argparse.ArgumentParser, help_text: str = "the formula (`-` reads it from standard input)",
                ) -> None:
    """The LATEX argument and --where definitions, for a command that reads a formula."""
    parser.add_argument("latex", nargs="?", metavar="LATEX", help=help_text)
    parser.add_argument("--where", action="append", default=[], metavar="DEF",
                        help=r"a definition such as '\hat{y}_i = \sigma(\theta^T x_i)' (repeatable)")


def add_common(parser: argparse.ArgumentParser, formats: Sequence[str], default_format: str,
               timeout: float = DEFAULT_TIMEOUT) -> None:
    """--format, --lang, -o, --timeout and --quiet, the same for every command."""
    parser.add_argument("--format", choices=tuple(formats), default=default_format,
                        help=f"output format (default {default_format})")
    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help="language of the output (default: from the locale, else English)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    parser.add_argument("--timeout", type=seconds, default=timeout,
                        help=f"time limit for the whole command, in seconds (default {timeout:g})")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress on stderr (there is some only when stderr is a terminal: a bar "
                             "for many items, a spinner for work past a second)")


def join_dash_values(parser: argparse.ArgumentParser, argv: Sequence[str]) -> list[str]:
    """`--start -1,1` -> `--start=-1,1` for options that take exactly one value, and a word that starts
    with `-` but is no option (`-x^2`, a formula) marked as a value (`unmark` takes the mark off)."""
    takes_value = {opt for action in _all_actions(parser) if action.nargs is None and action.option_strings
                   and not isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction))
                   for opt in action.option_strings if opt.startswith("--")}
    known = {opt for action in _all_actions(parser) for opt in action.option_strings}
    out: list[str] = []
    words = list(argv)
    n = 0
    while n < len(words):
        word = words[n]
        if word == "--":              # everything after it is a value already
            return out + words[n:]
        following = words[n + 1] if n + 1 < len(words) else None
        if (word in takes_value and following is not None and following.startswith("-")
                and following != "-" and following.split("=")[0] not in known):
            out.append(f"{word}={following}")
            n += 2
            continue
        if word.startswith("-") and word != "-" and word.split("=")[0] not in known and not _LONG_OPTION.match(word):
            out.append(POSITIONAL_MARK + word)       # `-x^2`, `-\sin(3x)`: a formula, not an option
        else:
            out.append(word)
        n += 1
    return out


POSITIONAL_MARK = " "     # argparse reads a word that starts with a space as a value; unmarked after parsing
_LONG_OPTION = re.compile(r"--[A-Za-z][A-Za-z0-9-]*(=.*)?\Z")


def unmark(args: argparse.Namespace) -> argparse.Namespace:
    """The values `join_dash_values` marked, as the user typed them (carets count from their start)."""
    for name, value in vars(args).items():
        if isinstance(value, str) and value.startswith(POSITIONAL_MARK + "-"):
            setattr(args, name, value[len(POSITIONAL_MARK):])
        elif isinstance(value, list):
            setattr(args, name, [v[len(POSITIONAL_MARK):] if isinstance(v, str) and v.startswith(POSITIONAL_MARK + "-")
                                 else v for v in value])
    return args


def _all_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    actions = list(parser._actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                actions.extend(_all_actions(sub))
    return actions
