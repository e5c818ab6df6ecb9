"""Gradient descent against Newton's method on the seed's own loss (issue 13 item 7): the numbers come
from the derivation's expressions (checked here against NumPy and finite differences), the step
counts the text and the picture state are the runs', and the seed note's worked version shows it."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from symderiv.calculus.engine import derive
from symderiv.cli.derive import BUILTIN_EXAMPLE
from symderiv.notes.methods import method_markdown
from symderiv.output.method_paths import ETA, START, TOL, design, method_paths, toy_objective
from symderiv.output.plots import method_paths_png

ROOT = Path(__file__).resolve().parents[2]
SEED = derive(BUILTIN_EXAMPLE[0], hessian=True, where=list(BUILTIN_EXAMPLE[1]))
PNG = b"\x89PNG\r\n\x1a\n"


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.fixture(scope="module")
def paths():
    mp = method_paths(SEED)
    assert mp is not None
    return mp


@pytest.mark.parametrize("point", [(0.0, 0.0), (0.3, -0.7), (-2.0, 1.5), (1.2, 0.4)])
def test_the_derived_loss_gradient_and_hessian_agree_with_numpy_and_finite_differences(point):
    obj = toy_objective(SEED)
    assert obj is not None
    X, y = design()
    p = np.array(point)
    s = _sigmoid(X @ p)
    assert obj.f(p) == pytest.approx(-np.sum(y * np.log(s) + (1 - y) * np.log(1 - s)), rel=1e-12)
    assert obj.grad(p) == pytest.approx(X.T @ (s - y), rel=1e-12, abs=1e-12)
    assert obj.hess(p) == pytest.approx(X.T @ ((s * (1 - s))[:, None] * X), rel=1e-12, abs=1e-12)
    h = 1e-6
    fd = [(obj.f(p + h * e) - obj.f(p - h * e)) / (2 * h) for e in np.eye(2)]
    assert obj.grad(p) == pytest.approx(fd, rel=1e-6, abs=1e-6)


def test_the_counts_are_what_the_runs_take(paths):
    """An independent NumPy run of both methods from the same start counts the same steps."""
    X, y = design()

    def grad(p):
        return X.T @ (_sigmoid(X @ p) - y)

    p, k = np.array(START), 0
    while np.linalg.norm(grad(p)) > TOL:
        p, k = p - ETA * grad(p), k + 1
    q, m = np.array(START), 0
    while np.linalg.norm(grad(q)) > TOL:
        s = _sigmoid(X @ q)
        q, m = q - np.linalg.solve(X.T @ ((s * (1 - s))[:, None] * X), grad(q)), m + 1
    assert (paths.gd_steps, paths.newton_steps) == (k, m)
    assert paths.newton_steps < 10 < 100 < paths.gd_steps       # the note's point, on these data
    assert paths.minimum == pytest.approx(tuple(q), abs=1e-6)
    assert len(paths.gd.history) == k + 1 and len(paths.newton.history) == m + 1


def test_the_newton_block_states_the_counts_and_links_the_picture(paths):
    saved = []

    def picture(data: bytes, alt: str) -> str:
        saved.append(data)
        return f"![{alt}](fig{len(saved)}.png)"

    for lang, words in (("zh", f"牛顿法 {paths.newton_steps} 步就到达最小点"),
                        ("en", f"Newton's method reaches the minimum in {paths.newton_steps} steps")):
        md = method_markdown("newton", SEED, "line 30", lang, picture)
        assert md is not None and words in md
        assert f"{paths.gd_steps}" in md and f"\\eta = {ETA:g}" in md
        assert re.search(r"!\[[^\]]+\]\(fig\d\.png\)", md)
    assert all(data.startswith(PNG) for data in saved) and len(saved) == 2
    # without a place to save pictures (notes --no-plots), no comparison: the block is as before
    assert "fig" not in (method_markdown("newton", SEED, "line 30", "zh") or "")
    assert "fig" not in (method_markdown("gradient_descent", SEED, "line 30", "zh", picture) or "")


def test_past_its_own_limit_the_comparison_is_left_out_not_the_block(monkeypatch):
    import symderiv.notes.methods as methods

    monkeypatch.setattr(methods, "COMPARISON_SECONDS", 1e-3)
    md = method_markdown("newton", SEED, "line 30", "en", lambda data, alt: f"![{alt}](fig.png)")
    assert md is not None and "(X^{T} S X\\right)^{-1}" in md and "fig.png" not in md


def test_the_picture_is_a_png_in_both_languages(paths):
    for lang in ("en", "zh"):
        assert method_paths_png(paths, lang).startswith(PNG)


def test_other_functions_get_no_comparison():
    assert method_paths(derive(r"f(x, y) = x^2 + 3 y^2", hessian=True)) is None
    assert method_paths(derive(r"L(\theta) = \sum_{i=1}^{n} (\theta^T x_i)^2", hessian=False)) is None


def test_the_seed_notes_worked_version_shows_the_comparison(paths):
    out = ROOT / "docs" / "examples" / "seed-note"
    worked = (out / "note.worked.md").read_text(encoding="utf-8")
    link = re.search(r"!\[[^\]]*梯度下降、牛顿法的路径\]\(([^)]+)\)", worked)
    assert link is not None
    assert (out / link.group(1)).read_bytes().startswith(PNG)
    newton = worked[worked.index("symderiv · 牛顿法"):]
    newton = newton[:newton.index("<!-- symderiv:end -->")]
    assert link.group(0) in newton                              # referenced from the Newton block itself
    assert f"牛顿法 {paths.newton_steps} 步就到达最小点" in newton
    assert f"梯度下降则需要 {paths.gd_steps} 步" in newton
