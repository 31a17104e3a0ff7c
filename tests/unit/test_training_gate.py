"""The champion gate rule."""

import math

from training.gate import gate_decision


def test_first_model_promoted_when_calibrated():
    d = gate_decision({"auc": 0.8, "ece": 0.01}, None)
    assert d.promote and "no champion" in d.reason


def test_refused_when_ece_too_high_even_without_champion():
    d = gate_decision({"auc": 0.9, "ece": 0.05}, None)
    assert not d.promote and "ECE" in d.reason


def test_small_auc_drop_allowed_large_refused():
    champ = {"auc": 0.85, "ece": 0.01}
    assert gate_decision({"auc": 0.846, "ece": 0.02}, champ).promote
    d = gate_decision({"auc": 0.84, "ece": 0.02}, champ)
    assert not d.promote and "below the champion" in d.reason


def test_nan_auc_refused_against_a_champion():
    assert not gate_decision({"auc": math.nan, "ece": 0.0}, {"auc": 0.8}).promote


def test_thresholds_are_configurable():
    assert gate_decision({"auc": 0.7, "ece": 0.04}, {"auc": 0.8}, 0.2, 0.05).promote
