"""Inter-annotator agreement: Krippendorff's alpha (the ``krippendorff`` package) and raw
pairwise agreement, over the units judged by at least two annotators."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from kg.errors import MissingExtraError

__all__ = ["Agreement", "agreement"]


@dataclass(frozen=True)
class Agreement:
    """Agreement on one binary question.

    Attributes:
        alpha: nominal Krippendorff's alpha, ``None`` when undefined (fewer than two
            units judged twice, or every judgment the same value).
        raw: share of agreeing annotator pairs over all pairs within a unit.
        units: units judged by at least two annotators.
        annotators: distinct annotators over those units.
        pairs: annotator pairs compared.
    """

    alpha: float | None
    raw: float | None
    units: int
    annotators: int
    pairs: int


def agreement(votes: Mapping[str, Mapping[str, bool]]) -> Agreement:
    """Agreement of ``votes``: unit id → {annotator: value}; units with one vote are left out."""
    shared = {u: v for u, v in votes.items() if len(v) >= 2}
    annotators = sorted({a for v in shared.values() for a in v})
    agree = pairs = 0
    for v in shared.values():
        for x, y in combinations(v.values(), 2):
            pairs += 1
            agree += int(x == y)
    raw = agree / pairs if pairs else None
    alpha: float | None = None
    values = {val for v in shared.values() for val in v.values()}
    if len(shared) >= 2 and len(values) >= 2:
        try:
            import krippendorff
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise MissingExtraError("krippendorff", None, "inter-annotator agreement") from exc
        units = sorted(shared)
        data = np.full((len(annotators), len(units)), np.nan)
        for j, u in enumerate(units):
            for a, val in shared[u].items():
                data[annotators.index(a), j] = float(val)
        alpha = float(krippendorff.alpha(reliability_data=data,
                                         level_of_measurement="nominal"))
    return Agreement(alpha, raw, len(shared), len(annotators), pairs)
