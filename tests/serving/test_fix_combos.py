"""Several changes as one fix: a claim with independent errors that no single change cures
(hand-written claims, the real checker; the model's re-scores are given numbers)."""

from __future__ import annotations

from typing import Any

import numpy as np

from contract.schema import Fix
from features.checks import check_claim
from serving.candidates import Candidate
from serving.fix_apply import apply_returned_fix
from serving.fix_combos import joint_fixes, needs_joint_fix, pick_changes
from tests.builders import line, make_claim_dict
from tests.serving.test_candidates import cands_of, view_of

LEFT_ARM = {"count": 1, "site": "arms", "size_cm": 0.6, "laterality": "left",
            "distinct_from_line": None}


def three_errors() -> dict[str, Any]:
    """E/M without 25 beside a biopsy, RT on a left-arm lesion, a J-code without its NDC."""
    return make_claim_dict(diagnoses=["L57.0", "L40.0"], lines=[
        line(1, "99213"), line(2, "11102", dx=[1], lesion=LEFT_ARM, mods=["RT"]),
        line(3, "11900", dx=[2]), line(4, "J3301", dx=[2], units=10)])


def checked(claim: dict[str, Any], cms: Any) -> dict[tuple, Candidate]:
    return {(c.action, c.line, c.value): c for c in cands_of(claim, cms)}


def test_changes_of_different_lines_join_lowest_risk_first(cms):
    claim = three_errors()
    c = checked(claim, cms)
    em, side, ndc = (c[("add_modifier", 1, "25")], c[("replace_modifier", 2, "LT")],
                     c[("attach_documentation", 4, "ndc")])
    chosen = pick_changes([(em, 0.7), (side, 0.6), (ndc, 0.65)], claim)
    assert [x for x, _ in chosen] == [side, ndc, em]


def test_two_changes_of_one_line_or_one_document_are_never_joined(cms):
    claim = three_errors()
    side = checked(claim, cms)[("replace_modifier", 2, "LT")]
    other = Candidate("remove_modifier", "check_x", "", line=2, value="RT")
    note = Candidate("attach_documentation", "doc", "", value="pathology_report_attached")
    again = Candidate("attach_documentation", "doc2", "", line=3,
                      value="pathology_report_attached")
    chosen = pick_changes([(side, 0.5), (other, 0.55), (note, 0.6), (again, 0.62)], claim)
    assert [x for x, _ in chosen] == [side, note]


def test_a_note_the_chart_lacks_and_the_whole_visit_to_the_patient_are_not_joined(cms):
    claim = make_claim_dict(documentation={**make_claim_dict()["documentation"],
                                           "symptoms_documented": False})
    note = Candidate("attach_documentation", "doc", "", value="symptoms_documented")
    patient = Candidate("bill_patient", "cosmetic_dx", "", line=None)
    side = Candidate("add_modifier", "x", "", line=2, value="LT")
    assert [x for x, _ in pick_changes([(note, 0.1), (patient, 0.0), (side, 0.5)],
                                       claim)] == [side]


def test_a_joint_fix_is_needed_only_when_no_single_change_halves_the_risk():
    a, b = Candidate("add_modifier", "x", "", line=1), Candidate("add_modifier", "y", "", 2)
    assert needs_joint_fix([(a, 0.6), (b, 0.5)], risk=0.9)
    assert not needs_joint_fix([(a, 0.6), (b, 0.4)], risk=0.9)
    assert not needs_joint_fix([(a, 0.6)], risk=0.9)


def run_joint(claim: dict[str, Any], cms: Any, p_joint: float,
              new_error: bool = False) -> list[tuple[int, tuple]]:
    c = checked(claim, cms)
    verified = [(c[("add_modifier", 1, "25")], 0.8), (c[("replace_modifier", 2, "LT")], 0.7),
                (c[("attach_documentation", 4, "ndc")], 0.75)]
    seen: list[dict[str, Any]] = []

    def score(claims: list[dict[str, Any]]) -> np.ndarray:
        seen.extend(claims)
        return np.full(len(claims), p_joint)

    def errors_of(claims: list[dict[str, Any]]) -> list[set[tuple]]:
        return [{("made_up", 1, "99213")} if new_error else set() for _ in claims]

    view = view_of(claim, cms)
    out = joint_fixes([view], np.array([0.95]), [verified], cms, [set()], score, errors_of)
    if out:  # the claim re-scored is the claim the returned fix gives
        assert apply_returned_fix(view.claim, out[0][1][2], cms)["lines"] == seen[0]["lines"]
    return out


def test_the_joint_fix_makes_every_change_and_is_a_correction(cms):
    claim = three_errors()
    [(i, (tier, p, fix, correction))] = run_joint(claim, cms, 0.1)
    assert (i, tier, p, correction) == (0, 1, 0.1, True)
    assert isinstance(fix, Fix) and fix.risk_after == 0.1
    assert [(f.action, f.line, f.value) for f in [fix, *fix.together]] == [
        ("replace_modifier", 2, "LT"), ("attach_documentation", 4, "ndc"),
        ("add_modifier", 1, "25")]
    assert [f.risk_after for f in fix.together] == [0.75, 0.8]
    assert "3 changes together" in fix.text
    fixed = apply_returned_fix(claim, fix, cms)
    by_line = {ln["line"]: ln for ln in fixed["lines"]}
    assert "25" in by_line[1]["modifiers"] and by_line[2]["modifiers"] == ["LT"]
    assert by_line[4].get("ndc")
    rules = {f.rule for f in check_claim(fixed, cms) if f.is_error}
    assert not rules & {"em_without_25", "side_modifier_mismatch", "drug_ndc_missing"}


def test_no_joint_fix_when_it_does_not_cure_or_adds_a_coding_error(cms):
    assert run_joint(three_errors(), cms, 0.6) == []  # 0.6 > 0.95 / 2
    assert run_joint(three_errors(), cms, 0.1, new_error=True) == []
