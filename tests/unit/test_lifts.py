"""Coding-check lifts (training/lifts.py): learned from the history only where the model
under-predicts a finding's denials, shrunk by the number of such claims, raising (never
lowering) a claim's risk and crediting the added probability to the reason the payer's
remits give that finding (the rule's own CARC category unless the remits outweigh it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit

from features.checks import RULES
from reference.vocab import CATEGORIES
from training.lifts import (
    FindingLift,
    apply_lifts,
    learn_lifts,
    learn_payer_lifts,
    lift_categories,
    lift_columns,
    lifted_reasons,
)


def history(n_with: int, denied_with: int, p_model: float) -> tuple:
    """1,000 claims; the first n_with carry ptp_mi0 and denied_with of them are denied;
    the model predicts p_model on every claim."""
    X = pd.DataFrame({"check_ptp_mi0": np.r_[np.ones(n_with), np.zeros(1000 - n_with)],
                      "check_em_without_25": np.zeros(1000), "units_total": np.ones(1000)})
    y = np.zeros(1000, int)
    y[:denied_with] = 1
    return X, y, np.full(1000, p_model)


def test_an_under_predicted_finding_gets_a_lift_shrunk_by_its_claims():
    few = learn_lifts(*history(4, 4, 0.05))["ptp_mi0"]
    many = learn_lifts(*history(40, 40, 0.05))["ptp_mi0"]
    assert few.category == RULES["ptp_mi0"].category == "bundling"
    assert (few.n, few.denied) == (4, 4) and few.predicted == pytest.approx(0.05)
    assert 0 < few.log_odds < many.log_odds
    observed = (40 + 5 * 0.05) / 45
    assert many.log_odds == pytest.approx(logit(observed) - logit(0.05), abs=1e-3)


def test_no_lift_where_the_model_already_predicts_or_over_predicts_or_never_saw_it():
    assert learn_lifts(*history(40, 38, 0.95)) == {}
    assert learn_lifts(*history(40, 0, 0.05)) == {}
    assert learn_lifts(*history(0, 0, 0.05)) == {}


def test_a_payer_lift_shrinks_toward_the_practice_wide_lift_not_toward_zero():
    # Empirical Bayes: the pooled model's lift is the prior of a payer model's lift. With
    # no claim of its own the payer inherits it; a handful of its own claims moves it
    # less than the same handful moves a lift without a prior; a long own history in
    # which the payer never denies the error outweighs the prior (no lift).
    prior = {"ptp_mi0": FindingLift(category="bundling", n=60, denied=57, predicted=0.3,
                                    log_odds=1.5)}
    inherited = learn_lifts(*history(0, 0, 0.05), prior)["ptp_mi0"]
    assert (inherited.n, inherited.log_odds) == (0, 1.5)
    assert (inherited.practice_n, inherited.practice_denied) == (60, 57)
    alone = learn_lifts(*history(2, 2, 0.05))["ptp_mi0"].log_odds
    with_prior = learn_lifts(*history(2, 2, 0.05), prior)["ptp_mi0"].log_odds
    assert alone < with_prior
    assert learn_lifts(*history(300, 15, 0.05), prior) == {}


def test_apply_raises_only_claims_with_the_finding_and_keeps_the_largest_lift():
    names = ["units_total", "check_ptp_mi0", "check_em_without_25"]
    lifts = {"ptp_mi0": FindingLift(category="bundling", n=9, denied=9, predicted=0.1,
                                    log_odds=2.0),
             "em_without_25": FindingLift(category="modifier", n=9, denied=9, predicted=0.1,
                                          log_odds=1.0),
             "not_a_column": FindingLift(category="units", n=9, denied=9, predicted=0.1,
                                         log_odds=5.0)}
    columns = lift_columns(names, lifts)
    assert [j for j, _ in columns] == [2, 1]
    M = np.array([[1, 0, 0], [1, 1, 0], [1, 1, 1], [1, 0, 1]], dtype=float)
    p = np.full(4, 0.2)
    lifted, chosen = apply_lifts(M, p, columns)
    category = lift_categories(chosen, columns)
    assert chosen.tolist() == [-1, 1, 1, 0]
    assert lifted[0] == 0.2 and category[0] == -1
    assert lifted[1] == pytest.approx(lifted[2]) and lifted[1] > lifted[3] > 0.2
    assert category.tolist() == [-1, CATEGORIES.index("bundling"),
                                 CATEGORIES.index("bundling"), CATEGORIES.index("modifier")]
    q = np.full((4, len(CATEGORIES)), 1 / len(CATEGORIES))
    q2 = lifted_reasons(q, p, lifted, category)
    assert np.allclose(q2.sum(axis=1), 1.0) and np.array_equal(q2[0], q[0])
    assert q2[1].argmax() == CATEGORIES.index("bundling")
    assert q2[3].argmax() == CATEGORIES.index("modifier")


def test_a_pooled_model_learns_each_payers_own_lift():
    # The pooled model serves thin payers: COA denies the finding 38 times in 40, MCR never
    # does. COA's claims take COA's lift, MCR's none (not the practice-wide one), and a
    # payer the model has no history of takes the practice-wide lift.
    X, y, p = history(80, 38, 0.05)
    payer = np.array(["COA"] * 40 + ["MCR"] * 40 + ["COA", "MCR"] * 460, dtype=object)
    practice = learn_lifts(X, y, p)
    own = learn_payer_lifts(X, y, p, payer, practice)
    assert own["COA"]["ptp_mi0"].payer == "COA" and own["COA"]["ptp_mi0"].n == 40
    assert "ptp_mi0" not in own["MCR"]
    columns = lift_columns(list(X.columns), practice, own)
    M = np.array([[1.0, 0.0, 1.0]] * 3)
    lifted, chosen = apply_lifts(M, np.full(3, 0.05), columns,
                                 np.array(["COA", "MCR", "COB"], dtype=object), tuple(own))
    assert lifted[0] > lifted[2] > lifted[1] == pytest.approx(0.05)
    assert columns[chosen[0]][1].payer == "COA" and chosen[1] == -1
    assert columns[chosen[2]][1].payer is None


def test_a_lift_credits_the_reason_the_payers_remits_give_that_finding():
    # a payer that files NCCI pair denials under CO-97 (global period) where others send
    # CO-236: with 30 such remits the lift names global period; two such remits do not
    # outweigh the rule's own category (PRIOR_CATEGORY_DENIALS), nor does an unlabelled
    # history (a CARC outside the table)
    def labelled(n: int, label: object) -> tuple:
        X, y, p = history(n, n, 0.05)
        category = np.array([label] * n + [None] * (1000 - n), dtype=object)
        return X, y, p, None, category

    assert learn_lifts(*labelled(30, "global_period"))["ptp_mi0"].category == "global_period"
    assert learn_lifts(*labelled(2, "global_period"))["ptp_mi0"].category == "bundling"
    assert learn_lifts(*labelled(30, pd.NA))["ptp_mi0"].category == "bundling"
    assert learn_lifts(*history(30, 30, 0.05))["ptp_mi0"].category == "bundling"


def test_a_payers_lift_learns_its_own_category_from_its_own_remits():
    X, y, p = history(40, 40, 0.05)
    payer = np.array(["A", "B"] * 500, dtype=object)
    category = np.where(payer == "A", "global_period", "bundling").astype(object)
    practice = learn_lifts(X, y, p)
    own = learn_payer_lifts(X, y, p, payer, practice, category)
    assert own["A"]["ptp_mi0"].category == "global_period"
    assert own["B"]["ptp_mi0"].category == "bundling"


def test_a_lift_filed_under_another_reason_says_so_in_its_explanation():
    from types import SimpleNamespace

    from serving.lift_notes import lift_item

    def text(category: str) -> str:
        lift = FindingLift(category=category, n=30, denied=28, predicted=0.2, log_odds=1.2)
        meta = SimpleNamespace(payer="MCR", kind="payer",
                               learned=SimpleNamespace(window="2025-01 to 2026-02"))
        bundle = SimpleNamespace(lift_columns=[(0, lift)], feature_names=["check_ptp_mi0"],
                                 metadata=meta)
        found = SimpleNamespace(rule="ptp_mi0", category="bundling", line=2, source="NCCI",
                                text="Line 2 is never billable with line 1.")
        return lift_item(bundle, 0, [found]).text

    assert "its remits file these denials as global period (CO-97)" in text("global_period")
    assert "remits file" not in text("bundling") and "MCR denied 28 of 30" in text("bundling")


def test_a_lift_credits_the_reason_the_model_misses_not_one_it_already_expects():
    # 40 claims with the finding, all denied: 28 for eligibility, which the model already
    # expects there (coverage it sees ended), and 12 filed as global period, which it does
    # not: the lift adds what the trees miss, so it credits global period
    X, y, p = history(40, 40, 0.05)
    category = np.array(["eligibility"] * 28 + ["global_period"] * 12 + [None] * 960,
                        dtype=object)
    expected = np.zeros((1000, len(CATEGORIES)))
    expected[:40, CATEGORIES.index("eligibility")] = 0.7
    assert learn_lifts(X, y, p, None, category)["ptp_mi0"].category == "eligibility"
    assert learn_lifts(X, y, p, None, category, expected)["ptp_mi0"].category == \
        "global_period"


def test_unexpected_denials_spread_over_several_reasons_keep_the_rules_own():
    # a finding that merely travels with other errors: its denials split four ways, none
    # with most of them, so the lift keeps the rule's own category
    X, y, p = history(40, 40, 0.05)
    spread = ["eligibility", "medical_necessity", "units", "missing_information"] * 10
    category = np.array(spread + [None] * 960, dtype=object)
    assert learn_lifts(X, y, p, None, category)["ptp_mi0"].category == "bundling"
