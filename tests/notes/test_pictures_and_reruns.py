"""Issue 13 items 6 and 7: worked blocks fold and are found again (a re-run changes nothing), line
references point where the lines stand in the worked note, and every picture linked is a real image."""
from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from symderiv.cli.main import main
from symderiv.notes.reading import strip_worked

ROOT = Path(__file__).resolve().parents[2]
NOTE = ("# Two functions\n\nThe cubic\n\n$$f(x) = x^3 - 3x$$\n\nhas $f'(x) = 3x^2 - 3$.\n\n"
        "A bowl in two variables:\n\n$$g(x, y) = (x - 1)^2 + 5 (y + 1)^2 + x y$$\n\n"
        "and the sigmoid $s(z) = \\frac{1}{1 + e^{-z}}$ on its own.\n")


def run(src: Path, out: Path, *extra: str) -> str:
    """`symderiv notes` as a user runs it, in a process of its own (a derivation's printed term order
    can differ between the first and a later derivation in one process: a STEPS matter)."""
    out.parent.mkdir(exist_ok=True)
    proc = subprocess.run([sys.executable, "-m", "symderiv", "notes", str(src), "-o", str(out), "--lang", "en",
                           *extra], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module", params=["callout", "details"])
def twice(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(request.param)
    src = tmp / "note.md"
    src.write_text(NOTE, encoding="utf-8")
    once = run(src, tmp / "one" / "w.md", "--style", request.param)
    again = run(tmp / "one" / "w.md", tmp / "two" / "w.md", "--style", request.param)
    return request.param, tmp, once, again


def test_notes_twice_is_notes_once(twice):
    _, tmp, once, again = twice
    assert again == once
    assert strip_worked(once) == NOTE
    for png in (tmp / "one").glob("*.png"):
        assert (tmp / "two" / png.name).read_bytes() == png.read_bytes()


def test_blocks_fold(twice):
    style, _, once, _ = twice
    if style == "callout":
        assert len(re.findall(r"(?m)^> \[!note\]- symderiv · ", once)) == 3
        inside = once.split("<!-- symderiv:begin -->")[1].split("<!-- symderiv:end -->")[0]
        assert all(line.startswith(">") for line in inside.strip().splitlines())
    else:
        assert once.count("<details>\n<summary>symderiv · ") == 3 == once.count("</details>")


def test_a_changed_formula_is_reworked(tmp_path):
    src = tmp_path / "note.md"
    src.write_text(NOTE, encoding="utf-8")
    once = run(src, tmp_path / "one" / "w.md")
    edited = tmp_path / "edited.md"
    edited.write_text(once.replace("$$f(x) = x^3 - 3x$$", "$$f(x) = x^4$$"), encoding="utf-8")
    again = run(edited, tmp_path / "two" / "w.md")
    assert "4 x^{3}" in again and "3 x^{2} - 3" not in again.split("$$f(x) = x^4$$")[1].split("A bowl")[0]
    assert strip_worked(again) == NOTE.replace("x^3 - 3x$$", "x^4$$")


def test_line_references_point_at_the_line_in_the_worked_note(twice):
    _, _, once, _ = twice
    lines = once.split("\n")
    refs = [int(n) for n in re.findall(r"line (\d+)", once)]
    assert refs
    for n in refs:   # each reference names a line of the note's own text, where it now stands
        assert "$" in lines[n - 1] and not lines[n - 1].startswith(">"), (n, lines[n - 1])
    # f'(x) = 3x^2 - 3 is checked against f, which the summary says by f's line
    claim = next(line for line in lines if "3x^2 - 3" in line and line.startswith("- line"))
    f_line = int(re.search(r"\(line (\d+)\)", claim).group(1))
    assert lines[f_line - 1] == "$$f(x) = x^3 - 3x$$"


def is_image(path: Path) -> bool:
    from PIL import Image

    data = path.read_bytes()
    if path.suffix == ".svg":
        return data.lstrip().startswith(b"<?xml") and b"<svg" in data[:600]
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return False
    with Image.open(io.BytesIO(data)) as im:
        im.verify()
    import matplotlib.image

    return matplotlib.image.imread(str(path)).shape[0] > 100


def test_every_picture_linked_exists_and_is_an_image(twice):
    _, tmp, once, _ = twice
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", once)
    assert len(links) == 3            # the cubic's tangent, the bowl's paths, σ with σ′
    for link in links:
        assert "/" not in link and is_image(tmp / "one" / link), link


def test_derive_plot_writes_png_and_svg(tmp_path, capsys):
    for name in ("f.png", "f.svg"):
        assert main(["derive", "f(x, y) = x^2 + 3y^2 + xy", "--plot", str(tmp_path / name)]) == 0
        assert is_image(tmp_path / name)
    assert main(["derive", "f(x) = x^2", "--plot", str(tmp_path / "f.gif")]) == 2
    assert main(["derive", "--plot", str(tmp_path / "g.png")]) == 2       # θ is a vector: no picture
    assert not (tmp_path / "g.png").exists()


def test_newton_reaches_a_quadratics_minimum_in_one_step_gradient_descent_goes_down():
    from symderiv.output.plots import descent_paths

    x, y = sp.symbols("x y")
    f = (x - 1) ** 2 + 5 * (y + 1) ** 2 + x * y
    fn = sp.lambdify((x, y), f)
    gfn = [sp.lambdify((x, y), sp.diff(f, v)) for v in (x, y)]
    hfn = sp.lambdify((x, y), sp.hessian(f, (x, y)))
    gd, nt = descent_paths(fn, gfn, hfn, np.array([2.5, -2.0]))
    best = sp.solve([sp.diff(f, x), sp.diff(f, y)], [x, y])
    assert np.allclose(nt[1], [float(best[x]), float(best[y])])
    losses = [fn(*p) for p in gd]
    assert all(b <= a for a, b in itertools.pairwise(losses)) and losses[-1] < losses[0] - 1


def test_chinese_titles_with_a_cjk_font_when_there_is_one():
    from symderiv.output import plots

    if shutil.which("fc-list") is None or plots.cjk_font() is None:
        assert plots._words("zh")[0] is plots.TITLES["en"]       # English, never boxes
    else:
        assert plots._words("zh")[0] is plots.TITLES["zh"]
    assert plots.sigma_png("zh").startswith(b"\x89PNG")


def test_seed_note_example_is_current():
    """In a process of its own, as CI runs it (see `run`: term order can depend on earlier derivations)."""
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_seed_note.py"), "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, "run python3 scripts/make_seed_note.py: " + proc.stderr
