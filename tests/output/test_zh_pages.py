"""Chinese pages read as Chinese: every command and format with `--lang zh` is checked for English
words and for ASCII punctuation right after a Chinese character.

The check is strict on prose and not fooled by mathematics: display and inline math is cut out (and
replaced by a neutral mark, so cutting never glues a Chinese character to punctuation), but the words
inside `\\text{…}` are put back as prose, and what is left of the math may only use the names of the
allow-list (log, σ's spelling, diag …) besides LaTeX commands and one-letter variables. In a LaTeX page
the preamble, the commands and environment names are cut, their arguments are kept as prose.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from symderiv import cli

# Names a Chinese textbook writes in Latin letters: functions, libraries, units, file types.
ALLOWED = {
    "relu", "softmax", "sigmoid", "softplus", "tanh", "sinh", "cosh", "log", "ln", "exp", "sin", "cos", "tan",
    "cot", "sec", "csc", "arcsin", "arccos", "arctan", "diag", "det", "tr", "max", "min", "sgn", "sign",
    "argmax", "argmin", "lse", "sympy", "numpy", "latex", "ms", "csv", "png", "svg", "pdf", "md", "id", "symderiv",
}
CJK = "\u4e00-\u9fff"
MARK = " ∎ "  # what a cut formula leaves behind: neither a letter nor a CJK character nor ASCII punctuation
TEXT_IN_MATH = re.compile(r"\\(?:text|textrm|textbf|textit|mbox|mathrm|operatorname)\s*\{([^{}]*)\}")
DISPLAY = re.compile(r"\$\$.*?\$\$|\\\[.*?\\\]|\\begin\{(align\*?|equation\*?|gather\*?)\}.*?\\end\{\1\}", re.S)
INLINE = re.compile(r"(?<!\\)\$[^$]+?(?<!\\)\$|\\\(.*?\\\)", re.S)
CODE = re.compile(r"`[^`\n]+`")
COMMAND = re.compile(r"\\[A-Za-z]+\*?")
WORD = re.compile(r"[A-Za-z]{2,}")
# Two letters are mostly math (vᵀHv, XᵀSX, (uv)′), except these English words.
SHORT_ENGLISH = {"of", "is", "an", "in", "to", "at", "on", "by", "or", "as", "if", "be", "no", "it", "we", "do",
                 "so", "up", "for"}
SUBSCRIPT = re.compile(r"_(?:\{[^{}]*\}|[A-Za-z0-9]+)")
DIFFERENTIAL = re.compile(r"(?<=/)[d∂][A-Za-z]+|\b[d∂][A-Za-z]?(?=/)")
CJK_THEN_PUNCT = re.compile(rf"[{CJK}][,.:;!?()\[\]]")
STEP_LIST = re.compile(r"第\s*\d+\s*(?:,\s*\d+\s*)+步")
PATH = re.compile(r"[\w./-]+\.(?:png|svg|pdf|csv|md)\b")


def english_words(text: str) -> list[str]:
    """The Latin words of `text` that are not names of the allow-list."""
    text = DIFFERENTIAL.sub(" ", SUBSCRIPT.sub(" ", text))
    return [w for w in WORD.findall(text)
            if w.lower() not in ALLOWED and (len(w) > 2 or w.lower() in SHORT_ENGLISH)]


def cut_math(text: str) -> tuple[str, list[str]]:
    """(prose with each formula replaced by MARK, the formulas) — `\\text{…}` inside a formula is prose."""
    formulas: list[str] = []

    def cut(m: re.Match[str]) -> str:
        formulas.append(m.group(0))
        return MARK + " ".join(TEXT_IN_MATH.findall(m.group(0))) + MARK

    text = DISPLAY.sub(cut, text)
    return INLINE.sub(cut, text), formulas


def math_words(formula: str) -> list[str]:
    """Latin words a formula spells outside commands and \\text: only allowed names may remain."""
    bare = COMMAND.sub(" ", TEXT_IN_MATH.sub(" ", formula))
    bare = re.sub(r"\{(?:aligned|matrix|bmatrix|pmatrix|cases|array)\}", " ", bare)
    return english_words(bare)


def tex_prose(page: str) -> str:
    """A LaTeX page without its preamble, commands and environment names: what a reader reads."""
    body = page.split(r"\begin{document}", 1)[-1]
    body = re.sub(r"(?m)(?<!\\)%.*$", "", body)
    body = re.sub(r"\\(?:begin|end)\{[^}]*\}(?:\[[^\]]*\]|\{[A-Za-z0-9]*\})*", MARK, body)
    code = r"label|ref|href|url|includegraphics|hypersetup|usepackage|texttt"
    body = re.sub(rf"\\(?:{code})(?:\[[^\]]*\])?\{{[^}}]*\}}", MARK, body)
    return COMMAND.sub(MARK, body)


def findings(page: str, fmt: str) -> list[str]:
    """What a Chinese teacher would mark on the page: English words and ASCII punctuation after Chinese."""
    problems: list[str] = []
    prose, formulas = cut_math(page) if fmt in ("md", "tex") else (page, [])
    if fmt == "tex":
        prose = tex_prose(prose)
    prose = re.sub(r"<!--.*?-->|\[![a-z]+\][-+]?|</?details>|</?summary>", MARK, prose, flags=re.S)  # markup
    prose = PATH.sub(MARK, CODE.sub(MARK, prose))
    problems += [f"English word {w!r} in prose" for w in english_words(prose)]
    for formula in formulas:
        problems += [f"English word {w!r} in math {formula[:60]!r}" for w in math_words(formula)]
    problems += [f"ASCII punctuation after Chinese: {m.group(0)!r}" for m in CJK_THEN_PUNCT.finditer(prose)]
    problems += [f"step list with an ASCII comma: {m.group(0)!r}" for m in STEP_LIST.finditer(prose)]
    return problems


# ------------------------------------------------------------------ the checker itself


def test_the_checker_catches_english_and_ascii_punctuation() -> None:
    assert findings(r"$$ f(x) = \begin{cases} x & \text{for } x > 0 \\ 0 & \text{otherwise} \end{cases} $$", "md")
    assert findings("求导过程: $f$", "md")
    assert findings("（用到第 4, 11 步）", "md")
    assert findings("关于 theta 的导数", "text")
    assert findings(r"\section{Result} 结果", "tex")
    assert findings(r"$\mathrm{Hessian} = H$", "md")
    assert not findings(r"$$ f(x) = \begin{cases} x & \text{若 } x > 0 \\ 0 & \text{否则} \end{cases} $$", "md")
    assert not findings(r"由链式法则，$\frac{\partial L}{\partial \theta} = \sigma(z) - y$。（用到第 4、11 步）", "md")
    assert not findings(r"\section{结果} $\log \operatorname{softmax}(x)$，见 \ref{eq:1}。", "tex")


# ------------------------------------------------------------------ the pages

SEED_NOTE = Path(__file__).resolve().parents[2] / "docs" / "examples"
SIGMOID_SUM = r"L(w, b) = -\sum_{i=1}^{n} [y_i \log \sigma(w x_i + b) + (1 - y_i) \log(1 - \sigma(w x_i + b))]"
STEPS = r"""\begin{aligned}
\frac{d}{dx} x^2 \sin x &= 2x \sin x + x^2 \cos x \\
&= 2x \cos x
\end{aligned}
"""

DERIVE = [[], ["f(x) = \\max(0, x)^2"], [SIGMOID_SUM], ["f(x, y) = x^2 y + \\log(x)", "--hessian"],
          ["L(W) = \\|W x - y\\|^2"], ["f(x) = \\tanh(x) + \\operatorname{softplus}(x)"]]
ANALYZE = [[], ["f(x, y) = x^2 + x y + y^2 - x + y"], ["f(x, y) = x^3 - 3x + y^2"], ["f(x) = x^4 - 4x^2"],
           ["f(x) = |x|"], ["f(x, y) = x^2 - y^2"], ["f(x) = x^T A x + b^T x"], ["f(x) = x^3"],
           ["f(x, y) = x^4 + y^4"], ["f(x, y) = e^{x} + y^2 - 2 y"]]
VERIFY = [[r"x^2 \sin x", "--wrt", "x", "--claim", r"2x \sin x"], [r"\sigma(x)", "--wrt", "x", "--claim", r"\sigma(x)"],
          [r"x^2 \sin x", "--wrt", "x", "--claim", r"2x \sin x + x^2 \cos x"]]
OPTIMIZE = [["f(x, y) = (1 - x)^2 + 100(y - x^2)^2", "--start", "-1,1"], ["--samples", "40"],
            ["f(x) = x^4 - 4x^2", "--start", "3", "--lr", "0.3"]]

CASES = ([("derive", a, f) for a in DERIVE for f in ("text", "md", "tex")]
         + [("analyze", a, f) for a in ANALYZE for f in ("text", "md", "tex")]
         + [("verify", a, f) for a in VERIFY for f in ("text", "md")]
         + [("optimize", a, f) for a in OPTIMIZE for f in ("text", "md")])


def page(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1) and not err, (argv, code, err)
    return out


@pytest.mark.parametrize(("command", "args", "fmt"),
                         CASES,
                         ids=lambda v: v if isinstance(v, str) else "-".join(v)[:40])
def test_zh_page_is_chinese(capsys: pytest.CaptureFixture[str], command: str, args: list[str], fmt: str) -> None:
    out = page(capsys, [command, *args, "--format", fmt, "--lang", "zh"])
    assert re.search(f"[{CJK}]", out)
    assert findings(out, fmt) == []


def test_verify_steps_zh(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    steps = tmp_path / "steps.tex"
    steps.write_text(STEPS, encoding="utf-8")
    for fmt in ("text", "md"):
        out = page(capsys, ["verify", r"x^2 \sin x", "--wrt", "x", "--steps", str(steps), "--format", fmt,
                            "--lang", "zh"])
        assert findings(out, fmt) == []


def test_notes_zh(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text("# 逻辑回归\n\n损失函数：\n\n$$L(w) = \\log(1 + e^{-w x})$$\n\n"
                    "激活函数 $\\sigma(z) = \\frac{1}{1 + e^{-z}}$。\n", encoding="utf-8")
    worked = tmp_path / "worked.md"
    code = cli.main(["notes", str(note), "--lang", "zh", "--no-plots", "-o", str(worked)])
    capsys.readouterr()
    out = worked.read_text(encoding="utf-8")
    assert code == 0 and "求导过程" in out
    assert findings(out, "md") == []
