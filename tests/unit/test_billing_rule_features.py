"""Each billing-rule feature fires on a hand-written claim with the defect, not on the clean one."""

from __future__ import annotations

import pandas as pd
import pytest

from contract.frames import claims_to_frames
from features.build import compute_raw_features
from tests.builders import line, make_claim_dict

LESION = {"count": 1, "site": "arms", "size_cm": 0.6, "distinct_from_line": None}


def features_of(cms, **overrides) -> pd.Series:
    frames = claims_to_frames([make_claim_dict(**overrides)])
    return compute_raw_features(frames, cms).iloc[0]


def test_clean_claim_fires_no_rule(cms):
    f = features_of(cms)
    for name in ("em_needs_25", "ptp_unbypassed", "ptp_mi0", "units_over_mue", "orphan_addon",
                 "in_global_unmodified", "dx_unsupported", "pa_missing", "ndc_missing"):
        assert f[name] == 0, name


def test_em_with_minor_procedure_without_25(cms):
    f = features_of(cms, lines=[line(1, "99213", dx=[1]), line(2, "11102", dx=[2], lesion=LESION)])
    assert f["em_needs_25"] == 1
    # NCCI PTP 11102/99213 has modifier indicator 1: the E/M is column 2 and unbypassed.
    assert f["ptp_unbypassed"] == 1


@pytest.mark.parametrize("code", ["96372", "96910"])
def test_em_beside_an_injection_or_phototherapy_needs_25(cms, code):
    # NCCI PTP 96372/99213 and 96910/99213 carry modifier indicator 1 (XXX globals): a
    # same-day E/M is bundled unless it carries 25, as with a 000/010 procedure.
    bare = features_of(cms, lines=[line(1, "99213"), line(2, code)])
    assert bare["em_needs_25"] == 1
    with25 = features_of(cms, lines=[line(1, "99213", mods=["25"]), line(2, code)])
    assert with25["em_needs_25"] == 0 and with25["em_has_25_with_proc"] == 1


def test_em_alone_needs_no_25(cms):
    assert features_of(cms, lines=[line(1, "99213")])["em_needs_25"] == 0


def test_mi0_pair_17004_with_17000(cms):
    # NCCI PTP 2024Q3: 17004/17000 modifier indicator 0, never payable together.
    f = features_of(cms, diagnoses=["L57.0"],
                    lines=[line(1, "17004", mods=["59"]), line(2, "17000", mods=["59"])])
    assert f["ptp_mi0"] == 1


def test_biopsy_with_excision_needs_bypass_and_distinct_lesion(cms):
    other = {"count": 1, "site": "legs", "size_cm": 0.4, "distinct_from_line": 1}
    dx = ["D22.5", "D48.5"]
    unbypassed = features_of(cms, diagnoses=dx, lines=[
        line(1, "11402", lesion=LESION), line(2, "11102", dx=[2], lesion=LESION)])
    assert unbypassed["ptp_unbypassed"] == 1
    with_59 = features_of(cms, diagnoses=dx, lines=[
        line(1, "11402", lesion=LESION), line(2, "11102", mods=["59"], dx=[2], lesion=other)])
    assert with_59["ptp_unbypassed"] == 0 and with_59["ptp_bypass_59"] == 1
    assert with_59["x_would_fit"] == 1
    with_xs_same = features_of(cms, diagnoses=dx, lines=[
        line(1, "11402", lesion=LESION), line(2, "11102", mods=["XS"], dx=[2], lesion=LESION)])
    assert with_xs_same["ptp_bypass_59"] == 0 and with_xs_same["ptp_bypass_no_distinct"] == 1


def test_units_over_mue_and_mai(cms):
    # MUE 2024Q3: 17000 = 1 unit per day, MAI 2 (absolute).
    f = features_of(cms, diagnoses=["L57.0"], lines=[line(1, "17000", units=2)])
    assert f["units_over_mue"] == 1 and f["mue_excess"] == 1 and f["mue_over_mai2"] == 1


def test_orphan_addon(cms):
    f = features_of(cms, diagnoses=["L57.0"], lines=[line(1, "17003", units=3)])
    assert f["orphan_addon"] == 1


def test_visit_inside_global_without_24(cms):
    history = {"days_since_related_global_procedure": 5, "related_global_days": 10}
    f = features_of(cms, history=history, lines=[line(1, "99213")])
    assert f["in_global_unmodified"] == 1
    ok = features_of(cms, history=history, lines=[line(1, "99213", mods=["24"])])
    assert ok["in_global_unmodified"] == 0


def test_only_em_and_global_procedures_are_held_by_a_global(cms):
    # A shave (000) inside an excision's global needs 58/78/79; the injection 96372 and
    # its drug (XXX, no global) and an add-on (ZZZ) are not in any surgical package.
    history = {"days_since_related_global_procedure": 5, "related_global_days": 10}
    shave = features_of(cms, history=history, lines=[line(1, "11300", lesion=LESION)])
    assert shave["in_global_unmodified"] == 1
    drug = features_of(cms, history=history, diagnoses=["L50.1"], lines=[
        line(1, "J2357", units=60), line(2, "96372"), line(3, "17003", units=2)])
    assert drug["in_global_unmodified"] == 0


def test_diagnosis_not_supporting_procedure(cms):
    # 17000 (AK destruction) pointed at L30.9 dermatitis: no linkage.
    f = features_of(cms, diagnoses=["L30.9"], lines=[line(1, "17000")])
    assert f["dx_unsupported"] == 1 and f["dx_unsupported_destruction_ak"] == 1


def test_benign_lesion_without_symptoms_and_cosmetic_dx(cms):
    doc = dict(make_claim_dict()["documentation"], symptoms_documented=False)
    f = features_of(cms, diagnoses=["L82.1"], documentation=doc,
                    lines=[line(1, "17110", lesion=LESION)])
    assert f["benign_lesion_no_symptoms"] == 1 and f["cosmetic_dx"] == 1
    assert f["dx_unsupported"] == 1  # L82.1 supports 17110 only with symptoms


@pytest.mark.parametrize(("code", "dx", "cosmetic"), [
    ("15780", "L90.5", 1),  # dermabrasion of a scar: nothing makes it covered
    ("17360", "L81.4", 1),  # a peel for melasma
    ("17360", "L70.0", 0),  # chemical exfoliation for acne: the linkage supports it
])
def test_resurfacing_without_a_supporting_diagnosis_is_cosmetic(cms, code, dx, cosmetic):
    f = features_of(cms, diagnoses=[dx], lines=[line(1, code)])
    assert f["cosmetic_dx"] == cosmetic


def test_prior_auth_missing_for_phototherapy(cms):
    f = features_of(cms, diagnoses=["L40.0"], lines=[line(1, "96910")])
    assert f["pa_missing"] == 1
    covered = features_of(cms, diagnoses=["L40.0"], lines=[line(1, "96910")],
                          prior_authorization={"number": "PA-1", "cpt_codes": ["96910"]})
    assert covered["pa_missing"] == 0 and covered["has_prior_auth"] == 1


def test_submission_lag_is_a_raw_fact_not_an_assumed_limit(cms):
    # Filing limits differ by payer and are learned from the history (training/learned.py):
    # the features carry the lag in days for every payer alike.
    late = dict(submission_date="2026-06-27")
    coa, mcr = features_of(cms, payer_id="COA", **late), features_of(cms, payer_id="MCR", **late)
    assert coa["days_to_submit"] == mcr["days_to_submit"] > 100
    assert not any("filing_limit" in name for name in coa.index)


@pytest.mark.parametrize("field,feature", [
    ("coverage_active", "coverage_inactive"),
])
def test_eligibility_and_credentialing(cms, field, feature):
    f = features_of(cms, eligibility={"verified": True, field: False})
    assert f[feature] == 1
    g = features_of(cms, provider={"rendering_npi": "1234567893",
                                   "credentialed_with_payer": False})
    assert g["not_credentialed"] == 1


def test_modifier_25_without_separate_note(cms):
    doc = dict(make_claim_dict()["documentation"], separate_em_note=False)
    f = features_of(cms, documentation=doc)
    assert f["em_25_no_separate_note"] == 1
    assert features_of(cms)["em_25_no_separate_note"] == 0


def test_unknown_documentation_is_missing_not_zero(cms):
    f = features_of(cms, documentation={})
    assert pd.isna(f["doc_symptoms_documented"])


def test_mue_counts_units_per_date_of_service(cms):
    # MUE 96910 = 1 per day: a course billed one line per session date is not over it.
    course = [line(i, "96910", dos=f"2026-02-{10 + i:02d}") for i in range(1, 4)]
    f = features_of(cms, diagnoses=["L40.0"], lines=course)
    assert f["units_over_mue"] == 0
    same_day = [line(i, "96910", dos="2026-02-11") for i in range(1, 3)]
    assert features_of(cms, diagnoses=["L40.0"], lines=same_day)["units_over_mue"] == 2
