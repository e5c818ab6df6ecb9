"""A note of real ML formulas for timing `symderiv notes`, and the timing itself.

The formulas are the project's corpora, each once: the matrix-calculus cases (Matrix Cookbook,
matrixcalculus.org, ML losses), the ML notation the parser is tested on, then the derivation corpus,
in that order, those written without `--where` lines (a note states its own definitions). A note of
`count` formulas has one `$$ … $$` block per section, as a course's notes do.

    python3 benchmarks/notes_corpus.py --formulas 200 -o note.md     # write the note
    python3 benchmarks/notes_corpus.py --formulas 200 --measure      # notes on it, then again (cached)

`--measure` runs `symderiv notes --no-plots` twice on the note in a fresh cache directory and prints
formulas per second for the first run and for the re-run of the unchanged note (the cache's hits).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


def formulas(count: int) -> list[str]:
    """`count` distinct formulas from the corpora (fewer if they hold fewer)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from data.matrix_corpus import CASES  # type: ignore[import-not-found]

    found: list[str] = [c.latex for c in CASES if not c.where]
    for name in ("parse_corpus.json", "derive_corpus.json"):
        found += [r["latex"] for r in json.loads((DATA / name).read_text(encoding="utf-8")) if not r.get("where")]
    return list(dict.fromkeys(f.strip() for f in found))[:count]


def note(count: int = 200) -> str:
    """The note: a heading, then a section per formula."""
    lines = ["# Formulas of machine learning", ""]
    for n, tex in enumerate(formulas(count), start=1):
        lines += [f"## Formula {n}", "", f"$$ {tex} $$", ""]
    return "\n".join(lines)


def measure(count: int = 200, jobs: int | None = None) -> tuple[int, float, float]:
    """(formulas, seconds of the first run, seconds of the re-run) of `symderiv notes` on the note."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "note.md"
        text = note(count)
        path.write_text(text, encoding="utf-8")
        env = {**os.environ, "SYMDERIV_CACHE_DIR": str(Path(tmp) / "cache"), "PYTHONPATH": str(ROOT)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)        # bytecode as on an installed machine
        cmd = [sys.executable, "-m", "symderiv", "notes", str(path), "-o", str(Path(tmp) / "out.md"),
               "--no-plots", "--timeout", "3000", "--quiet"]
        if jobs:
            cmd += ["--jobs", str(jobs)]
        times = []
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return text.count("$$") // 2, times[0], times[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--formulas", type=int, default=200)
    ap.add_argument("-o", "--output", help="write the note here (default: stdout)")
    ap.add_argument("--measure", action="store_true", help="time `symderiv notes` on it, twice")
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    if args.measure:
        n, first, again = measure(args.formulas, args.jobs)
        print(f"notes on {n} formulas: {n / first:.1f} formulas/s ({first:.1f} s); "
              f"again, unchanged: {n / again:.1f} formulas/s ({again:.2f} s)")
        return
    text = note(args.formulas)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
