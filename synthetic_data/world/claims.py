"""The claims the practice sends: a block's visits, coded, documented and submitted, as
contract frames (contract/frames.py CLAIM_COLUMNS / LINE_COLUMNS) plus the 837P facts the
contract lacks (subscriber id and relationship for dependants) and internal keys
(`_`-prefixed: patient, visit, payer position, last service day) the generator drops
before writing.

Only visits inside the window become claims; the warm-up year only feeds history.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from reference.cms import CmsTables
from reference.families import BENIGN_REMOVAL_FAMILIES, DRUG_CODES
from reference.fees import DEFAULT_AMOUNT, mpfs_amounts
from reference.vocab import MAX_DIAGNOSES
from synthetic_data.arrays import frame, isin, reindexed
from synthetic_data.profiles.model import MEDICARE_ARCHETYPES
from synthetic_data.world import World
from synthetic_data.world import frontdesk as fd
from synthetic_data.world.coding import MOD_SLOTS, add_modifier, code_modifiers, line_facts
from synthetic_data.world.context import WorldCtx
from synthetic_data.world.documentation import documentation
from synthetic_data.world.dxcoding import POINTER_SLOTS, code_diagnoses

ABN_SHARE = 0.15  # Medicare benign removals without symptoms with a signed ABN
CHARGE_MARKUP = 1.9  # the practice's charge master over the Medicare amount
DRUG_MARKUP = 1.25
RELATION_NAMES = np.array(["none", "staged", "complication", "postop"], dtype=object)
HISTORY_COLUMNS = ("days_since_related_global_procedure", "related_global_days",
                   "related_procedure_code", "sessions_this_year", "established_patient",
                   "days_since_last_visit")


def line_charges(ctx: WorldCtx, cpt: np.ndarray, units: np.ndarray, cms_dir) -> np.ndarray:
    """Billed charge per line: fee x markup x units, rounded to dollars."""
    fees = reindexed(mpfs_amounts(cms_dir), cpt, DEFAULT_AMOUNT).astype(float)
    markup = np.where(isin(cpt, DRUG_CODES), DRUG_MARKUP, CHARGE_MARKUP)
    jitter = ctx.rng.choice(np.array([0.97, 1.0, 1.0, 1.03]), len(cpt))
    return np.round(fees * markup * units * jitter, 0)


def lines_frame(ctx: WorldCtx, world: World, cms_dir) -> pd.DataFrame:
    """LINE_COLUMNS of every line, plus _visit."""
    lines = world.lines
    n = len(lines["visit"])
    dos = ctx.start + (world.visits["day"][lines["visit"]] + lines["day"]).astype(
        "timedelta64[D]")
    lesion = pd.notna(lines["site"]) & ~ctx.err("lesion_fields_missing", n)
    ndc = np.where(ctx.err("ndc_missing", n), None, lines["ndc"])
    data = {
        "_visit": lines["visit"], "line": lines["line"], "cpt": lines["cpt"],
        **{col: lines[col] for col in MOD_SLOTS}, "units": lines["units"],
        "charge": line_charges(ctx, lines["cpt"], lines["units"], cms_dir),
        **{col: lines[col] for col in POINTER_SLOTS}, "date_of_service": dos,
        "lesion_count": np.where(lesion, lines["count"], np.nan),
        "lesion_site": np.where(lesion, lines["site"], None),
        "lesion_size_cm": np.where(lesion, lines["size_cm"], np.nan),
        "lesion_distinct_from_line": np.where(lesion & (lines["distinct_from"] > 0),
                                              lines["distinct_from"], np.nan),
        "lesion_laterality": np.where(lesion, lines["side"], None),
        "ndc": ndc, "drug_quantity": np.where(pd.notna(ndc), lines["qty"], None),
        "_true_cpt": lines["true_cpt"],
    }
    return frame(data)


def claims_frame(ctx: WorldCtx, world: World, matrix: np.ndarray,
                 docs: dict[str, np.ndarray]) -> pd.DataFrame:
    """Contract claim columns of every visit (ids and submission dates set later)."""
    visits, pats, hist = world.visits, ctx.patients, world.history
    n, patient = len(visits["day"]), visits["patient"]
    payer = pats.payer[patient]
    provider = fd.rendering_providers(ctx, world)
    verified, active = fd.eligibility(ctx, payer)
    pa_number, pa_codes = fd.prior_auths(ctx, world.lines, payer, n)
    lag = fd.sample_lags(ctx.rng, fd.lag_pmf(ctx.rate("late_submission")), n)
    last_day = visits["day"] + fd.last_line_day(world.lines, n)
    claims = frame({
        "_patient": patient, "_visit": np.arange(n), "_payer": payer, "_kind": visits["kind"],
        "_provider": provider, "_last_day": last_day, "_lag": lag,
        "payer_id": np.array(ctx.profile.payer_ids, dtype=object)[payer],
        "submission_date": ctx.start + (last_day + lag).astype("timedelta64[D]"),
        "place_of_service": fd.places_of_service(ctx, visits["telehealth"]),
        "member_id": pats.member_id[patient], "birth_date": pats.birth[patient],
        "sex": pats.sex[patient], "rendering_npi": ctx.providers.npi[provider],
        "credentialed_with_payer": fd.credential_flags(ctx, provider, payer, visits["day"]),
        "eligibility_verified": verified, "coverage_active": active,
        "prior_auth_number": pa_number, "prior_auth_cpt_codes": pa_codes,
        "referral_on_file": fd.referrals(ctx, payer),
        "cosmetic_intake": visits["cosmetic"] & ctx.chance(0.8, n),
        **{f"dx_{i + 1}": matrix[:, i] for i in range(MAX_DIAGNOSES)}, **docs,
        **{col: hist[col] for col in HISTORY_COLUMNS},
        "prior_denials_same_code": 0, "lines_billed_before": 0, "claim_frequency": "1",
        "original_claim_id": None,
        "subscriber_id": pats.subscriber_id[patient],
        "relationship": pats.relationship[patient],
        "hidden_relation": RELATION_NAMES[visits["relation"]],
        "hidden_lesion_ids": lesion_ids(world.lines, n),
    })
    claims["related_procedure_code"] = np.where(pd.notna(claims["related_global_days"]),
                                                claims["related_procedure_code"], None)
    return claims


def lesion_ids(lines: dict, n: int) -> np.ndarray:
    """Per visit: the chart's lesion number of each line, in line order (space-joined)."""
    text = lines["lesion"].astype(str).astype(object)
    out = np.full(n, "", dtype=object)
    visit = lines["visit"]
    starts = np.flatnonzero(np.r_[True, visit[1:] != visit[:-1]]) if len(visit) else []
    ends = np.r_[starts[1:], len(visit)] if len(visit) else []
    values = text.tolist()
    for s, e in zip(list(starts), list(ends)):
        out[visit[s]] = " ".join(values[s:e])
    return out


def sign_abns(ctx: WorldCtx, world: World, family: np.ndarray, symptoms: np.ndarray,
              medicare: np.ndarray) -> None:
    """GA on benign removals for Medicare patients without documented symptoms who signed
    an Advance Beneficiary Notice (they pay if Medicare finds it not necessary)."""
    lines = world.lines
    visit = lines["visit"]
    removal = isin(family, BENIGN_REMOVAL_FAMILIES) & ~world.visits["cosmetic"][visit]
    signed = removal & medicare[visit] & ~symptoms[visit] & ctx.chance(ABN_SHARE, len(visit))
    add_modifier(lines, signed, "GA")


def send_claims(ctx: WorldCtx, world: World, cms: CmsTables, cms_dir) -> ClaimFrames:
    """Code, document and submit the block's visits; claims of the window only."""
    visits, payer = world.visits, ctx.patients.payer[world.visits["patient"]]
    profile_payers = ctx.profile.payers
    wants_sides = np.array([p.anatomic_modifiers_required for p in profile_payers])[payer]
    medicare = np.array([p.archetype in MEDICARE_ARCHETYPES for p in profile_payers])[payer]
    code_modifiers(ctx, world, cms, wants_sides, medicare)
    n = len(visits["day"])
    matrix = code_diagnoses(ctx, world.lines, n)
    family, _ = line_facts(world.lines)
    docs = documentation(ctx, world, family)
    sign_abns(ctx, world, family, docs["doc_symptoms_documented"], medicare)
    claims = claims_frame(ctx, world, matrix, docs)
    lines = lines_frame(ctx, world, cms_dir)
    inside = visits["day"] >= 0
    claims = claims[inside].reset_index(drop=True)
    lines = lines[inside[lines["_visit"].to_numpy()]].reset_index(drop=True)
    return ClaimFrames(claims, lines)



