"""The batch report: one CSV row per claim, and a Markdown summary for the teacher."""
from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence

from symderiv.check.batch import RowResult

COLUMNS = ("id", "verdict", "slip", "line", "message", "seconds")
SLIP_NAMES = {"chain": "chain factor dropped", "sign": "sign slip", "factor": "constant factor slip",
              "log": "log derivative slip", "sigmoid": "σ′ taken as σ (or similar)", "sum": "sum rule slip",
              "power": "exponent not lowered / power-rule slip", "product": "product rule slip",
              "quotient": "quotient numerator swapped", "transpose": "transpose slip",
              "unknown": "wrong, no known slip reproduces it"}


def report_csv(results: Sequence[RowResult]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in results:
        w.writerow([r.id, r.verdict, r.slip, r.line or "", r.message, f"{r.seconds:.3f}"])
    return out.getvalue()


def report_markdown(results: Sequence[RowResult], source: str, seconds: float, jobs: int) -> str:
    counts = Counter(r.verdict for r in results)
    slips = Counter(r.slip or "unknown" for r in results if r.verdict == "wrong")
    lines = [f"# Batch verify: {source}", "",
             f"{len(results)} claims in {seconds:.1f} s ({jobs} workers): "
             f"**{counts['correct']} right**, {counts['wrong']} wrong, {counts['undecided']} undecided, "
             f"{counts['error']} errors, {counts['timeout']} timed out.", ""]
    if slips:
        lines += ["## Most common slips", "", "| slip | claims |", "|---|---|"]
        lines += [f"| {SLIP_NAMES.get(k, k)} | {n} |" for k, n in slips.most_common()]
        lines.append("")
    odd = [r for r in results if r.verdict in ("error", "timeout")]
    if odd:
        lines += ["## Rows not checked", "", "| id | what | why |", "|---|---|---|"]
        lines += [f"| {r.id} | {r.verdict} | {r.message.replace('|', '/')} |" for r in odd]
        lines.append("")
    return "\n".join(lines) + "\n"
