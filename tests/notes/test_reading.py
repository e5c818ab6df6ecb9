"""`symderiv notes` reads the note as Markdown (issue 11, "notes that do not respect the file").

Code spans, fenced and indented code, HTML blocks and comments and front matter are never worked;
`$…$`, `$$…$$`, `\\(…\\)`, `\\[…\\]` and equation/align environments are. A worked block goes after
the top-level block of its formula, so the note's own Markdown reads the same with the blocks in;
the note's bytes (line endings, BOM, last line break) are kept; a second run gives the same note;
a formula past its time limit is listed as such and the whole note is bounded by `--timeout`.

The time-limit runs that can fire a deadline inside SymPy go through a subprocess, so that a limit
firing in this test process cannot disturb the limits of the tests that follow.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symderiv.cli.main import main
from symderiv.notes.jobs import work_note
from symderiv.notes.markdown import tokens
from symderiv.notes.reading import BEGIN, BEGIN_AT_END, END, find_formulas, strip_worked

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SEED = ROOT.parent / "shared" / "seed" / "ml-calculus-for-machine-learning.md"
LOSS = r"symderiv · $L\left(\theta\right) = - \sum_{i=1}^{n}"      # the worked logistic loss (en and zh)
LOSS_GRADIENT = r"\sum_{i=1}^{n} \left(\hat{y}_{i} - y_{i}\right) x_{ik}"


def found(note: str) -> list[str]:
    return [f.tex for f in find_formulas(note)]


def structure(text: str) -> list[tuple]:
    """How the note reads as Markdown, symderiv's inserted blocks left out."""
    out, inside = [], False
    for t in tokens(text):
        mark = t.content.strip() if t.type == "html_block" and t.level == 0 else ""
        if mark in (BEGIN, BEGIN_AT_END, END):
            inside = mark != END
            continue
        if not inside:
            children = tuple((c.type, c.content) for c in t.children or ())
            out.append((t.type, t.level, t.markup, t.info, t.content, children))
    return out


def worked(note: str, **options) -> str:
    text, _ = work_note(note, lang="en", plots=False, **options)
    return text


def run_cli(*args: str, timeout: float = 120) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    began = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "symderiv", "notes", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)
    return proc, time.monotonic() - began


# --------------------------------------------------------------------------- what is math, what is not
@pytest.mark.parametrize("note", [
    "Use `$f(x) = x^2$` and ``$h(x)$ ` x`` but $g(x) = x^3$.\n",                      # code spans
    "```python\n$f(x) = x^2$\n```\n\n~~~\n$$h(x) = x$$\n~~~\n\n$g(x) = x^3$\n",         # fenced code
    "Para.\n\n    $f(x) = x^2$\n    $$h(x) = x$$\n\n$g(x) = x^3$\n",                     # indented code
    "- item\n\n      $f(x) = x^2$\n\n$g(x) = x^3$\n",                                     # indented code in a list
], ids=["code-span", "fenced", "indented", "indented-in-list"])
def test_code_is_never_a_formula(note):
    assert found(note) == ["g(x) = x^3"]


@pytest.mark.parametrize("note", [
    "<!-- $f(x) = x^2$ -->\n$g(x) = x^3$\n",
    "$g(x) = x^3$\n<!--\n$f(x) = x^2$\n\n$$h(x) = x$$\n-->\nafter\n",
    "text <!-- $f(x) = x^2$\nmore $h(x) = x$ --> and $g(x) = x^3$\n",
    "<div>\n$f(x) = x^2$\n</div>\n\n$g(x) = x^3$\n",
    "---\ntitle: $f(x) = x^2$\ntags: [calculus]\n---\n# Note\n\n$g(x) = x^3$\n",
], ids=["comment", "multi-line-comment", "inline-multi-line-comment", "html-block", "front-matter"])
def test_html_comments_and_front_matter_are_never_formulas(note):
    assert found(note) == ["g(x) = x^3"]


def test_paren_and_bracket_math_are_formulas():
    note = ("Inline \\(f(x) = x^2\\), not \\\\(this\\\\).\n\nText:\n\\[\nh(x) = x^2\n- 3x\n\\]\nmore\n\n"
            "\\[g(x) = x^3\\]\n\nAn escaped reference \\[1\\] is not math.\n")
    formulas = find_formulas(note)
    assert [(f.tex, f.display, f.line) for f in formulas] == [
        ("f(x) = x^2", False, 1), ("h(x) = x^2\n- 3x", True, 4), ("g(x) = x^3", True, 10)]
    text = worked(note)
    assert text.count("symderiv · ") == 3 and strip_worked(text) == note


def test_equation_and_align_environments_are_formulas_one_per_row():
    note = ("Text\n\\begin{equation}\nf(x) = x^2 \\label{eq:f}\n\\end{equation}\n\n"
            "\\begin{align*}\ng(x) &= x^3 \\\\\nh(t) &= t^2 \\\\\n     &= t \\cdot t\n\\end{align*}\n\n"
            "$$\\begin{aligned} k(x) &= x^4 \\end{aligned}$$\n")
    formulas = find_formulas(note)
    assert [(f.tex, f.display, f.line) for f in formulas] == [
        ("f(x) = x^2", True, 3), ("g(x) = x^3", True, 7), ("h(t) = t^2 = t \\cdot t", True, 8),
        ("k(x) = x^4", True, 12)]
    text = worked(note)
    assert text.count("symderiv · ") == 4 and strip_worked(text) == note
    # after the environment, never before its \end
    assert text.index(BEGIN) > text.index("\\end{equation}")


# --------------------------------------------------------------------------- where the blocks go
@pytest.mark.parametrize("note", [
    "- item $f(x) = x^2$\n\n  continued $g(x) = x^3$\n\n      code $y$\n- two\n\nafter\n",
    "A $f(x) = x^2$\n<!--\na comment\n\n$$g(x) = x^3$$\n-->\nafter\n",
    "> quoted $f(x) = x^2$\nlazy $g(x) = x^3$\n\nnext\n",
    "| f | use |\n| --- | --- |\n| $f(x) = x^2$ | min |\n| $g(x) = x^3$ | odd |\ntail\n",
    "$f(x) = x^2$\n    not code: a lazy line\n# Heading\n",
], ids=["list-continuation", "comment-after-paragraph", "quote-lazy-line", "table", "lazy-indented"])
def test_inserted_blocks_never_change_how_the_note_reads(note):
    text = worked(note)
    assert BEGIN in text and strip_worked(text) == note
    assert structure(text) == structure(note)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_example_notes_read_the_same_with_the_blocks_in(lang):
    note = (DATA / f"notes_example_{lang}.md").read_text(encoding="utf-8")
    assert structure(worked(note)) == structure(note)


# --------------------------------------------------------------------------- the note's bytes
def test_crlf_note_gets_crlf_lines_byte_for_byte(tmp_path):
    note = "# T\r\n\r\nA $f(x) = x^2$\r\nB\r\n\r\n$$\r\ng(x) = x^3\r\n$$\r\n"
    src, out = tmp_path / "crlf.md", tmp_path / "crlf.worked.md"
    src.write_bytes(note.encode("utf-8"))
    assert main(["notes", str(src), "-o", str(out), "--no-plots", "--lang", "en"]) == 0
    data = out.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") > note.count("\n")         # every inserted line is CRLF
    assert strip_worked(data.decode("utf-8")).encode("utf-8") == src.read_bytes()
    assert data.count("symderiv · ".encode()) == 2


def test_bom_and_missing_last_line_break_are_kept(tmp_path):
    note = "\ufeff---\ntags: [x]\n---\n# T\n\n$f(x) = x^2$"
    src, out = tmp_path / "bom.md", tmp_path / "bom.worked.md"
    src.write_bytes(note.encode("utf-8"))
    assert main(["notes", str(src), "-o", str(out), "--no-plots", "--lang", "en"]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\n") and data.count(b"\xef\xbb\xbf") == 1
    assert not data.endswith(b"\n") and data.endswith(END.encode())
    assert strip_worked(data.decode("utf-8")).encode("utf-8") == src.read_bytes()
    assert data.count("symderiv · ".encode()) == 1


@pytest.mark.slow
def test_second_run_does_not_rework_its_own_blocks(tmp_path):
    note = (DATA / "notes_example_en.md").read_text(encoding="utf-8").replace("\n", "\r\n")
    first = worked(note)
    assert worked(first) == first
    assert strip_worked(first) == note
    # by the CLI, bytes and plots included
    src, out1, out2 = tmp_path / "n.md", tmp_path / "n1.md", tmp_path / "n2.md"
    src.write_text("# T\n\n$f(x) = x^2$ and $g(x) = x^3$", encoding="utf-8")
    assert main(["notes", str(src), "-o", str(out1), "--lang", "en"]) == 0
    assert main(["notes", str(out1), "-o", str(out2), "--lang", "en"]) == 0
    assert out2.read_text(encoding="utf-8") == out1.read_text(encoding="utf-8").replace("n1.fig", "n2.fig")
    assert (tmp_path / "n1.fig1.png").read_bytes() == (tmp_path / "n2.fig1.png").read_bytes()


def test_strip_leaves_a_users_own_marker_text_in_code_alone():
    note = f"```\n{BEGIN}\nnot ours\n{END}\n```\n"
    assert strip_worked(note) == note


# --------------------------------------------------------------------------- time limits
@pytest.mark.slow
@pytest.mark.parametrize(("lang", "reason"), [("en", "time limit"), ("zh", "超出时间限制")])
def test_formula_past_its_tiny_limit_is_listed_as_time_limit(tmp_path, lang, reason):
    src, out = tmp_path / "n.md", tmp_path / "n.worked.md"
    src.write_text("# T\n\n$$f(x) = x^3 - 3x$$\n\nand $g(x, y) = x^2 y + \\sin(x y)$.\n", encoding="utf-8")
    proc, _ = run_cli(str(src), "-o", str(out), "--formula-timeout", "0.001", "--lang", lang, "--no-plots")
    assert proc.returncode == 0, proc.stderr
    summary = out.read_text(encoding="utf-8").split(BEGIN)[-1]
    assert summary.count(reason) == 2 and "0.001" in summary
    assert "(0 / 2)" in summary


def test_a_slow_formula_is_listed_and_the_next_one_is_worked(monkeypatch):
    import symderiv.calculus.engine as engine

    real = engine.derive

    def derive(problem, **options):
        while problem.name == "g":        # never finishes: only the formula's limit stops it
            time.sleep(0.005)
        return real(problem, **options)

    monkeypatch.setattr(engine, "derive", derive)
    note = "$$g(x) = x^3$$\n\n$$f(x) = x^2$$\n"
    began = time.monotonic()
    text = worked(note, timeout=0.5)
    assert time.monotonic() - began < 5
    assert "symderiv · Worked derivation of $f\\left(x\\right) = x^{2}$" in text
    summary = text.split(BEGIN)[-1]
    assert "`g(x) = x^3` — time limit: not finished within 0.5 s" in summary and "(1 / 2)" in summary


@pytest.mark.slow
def test_the_whole_note_is_bounded_by_timeout(tmp_path):
    src, out = tmp_path / "many.md", tmp_path / "many.worked.md"
    rows = [f"$$f_{{{k}}}(x) = x^{{{k}}} \\sin({k} x) + e^{{x / {k}}}$$" for k in range(2, 40)]
    src.write_text("# Many\n\n" + "\n\n".join(rows) + "\n", encoding="utf-8")     # ~30 s of work
    proc, elapsed = run_cli(str(src), "-o", str(out), "--timeout", "1.5", "--formula-timeout", "30")
    assert proc.returncode == 3
    assert "error: symderiv notes took longer than 1.5 s (time limit)" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert elapsed < 1.5 + 4                     # the limit, plus starting Python and a loaded machine
    assert not out.exists() and not list(tmp_path.glob("*.png"))
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".symderiv-")]


# --------------------------------------------------------------------------- the seed note
SEED_FORMULAS = 20      # found by the regex reader before and by the Markdown reader now
SEED_WORKED = 12        # L, ŷ_i, f = x² (×3), log x, σ(x), one-sample L, d/dθ σ(θᵀx);
#                         the update, Newton's step and the Hessian's definition, for L(θ)


@pytest.fixture(scope="module")
def seed_worked(tmp_path_factory):
    if not SEED.exists():
        pytest.skip("the user's seed note is not next to this checkout")
    out = tmp_path_factory.mktemp("seed") / "seed.worked.md"
    assert main(["notes", str(SEED), "-o", str(out), "--lang", "zh"]) == 0
    return out.read_text(encoding="utf-8")


def test_seed_note_still_gets_its_worked_logistic_loss(seed_worked):
    note = SEED.read_text(encoding="utf-8")
    assert len(find_formulas(note)) == SEED_FORMULAS
    assert strip_worked(seed_worked) == note
    assert seed_worked.count("symderiv · ") == SEED_WORKED
    assert f"({SEED_WORKED} / {SEED_FORMULAS})" in seed_worked
    assert structure(seed_worked) == structure(note)
    loss = seed_worked.index(LOSS)
    assert LOSS_GRADIENT in seed_worked[loss:seed_worked.index(END, loss)]
    # the loss's block follows the per-sample definition under it (line 32), not the paragraph
    assert seed_worked.index(r"- $\hat{y}_i = \sigma(\theta^T x_i)") < loss


def test_seed_note_worked_twice_is_the_same(seed_worked, tmp_path):
    again, _ = work_note(seed_worked, lang="zh", out_path=str(tmp_path / "seed.worked.md"))
    assert again == seed_worked


@pytest.mark.parametrize(("lang", "slip", "counterexample"), [
    ("en", "you are missing the factor", "Counterexample: at $x = "),
    ("zh", "你漏掉了这个因子", "反例：在 $x = "),
])
def test_a_wrong_claim_in_a_note_shows_its_slip_and_a_counterexample(tmp_path, lang, slip, counterexample):
    """A note's own derivative claim is checked by verify: a wrong one gets the likely slip and a point."""
    from symderiv import cli

    note = tmp_path / "note.md"
    note.write_text("# Note\n\n$$f(x) = \\sin(x^2)$$\n\n$$f'(x) = \\cos(x^2)$$\n", encoding="utf-8")
    out = tmp_path / "out.md"
    assert cli.main(["notes", str(note), "-o", str(out), "--no-plots", "--lang", lang]) == 0
    text = out.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if r"\cos(x^2)" in ln and "`" in ln)
    assert slip in line and counterexample in line


def test_a_parameters_closed_form_is_not_substituted_into_the_loss():
    """θ = (XᵀX)⁻¹Xᵀy states the fitted value: L(θ) after it stays a function of θ (it once read
    "theta does not occur"), and a bare ‖Xθ − y‖² is differentiated by θ, not by X and y."""
    note = ("# Least squares\n\n$$ \\theta = (X^T X)^{-1} X^T y $$\n\n"
            "$$ L(\\theta) = \\|X\\theta - y\\|^2 $$\n\n$$ \\|X\\theta - y\\|^2 $$\n")
    worked, _ = work_note(note, lang="en", plots=False)
    loss = worked[worked.index(r"Worked derivation of $L\left(\theta\right)"):]
    assert "with respect to $\\theta$." in loss[:2000]
    bare = worked[worked.index("Worked derivation of $f ="):]
    assert "with respect to $\\theta$." in bare[:2000]
    assert "could not be differentiated" not in worked
