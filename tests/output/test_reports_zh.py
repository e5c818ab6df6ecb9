"""verify's and optimize's reports in Chinese (`--lang zh`): Chinese labels, full-width punctuation
after Chinese text, no English words left in the sentences; and the English reports unchanged."""
from __future__ import annotations

import re

import pytest
import sympy as sp

from symderiv import cli
from symderiv.check import results as slips
from symderiv.output.slip_sentences import slip_words

SIGMOID_WRONG = ["verify", r"\sigma(x)", "--wrt", "x", "--claim", r"\sigma(x)"]
CHAIN_WRONG = ["verify", r"\sin(x^2)", "--wrt", "x", "--claim", r"\cos(x^2)"]
ROSENBROCK = ["optimize", "f(x, y) = (1 - x)^2 + 100(y - x^2)^2", "--start", "-1,1", "--method", "both"]
STEPS = r"""\begin{aligned}
\frac{d}{dx} x^2 \sin x &= 2x \sin x + x^2 \cos x \\
&= 2x \cos x \\
&= x(2 \sin x + x \cos x)
\end{aligned}
"""
ENGLISH = ("verdict", "likely", "slip", "counterexample", "summary", "converged", "iterations", "start",
           "function", "variables", "claimed", "true derivative", "line", "wrong", "gradient descent",
           "Newton's", "iteration", "tolerance", "method", "result", "missing", "sigmoid is")
CJK_THEN_ASCII_PUNCT = re.compile(r"[\u4e00-\u9fff][:;,(]")
TIMING = re.compile(r"\d+\.\d ms")


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """The page a command prints; verify exits 1 on a wrong claim or derivation, optimize 0."""
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == (1 if argv[0] == "verify" else 0) and not err, (code, err)
    return out


def verdict_part(out: str) -> str:
    """The report, without the worked derivation of the true derivative that follows a wrong verdict
    (printed by `derive`'s printers, checked by their own tests)."""
    for heading in ("\n正确导数的求导过程", "\n## 正确导数的求导过程"):
        out = out.split(heading)[0]
    return out


def assert_chinese(text: str) -> None:
    assert not CJK_THEN_ASCII_PUNCT.search(text), CJK_THEN_ASCII_PUNCT.search(text)
    lowered = text.lower()
    for word in ENGLISH:
        assert word.lower() not in lowered, (word, text)


_x, _u, _n, _i, _A = sp.symbols("x u n i A")
EVERY_SLIP = [
    slips.UnknownSlip(), slips.QuotientSlip(_x / (1 + _x), _x, 1 + _x), slips.SignSlip(), slips.NaturalLogSlip(),
    slips.Base10LogSlip(), slips.StrayLn10Slip(), slips.MissingLn10Slip(),
    slips.LogInnerSlip(_x, sp.sin(_x), _u, False, sp.cos(_x)), slips.SigmoidSlip(),
    slips.ChainSlip(_x, _x**2, _u, False, 2 * _x), slips.TransposeSlip(_A), slips.SymmetricSlip(_A),
    slips.TransposeSlip(_A, gradient=True, symmetric=(_A,)), slips.SymmetricSlip(_A, general=_A),
    slips.SumSlip(_i, 1, _n), slips.PowerSlip(3, 3, _x), slips.ProductSlip(_x * sp.sin(_x), sp.sin(_x), sp.cos(_x)),
    slips.ConstantFactorSlip(sp.Rational(1, 2)), slips.ConstantFactorSlip(sp.Integer(2)),
    slips.ConstantFactorSlip(sp.Rational(2, 3)), slips.ConstantFactorSlip(sp.Float(1.2345678)),
    slips.SizeFactorSlip(_n, 1), slips.SizeFactorSlip(_n, -1),
]


def _subclasses(cls: type) -> set[type]:
    return {c for sub in cls.__subclasses__() for c in {sub, *_subclasses(sub)}}


def test_every_slip_class_is_exercised():
    concrete = {c for c in _subclasses(slips.Slip) if c is not slips.InnerSlip}
    assert concrete <= {type(s) for s in EVERY_SLIP}


@pytest.mark.parametrize("style", ["text", "md"])
@pytest.mark.parametrize("slip", EVERY_SLIP, ids=lambda s: type(s).__name__)
def test_every_slip_has_a_chinese_sentence(slip, style):
    zh = slip_words(slip, style, "zh")
    assert re.search(r"[\u4e00-\u9fff]", zh) and zh != slip_words(slip, style, "en")
    assert_chinese(zh)


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_verify_sigmoid_slip_in_chinese(capsys, fmt):
    out = verdict_part(run(capsys, [*SIGMOID_WRONG, "--lang", "zh", "--format", fmt]))
    assert_chinese(out)
    assert "判定：错误" in out and "可能的错误：sigmoid 的导数" in out and "反例：" in out
    assert "sigmoid 函数的导数是" in out and "而不是" in out
    if fmt == "text":
        assert "σ'(z) = σ(z)(1 - σ(z))" in out and "  所给结果：0.159762" in out
        assert "正确导数：σ(x)·(1 - σ(x))" in out
    else:
        assert r"$\sigma'(z) = \sigma(z)(1 - \sigma(z))$" in out and "**判定：错误**" in out
        assert "反例：在 $x = -1.66$ 处，所给结果为 $0.159762$，正确导数为 $0.1342381$。" in out


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_verify_chain_slip_in_chinese(capsys, fmt):
    full = run(capsys, [*CHAIN_WRONG, "--lang", "zh", "--format", fmt])
    out = verdict_part(full)
    assert_chinese(out)
    assert "可能的错误：链式法则" in out and "链式法则还要乘以内层函数的导数" in out
    assert "正确导数的求导过程" in full
    if fmt == "text":
        assert "∂u/∂x = 2·x（u = x²）" in out
    else:
        assert "## 正确导数的求导过程" in full and "（$u = x^{2}$）" in out


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_verify_steps_in_chinese(capsys, tmp_path, fmt):
    steps = tmp_path / "steps.tex"
    steps.write_text(STEPS, encoding="utf-8")
    out = run(capsys, ["verify", r"x^2 \sin x", "--wrt", "x", "--steps", str(steps), "--lang", "zh",
                       "--format", fmt])
    assert_chinese(out)
    assert "第一处错误：第 2 行" in out and "最后一行是正确导数：" in out and "可能的错误：未能识别" in out
    if fmt == "text":
        assert "第 2 行 ✗  2x \\cos x" in out and "  第 2 行：0.29576358" in out
    else:
        assert "| 行 | | 表达式 |" in out and "第 2 行的值为 $0.29576358$" in out


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_optimize_in_chinese(capsys, fmt):
    out = run(capsys, [*ROSENBROCK, "--lang", "zh", "--format", fmt])
    assert_chinese(out)
    assert ("函数：f(x, y) = (1 - x)² + 100·(y - x²)²" in out or r"函数：$f(x, y) = \left(1 - x\right)^{2}" in out) \
        and ("变量：x, y" in out or "变量：$x, y$" in out) and "牛顿法的迭代公式：" in out
    assert "未收敛——10000 次迭代内未达到 ‖∇L‖ ≤ 1e-06；L = 5.73522e-05" in out
    assert "迭代 2 次后收敛；L = 6.16604e-27" in out
    if fmt == "text":
        assert "初始点：(-1.0000, 1.0000)；容差 ‖∇L‖ ≤ 1e-06" in out
        assert "梯度下降（η = 9.984e-04，即初始点处的 1/λ_max(H)，λ_max = 1002）" in out
        assert "小结：" in out and "\n牛顿法：\n" in out and "    迭代  θ" in out
    else:  # the formulas in the sentences typeset
        assert r"初始点：$(-1.0000, 1.0000)$；容差 $\|\nabla L\| \leq  1e-06$" in out
        assert r"**梯度下降（$\eta  = 9.984e-04$，即初始点处的 $1/\lambda _{max}(H)$，" \
               r"$\lambda _{max} = 1002$）**" in out
        assert "### 梯度下降与牛顿法的比较" in out and "| 方法 | 结果 |" in out
        assert r"| 迭代次数 | $\theta$ | $L$ | $\|\nabla L\|$ |" in out


def test_optimize_comparison_in_chinese(capsys):
    out = run(capsys, ["optimize", "f(x) = x^4 - 3x^2 + x", "--start", "2", "--lang", "zh"])
    assert_chinese(out)
    assert "牛顿法迭代了 5 次，梯度下降迭代了 59 次（是牛顿法的 12 倍）" in out


def test_verify_english_unchanged(capsys):
    out = run(capsys, [*SIGMOID_WRONG, "--lang", "en"])
    assert out.startswith(
        "verdict: wrong\n"
        "likely slip: sigmoid — the derivative of the sigmoid is σ'(z) = σ(z)(1 - σ(z)), not σ(z)\n"
        "counterexample: x = -1.66\n"
        "  claimed: 0.159762\n"
        "  true:    0.1342381\n"
        "true derivative: σ(x)·(1 - σ(x))\n"
        "\nhow the true derivative is derived:\n")
    md = run(capsys, [*CHAIN_WRONG, "--format", "md", "--lang", "en"])
    assert md.startswith(
        "**verdict: wrong**\n\n"
        r"**likely slip: chain** — you are missing the factor $\frac{\partial u}{\partial x}$ $= 2 x$ from the "
        r"chain rule ($u = x^{2}$)" "\n\n"
        "Counterexample: at $x = -1.66$ the claim gives $-0.92642518$, the true derivative $3.0757316$.\n\n"
        "True derivative:\n")
    assert "\n## How the true derivative is derived\n" in md


def test_verify_steps_english_unchanged(capsys, tmp_path):
    steps = tmp_path / "steps.tex"
    steps.write_text(STEPS, encoding="utf-8")
    out = run(capsys, ["verify", r"x^2 \sin x", "--wrt", "x", "--steps", str(steps), "--lang", "en"])
    assert out == ("line 1 ✓  2x \\sin x + x^2 \\cos x\n"
                   "line 2 ✗  2x \\cos x\n"
                   "line 3 ✓  x(2 \\sin x + x \\cos x)\n"
                   "first wrong line: 2\n"
                   "likely slip: unknown — the claim matches none of the common slips; compare it with the true "
                   "derivative below\n"
                   "counterexample: x = -1.66\n"
                   "  line 2: 0.29576358\n"
                   "  true:    3.0613159\n"
                   "final line is the derivative: yes\n"
                   "true derivative: x·(2·sin(x) + x·cos(x))\n")


def test_optimize_english_unchanged(capsys):
    out = TIMING.sub("T ms", run(capsys, [*ROSENBROCK, "--lang", "en"]))
    assert out.startswith("function: f(x, y) = (1 - x)² + 100·(y - x²)²\n"
                          "variables: x, y\n"
                          "start: (-1.0000, 1.0000); tolerance ‖∇L‖ ≤ 1e-06\n"
                          "gradient descent: θ⁽ᵗ⁺¹⁾ = θ⁽ᵗ⁾ − η·∇f(θ⁽ᵗ⁾)\n"
                          "Newton's method: θ⁽ᵗ⁺¹⁾ = θ⁽ᵗ⁾ − H(θ⁽ᵗ⁾)⁻¹·∇f(θ⁽ᵗ⁾)\n"
                          "θ = (x, y)\n\n"
                          "gradient descent (η = 9.984e-04, 1/λ_max(H) at the start, λ_max = 1002):\n"
                          "    iter  θ                                L        ‖∇L‖\n")
    assert out.endswith(
        "\nsummary:\n"
        "  gradient descent  not converged — did not reach ‖∇L‖ ≤ 1e-06 in 10000 iterations; L = 5.73522e-05, "
        "‖∇L‖ = 6.81e-03, θ = (0.9924, 0.9849) (T ms)\n"
        "  Newton's method   converged in 2 iterations; L = 6.16604e-27, ‖∇L‖ = 7.39e-14, θ = (1.0000, 1.0000) "
        "(T ms)\n")
    md = run(capsys, ["optimize", "f(x) = x^4 - 3x^2 + x", "--start", "2", "--format", "md", "--lang", "en"])
    assert md.startswith("### Gradient descent versus Newton's method\n\n- function: $f(x) = x^{4} - 3 x^{2} + x$\n")
    assert r"| iteration | $\theta$ | $L$ | $\|\nabla L\|$ |" in md and "| method | result |" in md
    assert md.endswith("\nNewton's method needed 5 iterations, gradient descent 59 (12× as many)\n")


def test_derive_text_page_labels_in_chinese(capsys):
    """The plain-text worked solution: full-width colons after Chinese labels, no '(expression)'."""
    out = run(capsys, ["derive", "--hessian", "--lang", "zh"])
    assert out.startswith("函数：L = ") and "\n其中：" in out and "\n变量：θ\n" in out
    assert "\n海森矩阵：\n" in out
    assert not re.search(r"[\u4e00-\u9fff]:", out)
    out = run(capsys, ["derive", "x^2", "--lang", "zh"])
    assert out.startswith("函数：（表达式） = x²")


def test_verify_md_nests_the_worked_derivation(capsys):
    """The worked truth is a section of the verify page: no second title, its headings one level down."""
    out = run(capsys, [*CHAIN_WRONG, "--format", "md", "--lang", "zh"])
    headings = [ln for ln in out.splitlines() if ln.startswith("#")]
    assert headings[0] == "## 正确导数的求导过程" and all(h.startswith("###") for h in headings[1:])
    assert "求导过程：" not in out.split("## 正确导数的求导过程")[1].split("\n###")[0]
