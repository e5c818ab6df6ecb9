"""`symderiv verify --batch`: a small class file (right rows, wrong rows with known slips, a bad
LaTeX row, a steps row), its CSV and Markdown report, and a slow row that times out alone."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symderiv.check.batch import Row, read_rows, run_batch
from symderiv.check.batch_report import report_csv, report_markdown
from symderiv.core.errors import VerifyError

ROOT = Path(__file__).resolve().parents[2]
SEED = r"L(\theta) = -\sum_{i=1}^{n} \left[ y_i \log \hat{y}_i + (1 - y_i) \log (1 - \hat{y}_i) \right]"
YHAT = r"\hat{y}_i = \sigma(\theta^T x_i)"
# id -> (function, wrt, claim, steps, where, the verdict and slip the report must give)
CLASS = {
    "s01": ("f(x) = x^3", "x", "3x^2", "", "", "correct", ""),
    "s02": ("f(x) = x^3", "x", "3x^3", "", "", "wrong", "power"),
    "s03": (r"f(x) = \sin(x^2)", "x", r"\cos(x^2)", "", "", "wrong", "chain"),
    "s04": (SEED, "theta", r"X^T(\hat{y} - y)", "", YHAT, "correct", ""),
    "s05": (SEED, "theta", r"X^T(y - \hat{y})", "", YHAT, "wrong", "sign"),
    "s06": (r"f(x) = \sigma(x)", "x", r"\sigma(x)", "", "", "wrong", "sigmoid"),
    "s07": (r"f(x) = \frac{x", "x", "1", "", "", "error", ""),
    "s08": ("f(x) = e^{2x}", "x", "e^{2x}", "", "", "wrong", "chain"),
    "s09": (r"f(x) = \sin(3x)", "x", r"\cos(3x)", "", "", "wrong", "chain"),
    "s10": ("f(x) = x^2", "x", "", "steps.tex", "", "wrong", "factor"),
    "s11": (r"f(x) = \frac{x}{1+x}", "x", r"\frac{-1}{(1+x)^2}", "", "", "wrong", "quotient"),
    "s12": (r"f(x) = \frac{x}{1+x}", "x", r"\frac{1}{(1+x)^2}", "", "", "correct", ""),
}
STEPS = "\\begin{align}\n\\frac{d}{dx}(x^2) &= 2x^{2-1} \\\\\n&= x\n\\end{align}\n"


@pytest.fixture
def class_csv(tmp_path: Path) -> Path:
    path = tmp_path / "class.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "function", "wrt", "claim", "steps", "where"])
        for k, (f, wrt, claim, steps, where, _, _) in CLASS.items():
            w.writerow([k, f, wrt, claim, steps, where])
    (tmp_path / "steps.tex").write_text(STEPS, encoding="utf-8")
    return path


def test_class_file_report_names_each_verdict_and_slip(class_csv: Path) -> None:
    results = run_batch(read_rows(str(class_csv)), jobs=2)
    got = {r.id: (r.verdict, r.slip) for r in results}
    assert got == {k: (v[5], v[6]) for k, v in CLASS.items()}
    assert [r.id for r in results] == list(CLASS)                # the rows' order
    bad = next(r for r in results if r.id == "s07")
    assert "column" in bad.message                                # a parse error on its row, not a crash
    assert next(r for r in results if r.id == "s10").line == 2   # the first wrong line of the steps
    md = report_markdown(results, "class.csv", 1.0, 2)
    assert "**3 right**, 8 wrong" in md and "1 errors" in md
    assert md.index("chain factor dropped | 3") < md.index("sign slip | 1")   # the most common slip first
    rows = list(csv.DictReader(report_csv(results).splitlines()))
    assert [r["verdict"] for r in rows] == [v[5] for v in CLASS.values()]


def test_slow_row_times_out_without_holding_up_the_rest() -> None:
    slow = Row("slow", r"f(x) = \left(\sin(x)+\cos(x)+x\right)^{120}", "x", r"x^{3}+\sin(x)")
    fast = [Row(f"f{i}", "f(x) = x^3", "x", "3x^2") for i in range(4)]
    start = time.perf_counter()
    results = run_batch([slow, *fast], jobs=2, timeout=3.0)
    assert time.perf_counter() - start < 12          # unbounded, the slow row alone takes ~15 s
    assert results[0].verdict == "timeout" and "limit" in results[0].message
    assert all(r.verdict == "correct" for r in results[1:])


def test_jsonl_rows_and_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (
        {"id": "a", "function": SEED, "wrt": "theta", "claim": r"X^T(\hat{y} - y)", "where": [YHAT]},
        {"id": "b", "function": "f(x) = x^2", "wrt": "x"})) + "\n", encoding="utf-8")
    results = run_batch(read_rows(str(path)), jobs=1)
    assert [(r.id, r.verdict) for r in results] == [("a", "correct"), ("b", "error")]
    (tmp_path / "x.txt").write_text("id\n", encoding="utf-8")
    with pytest.raises(VerifyError, match=r"csv or \.jsonl"):
        read_rows(str(tmp_path / "x.txt"))
    (tmp_path / "bad.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(VerifyError, match="not JSON"):
        read_rows(str(tmp_path / "bad.jsonl"))


def test_cli_writes_the_csv_and_prints_the_summary(class_csv: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "symderiv", "verify", "--batch", str(class_csv), "--jobs", "2"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("# Batch verify: class.csv") and "**3 right**" in run.stdout
    report = class_csv.with_suffix(".report.csv")
    assert "wrote" in run.stderr and report.read_text(encoding="utf-8").startswith("id,verdict,slip")
