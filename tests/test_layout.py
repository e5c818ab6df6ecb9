"""The layout's rules, checked: layers without upward imports or cycles, short modules, a public
API of typed functions that no submodule shadows, and a package that ships its templates."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import symderiv

ROOT = Path(symderiv.__file__).resolve().parent
API = ("parse", "derive", "verify", "verify_steps", "analyze", "optimize", "work_note", "render")


def test_no_module_over_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in ROOT.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert not long


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter is not installed")
def test_layers_contract_holds():
    done = subprocess.run(["lint-imports", "--no-cache"], cwd=ROOT.parent, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout[-3000:]


def test_public_api_is_typed_functions_not_modules():
    for info in pkgutil.walk_packages([str(ROOT)], prefix="symderiv."):
        if info.name != "symderiv.__main__":  # running it is the CLI
            importlib.import_module(info.name)  # every submodule loaded: none may shadow a verb
    for name in API:
        fn = getattr(symderiv, name)
        assert inspect.isfunction(fn), (name, fn)
        signature = inspect.signature(fn)
        assert signature.return_annotation is not inspect.Signature.empty, name
        for p in signature.parameters.values():
            assert p.annotation is not inspect.Parameter.empty, (name, p.name)
        if name != "render":
            assert "timeout" in signature.parameters, name
    assert set(API) <= set(symderiv.__all__)


def test_package_ships_its_templates_and_type_marker():
    assert (ROOT / "py.typed").exists()
    assert (ROOT / "output" / "templates" / "page.md.j2").exists()
    assert (ROOT / "output" / "templates" / "analyze").is_dir()


def test_importing_the_package_loads_no_stage():
    """`import symderiv` (and so `symderiv --help`) stays light: the verbs load their stage on call."""
    code = "import sys, symderiv; print(sorted(m for m in sys.modules if m.startswith(('sympy', 'symderiv.'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "sympy" not in out and "symderiv.calculus" not in out, out
