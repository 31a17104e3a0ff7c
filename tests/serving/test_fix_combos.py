"""Several changes as one fix: a claim with independent errors that no single change cures
(hand-written claims, the real checker; the model's re-scores are given numbers)."""

from __future__ import annotations

from typing import Any

import numpy as np

from contract.schema import Fix
from features.checks import check_claim
from reference.vocab import CATEGORIES
from serving.candidates import Candidate
from serving.fix_apply import apply_returned_fix, as_fix, edited_claim
from serving.fix_combos import (
    followed_fix,
    joint_fixes,
    likely_cause,
    needs_joint_fix,
    pick_changes,
    with_follow_ups,
)
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


def test_two_changes_of_one_modifier_or_one_document_are_never_joined(cms):
    claim = three_errors()
    side = checked(claim, cms)[("replace_modifier", 2, "LT")]
    other = Candidate("remove_modifier", "check_x", "", line=2, value="RT")
    note = Candidate("attach_documentation", "doc", "", value="pathology_report_attached")
    again = Candidate("attach_documentation", "doc2", "", line=3,
                      value="pathology_report_attached")
    chosen = pick_changes([(side, 0.5), (other, 0.55), (note, 0.6), (again, 0.62)], claim)
    assert [x for x, _ in chosen] == [side, note]


def test_a_recode_a_modifier_and_a_diagnosis_link_of_one_line_join_but_not_its_removal():
    # 11422 -> 11622 for a malignant report, 79 -> 58 for a re-excision and the lesion's
    # own diagnosis are three parts of one line a coder fixes in one pass; a line removed
    # takes no other change.
    claim = make_claim_dict()
    recode = Candidate("change_code", "code", "", line=1, value="11622")
    staged = Candidate("replace_modifier", "glob", "", line=1, value="58", old="79")
    link = Candidate("link_diagnosis", "dx", "", line=1, value="C44.41")
    side = Candidate("add_modifier", "side", "", line=1, value="58")
    gone = Candidate("remove_line", "bundle", "", line=1)
    chosen = pick_changes([(recode, 0.5), (staged, 0.55), (side, 0.57), (link, 0.6)], claim)
    assert [x for x, _ in chosen] == [recode, staged, link]
    assert [x for x, _ in pick_changes([(gone, 0.4), (recode, 0.5), (staged, 0.55)],
                                       claim)] == [gone]


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
    assert needs_joint_fix([(a, 0.6), (b, 0.5)], [], risk=0.9)
    assert not needs_joint_fix([(a, 0.6), (b, 0.4)], [], risk=0.9)
    assert not needs_joint_fix([(a, 0.6)], [], risk=0.9)
    assert needs_joint_fix([(a, 0.6)], [(b, 0.9)], risk=0.9)  # a masked change joins


def reason_probs(**share: float) -> np.ndarray:
    """P(category | denied) over CATEGORIES, the named ones set."""
    out = np.zeros(len(CATEGORIES))
    for category, p in share.items():
        out[CATEGORIES.index(category)] = p
    return out


def test_a_change_joins_unverified_only_when_its_reason_is_a_likely_cause():
    pa = Candidate("obtain_prior_auth", "pa_missing", "", value="J2357")
    assert likely_cause(pa, reason_probs(authorization=0.7, missing_information=0.3))
    assert not likely_cause(pa, reason_probs(authorization=0.1, missing_information=0.9))
    assert not likely_cause(pa, None)
    assert not likely_cause(Candidate("add_modifier", "not_a_rule", "", 1), reason_probs(
        modifier=1.0))


def test_a_masked_authorization_joins_the_ndc_that_hid_it(cms):
    # omalizumab with neither NDC nor prior auth: each change alone leaves the claim
    # denied (the NDC lowers the risk a little, prior auth not at all), together they cure
    claim = make_claim_dict(diagnoses=["L50.1"], prior_authorization=None, lines=[
        line(1, "J2357", units=60), line(2, "96372")])
    c = checked(claim, cms)
    ndc = c[("attach_documentation", 1, "ndc")]
    pa = next(x for x in cands_of(claim, cms) if x.action == "obtain_prior_auth")
    view = view_of(claim, cms)
    out = joint_fixes([view], np.array([0.99]), [[(ndc, 0.9)]], cms, [set()],
                      lambda claims: np.full(len(claims), 0.1),
                      lambda claims: [set() for _ in claims], [[(pa, 0.99)]])
    [(_, (_, p, fix, _))] = out
    assert p == 0.1
    assert [(f.action, f.line) for f in [fix, *fix.together]] == [
        ("attach_documentation", 1), ("obtain_prior_auth", None)]
    assert joint_fixes([view], np.array([0.99]), [[(ndc, 0.9)]], cms, [set()],
                       lambda claims: np.full(len(claims), 0.1),
                       lambda claims: [set() for _ in claims]) == []  # nothing to join


def run_scored(combine: Any, claim: dict[str, Any], cms: Any, verified: list, risk: float,
               p_joint: float, new_error: bool = False) -> list[tuple[int, tuple]]:
    """joint_fixes or fix_bundle.cures_with_corrections on one claim, every joint edit
    re-scored p_joint (with a made-up coding error when new_error); checks that the claim
    re-scored is the claim the returned fix gives."""
    seen: list[dict[str, Any]] = []

    def score(claims: list[dict[str, Any]]) -> np.ndarray:
        seen.extend(claims)
        return np.full(len(claims), p_joint)

    def errors_of(claims: list[dict[str, Any]]) -> list[set[tuple]]:
        return [{("made_up", 1, "99213")} if new_error else set() for _ in claims]

    view = view_of(claim, cms)
    out = combine([view], np.array([risk]), [verified], cms, [set()], score, errors_of)
    if out:
        assert apply_returned_fix(view.claim, out[0][1][2], cms)["lines"] == seen[0]["lines"]
    return out


def run_joint(claim: dict[str, Any], cms: Any, p_joint: float,
              new_error: bool = False) -> list[tuple[int, tuple]]:
    c = checked(claim, cms)
    verified = [(c[("add_modifier", 1, "25")], 0.8), (c[("replace_modifier", 2, "LT")], 0.7),
                (c[("attach_documentation", 4, "ndc")], 0.75)]
    return run_scored(joint_fixes, claim, cms, verified, 0.95, p_joint, new_error)


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


FACE = {"count": 1, "site": "face", "size_cm": 0.5, "laterality": "left",
        "distinct_from_line": None}


def test_a_primary_and_its_add_on_of_the_wrong_site_group_are_recoded_together(cms):
    """17313 + 17314 for a facial tumour: 17311 + 17312, one fix (each recode alone would
    leave an add-on without its primary)."""
    claim = make_claim_dict(diagnoses=["C44.329"], lines=[
        line(1, "17313", lesion=FACE), line(2, "17314", lesion=FACE)])
    recodes = [c for c in cands_of(claim, cms) if c.action == "change_code"]
    assert len(recodes) == 1
    fix = as_fix(recodes[0], 0.1)
    assert (fix.line, fix.value) == (1, "17311")
    assert [(p.action, p.line, p.value) for p in fix.together] == [("change_code", 2, "17312")]
    fixed = apply_returned_fix(claim, fix, cms)
    assert [ln["cpt"] for ln in fixed["lines"]] == ["17311", "17312"]
    assert not [f for f in check_claim(fixed, cms) if f.is_error]


def test_a_change_that_needs_another_brings_it_along(cms):
    """A lone 17003 x3 becomes 17000 + 17003 x2; the E/M beside it is now billed with a
    same-day procedure, and its separate note is documented: it needs 25 too."""
    claim = make_claim_dict(diagnoses=["L82.0", "L57.0"], lines=[
        line(1, "99213"), line(2, "17003", units=3, dx=[2])])
    view = view_of(claim, cms)
    recode = next(c for c in cands_of(claim, cms) if (c.action, c.line) == ("change_code", 2))
    edited = edited_claim(view.claim, recode)
    before = {(f.rule, f.line) for f in check_claim(view.claim, cms) if f.action}
    out, follow = with_follow_ups([edited], [(0, recode)], [check_claim(edited, cms)], cms,
                                  [before])
    assert [(c.action, c.line, c.value) for c in follow[0]] == [("add_modifier", 1, "25")]
    fix = followed_fix(recode, follow[0], 0.05)
    assert fix.together[0].risk_after is None and "Then" in fix.text
    fixed = apply_returned_fix(view.claim, fix, cms)
    assert fixed["lines"] == out[0]["lines"]
    assert [(ln["cpt"], ln["units"], ln["modifiers"]) for ln in fixed["lines"]] == [
        ("99213", 1, ["25"]), ("17000", 1, []), ("17003", 2, [])]


def test_a_change_whose_claim_needs_nothing_more_has_no_follow_up(cms):
    claim = three_errors()
    view = view_of(claim, cms)
    side = checked(claim, cms)[("replace_modifier", 2, "LT")]
    edited = edited_claim(view.claim, side)
    before = {(f.rule, f.line) for f in check_claim(view.claim, cms) if f.action}
    _, follow = with_follow_ups([edited], [(0, side)], [check_claim(edited, cms)], cms,
                                [before])
    assert follow == {}


def test_a_paired_recode_keeps_its_add_on_inside_a_joint_fix(cms):
    """The E/M's 25 and the Mohs recode of a facial tumour made together: the returned fix
    carries the add-on's recode too, so applying it gives what was re-scored."""
    claim = make_claim_dict(diagnoses=["C44.329"], lines=[
        line(1, "99213"), line(2, "17313", lesion=FACE), line(3, "17314", lesion=FACE)])
    view = view_of(claim, cms)
    cands = cands_of(claim, cms)
    em = next(c for c in cands if (c.action, c.line, c.value) == ("add_modifier", 1, "25"))
    recode = next(c for c in cands if c.action == "change_code")
    seen: list[dict[str, Any]] = []

    def score(claims: list[dict[str, Any]]) -> np.ndarray:
        seen.extend(claims)
        return np.full(len(claims), 0.05)

    [(_, (_, _, fix, _))] = joint_fixes([view], np.array([0.9]), [[(recode, 0.6), (em, 0.7)]],
                                        cms, [set()], score, lambda c: [set() for _ in c])
    assert [(p.action, p.line, p.value) for p in fix.together] == [
        ("change_code", 3, "17312"), ("add_modifier", 1, "25")]
    fixed = apply_returned_fix(view.claim, fix, cms)
    assert fixed["lines"] == seen[0]["lines"]
    assert [(ln["cpt"], ln["modifiers"]) for ln in fixed["lines"]] == [
        ("99213", ["25"]), ("17311", []), ("17312", [])]
    followed = followed_fix(recode, [em], 0.05)  # a follow-up comes after the pair's part
    assert [(p.line, p.value) for p in followed.together] == [(3, "17312"), (1, "25")]


def test_a_line_split_by_one_change_inherits_the_diagnosis_link_of_another(cms):
    # 17000 x4 pointing to dermatitis: the units split (17000 + 17003 x3) and the link to
    # L57.0 are made together; the link goes first, so the new 17003 line points to L57.0
    # too, and the joint edit adds no coding error (it would, split first)
    from serving.fixes import coding_errors

    claim = make_claim_dict(diagnoses=["L30.9", "L57.0"], lines=[
        line(1, "17000", units=4, dx=[1], lesion={"count": 4, "site": "face"})])
    c = checked(claim, cms)
    split, link = c[("change_units", 1, "1")], c[("link_diagnosis", 1, "L57.0")]
    view = view_of(claim, cms)
    before = coding_errors([view.claim], cms)
    [(_, (_, _, fix, _))] = joint_fixes(
        [view], np.array([1.0]), [[(split, 0.83), (link, 0.96)]], cms, before,
        lambda claims: np.full(len(claims), 0.05), lambda cl: coding_errors(cl, cms))
    assert [f.action for f in [fix, *fix.together]][:2] == ["link_diagnosis", "change_units"]
    fixed = apply_returned_fix(view.claim, fix, cms)
    assert [(ln["cpt"], ln["units"], ln["dx_pointers"]) for ln in fixed["lines"]] == [
        ("17000", 1, [2]), ("17003", 3, [2])]


def test_a_recode_may_leave_the_lines_other_error_to_its_own_fix(cms):
    # 11404-79 for a malignant report 7 days after 11603: the recode to 11604 is right
    # though the line's 79 (to be 58) is still wrong after it; that error was there
    # before, under the old code, and has its own fix. A recode that leaves its own
    # rule firing, or brings an error the line did not have, is still refused.
    from serving.fix_apply import finding_keys, introduced

    trunk = {"count": 1, "site": "trunk", "size_cm": 3.3, "laterality": "right",
             "distinct_from_line": None}
    claim = make_claim_dict(diagnoses=["C44.519"], lines=[
        line(1, "11404", mods=["79", "RT"], lesion=trunk)],
        history={"days_since_related_global_procedure": 7, "related_global_days": 10,
                 "related_procedure_code": "11603"})
    c = checked(claim, cms)
    recode = c[("change_code", 1, "11604")]
    before = finding_keys(claim, check_claim(claim, cms))
    after_claim = edited_claim(claim, recode)
    after = finding_keys(after_claim, check_claim(after_claim, cms))
    assert {k[0] for k in before} >= {"code_pathology", "procedure_in_global"}
    assert ("procedure_in_global", 1, "11604") in after
    assert introduced(after, before, [recode]) == set()
    assert introduced({("code_pathology", 1, "11604")}, before, [recode]) == {
        ("code_pathology", 1, "11604")}
    assert introduced({("dx_not_supporting", 1, "11604")}, before, [recode]) == {
        ("dx_not_supporting", 1, "11604")}


def test_lines_billed_to_the_patient_under_a_signed_abn_bring_no_follow_up(cms):
    """A cosmetic SK removal (L82.1) with GA beside a 25-E/M: the GA line stays on the
    claim sent, so the E/M keeps its same-day procedure and its 25; without GA the line
    leaves the claim, and the E/M's 25 goes with it."""
    def follow_of(mods: list[str]) -> dict:
        claim = make_claim_dict(diagnoses=["L82.0", "L82.1"], lines=[
            line(1, "99212", mods=["25"]), line(2, "17110", mods=mods, dx=[2])])
        view = view_of(claim, cms)
        cand = next(c for c in cands_of(claim, cms) if c.action == "bill_patient")
        edited = edited_claim(view.claim, cand)
        before = {(f.rule, f.line) for f in check_claim(view.claim, cms) if f.action}
        return with_follow_ups([edited], [(0, cand)], [check_claim(edited, cms)], cms,
                               [before])[1]

    assert follow_of(["GA"]) == {}
    assert [(c.action, c.line, c.value) for c in follow_of([])[0]] == [
        ("remove_modifier", 1, "25")]
