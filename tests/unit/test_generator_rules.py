"""The payers' rules on hand-built claims: true_risk must apply the billing domain.

Each test builds one contract claim by hand (contract.frames.claims_to_frames) with the
hidden factors it needs and reads the exact oracle, so the rules are checked apart from
the world that generates claims. The reason for each expectation is in its comment.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest

from synthetic_data import hidden as hf
from tests.unit.generator_claims import DOS, NEW_MD, NO_HIDDEN, NP, claim, judge, line


def test_17004_with_17000_is_never_together():
    # NCCI 17004/17000 has modifier indicator 0: no modifier makes the pair payable.
    row = judge(claim("MCR", [line(1, "17004", lesion={"count": 16, "site": "face"}),
                              line(2, "17000", mods=["XS"])]))
    assert row["oracle_p_bundling"] > 0.98


def test_clean_ak_claim_only_keeps_the_payers_noise():
    # 17000 + 17003 x4 for five AKs is correct: the full oracle is 0, the claim-only one
    # keeps only what no claim shows (payer error, coverage ended, a duplicate).
    row = judge(claim("MCR", [line(1, "17000"), line(2, "17003", units=4)]))
    assert row["oracle_p"] == 0.0 and 0 < row["oracle_p_visible"] < 0.02


@pytest.mark.parametrize("payer", ["MCR", "MCA", "MCD"])
def test_17000_two_units_is_over_the_mue(payer):
    # 17000 has MUE 1 (MAI 2, absolute per day): Medicare-rule payers deny the excess.
    assert judge(claim(payer, [line(1, "17000", units=2)]))["oracle_p_units"] >= 0.95


@pytest.mark.parametrize(("profile", "payer", "limit"), [
    ("demo", "MCR", 365), ("demo", "COA", 90), ("demo", "MCD", 180),
    ("valley", "TXMCD", 95), ("valley", "00590", 120)])
def test_filing_limit_is_the_payers_own(profile, payer, limit):
    # Timely filing is deterministic at each payer's own limit (Medicare 365 days, the
    # valley Medicaid plan 95, its PPO 120).
    c = claim(payer, [line(1, "17000")], lag=limit + 1)
    assert judge(c, profile)["oracle_p_timely_filing"] == 1.0
    on_time = claim(payer, [line(1, "17000")], lag=limit)
    assert judge(on_time, profile)["oracle_p_timely_filing"] == 0.0


def excision(side_mod: str, dx: str, site: str = "arms", cpt: str = "11602",
             laterality: str | None = None) -> dict:
    """An excision of one lesion (no recorded side unless given: the modifier and the
    diagnosis then say it)."""
    lesion = {"count": 1, "site": site, "size_cm": 1.8}
    if laterality:
        lesion["laterality"] = laterality
    return claim("MCD", [line(1, cpt, mods=[side_mod], lesion=lesion)], dx=[dx])


def test_laterality_contradiction_is_a_diagnosis_mismatch_left_codes_are_valid():
    # A right-arm BCC (C44.612) excised with LT contradicts itself; the left-side code
    # C44.619 with LT is valid coding and supports the excision (issue 16).
    assert judge(excision("LT", "C44.612"))["oracle_p_diagnosis_mismatch"] > 0.85
    assert judge(excision("RT", "C44.612"))["oracle_p_diagnosis_mismatch"] == 0.0
    assert judge(excision("LT", "C44.619"))["oracle_p_visible"] < 0.05


def test_side_modifier_against_the_lesion_record_is_a_modifier_error():
    # The record says right, the diagnosis says right, the modifier says LT: the modifier
    # is the slip (CO-4); a left code for a right lesion is a diagnosis mismatch (CO-11).
    wrong_mod = judge(excision("LT", "C44.612", laterality="right"))
    assert wrong_mod["oracle_p_modifier"] > 0.8
    wrong_dx = judge(excision("RT", "C44.619", laterality="right"))
    assert wrong_dx["oracle_p_diagnosis_mismatch"] > 0.8
    assert judge(excision("RT", "C44.612", laterality="right"))["oracle_p"] == 0.0


def test_missing_side_modifier_only_for_payers_that_want_it():
    # MCD wants RT/LT on sided lesions; Medicare does not.
    c = excision("RT", "C44.612")
    c["lines"][0]["modifiers"] = []
    assert judge(c)["oracle_p_modifier"] > 0.85
    assert judge(c | {"payer_id": "MCR"})["oracle_p_modifier"] == 0.0


def test_face_code_pointing_to_a_trunk_cancer_contradicts_the_site():
    # 11642 describes a face excision; C44.519 is a trunk BCC: the payer sees the clash.
    assert judge(excision("RT", "C44.519", "trunk", "11642") | {"payer_id": "MCR"}
                 )["oracle_p_diagnosis_mismatch"] > 0.8
    assert judge(excision("RT", "C44.519", "trunk", "11602") | {"payer_id": "MCR"}
                 )["oracle_p_diagnosis_mismatch"] == 0.0


def biopsy_and_ak(payer: str, mods: list[str]) -> dict:
    biopsy = {"count": 1, "site": "arms", "size_cm": 0.5}
    ak = {"count": 1, "site": "face", "distinct_from_line": 1}
    return claim(payer, [line(1, "11102", lesion=biopsy, dx=[1]),
                         line(2, "17000", mods=mods, lesion=ak, dx=[2])],
                 dx=["D48.5", "L57.0"])


def test_coa_insists_on_x_modifiers_medicare_accepts_59_and_both_is_wrong():
    # 11102/17000 is an indicator-1 pair: COA refuses 59 alone, Medicare accepts it; 59 and
    # XS together on one line is wrong for everyone.
    assert judge(biopsy_and_ak("COA", ["59"]))["oracle_p_modifier"] > 0.85
    assert judge(biopsy_and_ak("COA", ["XS"]))["oracle_p"] == 0.0
    assert judge(biopsy_and_ak("MCR", ["59"]))["oracle_p"] == 0.0
    assert judge(biopsy_and_ak("MCR", ["59", "XS"]))["oracle_p_modifier"] > 0.85


def test_unbypassed_pair_and_reviewed_bypass():
    # No bypass: bundled. A bypass a reviewer finds on the same lesion: bundled when
    # reviewed (the claim-only oracle weighs that by the odds the lesions are distinct).
    assert judge(biopsy_and_ak("MCR", []))["oracle_p_bundling"] > 0.95
    same = judge(biopsy_and_ak("MCA", ["XS"]), lesions_distinct=False)
    other = judge(biopsy_and_ak("MCA", ["XS"]), lesions_distinct=True)
    assert same["oracle_p_bundling"] > 0.05 and other["oracle_p_bundling"] == 0.0
    assert 0 < same["oracle_p_visible_bundling"] < same["oracle_p_bundling"]


def in_global(mods: list[str], dx: str, cpt: str = "99213") -> dict:
    history = {"days_since_related_global_procedure": 6, "related_global_days": 10,
               "related_procedure_code": "11602"}
    return claim("MCR", [line(1, cpt, mods=mods, lesion={})], dx=[dx], history=history)


def test_em_inside_a_global_needs_24_and_24_is_not_for_post_op_care():
    # Six days after an 11602 (010 global): a rash visit needs 24; 24 on an aftercare
    # visit is still post-op care; without 24 the visit is bundled.
    assert judge(in_global([], "L30.9"))["oracle_p_global_period"] > 0.9
    assert judge(in_global(["24"], "L30.9"))["oracle_p"] == 0.0
    assert judge(in_global(["24"], "Z48.817"))["oracle_p_global_period"] > 0.6


def test_reexcision_in_the_global_takes_58_not_79():
    # A re-excision of the same cancer inside the excision's global is staged (58).
    c79 = in_global(["79"], "C44.612", "11602")
    c79["lines"][0]["lesion"] = {"count": 1, "site": "arms", "size_cm": 1.9}  # 11602 band
    assert judge(c79)["oracle_p_global_period"] > 0.8
    c58 = copy.deepcopy(c79)
    c58["lines"][0]["modifiers"] = ["58"]
    assert judge(c58)["oracle_p"] == 0.0


@pytest.mark.parametrize(("cpt", "dx"), [("96910", "L40.0"), ("96372", "L50.1")])
def test_services_outside_the_global_concept_are_paid_inside_a_global(cpt, dx):
    # Phototherapy and drug administration have MPFS global XXX: no surgical package holds
    # them, so a session six days after an excision needs no 58/78/79; a shave (000) on
    # another problem does (79).
    assert judge(in_global([], dx, cpt))["oracle_p_global_period"] == 0.0
    shave = in_global([], "D22.5", "11300")
    shave["lines"][0]["lesion"] = {"count": 1, "site": "trunk", "size_cm": 0.4}
    assert judge(shave)["oracle_p_global_period"] > 0.8


@pytest.mark.parametrize("dx", ["L40.0", "L30.9", "L63.9"])
def test_a_biopsy_of_an_eruption_is_supported(dx):
    # Biopsies establish the diagnosis of a rash or hair loss (shared/domain §1: separate
    # sites of one eruption each count): psoriasis, dermatitis or alopecia support 11102
    # and its 88305; a screening code alone does not.
    lines = [line(1, "11102", lesion={"count": 1, "site": "arms", "size_cm": 0.4}),
             line(2, "88305")]
    assert judge(claim("MCR", lines, dx=[dx]))["oracle_p_diagnosis_mismatch"] == 0.0
    assert judge(claim("MCR", lines, dx=["Z12.83"]))["oracle_p"] > 0.5


def test_decision_for_a_090_flap_takes_57_not_25():
    # An E/M deciding on a 14040 flap (090 global) the same day takes 57.
    lines = [line(1, "99214", mods=["25"], lesion={}), line(2, "14040")]
    assert judge(claim("MCR", lines, dx=["C44.319"]))["oracle_p_modifier"] > 0.85
    lines[0]["modifiers"] = ["57"]
    assert judge(claim("MCR", lines, dx=["C44.319"]))["oracle_p"] == 0.0


def test_em_with_minor_procedure_without_25_is_bundled():
    # An E/M billed with a 010-global destruction and no 25 is paid with the procedure.
    lines = [line(1, "99213", lesion={}), line(2, "17000")]
    assert judge(claim("MCR", lines))["oracle_p_modifier"] > 0.9


def drug_line(ndc: str | None) -> dict:
    return line(1, "J3301", units=2, lesion={}, ndc=ndc,
                drug_quantity="ML 1" if ndc else None)


def test_ndc_missing_is_co16_for_payers_that_require_it():
    # Medicaid requires the NDC on J-codes (DRA 2005): without it CO-16 + M119.
    assert judge(claim("MCD", [drug_line(None)], dx=["L91.0"])
                 )["oracle_p_missing_information"] > 0.95
    assert judge(claim("MCD", [drug_line("00003029305")], dx=["L91.0"]))["oracle_p"] == 0.0
    assert judge(claim("MCR", [drug_line(None)], dx=["L91.0"]))["oracle_p"] == 0.0


def test_medical_necessity_follows_each_lines_pointers():
    # A biopsy pointing at the screening code is unsupported even though the claim lists a
    # supporting diagnosis; pointing at it, the line is fine.
    bad = claim("MCR", [line(1, "11102", dx=[1])], dx=["Z12.83", "D48.5"])
    good = claim("MCR", [line(1, "11102", dx=[2])], dx=["Z12.83", "D48.5"])
    assert judge(bad)["oracle_p_diagnosis_mismatch"] > 0.85
    assert judge(good)["oracle_p"] == 0.0


def test_screening_only_em_is_not_covered_by_medicare():
    # Medicare does not cover a dermatologist's skin-cancer screening; the same E/M also
    # addressing AKs is covered.
    only = claim("MCR", [line(1, "99213", lesion={})], dx=["Z12.83"])
    both = claim("MCR", [line(1, "99213", lesion={}, dx=[1, 2])], dx=["Z12.83", "L57.0"])
    assert judge(only)["oracle_p_diagnosis_mismatch"] > 0.9
    assert judge(both)["oracle_p"] == 0.0
    assert judge(only | {"payer_id": "COA"})["oracle_p_diagnosis_mismatch"] < 0.1


def test_enrolment_by_rendering_npi_and_date():
    # The new physician is billed before Medicare enrols them (2025-09-22): CO-B7; the
    # front desk's credentialed flag does not change that.
    early = claim("MCR", [line(1, "17000", dos=date(2025, 9, 15))],
                  provider={"rendering_npi": NEW_MD, "credentialed_with_payer": True})
    late = claim("MCR", [line(1, "17000", dos=date(2025, 10, 15))],
                 provider={"rendering_npi": NEW_MD, "credentialed_with_payer": True})
    assert judge(early)["oracle_p_credentialing"] > 0.95
    assert judge(late)["oracle_p"] == 0.0


def test_np_billing_mohs_is_provider_type():
    # Mohs is for the MD/DO surgeon-pathologist: an NP as rendering provider -> CO-170.
    c = claim("MCR", [line(1, "17311", dx=[1])], dx=["C44.311"],
              provider={"rendering_npi": NP, "credentialed_with_payer": True})
    assert judge(c)["oracle_p_credentialing"] > 0.9


def test_g2211_beside_a_25_em_is_not_payable_for_medicare():
    # CMS: G2211 is not payable with a modifier-25 E/M (procedure day).
    lines = [line(1, "99213", mods=["25"], lesion={}), line(2, "G2211", lesion={}),
             line(3, "17000")]
    assert judge(claim("MCR", lines))["oracle_p_bundling"] > 0.9
    assert judge(claim("COA", lines))["oracle_p_bundling"] == 0.0


def photo_claim(before: int, sessions: int) -> dict:
    lines = [line(k + 1, "96910", lesion={}, dos=DOS + timedelta(days=2 * k))
             for k in range(sessions)]
    return claim("MCD", lines, dx=["L40.0"], history={"sessions_this_year": before},
                 prior_authorization={"number": "PA1", "cpt_codes": ["96910"]})


def test_phototherapy_cap_counts_sessions_elsewhere():
    # MCD pays 30 sessions a year: the 31st is over; sessions at other providers (hidden)
    # count too, so the claim-only oracle gives 20 earlier sessions a small risk.
    assert judge(photo_claim(29, 2))["oracle_p_frequency"] > 0.95
    assert judge(photo_claim(20, 1))["oracle_p_frequency"] == 0.0
    assert judge(photo_claim(20, 1), sessions_elsewhere=12)["oracle_p_frequency"] > 0.95
    assert 0 < judge(photo_claim(20, 1))["oracle_p_visible_frequency"] < 0.1


def em25_with(code: str, dos: date, note: bool) -> dict:
    c = claim("COA", [line(1, "99213", mods=["25"], lesion={}, dos=dos),
                      line(2, code, dos=dos)], dx=["L57.0"])
    c["documentation"]["separate_em_note"] = note
    return c


def test_coa_reviews_25_against_the_chart():
    # COA reviews 25-E/Ms with minor procedures: a separate note the chart bears out
    # passes, a note the chart does not bear out or no note is denied when reviewed.
    supported = judge(em25_with("11102", DOS, True))
    unsupported = judge(em25_with("11102", DOS, True), chart_supports_em=False)
    no_note = judge(em25_with("11102", DOS, False))
    assert supported["oracle_p_modifier"] == 0.0
    assert unsupported["oracle_p_modifier"] > 0.3 and no_note["oracle_p_modifier"] > 0.3
    assert supported["oracle_p_visible_modifier"] < no_note["oracle_p_visible_modifier"]


def test_coa_quiet_change_extends_the_25_review_to_destructions():
    # COA's 2026-04-01 change: 25 with only a 17000-series destruction is reviewed after
    # the date, not before, and not with the quiet changes off.
    before = judge(em25_with("17000", date(2026, 3, 2), False))
    after = judge(em25_with("17000", date(2026, 4, 6), False))
    off = judge(em25_with("17000", date(2026, 4, 6), False), drift=False)
    assert before["oracle_p_modifier"] == 0.0 == off["oracle_p_modifier"]
    assert after["oracle_p_modifier"] > 0.3


def shave(payer: str, dos: date, symptoms: bool) -> dict:
    c = claim(payer, [line(1, "11301", lesion={"count": 1, "site": "trunk", "size_cm": 0.8},
                           dos=dos)], dx=["D22.5"])
    c["documentation"]["symptoms_documented"] = symptoms
    return c


def test_valley_ppo_adopts_the_benign_lesion_lcd_on_its_date():
    # The valley PPO's quiet change (2025-10-01): a nevus shave without documented
    # symptoms is reviewed far more often afterwards.
    before = judge(shave("00590", date(2025, 9, 1), False), "valley")
    after = judge(shave("00590", date(2025, 11, 3), False), "valley")
    assert after["oracle_p_medical_necessity"] > 0.5 > 0.2 > before[
        "oracle_p_medical_necessity"]


def test_prior_auth_and_referral():
    # MCA needs an auth for phototherapy (an auth for a sibling code does not count);
    # Medicare does not; COB needs a referral on file.
    photo = claim("MCA", [line(1, "96910", lesion={})], dx=["L40.0"])
    assert judge(photo)["oracle_p_authorization"] > 0.9
    assert judge(photo | {"payer_id": "MCR"})["oracle_p_authorization"] == 0.0
    sibling = photo | {"prior_authorization": {"number": "P1", "cpt_codes": ["96900"]}}
    assert judge(sibling)["oracle_p_authorization"] > 0.9
    right = photo | {"prior_authorization": {"number": "P1", "cpt_codes": ["96910"]}}
    assert judge(right)["oracle_p_authorization"] == 0.0
    assert judge(claim("COB", [line(1, "17000")], referral_on_file=False)
                 )["oracle_p_authorization"] > 0.75


def test_cosmetic_with_gy_goes_to_the_patient():
    # Dermabrasion is cosmetic: with GY the payer denies to the patient (PR-96), without
    # it the provider is liable (CO-96); both are the cosmetic category.
    gy = claim("MCR", [line(1, "15780", mods=["GY"])], dx=["L90.5"])
    plain = claim("MCR", [line(1, "15780")], dx=["L90.5"])
    assert judge(gy)["oracle_p_cosmetic"] > 0.95 and judge(plain)["oracle_p_cosmetic"] > 0.9


def test_hidden_factors_make_the_full_oracle_sharper():
    # Coverage terminated without anyone knowing: certain under the full oracle, a small
    # probability for the claim-only oracle of an unverified Medicaid claim.
    c = claim("MCD", [line(1, "17000")], eligibility={"verified": False})
    ended = judge(c, coverage_terminated=True)
    assert ended["oracle_p_eligibility"] > 0.95
    assert 0.02 < ended["oracle_p_visible_eligibility"] < 0.3


def test_a_check_before_submission_finds_a_lapse_it_can_see():
    # Verifying eligibility again before sending (the verify_eligibility fix) shows a lapse
    # the visit's missing check hid: the practice bills the active plan, this payer never
    # sees a CO-27. A termination back-dated after a check that showed coverage active
    # passes any check: verifying cures nothing.
    unverified = claim("MCD", [line(1, "17000")], eligibility={"verified": False})
    verified = {**unverified, "eligibility": {"verified": True, "coverage_active": True}}
    assert judge(unverified, coverage_terminated=hf.LAPSE_FOUND)[
        "oracle_p_eligibility"] > 0.95
    assert judge(verified, coverage_terminated=hf.LAPSE_FOUND)["oracle_p_eligibility"] == 0
    assert judge(verified, coverage_terminated=hf.LAPSE_RETROACTIVE)[
        "oracle_p_eligibility"] > 0.95


def test_generated_lapses_are_retroactive_only_after_a_check_showed_coverage():
    # The world draws a lapse the check at the visit would have shown only where there was
    # no such check (unverified) or it showed the lapse; after a check showing coverage
    # active, an ended coverage ended retroactively.
    from synthetic_data.generate import GeneratorConfig, generate_frames

    claims = generate_frames(GeneratorConfig(claims=4_000, seed=11)).claims
    lapse = claims["hidden_coverage_terminated"].to_numpy()
    checked = (claims["eligibility_verified"].astype("boolean").fillna(False)
               & claims["coverage_active"].astype("boolean").fillna(False)).to_numpy(bool)
    assert set(lapse[checked]) <= {0, hf.LAPSE_RETROACTIVE}
    assert set(lapse[~checked]) <= {0, hf.LAPSE_FOUND}
    assert (lapse[~checked] == hf.LAPSE_FOUND).sum() > 0


def test_oracle_is_a_probability_and_categories_add_up():
    # Per-category probabilities add up to P(denied), for both oracles.
    row = judge(biopsy_and_ak("MCA", ["59", "XS"]), lesions_distinct=False)
    for prefix in ("oracle_p", "oracle_p_visible"):
        total = sum(row[f"{prefix}_{k}"] for k in (
            "modifier", "bundling", "global_period", "units", "diagnosis_mismatch",
            "medical_necessity", "cosmetic", "authorization", "eligibility",
            "timely_filing", "missing_information", "frequency", "credentialing"))
        assert row[prefix] == pytest.approx(total) and 0 <= row[prefix] <= 1


def test_hidden_factor_list_is_complete():
    # Every factor the rules read has a column name.
    assert set(NO_HIDDEN) == set(hf.FACTORS)
