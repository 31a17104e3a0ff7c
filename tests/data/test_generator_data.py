"""Realism checks on a generated population (50k claims, module-scoped fixture).

Each test states why the property matters; any of them can fail when the generator's
encounter mix, error rates or hidden payer rules drift away from shared/domain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from contract.frames import DXP_COLS, LINE_COLUMNS, ClaimFrames, frames_to_claims
from contract.schema import Claim
from features.billing_rules import line_rule_flags
from reference.cms import load_cms_tables
from reference.codes import family_of
from reference.linkage import SUPPORTING_CLASSES, example_codes, supports
from reference.vocab import CATEGORIES, CATEGORY_CARC, PAYER_FILING_LIMIT_DAYS, PAYERS
from synthetic_data.adjudicate import ORACLE_COLUMNS, OUTCOME_COLUMNS, adjudicate
from synthetic_data.generate import GeneratorConfig, generate_frames
from synthetic_data.payers import PAYER_MIX

CONFIG = GeneratorConfig(claims=50_000, seed=20260101, chunk_size=25_000)
# shared/domain §10 / issue: accepted initial denial-rate range per payer.
DENIAL_RANGES = {"MCR": (0.06, 0.10), "MCA": (0.12, 0.18), "MCD": (0.13, 0.20),
                 "COA": (0.10, 0.16), "COB": (0.11, 0.17), "COC": (0.06, 0.12)}


@pytest.fixture(scope="module")
def frames() -> ClaimFrames:
    return generate_frames(CONFIG)


@pytest.fixture(scope="module")
def flags(frames: ClaimFrames) -> pd.DataFrame:
    return line_rule_flags(frames, load_cms_tables(CONFIG.cms_dir))


def subset(frames: ClaimFrames, claims: pd.DataFrame) -> ClaimFrames:
    return ClaimFrames(claims, frames.lines[frames.lines["claim_id"].isin(claims["claim_id"])])


def test_denial_rate_per_payer_in_domain_range(frames):
    # Published ranges (Medicare FFS ~8%, MA ~15%, Medicaid ~17%, commercial ~14%).
    rates = frames.claims.groupby("payer_id")["denied"].mean()
    for payer, (low, high) in DENIAL_RANGES.items():
        assert low <= rates[payer] <= high, (payer, rates[payer])


def test_payer_mix_matches_target(frames):
    # The per-payer models need the agreed volumes (COC deliberately thin).
    share = frames.claims["payer_id"].value_counts(normalize=True)
    for payer, target in PAYER_MIX.items():
        assert abs(share[payer] - target) < 0.015, payer


def test_every_reason_category_occurs(frames):
    # The reason classifier needs examples of every CARC category.
    seen = frames.claims["denial_category"].value_counts()
    assert set(CATEGORIES) <= set(seen.index)
    assert (seen.reindex(list(CATEGORIES)) >= 10).all(), seen


def test_modifier_25_on_most_em_with_minor_procedure(flags):
    # Dermatology coders append 25 routinely; a missing 25 must be the exception (~4%).
    with25 = flags["em_has_25_with_proc"].sum()
    without = flags["em_needs_25"].sum()
    assert with25 / (with25 + without) > 0.9


def test_generated_claims_validate_against_contract(frames):
    # Everything we write must be a valid contract claim (the API would accept it).
    sample = frames.claims.sample(3000, random_state=1)
    for payload in frames_to_claims(subset(frames, sample)):
        Claim.model_validate(payload)


def test_diagnoses_come_from_linkage_table(frames):
    # CPT/ICD pairs are drawn from features/linkage.py; only injected slips break them.
    dx = frames.claims[[f"dx_{i}" for i in range(1, 13)]].stack().dropna()
    assert set(dx) <= example_codes()
    lines = frames.lines
    fam = family_of(lines["cpt"])
    proc = fam.isin(list(SUPPORTING_CLASSES)) & (fam != "em")
    claim_dx = frames.claims.set_index("claim_id")
    ptr = lines.loc[proc, DXP_COLS[0]].astype(int)
    first_dx = [claim_dx.at[c, f"dx_{p}"] for c, p in zip(lines.loc[proc, "claim_id"], ptr)]
    linked = np.mean([supports(f, d, True) for f, d in zip(fam[proc], first_dx)])
    assert linked > 0.97, linked


def test_ages_follow_payer(frames):
    # Medicare mostly 65+, Medicaid younger, commercial mostly working age.
    c = frames.claims
    age = (c["submission_date"] - c["birth_date"]).dt.days / 365.25
    by = age.groupby(c["payer_id"])
    assert (by.apply(lambda a: (a >= 65).mean())[["MCR", "MCA"]] > 0.85).all()
    assert by.median()["MCD"] < 45
    assert by.apply(lambda a: a.between(18, 65).mean())[["COA", "COB"]].min() > 0.7


def test_encounter_mix_reflects_dermatology_billing(frames):
    # AK destruction, biopsies, Mohs, excisions and the treatments all appear; 17004 only
    # for >=15 lesions; one primary biopsy per claim; 88305 units = specimens biopsied.
    lines = frames.lines
    codes = set(lines["cpt"])
    for code in ("17000", "17003", "17004", "11102", "11103", "11104", "88305", "17311",
                 "17312", "17313", "11900", "J3301", "96910", "96920", "96567", "J7308",
                 "J3358", "11200", "11201", "17110", "17111", "11310", "12032", "13132"):
        assert code in codes, code
    ak = lines[lines["cpt"] == "17004"]
    assert (ak["lesion_count"] >= 15).all()
    em_share = frames.claims["claim_id"].isin(lines.loc[lines["cpt"].str.startswith("992"),
                                                        "claim_id"]).mean()
    assert 0.5 < em_share < 0.85


def test_late_submissions_always_denied_co29(frames):
    # Timely filing is deterministic: past the payer's limit is always CO-29.
    c = frames.claims.set_index("claim_id")
    first = frames.lines.groupby("claim_id")["date_of_service"].min()
    lag = (c["submission_date"] - first.reindex(c.index)).dt.days
    limit = c["payer_id"].map(PAYER_FILING_LIMIT_DAYS)
    late = c[lag > limit]
    assert len(late) > 50
    assert late["denied"].all() and (late["denial_carc"] == "CO-29").all()


def test_oracle_sums_to_p_denied_and_is_a_probability(frames):
    c = frames.claims
    total = c[[f"oracle_p_{k}" for k in CATEGORIES]].sum(axis=1)
    np.testing.assert_allclose(c["oracle_p_denied"], total, atol=1e-9)
    assert c[ORACLE_COLUMNS].ge(0).all().all() and c[ORACLE_COLUMNS].le(1 + 1e-9).all().all()


def test_observed_denials_match_oracle_per_payer(frames):
    # Outcomes are sampled from the oracle: per payer they agree within sampling error.
    c = frames.claims
    for payer in PAYERS:
        sub = c[c["payer_id"] == payer]
        p = sub["oracle_p_denied"].mean()
        se = np.sqrt(p * (1 - p) / len(sub))
        assert abs(sub["denied"].mean() - p) < 4 * se, payer


def test_outcome_columns_consistent(frames):
    c = frames.claims
    denied = c["denied"]
    assert c.loc[denied, ["denial_carc", "denial_category"]].notna().all().all()
    assert (c.loc[denied, "denied_lines"] != "").all()
    assert c.loc[~denied, ["denial_carc", "denial_category"]].isna().all().all()
    assert (c.loc[~denied, "denied_lines"] == "").all()
    carc = c.loc[denied, "denial_category"].map(CATEGORY_CARC)
    assert (carc == c.loc[denied, "denial_carc"]).all()


def test_oracle_is_a_function_of_claim_fields(frames):
    # Re-adjudicating the bare contract columns with another seed gives the same oracle:
    # nothing hidden in the generator drives a denial.
    claims = frames.claims.head(5000)
    bare = ClaimFrames(claims.drop(columns=OUTCOME_COLUMNS + ORACLE_COLUMNS),
                       frames.lines.loc[frames.lines["claim_id"].isin(claims["claim_id"]),
                                        LINE_COLUMNS])
    again = adjudicate(bare, CONFIG, np.random.default_rng(99))
    np.testing.assert_allclose(again[ORACLE_COLUMNS].to_numpy(),
                               claims[ORACLE_COLUMNS].to_numpy())


def test_history_puts_some_visits_inside_a_global_period(flags, frames):
    # Post-op visits billed inside a 10/90-day global exist, most with modifier 24.
    c = frames.claims
    inside = c["days_since_related_global_procedure"] <= c["related_global_days"]
    assert inside.sum() > 300
    assert 0 < flags["in_global_unmodified"].sum() < inside.sum() / 2


def _shift(frames: ClaimFrames, days: int) -> ClaimFrames:
    step = pd.Timedelta(days=days)
    return ClaimFrames(frames.claims.assign(submission_date=frames.claims["submission_date"]
                                            + step),
                       frames.lines.assign(date_of_service=frames.lines["date_of_service"]
                                           + step))


def test_drift_changes_coa_outcome_after_its_date(frames):
    # The same COA claims dated two years before vs after the drift date: some become much
    # riskier (25-E/M with a destruction, no separate note); with drift off none change.
    coa = frames.claims[frames.claims["payer_id"] == "COA"]
    base = subset(frames, coa.drop(columns=OUTCOME_COLUMNS + ORACLE_COLUMNS))
    early, late = _shift(base, -730), _shift(base, 730)
    rng = np.random.default_rng
    before = adjudicate(early, CONFIG, rng(0))["oracle_p_modifier"]
    after = adjudicate(late, CONFIG, rng(0))["oracle_p_modifier"]
    assert (after - before > 0.5).sum() > 50 and (after >= before - 1e-12).all()
    off = CONFIG.model_copy(update={"drift": False})
    np.testing.assert_allclose(adjudicate(late, off, rng(0))["oracle_p_modifier"], before)
