"""Metrics on tiny hand-made arrays with answers worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from training.metrics import (
    auc_gap,
    binary_metrics,
    expected_calibration_error,
    recall_at_precision,
    threshold_for_precision,
    top_k_accuracy,
)


def test_ece_perfectly_calibrated_bins_is_zero():
    # bin [0.2,0.3): p=0.25 x4 with 1 positive; bin [0.7,0.8): p=0.75 x4 with 3 positives
    p = np.array([0.25] * 4 + [0.75] * 4)
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0])
    assert expected_calibration_error(y, p) == pytest.approx(0.0)


def test_ece_weights_bins_by_share():
    # bin of 0.9 (2 claims, observed 0.5): gap 0.4; bin of 0.1 (2 claims, observed 0): gap 0.1
    p = np.array([0.9, 0.9, 0.1, 0.1])
    y = np.array([1, 0, 0, 0])
    assert expected_calibration_error(y, p) == pytest.approx(0.5 * 0.4 + 0.5 * 0.1)


def test_ece_puts_probability_one_in_last_bin():
    assert expected_calibration_error(np.array([1, 1]), np.array([1.0, 0.95])) == \
        pytest.approx(0.025)


def test_recall_at_precision_picks_largest_recall_meeting_precision():
    # sorted by score: 1 1 1 0 1 0 -> precision at top3 = 1.0 (recall 3/4), top5 = 0.8
    score = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    y = np.array([1, 1, 1, 0, 1, 0])
    assert recall_at_precision(y, score, 0.9) == pytest.approx(0.75)
    assert recall_at_precision(y, score, 0.8) == pytest.approx(1.0)


def test_recall_at_precision_zero_when_unreachable():
    assert recall_at_precision(np.array([0, 1]), np.array([0.9, 0.1]), 0.9) == 0.0


def test_threshold_for_precision_is_lowest_qualifying_score():
    score = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    y = np.array([1, 1, 1, 0, 1, 0])
    assert threshold_for_precision(y, score, 0.9) == pytest.approx(0.7)
    assert threshold_for_precision(y, score, 0.6) == pytest.approx(0.4)
    assert threshold_for_precision(np.array([0, 1]), np.array([0.9, 0.1]), 0.9) is None


def test_top_k_accuracy_with_ties_and_missing_labels():
    probs = pd.DataFrame({"a": [0.6, 0.1, 0.3, 0.5], "b": [0.3, 0.2, 0.3, 0.5],
                          "c": [0.1, 0.7, 0.4, 0.0]})
    true = pd.Series(["a", "b", "b", None])
    # row0 top1 a (hit); row1 top1 c, top2 {c,b}; row2 top1 c, top2 {c,a} (tie: a first)
    assert top_k_accuracy(true, probs, 1) == pytest.approx(1 / 3)
    assert top_k_accuracy(true, probs, 2) == pytest.approx(2 / 3)
    assert top_k_accuracy(true, probs, 3) == pytest.approx(1.0)


def test_binary_metrics_single_class_gives_nan_not_error():
    m = binary_metrics(np.zeros(5, int), np.full(5, 0.1))
    assert math.isnan(m["auc"]) and m["brier"] == pytest.approx(0.01)
    assert m["ece"] == pytest.approx(0.1)


def test_binary_metrics_uses_score_for_ranking():
    y = np.array([0, 0, 1, 1])
    m = binary_metrics(y, p=np.full(4, 0.5), score=np.array([0, 1, 2, 3]))
    assert m["auc"] == 1.0 and m["recall_at_90_precision"] == 1.0
    assert m["brier"] == pytest.approx(0.25)


def test_auc_gap_is_oracle_minus_model_with_a_paired_bootstrap_error():
    rng = np.random.default_rng(1)
    truth = rng.random(2000)
    y = (rng.random(2000) < truth).astype(int)
    same = auc_gap(y, truth, truth)
    assert same == {"gap": 0.0, "se": 0.0}  # paired: identical scores never differ
    noisy = truth + rng.normal(0, 0.3, 2000)
    gap = auc_gap(y, noisy, truth)
    assert gap["gap"] > 0.03 and 0 < gap["se"] < gap["gap"] / 2
    small = auc_gap(y[:150], noisy[:150], truth[:150])  # fewer claims: a wider error
    assert small["se"] > 2 * gap["se"]
    assert math.isnan(auc_gap(np.zeros(10, int), truth[:10], truth[:10])["gap"])
