"""Batch verify for a class: many claims, one per row, checked on every core.

Each row (function, wrt, claim or steps file, id; optional where) is checked by the single-claim
verify (verify.py) in a process pool, under its own time limit, so one slow row never holds up
the rest: a row past its limit is reported as `timeout`, a row whose LaTeX does not parse as
`error` with the message — never a crash of the batch. The report (batch_report.py) is a CSV row
per claim and a Markdown summary.
"""
from __future__ import annotations

import csv
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from symderiv.check.verify import verify, verify_steps
from symderiv.core.errors import SymderivError, TimeLimitError, VerifyError

FIELDS = ("id", "function", "wrt", "claim", "steps", "where")
ROW_TIMEOUT = 30.0


@dataclass(frozen=True)
class Row:
    """One claim to check; `where` holds the definitions (`;`-separated in a CSV, a list in JSONL)."""

    id: str
    function: str
    wrt: str = ""
    claim: str = ""
    steps: str = ""        # the text of the steps file, read when the batch is read
    where: tuple[str, ...] = ()
    problem: str = ""      # why the row cannot be checked as read (an unreadable steps file)


@dataclass(frozen=True)
class RowResult:
    """What one row came to: correct / wrong / undecided, or error / timeout, and the slip named."""

    id: str
    verdict: str
    slip: str = ""
    line: int = 0          # the first wrong line of a steps row
    message: str = ""
    seconds: float = 0.0


def read_rows(path: str) -> list[Row]:
    """The rows of a .csv (with a header naming the FIELDS it uses) or .jsonl file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise VerifyError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise VerifyError(f"{path} is not UTF-8 text") from None
    if p.suffix == ".jsonl":
        records = list(_jsonl(text, path))
    elif p.suffix == ".csv":
        records = list(csv.DictReader(text.splitlines()))
    else:
        raise VerifyError(f"--batch reads a .csv or .jsonl file, not {p.name}")
    rows = [_row(r, n, p.parent) for n, r in enumerate(records, start=1)]
    if not rows:
        raise VerifyError(f"{path} has no rows")
    return rows


def _jsonl(text: str, path: str) -> Iterator[dict[str, object]]:
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise VerifyError(f"{path} line {n}: not JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise VerifyError(f"{path} line {n}: expected an object with {', '.join(FIELDS)}")
            yield record


def _row(r: dict[str, object], n: int, folder: Path) -> Row:
    def field(name: str) -> str:
        v = r.get(name)
        return "" if v is None else str(v).strip()

    where = r.get("where")
    defs = tuple(str(w) for w in where) if isinstance(where, list) else tuple(
        w.strip() for w in field("where").split(";") if w.strip())
    steps, problem = "", ""
    if field("steps"):
        try:
            steps = (folder / field("steps")).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            problem = f"cannot read the steps file {field('steps')}"     # reported on the row
    return Row(field("id") or str(n), field("function"), field("wrt"), field("claim"), steps, defs,
               problem or ("" if field("steps") or field("claim") else "no claim and no steps"))


def check_row(row: Row, timeout: float = ROW_TIMEOUT) -> RowResult:
    """One row, under its own time limit (run in a worker process)."""
    start = time.perf_counter()

    def done(verdict: str, slip: str = "", line: int = 0, message: str = "") -> RowResult:
        return RowResult(row.id, verdict, slip, line, message, round(time.perf_counter() - start, 3))

    try:
        if row.problem:
            return done("error", message=row.problem)
        if bool(row.claim) == bool(row.steps):
            return done("error", message="give exactly one of claim or steps")
        if row.claim:
            if not row.function:
                return done("error", message="no function to check the claim against")
            r = verify(row.function, row.wrt or None, row.claim, where=row.where, timeout=timeout)
            return done(r.verdict, r.slip.kind if r.slip is not None and r.verdict == "wrong" else "")
        s = verify_steps(row.steps, latex=row.function or None, wrt=row.wrt or None, where=row.where,
                         timeout=timeout)
        wrong = s.first_wrong
        if wrong is None:
            return done("correct" if s.ok else "wrong", message="" if s.ok else "the last line is not the derivative")
        slip = wrong.result.slip if wrong.result is not None else None
        return done("wrong", slip.kind if slip is not None else "", wrong.n)
    except TimeLimitError:
        return done("timeout", message=f"over the per-row limit of {timeout:g} s")
    except SymderivError as exc:
        return done("error", message=str(exc).splitlines()[0][:200])
    except (RecursionError, MemoryError) as exc:
        return done("error", message=f"{type(exc).__name__}: the input is too large to check")


def run_batch(rows: Sequence[Row], jobs: int | None = None, timeout: float = ROW_TIMEOUT,
              progress: Callable[[int, int], None] | None = None) -> list[RowResult]:
    """Every row checked, `jobs` at a time (default: the cores), results in the rows' order; a row
    whose process is stuck past its limit (core/pool.py kills it) is reported as timed out.
    `progress(done, total)` follows the rows."""
    from symderiv.core.pool import run_tasks

    jobs = max(1, min(jobs or os.cpu_count() or 1, len(rows)))
    finished = [0]

    def expired(k: int, why: str) -> RowResult:
        if why == "time limit":
            return RowResult(rows[k].id, "timeout", message=f"over the per-row limit of {timeout:g} s")
        return RowResult(rows[k].id, "error", message="the worker process stopped while checking this row")

    def done(k: int, result: RowResult) -> None:
        finished[0] += 1
        if progress is not None:
            progress(finished[0], len(rows))

    return run_tasks(check_row, [(r, timeout) for r in rows], jobs, [timeout] * len(rows), expired, done)
