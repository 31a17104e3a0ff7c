"""The cure made with the claim's other coding corrections (hand-written claims, the real
checker; the model's re-scores are given numbers)."""

from __future__ import annotations

from typing import Any

import numpy as np

from reference.vocab import CATEGORIES
from serving.candidates import Candidate
from serving.fix_apply import apply_returned_fix
from serving.fix_bundle import (
    LEAD,
    best_lead,
    cures_with_corrections,
    narrowed,
    with_corrections,
    with_other_causes,
)
from serving.fix_combos import touched
from tests.builders import line, make_claim_dict
from tests.serving.test_candidates import view_of
from tests.serving.test_fix_combos import checked, run_scored

RIGHT_ARM = {"count": 1, "site": "arms", "size_cm": 0.4, "laterality": "right",
             "distinct_from_line": None}


def em_biopsy_without_side() -> dict[str, Any]:
    """E/M without 25 beside a right-arm biopsy billed without RT, and a history-of code
    on the biopsy line."""
    return make_claim_dict(diagnoses=["L57.0", "Z85.828"], lines=[
        line(1, "99213", dx=[1]), line(2, "11102", dx=[2], lesion=RIGHT_ARM)])


def verified_of(claim: dict[str, Any], cms: Any) -> tuple[list, dict]:
    c = checked(claim, cms)
    return [(c[("add_modifier", 1, "25")], 0.3), (c[("add_modifier", 2, "RT")], 0.8),
            (c[("link_diagnosis", 2, "L57.0")], 0.85)], c


def run(claim: dict[str, Any], cms: Any, p_joint: float, new_error: bool = False,
        risk: float = 0.9) -> list[tuple[int, tuple]]:
    verified, _ = verified_of(claim, cms)
    return run_scored(cures_with_corrections, claim, cms, verified, risk, p_joint, new_error)


def test_the_cure_carries_the_side_modifier_and_the_diagnosis_link(cms):
    claim = em_biopsy_without_side()
    [(i, (tier, key, fix, correction))] = run(claim, cms, 0.05)
    assert (i, tier, key, correction) == (0, 1, 0.3 - LEAD, True)  # just ahead of the cure
    assert fix.risk_after == 0.05 and "coding corrections the claim also needs" in fix.text
    assert [(f.action, f.line, f.value) for f in [fix, *fix.together]] == [
        ("link_diagnosis", 2, "L57.0"), ("add_modifier", 1, "25"), ("add_modifier", 2, "RT")]
    fixed = {ln["line"]: ln for ln in apply_returned_fix(claim, fix, cms)["lines"]}
    assert fixed[1]["modifiers"] == ["25"] and fixed[2]["modifiers"] == ["RT"]
    assert fixed[2]["dx_pointers"] == [1]


def test_no_bundle_when_it_scores_worse_adds_an_error_or_nothing_cures(cms):
    claim = em_biopsy_without_side()
    assert run(claim, cms, 0.4) == []  # worse than the cure alone (0.3) by more than noise
    assert run(claim, cms, 0.05, new_error=True) == []
    assert run(claim, cms, 0.05, risk=0.31) == []  # nothing lowers the risk by MIN_GAIN


def test_without_a_cure_the_change_helping_most_carries_the_corrections(cms):
    # 0.3 does not halve 0.5: no change cures the claim, but the 25 that helps most goes
    # out with the RT and the diagnosis link all the same, ranked with the partial helps
    claim = em_biopsy_without_side()
    [(_, (tier, key, fix, correction))] = run(claim, cms, 0.28, risk=0.5)
    assert (tier, key, correction) == (2, 0.3 - LEAD, True)
    assert "one lowers the risk most, the others are coding corrections" in fix.text
    assert {(f.action, f.line, f.value) for f in [fix, *fix.together]} == {
        ("link_diagnosis", 2, "L57.0"), ("add_modifier", 1, "25"), ("add_modifier", 2, "RT")}


def test_only_errors_and_factual_warnings_ride_along(cms):
    # "79 if unrelated" is a guess about the case, not a fact the claim states: it is not
    # made with the cure; a removed line takes nothing along with it
    claim = make_claim_dict(diagnoses=["L57.0"], lines=[
        line(1, "99213", dx=[1]), line(2, "17000", dx=[1], lesion=RIGHT_ARM)],
        history={"days_since_related_global_procedure": 6, "related_global_days": 10,
                 "related_procedure_code": "17000"})
    c = checked(claim, cms)
    guess = c[("add_modifier", 2, "79")]
    assert not guess.finding.is_error
    cure = (c[("add_modifier", 2, "RT")], 0.1)
    assert best_lead([cure, (guess, 0.6)], claim, 0.9) == cure
    assert with_corrections(cure, [cure, (guess, 0.6)], claim) == [cure]


def benign_excision_and_repair() -> dict[str, Any]:
    """A right-arm benign excision (D23.61, no symptom documented) and the repair of its
    defect, neither with RT."""
    arm = {**RIGHT_ARM, "size_cm": 0.8}
    return make_claim_dict(
        diagnoses=["D23.61"], documentation={"symptoms_documented": False},
        lines=[line(1, "11401", dx=[1], lesion=arm),
               line(2, "12031", dx=[1], lesion={**arm, "size_cm": 2.2})])


def test_a_correction_on_a_line_the_cure_takes_goes_on_the_lines_it_leaves(cms):
    # the excision goes to the patient: RT, grouped over both lines, still belongs on the
    # repair the payer is billed for (it collided with the cure as a whole)
    claim = benign_excision_and_repair()
    c = checked(claim, cms)
    rt, cure = c[("add_modifier", 1, "RT")], c[("bill_patient", 1, None)]
    assert rt.lines == [1, 2]
    narrow = narrowed(rt, touched(cure))
    assert narrow is not None and narrow.lines == [2] and narrow.value == "RT"
    assert narrowed(rt, set()) is None  # nothing to leave out
    scored: list[dict[str, Any]] = []

    def score(claims: list[dict[str, Any]]) -> np.ndarray:
        scored.extend(claims)
        return np.full(len(claims), 0.1)

    out = cures_with_corrections([view_of(claim, cms)], np.array([0.6]),
                                 [[(cure, 0.2), (rt, 0.5)]], cms, [set()], score,
                                 lambda claims: [set() for _ in claims])
    [(_, (_, _, fix, _))] = out
    assert [(f.action, f.line, f.value) for f in [fix, *fix.together]] == [
        ("bill_patient", 1, None), ("add_modifier", 2, "RT")]
    sent = apply_returned_fix(claim, fix, cms)
    assert [(ln["cpt"], ln["modifiers"]) for ln in sent["lines"]
            if ln["line"] == 2] == [("12031", ["RT"])]
    assert len(scored) == 2  # the narrowed RT alone, then the joint edit


def visit_in_global_without_referral() -> dict[str, Any]:
    """An AK destruction 6 days into the 10-day global of a wart destruction (79 if
    unrelated), for a plan that wants a referral none is on file for."""
    return make_claim_dict(diagnoses=["L57.0"], lines=[
        line(1, "99213", dx=[1], mods=["25"]), line(2, "17000", dx=[1], mods=["RT"],
                                                      lesion=RIGHT_ARM)],
        history={"days_since_related_global_procedure": 6, "related_global_days": 10,
                 "related_procedure_code": "17110"})


def run_causes(cms: Any, authorization: float, p_joint: float) -> tuple[list, list]:
    """cures_with_corrections on that visit: the 79 (risk after 0.3 of 0.95) and the
    referral (0.8), the model naming authorization with the given share; every joint edit
    re-scored p_joint. Returns the items and the claims scored."""
    claim = visit_in_global_without_referral()
    c = checked(claim, cms)
    cure = (c[("add_modifier", 2, "79")], 0.3)
    referral = (Candidate("attach_documentation", "referral_on_file", "Obtain the referral "
                          "and mark it on file.", value="referral_on_file"), 0.8)
    probs = np.zeros(len(CATEGORIES))
    probs[CATEGORIES.index("authorization")] = authorization
    probs[CATEGORIES.index("global_period")] = 1 - authorization
    scored: list[dict[str, Any]] = []

    def score(claims: list[dict[str, Any]]) -> np.ndarray:
        scored.extend(claims)
        return np.full(len(claims), p_joint)

    out = cures_with_corrections([view_of(claim, cms)], np.array([0.95]), [[cure, referral]],
                                 cms, [set()], score, lambda cl: [set() for _ in cl],
                                 probs[None, :])
    return out, scored


def test_the_cure_takes_along_the_change_mending_another_likely_reason(cms):
    # the 79 cures the global-period denial; the plan's missing referral, which the model
    # names a likely reason too, is obtained with it when the joint edit scores lower
    [(_, (tier, key, fix, _))] = run_causes(cms, 0.43, 0.05)[0]
    assert (tier, key) == (1, 0.3 - LEAD)
    assert [(f.action, f.line, f.value) for f in [fix, *fix.together]] == [
        ("add_modifier", 2, "79"), ("attach_documentation", None, "referral_on_file")]
    assert fix.risk_after == 0.05 and "another reason" in fix.text
    assert run_causes(cms, 0.1, 0.05) == ([], [])  # the model does not name authorization
    assert run_causes(cms, 0.43, 0.295)[0] == []  # no better than the cure alone


def test_another_cause_is_judged_against_the_cure_not_a_link_made_first(cms):
    # the cure is the checker's 25 (a modifier reason); the bundle's diagnosis link is
    # made first (edit_order), but a documentation change for the same modifier reason is
    # no "other cause", however well the model scores it
    claim = em_biopsy_without_side()
    twenty_five, _, link = verified_of(claim, cms)[0]  # room for a third change
    verified = [twenty_five, link]
    probs = np.zeros(len(CATEGORIES))
    probs[CATEGORIES.index("modifier")] = 1.0
    note = (Candidate("attach_documentation", "em_25_no_separate_note", "Attach the note.",
                      value="separate_em_note"), 0.5)
    chosen = with_corrections(verified[0], verified, claim)
    assert with_other_causes(chosen, [*verified, note], claim, probs, 0.9) == chosen

    def score(claims: list[dict[str, Any]]) -> np.ndarray:
        return np.array([0.01 if c["claim_id"].endswith("~causes") else 0.1 for c in claims])

    [(_, (_, _, fix, _))] = cures_with_corrections(
        [view_of(claim, cms)], np.array([0.9]), [[*verified, note]], cms, [set()], score,
        lambda cl: [set() for _ in cl], probs[None, :])
    assert "separate_em_note" not in [f.value for f in [fix, *fix.together]]
