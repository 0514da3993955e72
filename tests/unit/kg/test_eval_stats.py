"""Pure statistics of the evaluations (kg.evaluation.stats)."""

from __future__ import annotations

import numpy as np
import pytest

from kg.evaluation.stats import (
    accuracy,
    binary_f1,
    bootstrap_paired,
    expected_calibration_error,
    reliability_curve,
    threshold_for_precision,
)


def test_accuracy_and_f1_by_hand() -> None:
    gold = [1, 1, 0, 0, 1]
    pred = [1, 0, 0, 1, 1]
    assert accuracy(gold, pred) == pytest.approx(3 / 5)
    # tp=2, fp=1, fn=1 -> F1 = 4 / 6
    assert binary_f1(gold, pred) == pytest.approx(2 / 3)
    assert binary_f1([0, 0], [0, 0]) == 0.0


def test_paired_bootstrap_contains_the_estimate_and_is_seeded() -> None:
    rng = np.random.default_rng(1)
    base = rng.integers(0, 2, 200)
    treated = np.where(rng.random(200) < 0.2, 1, base)  # treatment only fixes answers
    iv = bootstrap_paired(base, treated, seed=3)
    assert iv.estimate == pytest.approx(treated.mean() - base.mean())
    assert iv.low <= iv.estimate <= iv.high
    assert iv.low > 0  # a one-sided improvement on 200 items is clearly positive
    assert bootstrap_paired(base, treated, seed=3) == iv
    assert iv.n == 200


def test_bootstrap_of_identical_arms_is_zero() -> None:
    iv = bootstrap_paired([1, 0, 1], [1, 0, 1])
    assert (iv.estimate, iv.low, iv.high) == (0.0, 0.0, 0.0)


def test_bootstrap_metric_needs_gold() -> None:
    with pytest.raises(ValueError, match="gold"):
        bootstrap_paired([1, 0], [0, 1], metric="f1")
    with pytest.raises(ValueError, match="length"):
        bootstrap_paired([1, 0], [0, 1, 1])


def test_reliability_and_ece() -> None:
    scores = [0.05, 0.15, 0.95, 0.95, 0.55]
    labels = [0, 0, 1, 0, 1]
    curve = reliability_curve(scores, labels, bins=10)
    assert [(round(lo, 1), n) for lo, _, _, n in curve] == [(0.0, 1), (0.1, 1), (0.5, 1),
                                                             (0.9, 2)]
    # |0.05-0|+|0.15-0|+|0.55-1|+2*|0.95-0.5| = 0.05+0.15+0.45+0.9 = 1.55, over 5
    assert expected_calibration_error(scores, labels) == pytest.approx(1.55 / 5)


def test_threshold_for_precision_keeps_the_most() -> None:
    scores = [0.1, 0.4, 0.6, 0.8, 0.9]
    labels = [0, 1, 0, 1, 1]
    thr, precision, kept = threshold_for_precision(scores, labels, 0.75) or (0, 0, 0)
    assert (thr, precision, kept) == (0.4, 0.75, 0.8)
    assert threshold_for_precision(scores, [0] * 5, 0.5) is None


def test_stratified_split_keeps_label_shares_and_is_seeded() -> None:
    from kg.errors import ConfigError
    from kg.evaluation.sarcasm import stratified_split

    labels = ["1"] * 70 + ["0"] * 30
    train, test = stratified_split(labels, 0.3, seed=5)
    assert sorted(train + test) == list(range(100))
    assert sum(labels[i] == "1" for i in test) == 21
    assert sum(labels[i] == "0" for i in test) == 9
    assert stratified_split(labels, 0.3, seed=5) == (train, test)
    assert stratified_split(labels, 0.3, seed=6) != (train, test)
    # tiny: every label still gets one test and one train item
    train, test = stratified_split(["1", "1", "1", "1", "0", "0"], 0.3, seed=0)
    assert len(test) == 2 and len(train) == 4
    with pytest.raises(ConfigError, match="at least 2 posts"):
        stratified_split(["1", "1", "0"], 0.3, seed=0)
    with pytest.raises(ConfigError, match="two labels"):
        stratified_split(["1", "1"], 0.3, seed=0)
