"""Statistics shared by the evaluations: pure functions over arrays.

Bootstrap intervals are percentile intervals over resampled items (seeded), so a
report is reproducible; a paired bootstrap resamples the same items for both
arms, which is what a with/without comparison on one test set needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "Interval",
    "accuracy",
    "binary_f1",
    "bootstrap_paired",
    "expected_calibration_error",
    "reliability_curve",
    "threshold_for_precision",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Interval:
    """A point estimate with a bootstrap percentile interval.

    Attributes:
        estimate: the statistic on the full sample.
        low: lower bound of the interval.
        high: upper bound of the interval.
        level: the interval's coverage (0.95).
        n: items the statistic was computed over.
    """

    estimate: float
    low: float
    high: float
    level: float
    n: int

    def __str__(self) -> str:
        pct = round(self.level * 100)
        return f"{self.estimate:+.3f} ({pct}% CI {self.low:+.3f} to {self.high:+.3f}, n={self.n})"


def accuracy(gold: Sequence[int] | npt.NDArray[np.int64],
             pred: Sequence[int] | npt.NDArray[np.int64]) -> float:
    """Share of equal items (0.0 for no items)."""
    g, p = np.asarray(gold), np.asarray(pred)
    return float(np.mean(g == p)) if g.size else 0.0


def binary_f1(gold: Sequence[int] | npt.NDArray[np.int64],
              pred: Sequence[int] | npt.NDArray[np.int64], positive: int = 1) -> float:
    """F1 of the ``positive`` class (0.0 when it is never predicted nor gold)."""
    g, p = np.asarray(gold) == positive, np.asarray(pred) == positive
    tp = float(np.sum(g & p))
    denom = float(np.sum(g) + np.sum(p))
    return 2 * tp / denom if denom else 0.0


def bootstrap_paired(
    base: Sequence[int] | npt.NDArray[np.int64],
    treated: Sequence[int] | npt.NDArray[np.int64],
    gold: Sequence[int] | npt.NDArray[np.int64] | None = None,
    *, metric: str = "mean", samples: int = 2000, level: float = 0.95, seed: int = 0,
) -> Interval:
    """Interval of ``metric(treated) - metric(base)`` over items resampled with replacement.

    Args:
        base: per-item values of the baseline (0/1 correctness for ``"mean"``,
            predicted labels for ``"accuracy"`` and ``"f1"``).
        treated: the same items under the treatment.
        gold: gold labels, needed by ``"accuracy"`` and ``"f1"``.
        metric: ``"mean"`` (of the values), ``"accuracy"`` or ``"f1"`` (against ``gold``).
        samples: bootstrap resamples.
        level: interval coverage.
        seed: random seed.

    Raises:
        ValueError: the arms differ in length, or ``gold`` is missing for a metric needing it.
    """
    b, t = np.asarray(base), np.asarray(treated)
    if b.shape != t.shape:
        raise ValueError(f"paired arms differ in length: {b.shape} vs {t.shape}")
    g = None if gold is None else np.asarray(gold)
    if metric != "mean" and (g is None or g.shape != b.shape):
        raise ValueError(f"metric {metric!r} needs gold labels of the same length")

    def stat(idx: npt.NDArray[np.int64]) -> float:
        if metric == "mean":
            return float(np.mean(t[idx]) - np.mean(b[idx]))
        assert g is not None
        fn = accuracy if metric == "accuracy" else binary_f1
        return fn(g[idx], t[idx]) - fn(g[idx], b[idx])

    n = int(b.size)
    if n == 0:
        return Interval(0.0, 0.0, 0.0, level, 0)
    full = stat(np.arange(n))
    rng = np.random.default_rng(seed)
    draws = np.array([stat(rng.integers(0, n, n)) for _ in range(samples)])
    alpha = (1 - level) / 2
    low, high = np.quantile(draws, [alpha, 1 - alpha])
    return Interval(full, float(low), float(high), level, n)


def reliability_curve(scores: Sequence[float] | FloatArray, labels: Sequence[int] | FloatArray,
                      bins: int = 10) -> list[tuple[float, float, float, int]]:
    """Equal-width bins over [0, 1]: (bin low, mean score, share of positive labels, count).

    Empty bins are left out.
    """
    s, y = np.asarray(scores, dtype=float), np.asarray(labels, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(s, edges[1:-1], right=False), 0, bins - 1)
    out: list[tuple[float, float, float, int]] = []
    for k in range(bins):
        mask = which == k
        if mask.any():
            out.append((float(edges[k]), float(s[mask].mean()), float(y[mask].mean()),
                        int(mask.sum())))
    return out


def expected_calibration_error(scores: Sequence[float] | FloatArray,
                               labels: Sequence[int] | FloatArray, bins: int = 10) -> float:
    """ECE: the count-weighted mean |mean score - share positive| over the reliability bins."""
    curve = reliability_curve(scores, labels, bins)
    total = sum(c for *_, c in curve)
    if not total:
        return 0.0
    return float(sum(c * abs(conf - acc) for _, conf, acc, c in curve) / total)


def threshold_for_precision(scores: Sequence[float] | FloatArray,
                            labels: Sequence[int] | FloatArray,
                            target: float) -> tuple[float, float, float] | None:
    """The lowest score threshold whose kept items (score >= threshold) reach ``target`` precision.

    Returns:
        (threshold, precision, share of items kept), or ``None`` when no threshold reaches it.
    """
    s, y = np.asarray(scores, dtype=float), np.asarray(labels, dtype=float)
    for thr in np.unique(s):  # ascending: the first that qualifies keeps the most
        kept = s >= thr
        precision = float(y[kept].mean())
        if precision >= target:
            return float(thr), precision, float(kept.mean())
    return None
