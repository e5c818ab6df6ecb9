"""Write the seed note's worked version, with its pictures, into docs/examples/seed-note/.

The note is the user's seed note (a copy kept beside its worked version, `note.md`); the worked
version is what `symderiv notes note.md -o note.worked.md --lang zh` writes, pictures included.
`--check` compares the Markdown and checks that every picture it links is there and is a PNG (the
pictures' bytes follow the installed matplotlib and fonts, so they are not compared).

    python3 scripts/make_seed_note.py                      # write the files
    python3 scripts/make_seed_note.py --seed PATH.md       # refresh the copy of the note first
    python3 scripts/make_seed_note.py --check              # exit 1 when stale, write nothing
"""
from __future__ import annotations

import argparse
import difflib
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from symderiv.notes.jobs import work_note  # noqa: E402

OUT = ROOT / "docs" / "examples" / "seed-note"
NOTE, WORKED = OUT / "note.md", OUT / "note.worked.md"


def worked() -> tuple[str, list[tuple[str, bytes]]]:
    """The worked note's text and its pictures [(path, bytes)]."""
    text = NOTE.read_bytes().decode("utf-8")
    return work_note(text, lang="zh", out_path=str(WORKED), timeout=60.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether the files are stale")
    parser.add_argument("--seed", metavar="PATH.md", help="copy this note to note.md first")
    args = parser.parse_args(argv)
    if args.seed and not args.check:
        OUT.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.seed, NOTE)
    text, files = worked()
    if args.check:
        stale = [] if WORKED.exists() and WORKED.read_bytes().decode("utf-8") == text else [WORKED.name]
        for link in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
            path = OUT / link
            if not path.exists() or not path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n"):
                stale.append(link)
        for name in stale:
            print(f"stale: docs/examples/seed-note/{name}", file=sys.stderr)
        if WORKED.name in stale and WORKED.exists():      # what differs, to tell a change from a flake
            old = WORKED.read_bytes().decode("utf-8").splitlines()
            diff = difflib.unified_diff(old, text.splitlines(), "committed", "now", n=1, lineterm="")
            print("\n".join(list(diff)[:40]), file=sys.stderr)
        return 1 if stale else 0
    for old in OUT.glob("note.worked.fig*.png"):
        old.unlink()
    for path, data in files:
        Path(path).write_bytes(data)
    WORKED.write_bytes(text.encode("utf-8"))
    print(f"wrote {WORKED.relative_to(ROOT)} and {len(files)} pictures")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
