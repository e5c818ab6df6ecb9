"""Data for a sum over samples: a reproducible built-in set, or the user's CSV (features…, label)."""

from __future__ import annotations

import csv
import pathlib
from dataclasses import dataclass, field

import numpy as np

from symderiv.core.errors import SymderivError

MAX_CSV_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Dataset:
    """n samples × d features and one label per sample."""

    X: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    source: str = "built-in"

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        return int(self.X.shape[1])


def builtin_data(n: int = 100, d: int = 2, seed: int = 0) -> Dataset:
    """A reproducible, non-separable binary-classification set: x ~ N(0, I), y ~ Bernoulli(σ(θ*ᵀx)).

    Non-separable on purpose: on separable data the logistic loss has no minimum (θ runs to ∞).
    """
    if n < 1 or d < 1 or n * d > 50_000_000:
        raise SymderivError("the built-in data set needs 1 ≤ samples, 1 ≤ features, samples × features ≤ 5e7")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    true_theta = np.array([(1.5 if k % 2 == 0 else -1.0) / (1 + k // 2) for k in range(d)])
    p = 1.0 / (1.0 + np.exp(-(X @ true_theta)))
    y = (rng.uniform(size=n) < p).astype(float)
    return Dataset(X, y, f"built-in (seed {seed})")


def load_csv(path: str) -> Dataset:
    """Rows of numbers: features…, label last; a first row that is not numeric is a header."""
    p = pathlib.Path(path)
    if not p.is_file():
        raise SymderivError(f"--data: no such file: {path}")
    if p.stat().st_size > MAX_CSV_BYTES:
        raise SymderivError(f"--data: {path} is larger than {MAX_CSV_BYTES // 2**20} MB")
    rows = _numeric_rows(p, path)
    if not rows:
        raise SymderivError(f"--data: {path} has no rows of numbers")
    width = len(rows[0][1])
    for lineno, nums in rows:
        if len(nums) != width:
            raise SymderivError(f"--data: {path} line {lineno} has {len(nums)} values, the first row {width}")
    if width < 2:
        raise SymderivError(f"--data: {path} needs at least two columns (features…, label)")
    arr = np.array([nums for _, nums in rows], dtype=float)
    if not np.all(np.isfinite(arr)):
        raise SymderivError(f"--data: {path} contains non-finite values")
    return Dataset(arr[:, :-1], arr[:, -1], p.name)


def _numeric_rows(p: pathlib.Path, path: str) -> list[tuple[int, list[float]]]:
    """(line number, numbers) of every non-empty row; a first line that is not numeric is skipped."""
    rows: list[tuple[int, list[float]]] = []
    try:
        with p.open(newline="", encoding="utf-8") as fh:
            for lineno, row in enumerate(csv.reader(fh), start=1):
                cells = [c.strip() for c in row if c.strip() != ""]
                if not cells:
                    continue
                try:
                    nums = [float(c) for c in cells]
                except ValueError:
                    if not rows and lineno == 1:
                        continue  # a header line
                    raise SymderivError(f"--data: {path} line {lineno}: not a number in {row!r}") from None
                rows.append((lineno, nums))
    except UnicodeDecodeError:
        raise SymderivError(f"--data: {path} is not UTF-8 text") from None
    except csv.Error as exc:
        raise SymderivError(f"--data: {path}: {exc}") from None
    return rows
