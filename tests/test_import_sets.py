"""Each command imports only its own stage: `--help`, `--version` and usage errors load no SymPy; no
command loads NumPy, Matplotlib or Jinja2 unless it draws, computes numerically or fills a template.

Every case runs the real command line in a fresh interpreter (`python3 -c`) and reads `sys.modules`
after it: an import at module level anywhere on the way shows up here. The `--plot` and `--plots`
cases are the positive controls: they must load Matplotlib, so a probe that saw nothing would fail.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WATCHED = ("sympy", "numpy", "matplotlib", "jinja2", "scipy")
PROBE = f"""
import json, sys
from symderiv.cli.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:   # argparse's --help and --version
    code = exc.code
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {WATCHED!r})
print(json.dumps(dict(code=code, loaded=loaded)), file=sys.stderr)
"""


def loaded(*argv: str, cwd: Path = ROOT) -> tuple[int, set[str]]:
    """The exit code of `symderiv ARGV…` and which of WATCHED it imported (top-level names)."""
    code, modules = loaded_modules(*argv, cwd=cwd)
    return code, {m.split(".")[0] for m in modules}


def loaded_modules(*argv: str, cwd: Path = ROOT) -> tuple[int, set[str]]:
    """The exit code of `symderiv ARGV…` and the modules of WATCHED it imported, by full name."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    return report["code"], set(report["loaded"])


@pytest.mark.parametrize("argv", [("--help",), ("--version",), ("derive", "--help"), ("analyze", "--help"),
                                  ("frobnicate", "x"), ("derive", "--format", "pdf", "x^2"),
                                  ("analyze", "--timeout", "-1", "x^2")])
def test_help_version_and_usage_errors_import_no_sympy(argv: tuple[str, ...]) -> None:
    code, mods = loaded(*argv)
    assert code == (0 if "--help" in argv or "--version" in argv else 2)
    assert mods == set(), f"symderiv {' '.join(argv)} imported {sorted(mods)}"


def test_parse_imports_sympy_only() -> None:
    code, mods = loaded("parse", r"L(w,b) = (\sigma(w x + b) - y)^2")
    assert code == 0
    assert mods == {"sympy"}


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_scalar_derive_imports_no_numpy_jinja2_or_matplotlib(fmt: str) -> None:
    """No NumPy: a scalar problem has no matrix form to check numerically; no Jinja2: json and text
    are printed without templates."""
    code, mods = loaded("derive", r"L(w,b) = (\sigma(w x + b) - y)^2", "--hessian", "--format", fmt)
    assert code == 0
    assert mods == {"sympy"}


def test_markdown_page_loads_its_templates() -> None:
    code, mods = loaded("derive", "f(x) = x^2", "--format", "md")
    assert code == 0
    assert mods == {"sympy", "jinja2"}


def test_scalar_verify_imports_no_numpy() -> None:
    code, mods = loaded("verify", r"\sin(3x)", "--wrt", "x", "--claim", r"3\cos(3x)")
    assert code == 0
    assert "numpy" not in mods and "matplotlib" not in mods and "jinja2" not in mods


def test_matrix_derive_loads_numpy_for_its_numeric_check() -> None:
    """The matrix form of a vector gradient is checked on random data: NumPy is needed, and loaded."""
    code, mods = loaded("derive", r"f(x) = \|A x - b\|^2", "--format", "json")
    assert code == 0
    assert "numpy" in mods and "matplotlib" not in mods


def test_analyze_imports_no_plotting() -> None:
    """analyze searches numerically for critical points (NumPy), but draws nothing."""
    code, mods = loaded("analyze", "f(x,y) = x^2 - y^2")
    assert code == 0
    assert "matplotlib" not in mods and "jinja2" not in mods
    assert "numpy" in mods


def test_analyze_skips_the_costly_first_uses_of_sympy_and_numpy() -> None:
    """A polynomial's simplest form needs no `simplify` (its first call imports sympy.physics.units),
    and the numeric search's NumPy functions are made without `from numpy import *` (numpy.testing,
    f2py, …): a tenth of a second each on a cold start."""
    code, mods = loaded_modules("analyze", "f(x,y) = x^2 - y^2")
    assert code == 0
    assert "numpy.linalg" in mods and "sympy.polys" in mods             # the probe sees submodules
    assert not {m for m in mods if m.startswith(("sympy.physics", "numpy.testing", "numpy.f2py"))}


def test_optimize_without_plot_imports_no_plotting() -> None:
    code, mods = loaded("optimize", "f(x,y) = x^2 + 3y^2", "--start", "1,1", "--format", "json")
    assert code == 0
    assert "matplotlib" not in mods and "jinja2" not in mods


def test_derive_plot_loads_matplotlib(tmp_path: Path) -> None:
    code, mods = loaded("derive", "f(x) = x^2", "--format", "json", "--plot", str(tmp_path / "f.png"))
    assert code == 0
    assert "matplotlib" in mods
    assert (tmp_path / "f.png").stat().st_size > 0


def test_notes_plots_load_matplotlib(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text("# A note\n\n$$f(x) = x^2 - 2x$$\n", encoding="utf-8")
    # one job: the pictures are drawn in this process, where sys.modules is read
    code, mods = loaded("notes", str(note), "--plots", "--lang", "en", "--jobs", "1", "--no-cache")
    assert code == 0
    assert "matplotlib" in mods
    assert list(tmp_path.glob("note.worked.fig*.png"))
