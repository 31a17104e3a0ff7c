"""The champion gate: a new model is judged against what it would replace."""

import math

from training.gate import gate_decision


def test_first_model_promoted_when_calibrated():
    d = gate_decision({"auc": 0.8, "ece": 0.01}, None)
    assert d.promote and "no model served this payer" in d.reason


def test_first_model_promoted_with_a_warning_when_ece_is_high():
    # Refusing would leave the payer unscored (issue 15: nothing scored with defaults).
    d = gate_decision({"auc": 0.9, "ece": 0.05}, None)
    assert d.promote and "warning" in d.reason and "--gate-max-ece" in d.reason


def test_small_auc_drop_allowed_large_refused_naming_the_option():
    champ = {"auc": 0.85, "ece": 0.01}
    assert gate_decision({"auc": 0.846, "ece": 0.02}, champ).promote
    d = gate_decision({"auc": 0.84, "ece": 0.02}, champ, replaced_name="champion v3")
    assert not d.promote and "kept champion v3" in d.reason and "--gate-max-auc-drop" in d.reason


def test_ece_is_judged_against_the_replaced_models_own():
    # A payer model whose ECE (0.04) beats the pooled model's on its claims (0.06) may
    # replace it even above the 0.03 limit; a worse one may not.
    pooled = {"auc": 0.80, "ece": 0.06}
    assert gate_decision({"auc": 0.85, "ece": 0.04}, pooled, replaced_name="pooled").promote
    d = gate_decision({"auc": 0.85, "ece": 0.07}, pooled, replaced_name="the pooled model")
    assert not d.promote and "kept the pooled model" in d.reason and "ECE" in d.reason


def test_nan_auc_refused_against_a_champion():
    assert not gate_decision({"auc": math.nan, "ece": 0.0}, {"auc": 0.8}).promote


def test_thresholds_are_configurable():
    assert gate_decision({"auc": 0.7, "ece": 0.04}, {"auc": 0.8}, 0.2, 0.05).promote
    assert not gate_decision({"auc": 0.7, "ece": 0.04}, {"auc": 0.8}, 0.05, 0.05).promote


def test_a_drop_beyond_two_standard_errors_is_no_noise():
    """On many claims (se .0012) a payer model .004 below the pooled one ranks them worse:
    held back inside the .005 margin. On a thin payer's few claims (se .01) the margin
    caps the tolerance as before; without a standard error the margin alone decides."""
    pooled = {"auc": 0.921, "ece": 0.01, "auc_se": 0.0012}
    d = gate_decision({"auc": 0.917, "ece": 0.02}, pooled, replaced_name="the pooled model")
    assert not d.promote and "more than 0.0024 below" in d.reason
    assert "two standard errors" in d.reason and "--gate-max-auc-drop" in d.reason
    assert gate_decision({"auc": 0.919, "ece": 0.02}, pooled).promote
    thin = {"auc": 0.921, "ece": 0.01, "auc_se": 0.01}
    assert gate_decision({"auc": 0.917, "ece": 0.02}, thin).promote
    assert not gate_decision({"auc": 0.915, "ece": 0.02}, thin).promote
    assert gate_decision({"auc": 0.917, "ece": 0.02}, {**pooled, "auc_se": math.nan}).promote
