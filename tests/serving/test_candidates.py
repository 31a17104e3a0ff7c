"""Fix candidates and factor texts on hand-written claims (no trained model needed)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from contract.frames import claims_to_frames
from contract.schema import Claim
from features.build import compute_raw_features
from features.checks import check_claim
from features.registry import is_changeable
from serving.candidates import Candidate
from serving.context import claim_views
from serving.describe_claim import describe
from serving.edits import DUPLICATE_SUBMISSION, apply_candidate, is_not_sent
from serving.factors import factor_matrix
from serving.fix_apply import edited_claim
from serving.fixes import candidates_for, filing_limit_passed, resent_copy
from tests.builders import line, make_claim_dict
from training.learned import FilingLimit, LearnedLimits, prior_auth_gaps, referral_denials

DISTINCT = {"count": 1, "site": "arms", "size_cm": 0.5, "distinct_from_line": 1}
SAME = {"count": 1, "site": "trunk", "size_cm": 0.6, "distinct_from_line": None}
EXCISED = {"count": 1, "site": "trunk", "size_cm": 1.4, "distinct_from_line": None}  # 11402


def view_of(claim: dict[str, Any], cms: Any) -> Any:
    """A ClaimView of one validated claim, with raw feature values instead of a model."""
    data = Claim.model_validate(claim).model_dump()
    frames = claims_to_frames([data])
    return claim_views([data], frames, compute_raw_features(frames, cms), cms)[0]


def actions(cands: list[Candidate]) -> set[tuple[str, int | None, str | None]]:
    return {(c.action, c.line, c.value) for c in cands}


def cands_of(claim: dict[str, Any], cms: Any) -> list[Candidate]:
    """Every candidate of a claim: the checker's changes and the model's."""
    view = view_of(claim, cms)
    return candidates_for(view, cms, check_claim(view.claim, cms))


def test_em_with_biopsy_without_25_gets_25_on_the_em_line_only(cms):
    claim = make_claim_dict(lines=[line(1, "99213"), line(2, "11102", dx=[2], lesion=SAME)])
    cands = candidates_for(view_of(claim, cms), cms)
    assert ("add_modifier", 1, "25") in actions(cands)
    assert not [c for c in cands if c.value == "25" and c.line != 1]


def test_a_25_em_for_another_problem_inside_a_global_also_gets_24(cms):
    # 10 days after an excision (11602, 010 global) the re-excision (11603-58) is done
    # and the E/M evaluates dermatitis (L30.9): its 25 answers today's procedure, the
    # earlier global needs 24 beside it (CMS ch. 12 §40.1); 25 stays
    claim = make_claim_dict(
        diagnoses=["L30.9", "C44.529"],
        lines=[line(1, "99213", mods=["25"]), line(2, "11603", mods=["58"], dx=[2],
                                                   lesion=EXCISED)],
        history={"days_since_related_global_procedure": 10, "related_global_days": 10,
                 "related_procedure_code": "11602"})
    found = actions(cands_of(claim, cms))
    assert ("add_modifier", 1, "24") in found, found
    assert not [a for a in found if a[1] == 1 and a[0] == "remove_modifier"], found
    # the same 25-E/M on the surgery's own problem is no unrelated evaluation: no 24
    own = make_claim_dict(**{**claim, "lines": [
        line(1, "99213", mods=["25"], dx=[2]),
        line(2, "11603", mods=["58"], dx=[2], lesion=EXCISED)]})
    assert ("add_modifier", 1, "24") not in actions(cands_of(own, cms))


def test_an_em_with_57_beside_major_surgery_is_not_given_25_on_top(cms):
    # The E/M decided on the 090-day flap (14040) the same day and carries 57; the claim
    # also bills a minor excision (11642). 57 is the right modifier: adding 25 beside it
    # stacks a second E/M modifier a coder would strike.
    claim = make_claim_dict(
        diagnoses=["C44.319"],
        lines=[line(1, "99214", mods=["57"]), line(2, "14040", lesion=EXCISED),
               line(3, "11642", lesion=EXCISED)])
    found = actions(cands_of(claim, cms))
    assert not [a for a in found if a[1] == 1 and a[2] == "25"], found


def test_a_post_op_visit_inside_the_global_is_removed_not_given_25(cms):
    # The checker says the same-problem visit 8 days after 11602 (010 global) is part of
    # the surgical package: its change (remove the line) replaces the model's "add 25"
    # on that line, which would claim a separately identifiable E/M that was not done.
    claim = make_claim_dict(
        diagnoses=["Z48.02", "L57.0"],
        lines=[line(1, "99212"), line(2, "17000", mods=["79"], dx=[2], lesion=SAME)],
        history={"days_since_related_global_procedure": 8, "related_global_days": 10,
                 "related_procedure_code": "11602"})
    found = actions(cands_of(claim, cms))
    assert ("remove_line", 1, None) in found
    assert not [a for a in found if a[1] == 1 and a[0] != "remove_line"], found


def test_a_visit_for_another_problem_inside_the_global_gets_24_and_25_not_removed(cms):
    # 3 days after an AK destruction (17000, 010 global) the E/M evaluates a nevus too
    # (D22.5) and 15+ AKs are treated the same day (17004, 79): the nevus evaluation is no
    # post-op care; it takes 24 (the earlier global) and 25 (today's procedure)
    claim = make_claim_dict(
        diagnoses=["D22.5", "L57.0"],
        lines=[line(1, "99213", dx=[1, 2]), line(2, "17004", mods=["79"], dx=[2])],
        history={"days_since_related_global_procedure": 3, "related_global_days": 10,
                 "related_procedure_code": "17000"})
    found = actions(cands_of(claim, cms))
    assert {("add_modifier", 1, "24"), ("add_modifier", 1, "25")} <= found, found
    assert ("remove_line", 1, None) not in found
    # with 24 already on it, the same-day procedure still asks for 25
    with_24 = make_claim_dict(**{**claim, "lines": [
        line(1, "99213", mods=["24"], dx=[1, 2]), line(2, "17004", mods=["79"], dx=[2])]})
    assert ("add_modifier", 1, "25") in actions(cands_of(with_24, cms))
    # a history code beside the wound check is no other problem: the visit is post-op care
    history_only = make_claim_dict(
        diagnoses=["Z48.817", "Z85.828"], lines=[line(1, "99212", dx=[1, 2])],
        history={"days_since_related_global_procedure": 8, "related_global_days": 10,
                 "related_procedure_code": "11602"})
    assert ("remove_line", 1, None) in actions(cands_of(history_only, cms))


def test_xs_only_on_a_distinct_lesion_line(cms):
    distinct = make_claim_dict(diagnoses=["D22.5", "D48.5"], lines=[
        line(1, "11402", lesion=EXCISED), line(2, "11102", dx=[2], lesion=DISTINCT)])
    found = actions(cands_of(distinct, cms))
    assert ("add_modifier", 2, "XS") in found
    same = make_claim_dict(diagnoses=["D22.5", "D48.5"], lines=[
        line(1, "11402", lesion=EXCISED), line(2, "11102", dx=[2], lesion=SAME)])
    found = actions(cands_of(same, cms))
    assert not any(a == "add_modifier" and v == "XS" for a, _, v in found)
    assert ("remove_line", 2, None) in found  # same lesion: the biopsy is bundled


def test_a_benign_removal_missing_its_side_can_still_go_to_the_patient(cms):
    # A nevus shave with no symptom documented and no RT: the checker adds RT to the line,
    # and billing the removal to the patient (what the LCD leaves when the chart has no
    # symptom) must not be lost because the checker also changes that line.
    right_leg = {"count": 1, "site": "legs", "size_cm": 0.8, "distinct_from_line": None,
                 "laterality": "right"}
    claim = make_claim_dict(
        diagnoses=["L57.0", "D22.71"],
        lines=[line(1, "99213", mods=["25"]), line(2, "11301", dx=[2], lesion=right_leg)],
        documentation={**make_claim_dict()["documentation"], "symptoms_documented": False})
    found = actions(cands_of(claim, cms))
    assert ("add_modifier", 2, "RT") in found
    assert ("bill_patient", 2, None) in found


def test_mi0_pair_removes_the_bundled_line(cms):
    claim = make_claim_dict(diagnoses=["L57.0"], lines=[
        line(1, "17000", lesion=SAME), line(2, "17004", lesion={**SAME, "count": 20})])
    view = view_of(claim, cms)
    assert view.lines_where("ptp_mi0")
    removed = {ln for a, ln, _ in actions(cands_of(claim, cms)) if a == "remove_line"}
    assert removed & set(view.lines_where("ptp_mi0"))


def test_units_over_mue_are_not_cut(cms):
    # 17000 x3 is 17000 + 17003 x2: cutting the units would drop performed work (issue 16);
    # the only units change moves the other two lesions to 17003.
    claim = make_claim_dict(diagnoses=["L57.0"], lines=[line(1, "17000", units=3, lesion=SAME)])
    cands = cands_of(claim, cms)
    assert not [c for c in cands if c.action == "remove_line"]
    (split,) = [c for c in cands if c.action == "change_units"]
    edited = edited_claim(claim, split)
    assert [(ln["cpt"], ln["units"]) for ln in edited["lines"]] == [("17000", 1), ("17003", 2)]
    # A per-session code billed per lesion: one unit describes every lesion (no work lost).
    warts = make_claim_dict(diagnoses=["B07.8"], lines=[line(1, "17110", units=4, lesion=SAME)])
    assert ("change_units", 1, "1") in {(c.action, c.line, str(c.units or c.value))
                                         for c in cands_of(warts, cms)}


def learned_bundle(**filing: FilingLimit) -> Any:
    """Just what filing_limit_passed reads of a bundle: the limits it learned."""
    return SimpleNamespace(metadata=SimpleNamespace(learned=LearnedLimits(filing=filing)))


def test_past_the_learned_filing_limit_is_not_fixable_and_quotes_the_history(cms):
    claim = make_claim_dict(submission_date="2026-10-01")
    claim["lines"] = [dict(ln, date_of_service="2025-06-02") for ln in claim["lines"]]
    view = view_of(claim, cms)
    learned = learned_bundle(MCR=FilingLimit(days=365, denied_share=0.96, n_after=57))
    blocked = filing_limit_passed(view, learned)
    assert blocked is not None and blocked.action == "not_fixable"
    assert "denied 96% of the 57 claims submitted more than 365 days" in blocked.value
    assert blocked.risk_after is None
    # No learned limit for this payer: no assumed default declares the claim late.
    assert filing_limit_passed(view, learned_bundle()) is None
    assert filing_limit_passed(view, learned_bundle(
        MCR=FilingLimit(days=500, denied_share=0.9, n_after=9))) is None


def test_an_original_claim_billed_before_is_not_sent_again(cms):
    """Every line already on an earlier claim: a copy, do not send it (CO/OA-18); one of
    two lines, a replacement (frequency 7) or no history: no such item."""
    claim = make_claim_dict(history={"lines_billed_before": 2})
    copy = resent_copy(view_of(claim, cms))
    assert copy is not None and copy.action == "not_fixable"
    assert copy.value == DUPLICATE_SUBMISSION and "frequency 7" in copy.text
    assert is_not_sent(copy.action, copy.line, copy.value)
    assert "exact duplicate" in describe("billed_before", view_of(claim, cms), cms).text
    for other in ({"history": {"lines_billed_before": 1}},
                  {"history": {"lines_billed_before": 2}, "claim_frequency": "7",
                   "original_claim_id": "C-1"},
                  {"history": {}}):
        assert resent_copy(view_of(make_claim_dict(**other), cms)) is None, other
    assert describe("billed_before", view_of(make_claim_dict(), cms), cms) is None


def test_link_diagnosis_only_to_a_supporting_code_on_the_claim(cms):
    claim = make_claim_dict(diagnoses=["L30.9", "L57.0"], lines=[
        line(1, "17000", dx=[1], lesion=SAME)])
    assert ("link_diagnosis", 1, "L57.0") in actions(cands_of(claim, cms))


def test_every_candidate_comes_from_a_changeable_feature_and_stays_valid(cms, contract_examples):
    claims = [*contract_examples.values(), make_claim_dict(
        eligibility={"verified": False, "coverage_active": False},
        provider={"rendering_npi": "1234567893", "credentialed_with_payer": False},
        lines=[line(1, "99213"), line(2, "11102", dx=[2], lesion=SAME),
               line(3, "96910", dx=[1])])]
    seen = 0
    for claim in claims:
        view = view_of(claim, cms)
        cands = cands_of(claim, cms)
        seen += len(cands)
        for cand in cands:
            assert is_changeable(cand.feature), cand
            Claim.model_validate(edited_claim(view.claim, cand))  # still a valid claim
    assert seen >= 6


def test_apply_does_not_touch_the_original(cms):
    claim = make_claim_dict(lines=[line(1, "99213"), line(2, "11102", dx=[2], lesion=SAME)])
    view = view_of(claim, cms)
    edited = apply_candidate(view.claim, Candidate("add_modifier", "em_needs_25", "", 1, "25"))
    assert edited["lines"][0]["modifiers"] == ["25"]
    assert view.claim["lines"][0]["modifiers"] == []


@pytest.mark.parametrize("factor, lines, needles, source", [
    ("em_with_procedure_without_25", [line(1, "99213"), line(2, "11102", dx=[2], lesion=SAME)],
     ["99213", "line 1", "11102", "line 2", "modifier 25"], "NCCI PTP practitioner 2024Q3"),
    ("units_over_mue", [line(1, "17000", units=3, lesion=SAME)],
     ["17000", "line 1", "3 units"], "17000 max 1 unit(s)/day, MAI"),
    ("ptp_pair_without_bypass_modifier",
     [line(1, "11402", lesion=SAME), line(2, "11102", dx=[2], lesion=SAME)],
     ["11102", "line 2", "11402"], "11402/11102, modifier indicator 1"),
])
def test_factor_text_names_line_code_and_cites_cms(cms, factor, lines, needles, source):
    claim = make_claim_dict(diagnoses=["L57.0", "D48.5"], lines=lines)
    found = describe(factor, view_of(claim, cms), cms)
    for needle in needles:
        assert needle in found.text, found.text
    assert found.source and source in found.source
    assert found.lines


def test_documentation_factor_names_the_field(cms):
    claim = make_claim_dict(documentation={"margins_documented": False}, diagnoses=["D22.5"],
                            lines=[line(1, "11402", lesion=SAME)])
    found = describe("documentation_margins", view_of(claim, cms), cms)
    assert "documentation.margins_documented" in found.text and found.lines == [1]


def test_every_feature_lands_in_exactly_one_factor(cms):
    claim = make_claim_dict()
    frames = claims_to_frames([claim])
    features = list(compute_raw_features(frames, cms).columns)
    names, matrix = factor_matrix(features)
    assert (matrix.sum(axis=1) == 1).all() and len(names) < len(features)


@pytest.mark.parametrize(("denials", "offered"), [(None, True), (0, False), (4, True)])
def test_a_referral_is_offered_only_to_a_payer_that_denied_for_one(cms, denials, offered):
    # learned from the practice's history: traditional Medicare never asks for a
    # referral, an HMO denies without one (CO-288); an unknown history keeps the offer
    view = view_of(make_claim_dict(referral_on_file=None), cms)
    if denials is not None:
        view.learned = LearnedLimits(referral_denials={"MCR": denials})
    referral = [c for c in candidates_for(view, cms) if c.value == "referral_on_file"]
    assert bool(referral) is offered


def test_referral_denials_count_authorization_denials_without_a_referral_or_pa_gap():
    X = pd.DataFrame({"referral_on_file": [np.nan, 1.0, np.nan, np.nan],
                      "pa_missing": [0.0, 0.0, 1.0, 0.0]})
    category = np.array(["authorization", "authorization", "authorization", "modifier"],
                        dtype=object)
    assert referral_denials(X, category) == 1


@pytest.mark.parametrize(("gap_claims", "denials", "offered"), [
    (None, None, True), (1703, 0, False), (1703, 3, False), (500, 50, True)])
def test_prior_auth_is_offered_only_to_a_payer_that_denied_claims_lacking_it(
        cms, gap_claims, denials, offered):
    # Mohs without an authorization on file: traditional Medicare denied none of 1,703
    # such claims (3 stray CO-197s are noise), a plan that asks for one denies 10%
    claim = make_claim_dict(diagnoses=["C44.319"], lines=[line(1, "17311", lesion=SAME)])
    view = view_of(claim, cms)
    if gap_claims is not None:
        view.learned = LearnedLimits(pa_gap_claims={"MCR": gap_claims},
                                     pa_gap_denials={"MCR": denials})
    asked = [c for c in candidates_for(view, cms) if c.action == "obtain_prior_auth"]
    assert bool(asked) is offered


def test_prior_auth_gaps_count_the_claims_lacking_one_and_their_authorization_denials():
    X = pd.DataFrame({"pa_missing": [1.0, 1.0, 0.0, 2.0]})
    category = np.array(["authorization", "modifier", "authorization", None], dtype=object)
    assert prior_auth_gaps(X, category) == (3, 1)


def test_a_peel_the_payer_denies_as_cosmetic_goes_to_the_patient_only_when_learned(cms):
    # 17360 for acne: the reference linkage accepts L70.0, so no rule calls it cosmetic;
    # a payer whose remits the model learned denies it as cosmetic gets "bill the patient"
    # for the peel (the visit's E/M stays with the payer), a payer that pays it does not
    claim = make_claim_dict(diagnoses=["L70.0"], lines=[
        line(1, "99213", mods=["25"]), line(2, "17360", lesion=SAME)])
    view = view_of(claim, cms)
    found = check_claim(view.claim, cms)
    assert not [c for c in candidates_for(view, cms, found) if c.action == "bill_patient"]
    learned = [c for c in candidates_for(view, cms, found, cosmetic_likely=True)
               if c.action == "bill_patient"]
    assert [(c.line, c.extra_lines) for c in learned] == [(2, ())]
    assert "cosmetic (CO-96)" in learned[0].text
    alone = make_claim_dict(diagnoses=["L70.0"], lines=[line(1, "17360", lesion=SAME)])
    view = view_of(alone, cms)
    assert actions(candidates_for(view, cms, check_claim(view.claim, cms), True)) >= {
        ("bill_patient", None, None)}


def test_a_benefit_cap_fix_counts_the_sessions_earlier_this_year_and_on_the_claim(cms):
    def cap_text(before: int | None) -> str:
        claim = make_claim_dict(diagnoses=["L40.0"], history={"sessions_this_year": before},
                                lines=[line(1, "96920", dos="2026-02-23"),
                                       line(2, "96920", dos="2026-02-25"),
                                       line(3, "96920", dos="2026-02-27")])
        return next(c.text for c in cands_of(claim, cms) if c.feature == "sessions_on_claim")

    assert "24 sessions earlier this year and 3 sessions on this claim" in cap_text(24)
    # no session earlier this year: the claim's own sessions, not "0 sessions earlier"
    assert "3 sessions on this claim" in cap_text(0) and "earlier" not in cap_text(0)
    assert not [c for c in cands_of(make_claim_dict(diagnoses=["L40.0"], lines=[
        line(1, "96920")]), cms) if c.feature == "sessions_on_claim"]


def test_a_line_under_a_signed_abn_is_submitted_with_ga_and_collected_after_the_remit(cms):
    def patient_texts(mods: list[str]) -> list[str]:
        claim = make_claim_dict(diagnoses=["L82.1"],
                                lines=[line(1, "11301", mods=mods, lesion=SAME)])
        return [c.text for c in cands_of(claim, cms) if c.action == "bill_patient"]

    [abn] = patient_texts(["GA"])
    assert "carries GA" in abn and "Submit it with GA" in abn and "instead of" not in abn
    assert "no ABN is needed" not in abn  # the patient signed one: no contradicting note
    [plain] = patient_texts([])
    assert plain.startswith("Bill the whole visit to the patient instead of MCR")
    # cosmetic is a statutory exclusion for Medicare: no ABN, GY only on the patient's ask
    assert "no ABN is needed" in plain and "GY" in plain
