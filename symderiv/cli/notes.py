"""`symderiv notes NOTE.md`: arguments, reading the note, the worked note and its plots."""
from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from symderiv.cli.command import Outcome
from symderiv.cli.options import add_common, add_parallel, seconds
from symderiv.core.errors import SymderivError

if TYPE_CHECKING:
    from symderiv.notes.cache import Cache

FORMULA_TIMEOUT = 10.0  # seconds per formula
NOTE_TIMEOUT = 600.0  # seconds for the whole note


def configure_cli(parser: argparse.ArgumentParser, name: str) -> None:
    """The arguments of `notes`."""
    parser.add_argument("note", metavar="NOTE.md", help="the Markdown note to work through")
    add_common(parser, ("md",), "md", timeout=NOTE_TIMEOUT)
    parser.set_defaults(output=None)
    parser.add_argument("--formula-timeout", type=seconds, default=FORMULA_TIMEOUT, metavar="SECONDS",
                        help=f"time limit per formula (default {FORMULA_TIMEOUT:g}); --timeout bounds the whole note")
    plots = parser.add_mutually_exclusive_group()
    plots.add_argument("--plots", dest="no_plots", action="store_false",
                       help="draw pictures beside the worked note (the default)")
    parser.set_defaults(no_plots=False)
    plots.add_argument("--no-plots", dest="no_plots", action="store_true", help="do not draw pictures")
    parser.add_argument("--style", choices=("callout", "details"), default="callout",
                        help="how a worked block folds: an Obsidian/GitHub callout `> [!note]-` "
                             "(default) or an HTML <details>")
    add_parallel(parser, "formulas")
    parser.add_argument("--no-cache", action="store_true",
                        help="work every formula again (default: formulas worked before with the same "
                             "definitions and options come from the cache; SYMDERIV_CACHE_DIR sets where)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="say on stderr how many formulas came from the cache")


def run_cli(args: argparse.Namespace) -> Outcome:
    """Work the note; it goes to -o (default NOTE.worked.md beside the note, never over it)."""
    from symderiv.notes.cache import Cache, note_key
    from symderiv.notes.language import note_language

    path = args.note
    if not os.path.isfile(path):
        raise SymderivError(f"no such note: {path}")
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            text = fh.read()
    except UnicodeDecodeError:
        raise SymderivError(f"{path} is not UTF-8 text") from None
    out = args.output or default_output(path)
    if out != "-" and os.path.abspath(out) == os.path.abspath(path):
        raise SymderivError(f"refusing to write over the input file {path}")
    lang = args.lang or note_language(text)
    cache = None if args.no_cache else Cache()
    key = note_key(text, lang, os.path.basename(out), not args.no_plots, args.formula_timeout, args.style)
    hit = _from_cache(cache, key, out) if cache is not None else None
    result, files = hit if hit is not None else _work(args, text, lang, out, cache, key)
    if args.verbose:
        print(cache.counter() if cache is not None else "cache: off (--no-cache)", file=sys.stderr)
    return Outcome(result, files=tuple(files), output=out, message="" if out == "-" else f"wrote {out}")


def _from_cache(cache: Cache, key: tuple[Any, ...], out: str) -> tuple[str, list[tuple[str, bytes]]] | None:
    """The whole note from its entry (a re-run of the unchanged note), its pictures beside `out`."""
    from symderiv.notes.cache import WorkedNote

    entry = cache.get(key, count=False)
    if not isinstance(entry, WorkedNote):
        return None
    cache.hits += entry.units
    cache.whole_note = True
    folder = os.path.dirname(os.path.abspath(out))
    return entry.markdown, [(os.path.join(folder, name), data) for name, data in entry.pictures]


def _work(args: argparse.Namespace, text: str, lang: str, out: str, cache: Cache | None,
          key: tuple[Any, ...]) -> tuple[str, list[tuple[str, bytes]]]:
    """The note worked, formula by formula (each from the cache or the pool); the whole note cached
    when no time limit shaped it."""
    from symderiv.cli.progress import bar
    from symderiv.notes.cache import WorkedNote
    from symderiv.notes.jobs import work

    with bar("notes", args.quiet) as progress:
        worked = work(text, lang=lang, out_path=out, plots=not args.no_plots, timeout=args.formula_timeout,
                      progress=progress, style=args.style, jobs=args.jobs or os.cpu_count() or 1, cache=cache)
    if cache is not None and worked.complete:
        cache.put(key, WorkedNote(worked.markdown, tuple((os.path.basename(p), d) for p, d in worked.files),
                                  worked.units))
    return worked.markdown, worked.files


def default_output(path: str) -> str:
    """NOTE.worked.md next to NOTE.md."""
    root, ext = os.path.splitext(path)
    return root + ".worked" + (ext or ".md")
