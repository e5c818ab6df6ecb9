"""`symderiv notes` (issue 4): worked derivations inserted into a Markdown note.

The example notes under tests/data are of our own writing and hold the same formulas as the
user's seed note (updates, gradient and Hessian definitions, claims, a table of functions).
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from symderiv.cli.main import main
from symderiv.notes.jobs import work_note
from symderiv.notes.language import note_language
from symderiv.notes.reading import BEGIN, END, find_formulas, strip_worked

DATA = Path(__file__).parents[1] / "data"
SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "ml-calculus-for-machine-learning.md"

# the formulas of the example notes that must get a worked derivation (canonical heads)
WORKED = [r"L\left(\theta\right) = - \sum_{i=1}^{n}", r"\hat{y}_{i} = \sigma", r"f\left(x\right) = x^{2}",
          r"f\left(x\right) = \log{\left(x \right)}", r"\sigma\left(x\right) = \frac{1}{1 + e^{- x}}",
          r"L\left(\theta\right) = - y \log{\left(\hat{y} \right)}", r"g\left(x, y\right) =",
          r"r\left(x\right) = \max\left(0, x\right)",
          r"\sigma\left(\theta^{T} x\right)"]  # the chain-rule example: worked, and its claim checked
SKIPPED = [r"\nabla_\theta L(\theta) = \left[", r"\nabla f(\theta) = 0",
           "f’(x) = 2x", "f’’(x) = 2", "`H(f)`", r"`\sigma`"]


@pytest.fixture(scope="module")
def worked_en(tmp_path_factory):
    return run_notes(tmp_path_factory.mktemp("en"), "en")[2]


def run_notes(tmp_path, lang, *extra):
    src = tmp_path / f"note_{lang}.md"
    shutil.copyfile(DATA / f"notes_example_{lang}.md", src)
    before = src.read_bytes()
    out = tmp_path / "out" / f"worked_{lang}.md"
    out.parent.mkdir()
    code = main(["notes", str(src), "-o", str(out), *extra])
    assert code == 0
    assert src.read_bytes() == before                       # never touched
    return src, out, out.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_example_note_is_worked(tmp_path, lang, capsys):
    src, out, text = run_notes(tmp_path, lang)
    original = src.read_text(encoding="utf-8")
    assert strip_worked(text) == original                   # the user's bytes, insert only
    for head in WORKED:
        assert "symderiv · " in text and head in text, head
    summary = text.split("<!-- symderiv:begin -->")[-1]
    for formula in SKIPPED:
        assert formula in summary, formula
    # the update rule, Newton's step and the Hessian's definition are worked for the note's loss
    assert r"\theta^{(t+1)} = \theta^{(t)} - \eta \, X^{T} \left(\hat{y} - y\right)" in text
    assert r"\theta^{(t+1)} = \theta^{(t)} - \left(X^{T} S X\right)^{-1} X^{T} \left(\hat{y} - y\right)" in text
    assert r"X^{T} S X \succeq 0" in text and r"S_{ii} = \hat{y}_{i} \left(1 - \hat{y}_{i}\right) > 0" in text
    # claims are checked against the worked function: f'(x), f''(x) listed, d/dθ σ(θᵀx) worked
    assert text.count("✓") >= 2
    agree = "一致" if lang == "zh" else "agrees"
    assert summary.count(agree) >= 2
    # plots: PNGs next to the note, linked by a relative path
    links = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", text)
    assert len(links) >= 4
    for link in links:
        assert "/" not in link and (out.parent / link).read_bytes().startswith(b"\x89PNG")
    # stderr is no terminal here: no progress bar, only the line saying where the note went
    err = capsys.readouterr().err
    assert err.splitlines() == [f"wrote {out}"], err
    # language: Chinese text for the Chinese note
    assert ("求导过程" in text) == (lang == "zh")


def test_chinese_note_defaults_to_chinese_english_note_to_locale(monkeypatch):
    monkeypatch.setenv("LC_ALL", "C")
    assert note_language((DATA / "notes_example_zh.md").read_text(encoding="utf-8")) == "zh"
    assert note_language((DATA / "notes_example_en.md").read_text(encoding="utf-8")) == "en"
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert note_language("plain English") == "zh"


def test_loss_uses_the_definition_under_it_and_comes_after_it(worked_en):
    text = worked_en
    loss_at = text.index(r"symderiv · Worked derivation of $L\left(\theta\right) = - \sum")
    definition_at = text.index(r"- $\hat{y}_i = \sigma(\theta^T x_i)")
    assert definition_at < loss_at
    block = text[loss_at:text.index(END, loss_at)]
    assert "The definitions are taken from the note (line 14)" in block
    assert r"\sum_{i=1}^{n} \left(\hat{y}_{i} - y_{i}\right) x_{ik}" in block
    assert r"X^{T} \left(\hat{y} - y\right)" in block and r"X^{T} S X" in block


def test_table_formulas_are_worked_after_the_table(worked_en):
    text = worked_en
    lines = text.splitlines()
    table_rows = [n for n, line in enumerate(lines) if line.startswith("|")]
    assert table_rows == list(range(table_rows[0], table_rows[-1] + 1))     # table left whole
    after = "\n".join(lines[table_rows[-1] + 1:])
    assert after.startswith("\n" + BEGIN) or after.startswith(BEGIN)
    assert r"symderiv · Worked derivation of $\sigma\left(x\right)" in after
    # the one-sample cross-entropy takes ŷ from the note's per-sample definition
    assert "For one sample" in after and r"\left(\hat{y} - y\right) x_{k}" in after


def test_repeated_function_refers_back(worked_en):
    text = worked_en
    assert text.count(r"symderiv · Worked derivation of $f\left(x\right) = x^{2}$") == 3
    assert text.count("Same function as above") == 2


def test_code_blocks_and_inline_code_are_not_formulas():
    note = "A $x^2$ here.\n\n```\n$$f(x) = x^3$$\n```\n\nand `$y$` and \\$5 and $5 or $6.\n"
    found = [f.tex for f in find_formulas(note)]
    assert found == ["x^2"]


def test_multiline_display_formula_and_eof_without_newline(tmp_path):
    note = "Intro.\n\n$$\nf(x) = x^3 - 3x\n$$\nEnd of note without newline $h(t) = t^2$"
    text, files = work_note(note, lang="en", out_path=str(tmp_path / "n.md"))
    assert strip_worked(text) == note
    assert text.count("symderiv · ") == 2 and len(files) == 2
    assert text.index("f\\left(x\\right) = x^{3} - 3 x") > text.index("$$\nf(x) = x^3 - 3x\n$$")


def test_refuses_to_write_over_the_input_and_reports_missing_note(tmp_path, capsys):
    src = tmp_path / "n.md"
    src.write_text("$f(x) = x^2$\n", encoding="utf-8")
    assert main(["notes", str(src), "-o", str(src)]) == 2
    assert capsys.readouterr().err.startswith("error: refusing to write over the input")
    assert src.read_text(encoding="utf-8") == "$f(x) = x^2$\n"
    assert main(["notes", str(tmp_path / "missing.md")]) == 2


def test_default_output_name_is_next_to_the_note(tmp_path):
    src = tmp_path / "calc.md"
    src.write_text("# t\n\n$f(x) = x^2$\n", encoding="utf-8")
    assert main(["notes", str(src), "--lang", "en", "--no-plots"]) == 0
    out = tmp_path / "calc.worked.md"
    assert out.exists() and not list(tmp_path.glob("*.png"))
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".symderiv-")]   # no temp files left


@pytest.mark.skipif(not SEED.exists(), reason="the user's seed note is not next to this checkout")
def test_seed_note_gives_a_chinese_worked_note(tmp_path):
    out = tmp_path / "seed.worked.md"
    assert main(["notes", str(SEED), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert strip_worked(text) == SEED.read_text(encoding="utf-8")
    assert "求导过程" in text and "第 1 步" in text
    assert text.count("symderiv · ") == 12          # L, ŷ_i, f = x² (×3), log x, σ(x), one-sample L,
    # the sections on gradient descent, Newton's method and the Hessian, worked for the loss L(θ)
    for title in ("梯度下降：笔记中的损失", "牛顿法：笔记中的损失", "损失函数的凸性：笔记中的损失"):
        assert f"symderiv · {title}" in text, title
    assert "✓" in text                              # and d/dθ σ(θᵀx) = σ(1 − σ)x, worked and checked
    assert r"\sum_{i=1}^{n} \left(\hat{y}_{i} - y_{i}\right) x_{ik}" in text
