"""Which fix comes first: what cures the claim as it stands, before documentation the claim
says the chart lacks (hand-written claims; the model's re-scores are given numbers)."""

from __future__ import annotations

from types import SimpleNamespace

from contract.schema import Fix
from features.checks import check_claim
from serving.candidates import Candidate
from serving.fix_apply import apply_returned_fix, finding_candidates
from serving.fix_ranking import is_conditional, rank_key, top_fixes, whole_visit_tier
from tests.builders import line, make_claim_dict
from tests.serving.test_candidates import cands_of


def docs(**fields: bool) -> dict[str, bool]:
    base = make_claim_dict()["documentation"]
    return {**base, **fields}


def test_an_em_25_without_a_separate_note_is_removed_and_the_note_is_conditional(cms):
    claim = make_claim_dict(documentation=docs(separate_em_note=False))
    cands = cands_of(claim, cms)
    removal = next(c for c in cands if (c.action, c.line) == ("remove_line", 1))
    note = next(c for c in cands if c.value == "separate_em_note")
    assert is_conditional(note, claim) and not is_conditional(removal, claim)
    # the model thinks either cures the claim (0.04, 0.03): the removal still comes first,
    # the note only counts for the share of charts that hold what the claim says is absent
    assert rank_key(removal, claim, 0.6, 0.04) < rank_key(note, claim, 0.6, 0.03)
    # a definite change that helps a little (0.6 -> 0.5) does not cure the claim: the note
    # a fifth of charts hold (expected 0.6 - 0.2 x 0.57 = 0.49) ranks before it
    assert rank_key(note, claim, 0.6, 0.03) < rank_key(removal, claim, 0.6, 0.5)


def test_with_the_note_on_file_no_em_is_removed(cms):
    cands = cands_of(make_claim_dict(), cms)
    assert not [c for c in cands if (c.action, c.line) == ("remove_line", 1)]


def test_a_pathology_report_is_an_attachment_not_a_conditional_note():
    claim = make_claim_dict(documentation=docs(pathology_report_attached=False))
    report = Candidate("attach_documentation", "malignant_no_pathology", "", None,
                       "pathology_report_attached")
    assert not is_conditional(report, claim)


def test_a_benign_removal_without_symptoms_is_billed_to_the_patient(cms):
    nevus = {"count": 1, "site": "trunk", "size_cm": 0.8, "distinct_from_line": None}
    visit = [line(1, "99213", mods=["25"]), line(2, "11401", dx=[2], lesion=nevus)]
    claim = make_claim_dict(diagnoses=["L57.0", "D22.5"], lines=visit,
                            documentation=docs(symptoms_documented=False))
    cands = cands_of(claim, cms)
    benign = ("bill_patient", "benign_lesion_no_symptoms", 2)
    assert benign in {(c.action, c.feature, c.line) for c in cands}
    assert any(c.value == "symptoms_documented" for c in cands)  # if the chart has them
    documented = make_claim_dict(diagnoses=["L57.0", "D22.5"], lines=visit)
    assert benign not in {(c.action, c.feature, c.line) for c in cands_of(documented, cms)}


def test_the_whole_visit_goes_to_the_patient_first_only_when_the_claim_is_at_risk():
    bundle = SimpleNamespace(thresholds=SimpleNamespace(warn=0.3))
    cosmetic = Candidate("bill_patient", "cosmetic_dx", "")
    cap = Candidate("bill_patient", "sessions_on_claim", "")
    assert whole_visit_tier(cosmetic, 0.9, bundle) == 1
    assert whole_visit_tier(cosmetic, 0.1, bundle) == 2
    assert whole_visit_tier(cap, 0.9, bundle) == 2


def test_79_on_an_excision_and_its_repair_is_one_fix_on_both_lines(cms):
    lesion = {"count": 1, "site": "trunk", "size_cm": 2.4, "distinct_from_line": None}
    claim = make_claim_dict(
        diagnoses=["C44.529"],
        lines=[line(1, "11603", mods=["79"], lesion=lesion),
               line(2, "12034", mods=["79"], lesion={**lesion, "size_cm": 7.7}),
               line(3, "88305")],
        documentation=docs(margins_documented=True),
        history={"days_since_related_global_procedure": 8, "related_global_days": 10,
                 "related_procedure_code": "11602"})
    findings = [f for f in check_claim(claim, cms) if f.action == "replace_modifier"]
    assert {f.line for f in findings} == {1, 2}
    (cand,) = finding_candidates(findings)
    assert cand.lines == [1, 2] and "line 2" in cand.text
    fix = Fix(action=cand.action, line=cand.line, value=cand.value, old=cand.old,
              text=cand.text, lines=cand.lines)
    edited = apply_returned_fix(claim, fix, cms)
    assert [ln["modifiers"] for ln in edited["lines"][:2]] == [["58"], ["58"]]
    single = apply_returned_fix(claim, fix.model_copy(update={"lines": []}), cms)
    assert [ln["modifiers"] for ln in single["lines"][:2]] == [["58"], ["79"]]


def test_the_side_code_of_one_lesion_is_one_fix_on_its_excision_and_repair(cms):
    # A right-arm BCC excised and repaired, both lines coded C44.619 (left): the right-side
    # code is one coder edit on both lines; half of it leaves the repair on the wrong side.
    arm = {"count": 1, "site": "arms", "size_cm": 1.5, "distinct_from_line": None,
           "laterality": "right"}
    claim = make_claim_dict(diagnoses=["C44.619"], lines=[
        line(1, "11602", mods=["RT"], lesion=arm),
        line(2, "13121", mods=["RT"], lesion={**arm, "size_cm": 4.9})],
        documentation=docs(margins_documented=True))
    found = [f for f in check_claim(claim, cms) if f.action == "link_diagnosis"]
    assert {f.line for f in found} == {1, 2}
    (cand,) = finding_candidates(found)
    assert cand.lines == [1, 2] and cand.value == "C44.612"
    fix = Fix(action=cand.action, line=cand.line, value=cand.value, old=cand.old,
              text=cand.text, lines=cand.lines)
    edited = apply_returned_fix(claim, fix, cms)
    assert edited["diagnoses"][edited["lines"][0]["dx_pointers"][0] - 1] == "C44.612"
    assert edited["diagnoses"][edited["lines"][1]["dx_pointers"][0] - 1] == "C44.612"
    assert not [f for f in check_claim(edited, cms) if f.rule.startswith("dx_side")]


def test_the_ndc_of_every_j_code_is_one_fix(cms):
    # Two drugs without their NDC: adding one leaves the other line denied (CO-16 M119).
    claim = make_claim_dict(diagnoses=["L91.0"], lines=[
        line(1, "11900", lesion={"count": 3, "site": "trunk", "size_cm": None,
                                 "distinct_from_line": None}),
        line(2, "J3301", units=4), line(3, "J3301", units=2)])
    found = [f for f in check_claim(claim, cms) if f.value == "ndc"]
    (cand,) = finding_candidates(found)
    assert cand.lines == [2, 3]
    fix = Fix(action=cand.action, line=cand.line, value=cand.value, text=cand.text,
              lines=cand.lines)
    edited = apply_returned_fix(claim, fix, cms)
    assert all(ln.get("ndc") for ln in edited["lines"][1:])


def test_the_lowest_risk_change_leads_and_every_correction_stays_listed():
    fix = {name: Fix(action="add_modifier", line=1, value=name, text=name)
           for name in ("a", "b", "c", "d")}
    ranked = [(1, 0.9, fix["a"], True), (1, 0.1, fix["b"], False),
              (1, 0.2, fix["c"], False), (2, 0.3, fix["d"], False)]
    assert [f.value for f in top_fixes(ranked, 1)] == ["b"]  # the top fix whatever k
    assert [f.value for f in top_fixes(ranked, 2)] == ["b", "a"]
    assert [f.value for f in top_fixes(ranked, 3)] == ["b", "c", "a"]
    assert [f.value for f in top_fixes(ranked, 4)] == ["b", "c", "a", "d"]


def test_every_non_covered_line_of_a_visit_goes_to_the_patient_in_one_fix(cms):
    nevus = {"count": 1, "site": "trunk", "size_cm": 0.6, "distinct_from_line": None}
    keratosis = {**nevus, "size_cm": 0.4}
    claim = make_claim_dict(
        diagnoses=["L40.0", "D22.5", "L82.1"], documentation=docs(symptoms_documented=False),
        lines=[line(1, "99213", mods=["25"]), line(2, "11301", dx=[2], lesion=nevus),
               line(3, "11300", dx=[3], lesion=keratosis)])
    patient = [c for c in cands_of(claim, cms) if c.action == "bill_patient"]
    assert [c.lines for c in patient] == [[2, 3]]
    assert "line 2" in patient[0].text and "line 3" in patient[0].text
    fix = Fix(action="bill_patient", line=2, text=patient[0].text, lines=[2, 3])
    assert [ln["line"] for ln in apply_returned_fix(claim, fix, cms)["lines"]] == [1]
