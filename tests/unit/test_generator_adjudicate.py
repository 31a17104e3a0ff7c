"""Hidden payer rules on hand-built claims: adjudicate() must apply the domain rules.

Each test builds one contract claim by hand (contract.frames.claims_to_frames) and checks
the oracle and the sampled outcome, so the generator's rules are verified independently
of its encounter synthesis.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from contract.frames import claims_to_frames
from reference.vocab import CATEGORIES, PAYER_FILING_LIMIT_DAYS
from synthetic_data.adjudicate import ORACLE_COLUMNS, adjudicate
from synthetic_data.config import GeneratorConfig

DOS = date(2026, 2, 2)
FULL_DOCS = {
    "separate_em_note": True, "lesion_size_documented": True, "lesion_site_documented": True,
    "symptoms_documented": True, "margins_documented": True,
    "pathology_report_attached": True, "medical_necessity_note": True,
    "prior_treatment_failed": True,
}


def line(n: int, cpt: str, units: int = 1, mods: list[str] | None = None, dx: int = 1,
         lesion: dict | None = None, dos: date = DOS) -> dict:
    """One contract line (an AK lesion on the face unless given; {} = no lesion)."""
    return {"line": n, "cpt": cpt, "modifiers": mods or [], "units": units, "charge": 100.0,
            "dx_pointers": [dx], "date_of_service": dos.isoformat(),
            "lesion": lesion if lesion is not None else {"count": units, "site": "face",
                                                         "size_cm": None,
                                                         "distinct_from_line": None}}


def claim(payer: str, lines: list[dict], dx: list[str] | None = None, lag: int = 5,
          **fields) -> dict:
    """A clean claim (verified, credentialed, fully documented) with the given lines."""
    first = min(date.fromisoformat(ln["date_of_service"]) for ln in lines)
    base = {
        "claim_id": "C-T1", "payer_id": payer,
        "submission_date": (first + timedelta(days=lag)).isoformat(),
        "place_of_service": "11",
        "patient": {"member_id": "T1", "birth_date": "1950-03-01", "sex": "F"},
        "provider": {"rendering_npi": "1234567893", "credentialed_with_payer": True},
        "eligibility": {"verified": True, "coverage_active": True},
        "prior_authorization": None, "referral_on_file": True, "cosmetic_intake": False,
        "diagnoses": dx or ["L57.0"], "lines": lines, "documentation": dict(FULL_DOCS),
        "history": {"days_since_related_global_procedure": None, "related_global_days": None},
    }
    base.update(fields)
    return base


def judge(c: dict, seed: int = 0, **config) -> pd.Series:
    """Adjudicate one hand-built claim; returns its outcome + oracle row."""
    frames = claims_to_frames([c])
    out = adjudicate(frames, GeneratorConfig(**config), np.random.default_rng(seed))
    assert out.index.equals(frames.claims.index)
    return out.iloc[0]


def test_17004_with_17000_is_bundled_under_medicare():
    # NCCI 17004/17000 has modifier indicator 0: never payable together, a hard Medicare edit.
    row = judge(claim("MCR", [line(1, "17004", lesion={"count": 16, "site": "face",
                                                       "size_cm": None,
                                                       "distinct_from_line": None}),
                              line(2, "17000")]))
    assert row["oracle_p_bundling"] > 0.98
    assert row["denied"] and row["denial_carc"] == "CO-236"
    assert row["denial_category"] == "bundling" and row["denied_lines"] == "2"


def test_clean_ak_claim_is_rarely_denied():
    # 17000 + 17003 x4 for five AKs is correct coding: only the small base rate remains.
    row = judge(claim("MCR", [line(1, "17000"), line(2, "17003", units=4)]))
    assert row["oracle_p_denied"] < 0.02


@pytest.mark.parametrize("payer", ["MCR", "MCA", "MCD"])
def test_17000_two_units_denied_for_units_under_medicare_rules(payer):
    # 17000 has MUE 1 with MAI 2 (absolute per-day cap): Medicare-rule payers deny always.
    row = judge(claim(payer, [line(1, "17000", units=2)]))
    assert row["oracle_p_units"] > 0.98
    assert row["denied"] and row["denial_carc"] == "CO-151"


@pytest.mark.parametrize("payer", sorted(PAYER_FILING_LIMIT_DAYS))
def test_past_filing_limit_always_co29(payer):
    # Timely filing is a hard rule: one day past the payer's limit is always CO-29.
    limit = PAYER_FILING_LIMIT_DAYS[payer]
    late = judge(claim(payer, [line(1, "17000")], lag=limit + 1))
    assert late["oracle_p_timely_filing"] == 1.0 and late["oracle_p_denied"] == 1.0
    assert late["denial_carc"] == "CO-29" and late["denied_lines"] == "1"
    on_time = judge(claim(payer, [line(1, "17000")], lag=limit))
    assert on_time["oracle_p_timely_filing"] == 0.0


def test_timely_filing_takes_precedence_over_eligibility():
    # Hard rules are ordered: a late claim is CO-29 even when coverage also lapsed.
    c = claim("MCD", [line(1, "17000")], lag=400,
              eligibility={"verified": True, "coverage_active": False})
    row = judge(c)
    assert row["denial_carc"] == "CO-29" and row["oracle_p_eligibility"] == 0.0


def test_lapsed_coverage_is_co27_and_uncredentialed_is_co185():
    # Coverage inactive on the DOS and an unenrolled provider are deterministic denials.
    lapsed = judge(claim("MCD", [line(1, "17000")],
                         eligibility={"verified": True, "coverage_active": False}))
    assert lapsed["denial_carc"] == "CO-27" and lapsed["oracle_p_eligibility"] == 1.0
    uncred = judge(claim("COA", [line(1, "17000")],
                         provider={"rendering_npi": "1234567893",
                                   "credentialed_with_payer": False}))
    assert uncred["denial_carc"] == "CO-185" and uncred["oracle_p_credentialing"] == 1.0


def test_em_without_25_with_minor_procedure_is_a_modifier_denial():
    # An E/M billed with a 010-global destruction and no 25 is bundled into it (CO-4 here).
    row = judge(claim("MCR", [line(1, "99213", lesion={}), line(2, "17000")]))
    assert row["oracle_p_modifier"] > 0.85


def _em25_with_destruction(dos: date, note: bool) -> dict:
    c = claim("COA", [line(1, "99213", mods=["25"], lesion={}, dos=dos),
                      line(2, "17000", dos=dos)])
    c["documentation"]["separate_em_note"] = note
    return c


def test_coa_drift_denies_25_with_destruction_after_the_date():
    # Drift: from drift_date COA denies a 25-E/M with 17000-series destructions without a
    # separate E/M note; before the date (and with --no-drift) it does not.
    before = judge(_em25_with_destruction(date(2026, 3, 2), note=False))
    after = judge(_em25_with_destruction(date(2026, 4, 6), note=False))
    no_drift = judge(_em25_with_destruction(date(2026, 4, 6), note=False), drift=False)
    with_note = judge(_em25_with_destruction(date(2026, 4, 6), note=True))
    assert after["oracle_p_modifier"] > 0.8 > 0.1 > before["oracle_p_modifier"]
    assert no_drift["oracle_p_modifier"] == pytest.approx(before["oracle_p_modifier"])
    assert with_note["oracle_p_modifier"] < 0.05


def test_drift_date_is_settable():
    # Moving the drift date moves the rule change with it.
    c = _em25_with_destruction(date(2026, 3, 2), note=False)
    assert judge(c, drift_date=date(2026, 1, 1))["oracle_p_modifier"] > 0.8


def _biopsy_and_destruction(payer: str, modifier: str) -> dict:
    biopsy = {"count": 1, "site": "arms", "size_cm": None, "distinct_from_line": None}
    ak = {"count": 1, "site": "face", "size_cm": None, "distinct_from_line": 1}
    return claim(payer, [line(1, "11102", lesion=biopsy, dx=1),
                         line(2, "17000", mods=[modifier], lesion=ak, dx=2)],
                 dx=["D49.2", "L57.0"])


def test_coa_insists_on_x_modifier_medicare_accepts_59():
    # 11102/17000 is an MI-1 NCCI pair: COA denies 59 alone (wants XS), Medicare accepts it.
    coa_59 = judge(_biopsy_and_destruction("COA", "59"))
    coa_xs = judge(_biopsy_and_destruction("COA", "XS"))
    mcr_59 = judge(_biopsy_and_destruction("MCR", "59"))
    assert coa_59["oracle_p_modifier"] > 0.85
    assert coa_xs["oracle_p_denied"] < 0.05 and mcr_59["oracle_p_denied"] < 0.05


def test_unbypassed_pair_enforcement_differs_by_payer():
    # Same unbypassed NCCI pair: Medicare catches it almost always, COC much less often.
    c = _biopsy_and_destruction("MCR", "XS")
    c["lines"][1]["modifiers"] = []
    mcr = judge(c)["oracle_p_bundling"]
    coc = judge(c | {"payer_id": "COC"})["oracle_p_bundling"]
    assert mcr > 0.9 and coc < 0.7


def test_prior_auth_required_for_phototherapy_by_mca_not_mcr():
    # MCA/MCD/COB put phototherapy under prior auth; traditional Medicare does not.
    photo = claim("MCA", [line(1, "96910", lesion={})], dx=["L40.0"])
    assert judge(photo)["oracle_p_authorization"] > 0.9
    assert judge(photo | {"payer_id": "MCR"})["oracle_p_authorization"] == 0.0
    authed = copy.deepcopy(photo)
    authed["prior_authorization"] = {"number": "PA-1", "cpt_codes": ["96910"]}
    assert judge(authed)["oracle_p_authorization"] == 0.0


def test_cob_requires_referral():
    # COB is an HMO: no referral on file -> authorization denial.
    c = claim("COB", [line(1, "17000")], referral_on_file=False)
    assert judge(c)["oracle_p_authorization"] > 0.8


def test_cosmetic_diagnosis_without_symptoms_is_cosmetic():
    # L82.1 SK removal without documented symptoms reads cosmetic (CO-96), COB strictest.
    c = claim("COB", [line(1, "17110")], dx=["L82.1"])
    c["documentation"]["symptoms_documented"] = False
    assert judge(c)["oracle_p_cosmetic"] > 0.85


def test_oracle_columns_sum_and_unknown_payer_is_scored():
    # Category probabilities add up to P(denied); an unknown payer still gets an oracle.
    row = judge(claim("XYZ", [line(1, "17000", units=2)]))
    total = sum(row[f"oracle_p_{k}"] for k in CATEGORIES)
    assert row["oracle_p_denied"] == pytest.approx(total)
    assert 0 <= row["oracle_p_denied"] <= 1 and set(ORACLE_COLUMNS) <= set(row.index)


def test_outcome_sampling_follows_oracle():
    # Over many draws the sampled denial frequency matches the oracle probability.
    c = claim("COA", [line(1, "17000")])
    c["documentation"]["lesion_site_documented"] = False
    frames = claims_to_frames([c | {"claim_id": f"C-{i}"} for i in range(4000)])
    out = adjudicate(frames, GeneratorConfig(), np.random.default_rng(1))
    p = out["oracle_p_denied"].iloc[0]
    assert abs(out["denied"].mean() - p) < 4 * np.sqrt(p * (1 - p) / len(out))
    assert (out.loc[out["denied"], "denial_category"] == "missing_information").all()
