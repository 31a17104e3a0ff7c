"""The cure made with the claim's other coding corrections (hand-written claims, the real
checker; the model's re-scores are given numbers)."""

from __future__ import annotations

from typing import Any

from serving.fix_apply import apply_returned_fix
from serving.fix_bundle import LEAD, best_cure, cures_with_corrections, with_corrections
from tests.builders import line, make_claim_dict
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
    assert run(claim, cms, 0.05, risk=0.5) == []  # 0.3 does not halve 0.5: no cure


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
    assert best_cure([cure, (guess, 0.6)], claim, 0.9) == cure
    assert with_corrections(cure, [cure, (guess, 0.6)], claim) == [cure]
