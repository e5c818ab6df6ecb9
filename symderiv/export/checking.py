"""`symderiv export --check`: the exported gradient against finite differences or autograd.

The generated file is imported (never a user's text: the printer wrote every line), called on
random data of small sizes that differ per size name (n=4, d=3, K=2, …), and compared with central
differences of its own loss (numpy) or the framework's autograd of its loss (torch, jax).
"""
from __future__ import annotations

import importlib.util
import os
import tempfile
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import sympy as sp

from symderiv.calculus.matrices.sampling import random_sizes
from symderiv.export.module import Exported, ExportError

TOLERANCE = 1e-6


@dataclass(frozen=True)
class CheckResult:
    """The largest |exported − reference| over every gradient entry, by what it was checked against."""

    against: str
    max_error: float
    sizes: tuple[tuple[str, int], ...]
    failure: str = ""          # why the exported code did not run, when it did not

    @property
    def ok(self) -> bool:
        return bool(np.isfinite(self.max_error)) and self.max_error <= TOLERANCE


def load(exported: Exported) -> ModuleType:
    """Import the generated source from a temporary file (so tracebacks show its lines)."""
    fd, path = tempfile.mkstemp(suffix=".py", prefix="symderiv_export_")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(exported.source)
        spec = importlib.util.spec_from_file_location("symderiv_exported", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        os.unlink(path)


def random_arrays(exported: Exported, seed: int = 20261204) -> tuple[dict[str, Any], dict[str, int]]:
    """Standard-normal arrays for every argument (vectors flat), a number in [0.5, 2) per scalar."""
    names = sorted({s for _, shape in exported.arguments for s in shape if not s.isdigit()})
    sizes = {str(k): v for k, v in random_sizes(sp.Symbol(n) for n in names).items()}
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {}
    for name, (rows, cols) in exported.arguments:
        r, c = (int(rows) if rows.isdigit() else sizes[rows]), (int(cols) if cols.isdigit() else sizes[cols])
        out[name] = rng.standard_normal(r) if cols == "1" else rng.standard_normal((r, c))
    for name in exported.scalars:
        out[name] = float(rng.uniform(0.5, 2.0))
    return out, sizes


def check(exported: Exported) -> CheckResult:
    """Run the exported gradient against its reference for the target."""
    if exported.target != "numpy" and importlib.util.find_spec(exported.target) is None:
        raise ExportError(f"--check --to {exported.target} needs {exported.target}, which is not installed: "
                          f"pip install '.[{exported.target}]'")
    data, sizes = random_arrays(exported)
    try:
        return _compare(exported, data, sizes)
    except Exception as exc:   # generated code that does not run is a failed check, said, not a crash
        return CheckResult("running it", float("nan"), tuple(sorted(sizes.items())),
                           f"{type(exc).__name__}: {str(exc)[:160]}")


def _compare(exported: Exported, data: dict[str, Any], sizes: dict[str, int]) -> CheckResult:
    module = load(exported)
    if exported.target == "numpy":
        got, want, against = _numpy(module, exported, data), _finite(module, exported, data), "central differences"
    elif exported.target == "torch":
        got, want, against = _framework(module, exported, data, "torch"), None, "torch.autograd"
    else:
        got, want, against = _framework(module, exported, data, "jax"), None, "jax.grad"
    if want is not None:
        got = {v: (got[v], want[v]) for v in exported.wrt}
    error = max(float(np.max(np.abs(np.asarray(a, dtype=float).reshape(np.shape(b)) - b))) if np.size(b) else 0.0
                for a, b in got.values())
    return CheckResult(against, error, tuple(sorted(sizes.items())))


def _by_variable(exported: Exported, g: Any) -> dict[str, Any]:
    return g if isinstance(g, dict) else {exported.wrt[0]: g}


def _numpy(module: ModuleType, exported: Exported, data: dict[str, Any]) -> dict[str, Any]:
    return _by_variable(exported, module.gradient(**data))


def _finite(module: ModuleType, exported: Exported, data: dict[str, Any], h: float = 1e-6) -> dict[str, Any]:
    """Central differences of the exported loss, entry by entry, for each variable."""
    out = {}
    for v in exported.wrt:
        x = np.array(data[v], dtype=float)
        grad = np.empty_like(x)
        for pos in np.ndindex(x.shape):
            up, down = x.copy(), x.copy()
            up[pos] += h
            down[pos] -= h
            grad[pos] = (float(module.loss(**{**data, v: up})) - float(module.loss(**{**data, v: down}))) / (2 * h)
        out[v] = grad
    return out


def _framework(module: ModuleType, exported: Exported, data: dict[str, Any], name: str) -> dict[str, Any]:
    """(exported gradient, autograd's gradient of the exported loss) per variable, as numpy arrays."""
    lib = importlib.import_module(name)
    if name == "torch":
        tensors = {k: lib.tensor(v, dtype=lib.float64, requires_grad=k in exported.wrt) for k, v in data.items()}
        module.loss(**tensors).backward()
        mine = _by_variable(exported, module.gradient(**{k: t.detach() for k, t in tensors.items()}))
        return {v: (lib.as_tensor(mine[v]).detach().numpy(), tensors[v].grad.numpy()) for v in exported.wrt}
    lib.config.update("jax_enable_x64", True)
    jnp = importlib.import_module("jax.numpy")
    arrays = {k: jnp.asarray(v) for k, v in data.items()}
    grads = lib.grad(lambda vs: module.loss(**{**arrays, **vs}))({v: arrays[v] for v in exported.wrt})
    mine = _by_variable(exported, module.gradient(**arrays))
    return {v: (np.asarray(mine[v]), np.asarray(grads[v])) for v in exported.wrt}
