"""Write the seed's worked solution, en and zh, as Markdown and LaTeX into docs/examples/.

The pages are what `symderiv derive --hessian --format md|tex --lang en|zh` prints for the built-in
logistic-regression example; a test (tests/output/test_examples.py) fails when the files are not
what this script writes now, so the examples in the repository stay current.

    python3 scripts/make_examples.py           # write the files
    python3 scripts/make_examples.py --check   # exit 1 and name the stale files, write nothing
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from symderiv.calculus.engine import derive  # noqa: E402
from symderiv.cli.derive import BUILTIN_EXAMPLE  # noqa: E402
from symderiv.output.render import render  # noqa: E402

OUT = ROOT / "docs" / "examples"


def pages() -> dict[str, str]:
    """File name -> content: the seed's worked solution in each format and language."""
    d = derive(BUILTIN_EXAMPLE[0], hessian=True, where=list(BUILTIN_EXAMPLE[1]))
    return {f"logistic-regression.{lang}.{fmt}": render(d, fmt, lang)
            for lang in ("en", "zh") for fmt in ("md", "tex")}


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--check", action="store_true", help="only say which files are stale")
    check = args.parse_args(argv).check
    stale = []
    for name, text in pages().items():
        path = OUT / name
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(name)
        if not check:
            OUT.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if check and stale:
        print("stale (run python3 scripts/make_examples.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
