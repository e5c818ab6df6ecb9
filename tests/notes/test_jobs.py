"""`notes --jobs N` and the cache of worked formulas (issue 16, item 3): the same note for any number
of jobs, with or without the cache; a re-run hits, a changed formula misses, a corrupt entry misses."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from symderiv.cli.main import main
from symderiv.notes.cache import FORMAT, Cache

DATA = Path(__file__).parents[1] / "data"
SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "ml-calculus-for-machine-learning.md"

# small and quick: three functions (one using σ: its picture once), a repeat, a claim, a definition
SMALL = r"""# Small

$$ f(x) = x^3 - 2x $$

$$ g(x, y) = x^2 y + \sin(y) $$

A sigmoid: $h(z) = \sigma(z)^2$, and again $f(x) = x^3 - 2x$.

$$ f'(x) = 3x^2 - 2 $$

$$ q(w) = \log(1 + e^{w}) $$
"""


def notes(tmp_path: Path, note: Path, name: str, *options: str) -> tuple[str, dict[str, bytes], str]:
    """The worked note (picture names made neutral), its pictures by number, and stderr's lines."""
    out = tmp_path / f"{name}.md"
    # time enough that no formula's result is shaped by its limit (such a result is not cached)
    code = main(["notes", str(note), "-o", str(out), "--formula-timeout", "300", *options])
    assert code == 0
    pictures = {p.name.replace(name, "N"): p.read_bytes() for p in tmp_path.glob(f"{name}.fig*.png")}
    return out.read_text(encoding="utf-8").replace(f"{name}.fig", "N.fig"), pictures, ""


def counter(err: str) -> tuple[int, int]:
    m = re.search(r"cache: (\d+) hit\(s\), (\d+) miss\(es\)", err)
    assert m, err
    return int(m.group(1)), int(m.group(2))


@pytest.mark.slow
@pytest.mark.parametrize("source", [SEED, DATA / "notes_example_en.md"], ids=["seed", "example"])
def test_two_jobs_give_the_note_one_job_gives(tmp_path, source):
    note = tmp_path / "note.md"
    shutil.copyfile(source, note)
    one = notes(tmp_path, note, "one", "--jobs", "1", "--no-cache")
    two = notes(tmp_path, note, "two", "--jobs", "2", "--no-cache")
    assert one[0] == two[0]
    assert one[1] == two[1] and one[1]          # the same pictures, in the same order
    assert "symderiv · " in one[0]


def test_rerun_hits_the_cache_and_gives_the_same_note(tmp_path, capsys):
    note = tmp_path / "small.md"
    note.write_text(SMALL, encoding="utf-8")
    first = notes(tmp_path, note, "a", "--jobs", "1", "-v")
    hits, misses = counter(capsys.readouterr().err)
    assert hits == 0 and misses >= 4
    again = notes(tmp_path, note, "b", "--jobs", "1", "-v")
    assert counter(capsys.readouterr().err) == (misses, 0)
    fresh = notes(tmp_path, note, "c", "--jobs", "1", "--no-cache", "-v")
    assert "cache: off" in capsys.readouterr().err
    assert first == again == fresh
    assert first[0].count("N.fig") == len(first[1]) >= 2      # σ's picture once, numbered in order


def test_a_changed_formula_is_worked_again_the_others_hit(tmp_path, capsys):
    note = tmp_path / "small.md"
    note.write_text(SMALL, encoding="utf-8")
    notes(tmp_path, note, "a", "--jobs", "1", "-v", "--no-plots")
    _, misses = counter(capsys.readouterr().err)
    # one formula changed, and a line added above everything: line references move, entries still hit
    note.write_text("Intro line.\n\n" + SMALL.replace(r"\log(1 + e^{w})", r"\log(1 + e^{2w})"), encoding="utf-8")
    changed = notes(tmp_path, note, "b", "--jobs", "1", "-v", "--no-plots")
    assert counter(capsys.readouterr().err) == (misses - 1, 1)
    assert r"e^{2 w}" in changed[0]
    assert changed == notes(tmp_path, note, "c", "--jobs", "1", "--no-cache", "--no-plots")


def test_a_corrupt_or_foreign_entry_is_a_miss(tmp_path, capsys, monkeypatch):
    note = tmp_path / "small.md"
    note.write_text(SMALL, encoding="utf-8")
    first = notes(tmp_path, note, "a", "--jobs", "1", "-v", "--no-plots")
    _, misses = counter(capsys.readouterr().err)
    entries = sorted(Cache().folder.glob("*/*.pkl"))
    assert entries
    for n, entry in enumerate(entries):        # garbage, truncated pickle, empty file, in turn
        data = entry.read_bytes()
        entry.write_bytes([b"not a pickle", data[: len(data) // 2], b""][n % 3])
    assert notes(tmp_path, note, "b", "--jobs", "1", "-v", "--no-plots") == first
    assert counter(capsys.readouterr().err) == (0, misses)
    # rewritten, they hit again
    assert notes(tmp_path, note, "c", "--jobs", "1", "-v", "--no-plots") == first
    assert counter(capsys.readouterr().err) == (misses, 0)
    # another format's entries are not read
    monkeypatch.setattr("symderiv.notes.cache.FORMAT", FORMAT + 1)
    assert notes(tmp_path, note, "d", "--jobs", "1", "-v", "--no-plots") == first
    assert counter(capsys.readouterr().err) == (0, misses)


def test_cache_is_bounded_and_writes_atomically(tmp_path):
    cache = Cache(root=tmp_path, max_bytes=20_000)
    for n in range(40):
        cache.put(("k", n), b"x" * 1000)
    assert all(p.suffix == ".pkl" for p in cache.folder.rglob("*") if p.is_file())   # no temporary file left
    cache.trim()
    size = sum(p.stat().st_size for p in cache.folder.glob("*/*.pkl"))
    assert 0 < size <= 20_000
    assert cache.get(("k", 39)) == b"x" * 1000 or cache.get(("k", 0)) is None


def test_no_cache_writes_nothing(tmp_path, capsys):
    note = tmp_path / "small.md"
    note.write_text(SMALL, encoding="utf-8")
    notes(tmp_path, note, "a", "--jobs", "1", "--no-cache", "--no-plots")
    assert not Cache().folder.exists()


def test_jobs_must_be_a_positive_number(tmp_path, capsys):
    note = tmp_path / "small.md"
    note.write_text(SMALL, encoding="utf-8")
    assert main(["notes", str(note), "--jobs", "0"]) == 2
    assert "--jobs" in capsys.readouterr().err


def test_an_edited_symderiv_does_not_read_the_entries_an_older_one_wrote(tmp_path, capsys, monkeypatch):
    """The key holds a digest of symderiv's source: an edited checkout of the same version misses."""
    from symderiv.notes import cache as cache_module

    note = tmp_path / "small.md"
    note.write_text(SMALL, encoding="utf-8")
    first = notes(tmp_path, note, "a", "--jobs", "1", "-v", "--no-plots")
    _, misses = counter(capsys.readouterr().err)
    version = cache_module.code_version()
    assert version.startswith("0.1.0 ") and "sympy=" in version
    monkeypatch.setattr(cache_module, "code_version", lambda: version + " edited")
    assert notes(tmp_path, note, "b", "--jobs", "1", "-v", "--no-plots") == first
    assert counter(capsys.readouterr().err) == (0, misses)


def test_an_unchanged_note_is_answered_whole_without_sympy(tmp_path):
    """The second run of an unchanged note reads one entry (the whole worked note) and loads no SymPy;
    its output and pictures are the first run's, byte for byte."""
    import os
    import subprocess
    import sys

    note = tmp_path / "small.md"
    note.write_text(SMALL, encoding="utf-8")
    env = {**os.environ, "SYMDERIV_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    script = ("import sys; from symderiv.cli.main import main; "
              f"code = main(['notes', {str(note)!r}, '-o', sys.argv[1], '--jobs', '1', '-v']); "
              "print(code, 'sympy' in sys.modules)")
    outs = [tmp_path / name / "out.md" for name in ("a", "b")]     # the same name: it names the pictures
    for out in outs:
        out.parent.mkdir()
    runs = [subprocess.run([sys.executable, "-c", script, str(out)], env=env, capture_output=True, text=True,
                           timeout=300) for out in outs]
    assert runs[0].stdout.split() == ["0", "True"], runs[0].stderr
    assert runs[1].stdout.split() == ["0", "False"], runs[1].stderr
    assert "the note unchanged, read whole" in runs[1].stderr
    assert outs[1].read_text(encoding="utf-8") == outs[0].read_text(encoding="utf-8")
    pictures = [sorted(out.parent.glob("out.fig*.png")) for out in outs]
    assert pictures[0] and [p.name for p in pictures[1]] == [p.name for p in pictures[0]]
    assert [p.read_bytes() for p in pictures[1]] == [p.read_bytes() for p in pictures[0]]
