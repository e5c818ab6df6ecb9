"""`symderiv notes` on a note about matrix calculus (issue 12): formulas that only declare shapes
(`$W \\in \\mathbb{R}^{K \\times d}$`, "where $W ∈ ℝ^{K×d}$", `$A \\in \\mathbb{S}^{d}$`) are not worked on
their own but passed as `where` items to the formulas that use their names; a declaration that
does not fit a formula is left out of it with a sentence saying so; each worked formula with a
vector or matrix variable shows its checked matrix form, in English and in Chinese.

The seed note's own tests (test_notes.py, test_reading.py) run unchanged beside these.
"""
from __future__ import annotations

import re

import pytest

from symderiv.cli.main import main
from symderiv.notes.reading import find_formulas, strip_worked

# An Obsidian note: front matter, a callout, inline and display math, declarations in the prose.
NOTE = r"""---
tags: [ml, matrix-calculus]
---
# Matrix calculus

Let $X \in \mathbb{R}^{n\times d}$ hold the samples as rows, the $i$-th being $x_i \in \mathbb{R}^{d}$.

## Least squares

$$\frac{1}{2}\|Xw - y\|^2$$

## Softmax regression

$$
L(W) = -\sum_{i=1}^{n}\sum_{k=1}^{K} y_{ik} \log \frac{e^{w_k^T x_i}}{\sum_{j=1}^{K} e^{w_j^T x_i}}
$$

where $W ∈ ℝ^{K×d}$ holds one row $w_k^T$ per class.

## Log-determinant

> [!note] For a square invertible matrix
> $$\log\det X$$

## Quadratic form

$$f(v) = v^T A v$$

with $A \in \mathbb{S}^{d}$ symmetric. Unused: $B \in \mathbb{R}^{m \times m}$.
"""

# a network written as layer definitions under its loss, with the shapes in the same sentence
NETWORK = r"""# Two-layer network

$$L(V, c, W, b) = \frac{1}{2}\|\hat{y} - y\|^2$$

with $\hat{y} = V h + c$, $h = \sigma(a)$, $a = W x + b$,
where $W \in \mathbb{R}^{m \times d}$ and $V \in \mathbb{R}^{k \times m}$.
"""

# a claim about a quadratic form, true because A is declared symmetric under it
CLAIM = r"""# A claim

$$\frac{\partial}{\partial x} x^T A x = 2 A x$$

where $A \in \mathbb{S}^{d}$.
"""


def work(tmp_path, text: str, *extra: str) -> str:
    src = tmp_path / "note.md"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out" / "note.worked.md"
    out.parent.mkdir(exist_ok=True)
    assert main(["notes", str(src), "-o", str(out), *extra]) == 0
    worked = out.read_text(encoding="utf-8")
    assert strip_worked(worked) == strip_worked(text)        # the note's bytes, blocks inserted only
    return as_written(worked)


def as_written(worked: str) -> str:
    """The worked note with its line references ("line 18", "第 18 行") turned back into lines of the
    note as the user wrote it (the worked note refers to lines where they stand in it)."""
    mapping: dict[int, int] = {}
    source, inside = 0, False
    lines = worked.split("\n")
    for n, line in enumerate(lines, 1):
        if line.startswith("<!-- symderiv:begin"):
            inside = True
            if n > 1 and not lines[n - 2].strip() and mapping.pop(n - 1, None) is not None:
                source -= 1         # the blank line before a block is the block's
        if not inside:
            source += 1
            mapping[n] = source
        if line.startswith("<!-- symderiv:end"):
            inside = False
    return re.sub(r"(line |第 )(\d+)", lambda m: f"{m.group(1)}{mapping.get(int(m.group(2)), 0)}", worked)


def blocks(text: str) -> dict[str, str]:
    """The worked blocks by their heading's formula (the callout's title after "symderiv · "),
    their lines taken out of the callout."""
    found = re.split(r"> \[!note\]- symderiv · ", text)[1:]
    unquoted = [re.sub(r"(?m)^> ?", "", b) for b in found]
    return {b.split("\n", 1)[0]: b for b in unquoted}


def block_with(text: str, needle: str) -> str:
    hits = [b for b in blocks(text).values() if needle in b.split("\n", 1)[0]]
    assert len(hits) == 1, (needle, list(blocks(text)))
    return hits[0]


def closing_list(text: str) -> str:
    return text.rsplit("<!-- symderiv:begin -->", 1)[-1]


@pytest.fixture(scope="module")
def worked_en(tmp_path_factory):
    return work(tmp_path_factory.mktemp("en"), NOTE, "--lang", "en")


def test_every_formula_with_a_vector_or_matrix_variable_shows_its_checked_matrix_form(worked_en):
    text = worked_en
    assert len(blocks(text)) == 4                          # least squares, softmax, log det, quadratic form
    least = block_with(text, r"\left(w^{T} X_{i} - y_{i}\right)^{2}")
    assert r"\nabla_{w} f = " in least and r"X^{T} \left(X w - y\right)" in least
    assert r"\nabla^{2}_{w} f = " in least and r"X^{T} X" in least
    softmax = block_with(text, r"L\left(W\right)")
    assert "**Matrix form.**" in softmax and r"\nabla_{W} L = " in softmax
    assert r"P = \operatorname{softmax}(X W^{T})" in softmax and "whose $i$-th row is $x_{i}^{T}$" in softmax
    logdet = block_with(text, r"\det\left(X\right)")
    assert r"\nabla_{X} f = X^{-T}" in logdet
    quadratic = block_with(text, r"A_{lj}")
    assert r"\nabla_{v} f = 2 A v" in quadratic                  # A is declared symmetric in the note
    assert text.count("Checked against the index form") >= 5


def test_declarations_are_passed_on_not_worked(worked_en):
    text = worked_en
    assert "could not be read" not in text and "formula is missing" not in text
    softmax = block_with(text, r"L\left(W\right)")
    assert "*The shapes are declared in the note (line 6, line 18).*" in softmax
    assert "*The shapes are declared in the note (line 29).*" in block_with(text, r"A_{lj}")
    closing = closing_list(text)
    assert "- line 6: `X \\in \\mathbb{R}^{n\\times d}` — declares shapes, not a function to differentiate " \
           "(used for line 10)" in closing                     # not for log det X (line 23): it does not fit
    assert "- line 6: `x_i \\in \\mathbb{R}^{d}` — declares shapes, not a function to differentiate " \
           "(used for line 14)" in closing
    assert "- line 18: `W ∈ ℝ^{K×d}` — declares shapes, not a function to differentiate (used for line 14)" in closing
    assert "- line 29: `A \\in \\mathbb{S}^{d}` — declares shapes, not a function to differentiate (used for line 27)" \
        in closing
    assert "(no formula of the note uses $B$)" in closing
    # the softmax block goes after the sentence that declares W ("where $W ∈ ℝ^{K×d}$ …")
    heading = r"> [!note]- symderiv · Worked derivation of $L\left(W\right)"
    assert text.index("holds one row $w_k^T$ per class.") < text.index(heading)


def test_a_declaration_that_does_not_fit_is_left_out_and_said(worked_en):
    logdet = block_with(worked_en, r"\det\left(X\right)")
    assert "The declaration $X \\in \\mathbb{R}^{n\\times d}$ (line 6) does not fit this formula" in logdet
    assert "so it is not used here" in logdet and "(column" not in logdet
    assert "a matrix of size $n \\times n$" in logdet                 # the square X log det needs
    # the analysis reads a matrix variable as one scalar: it is left out rather than printed wrong
    assert "Critical points" not in logdet and "convexity" not in logdet


def test_a_display_formula_right_under_a_line_of_text_is_found_once():
    """mdit-py-plugins' `$$` rule pushed its token again each time a paragraph or a quote asked
    whether the line interrupts it: the callout's formula came out three times."""
    assert [f.tex for f in find_formulas(NOTE)].count(r"\log\det X") == 1
    assert [f.tex for f in find_formulas("Some text\n$$x^2 + y$$\n\n- item\n  $$\\sin x$$\n")] \
        == ["x^2 + y", "\\sin x"]


def test_working_the_worked_note_again_gives_the_same_note(tmp_path, worked_en):
    # the softmax Hessian prints SymPy Dummy names, numbered per process (Dummy_{150}): not ours to fix here
    def same(text: str) -> str:
        return re.sub(r"Dummy_\{\d+\}", "Dummy", text)

    assert same(work(tmp_path, worked_en, "--lang", "en")) == same(worked_en)


def test_chinese(tmp_path):
    text = work(tmp_path, NOTE, "--lang", "zh")
    assert "**矩阵形式：**" in text and r"\nabla_{W} L = " in text and r"\nabla_{X} f = X^{-T}" in text
    assert "*形状取自笔记中的声明（第 6 行、第 18 行）。*" in text
    assert "声明形状，不是要求导的函数（用于第 14 行的公式）" in text
    assert "此处未采用" in text
    assert "无法解析" not in text


def test_backprop_through_the_notes_layer_definitions(tmp_path):
    """The definitions the loss's definitions use come along (ŷ → h → a), with the shapes declared
    in the same sentence: each parameter's gradient in matrix form, through the error signals."""
    text = work(tmp_path, NETWORK, "--lang", "en")
    loss = block_with(text, r"L\left(V, c, W, b\right)")
    assert "*The definitions are taken from the note (line 5). The shapes are declared in the note (line 6).*" \
        in loss
    for form in (r"\nabla_{V} L = \delta h^{T}", r"\nabla_{c} L = \delta", r"\nabla_{W} L = \delta_{h} x^{T}",
                 r"\nabla_{b} L = \delta_{h}"):
        assert form in loss, form
    assert "a matrix of size $m \\times d$" in loss and "could not be differentiated" not in text


def test_a_claim_sees_the_declarations_under_it(tmp_path):
    text = work(tmp_path, CLAIM, "--lang", "en")
    assert r"\nabla_{x} f = 2 A x" in text
    assert "✓ The note's claim" in text and "does NOT agree" not in text
    assert "(used for line 3)" in closing_list(text)
