"""Claim-level feature columns: public rule-flag counts, context, dates, documentation,
front-desk facts and the patient's history at the practice.

Vectorised over all claims: line flags are summed per claim on the claim position, claim
fields are plain column arithmetic. Nothing here is payer specific and nothing assumes a
payer's limits (filing limit, caps): each payer's model learns them from its outcomes,
from the raw facts (days to submit, sessions this year, rendering provider, dates).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from contract.frames import ClaimFrames
from contract.typed import as_datetime, as_float, category_values, is_present
from features.lineindex import LineIndex, claim_dx_count, code_families
from features.sums import per_claim_max, sum_per_claim
from reference.families import (
    EM_NEW,
    EXCISION_FAMILIES,
    LESION_FAMILIES,
    MOHS_FIRST_STAGE,
    PHOTOTHERAPY_CODES,
    SIZE_CODED_FAMILIES,
)
from reference.vocab import DOCUMENTATION_FIELDS

FLAG_SUMS = (
    "em_needs_25", "em_has_25_with_proc", "ptp_unbypassed", "ptp_mi0", "ptp_bypass_59",
    "ptp_bypass_no_distinct", "ptp_any", "units_over_mue", "orphan_addon",
    "in_global_unmodified", "dx_conditional_only", "benign_lesion_no_symptoms",
    "cosmetic_dx", "pa_missing", "x_would_fit", "screening_only", "modifier_59_and_x",
    "ndc_missing", "per_session_units",
)
EPOCH = np.datetime64("2000-01-01", "D")
STEP_THERAPY_CODES = ("J3358", *PHOTOTHERAPY_CODES)
NECESSITY_CODES = (*MOHS_FIRST_STAGE, *STEP_THERAPY_CODES)
CATEGORICAL: tuple[str, ...] = (
    "payer_id", "place_of_service", "sex", "rendering_npi", "claim_frequency",
    "primary_code", "em_code", "dx1_class", "primary_dx_class")


def line_level_columns(frames: ClaimFrames, ix: LineIndex, flags: Mapping[str, Any]) -> dict:
    """Per-line indicator arrays whose per-claim sums become features."""
    cols: dict[str, np.ndarray] = {f: np.asarray(flags[f]) for f in FLAG_SUMS}
    unsupported = ~np.asarray(flags["dx_supported"])
    cols["dx_unsupported"] = unsupported
    cols["mue_over_mai2"] = np.asarray(flags["units_over_mue"]) & (
        np.asarray(flags["mue_mai"]) == 2)
    cols["n_lines"] = np.ones(ix.n_lines, dtype=bool)
    cols["total_units"] = ix.units
    cols["total_charge"] = as_float(frames.lines["charge"], 0.0)
    for fam in code_families():
        in_fam = ix.in_family(fam)
        cols[f"n_{fam}"] = in_fam
        if fam != "em":
            cols[f"dx_unsupported_{fam}"] = in_fam & unsupported
    cols["em_new_patient"] = ix.is_code(*EM_NEW)
    cols["n_sized_lines_no_size"] = (ix.in_family(*SIZE_CODED_FAMILIES)
                                     & ~is_present(frames.lines["lesion_size_cm"]))
    cols["n_lesions"] = as_float(frames.lines["lesion_count"], 0.0)
    cols["sessions_on_claim"] = ix.is_code(*PHOTOTHERAPY_CODES)
    cols["lines_with_laterality"] = is_present(frames.lines["lesion_laterality"])
    return cols


def line_aggregates(frames: ClaimFrames, ix: LineIndex, flags: Mapping[str, Any]) -> dict:
    """Rule flags and code-family mix summed per claim, plus per-claim maxima."""
    cols = sum_per_claim(ix, line_level_columns(frames, ix, flags))
    cols["mue_excess"] = per_claim_max(ix, np.asarray(flags["mue_excess"]))
    em_level = np.zeros(ix.n_lines)
    for level in range(1, 6):
        em_level[ix.is_code(f"9920{level}", f"9921{level}")] = level
    cols["em_level"] = per_claim_max(ix, em_level)
    cols["max_lesion_size_cm"] = per_claim_max(ix, as_float(frames.lines["lesion_size_cm"],
                                                            0.0))
    return cols


def _flag(series: Any) -> np.ndarray:
    """Nullable bool -> float (1, 0, NaN for unknown)."""
    return as_float(series)


def service_dates(frames: ClaimFrames, ix: LineIndex) -> tuple[np.ndarray, np.ndarray]:
    """First and last date of service of each claim (datetime64[ns], NaT without lines)."""
    first = np.full(ix.n_claims, np.datetime64("NaT"), dtype="datetime64[ns]")
    last = first.copy()
    dos = as_datetime(frames.lines["date_of_service"])
    valid = ix.claim_pos >= 0
    np.fmin.at(first, ix.claim_pos[valid], dos[valid])
    np.fmax.at(last, ix.claim_pos[valid], dos[valid])
    return first, last


def timing(frames: ClaimFrames, ix: LineIndex) -> dict[str, np.ndarray]:
    """Dates as numbers a tree can split on: the service day (a payer's quiet rule change
    is a split on it), month, submission lag (filing limits are learned from it), span."""
    first, last = service_dates(frames, ix)
    day = np.timedelta64(1, "D")
    sub = as_datetime(frames.claims["submission_date"])
    return {
        "service_day": (first.astype("datetime64[D]") - EPOCH) / day,
        "service_month": (first.astype("datetime64[M]").astype(np.int64) % 12 + 1).astype(
            np.float64),
        "days_to_submit": (sub - first) / day,
        "days_last_service_to_submit": (sub - last) / day,
        "service_span_days": (last - first) / day,
        "patient_age": (first - as_datetime(frames.claims["birth_date"])) / day / 365.25,
    }


def context(frames: ClaimFrames) -> dict[str, Any]:
    """Who and where: categorical context a coder cannot change."""
    c = frames.claims
    return {name: category_values(c[name]) for name in (
        "payer_id", "place_of_service", "sex", "rendering_npi", "claim_frequency")}


def front_desk(frames: ClaimFrames) -> dict[str, np.ndarray]:
    """Eligibility, credentialing, referral, prior auth and cosmetic intake facts."""
    c = frames.claims
    return {
        "eligibility_verified": _flag(c["eligibility_verified"]),
        "coverage_inactive": 1.0 - _flag(c["coverage_active"]),
        "not_credentialed": 1.0 - _flag(c["credentialed_with_payer"]),
        "referral_on_file": _flag(c["referral_on_file"]),
        "cosmetic_intake": _flag(c["cosmetic_intake"]),
        "has_prior_auth": is_present(c["prior_auth_number"]).astype(np.float64),
    }


def history(frames: ClaimFrames, ix: LineIndex, sessions: np.ndarray,
            em_new: np.ndarray) -> dict[str, np.ndarray]:
    """The patient's earlier claims at the practice (contract history block)."""
    c = frames.claims
    days = as_float(c["days_since_related_global_procedure"])
    glob = as_float(c["related_global_days"])
    earlier = as_float(c["sessions_this_year"])
    established = _flag(c["established_patient"])
    return {
        "days_since_global": days,
        "related_global_days": glob,
        "inside_global": ((glob > 0) & (days <= glob)).astype(np.float64),
        "sessions_this_year": earlier,
        "sessions_with_this_claim": np.where(np.isnan(earlier), np.nan, earlier + sessions),
        "established_patient": established,
        "new_patient_code_established": ((em_new > 0) & (established == 1.0)).astype(
            np.float64),
        "days_since_last_visit": as_float(c["days_since_last_visit"]),
        "prior_denials_same_code": as_float(c["prior_denials_same_code"]),
        **billed_again(c),
    }


def billed_again(c: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Lines the practice already billed for the patient on an earlier claim, and whether
    this claim is an original sent again (a payer denies the copy as a duplicate, CO-18;
    a replacement, frequency 7, is how a billed claim is changed). NaN when unknown."""
    billed = as_float(c["lines_billed_before"]) if "lines_billed_before" in c \
        else np.full(len(c), np.nan)
    frequency = np.asarray(c["claim_frequency"], dtype=object)
    original = ~np.isin(frequency, ["7", "8"])
    resent = np.where(np.isnan(billed), np.nan, ((billed > 0) & original).astype(np.float64))
    return {"lines_billed_before": billed, "resent_original": resent}


def claim_level_features(frames: ClaimFrames, ix: LineIndex, lines: dict) -> dict:
    """Claim fields: context, timing, front desk, documentation, history."""
    out: dict[str, Any] = context(frames)
    out.update(timing(frames, ix))
    out.update(front_desk(frames))
    out["n_diagnoses"] = claim_dx_count(frames, ix)
    for f in DOCUMENTATION_FIELDS:
        out[f"doc_{f}"] = _flag(frames.claims[f"doc_{f}"])
    out.update(documentation_gaps(frames, ix, out))
    out.update(history(frames, ix, lines["sessions_on_claim"], lines["em_new_patient"]))
    return out


def documentation_gaps(frames: ClaimFrames, ix: LineIndex, base: dict) -> dict[str, np.ndarray]:
    """Documentation a procedure family needs but the claim does not have (1.0 = gap).

    Which documents a family needs is public (LCDs, CPT descriptors, appropriate-use
    criteria); whether a payer asks for them is learned."""
    fam = ix.in_family
    needs = {  # gap feature -> (lines needing the documentation, documentation field)
        "em_25_no_separate_note": (ix.is_em & ix.has("25"), "separate_em_note"),
        "excision_no_margins": (fam(*EXCISION_FAMILIES), "margins_documented"),
        "malignant_no_pathology": (fam("excision_malignant", "destruction_malignant")
                                   | ix.is_code(*MOHS_FIRST_STAGE),
                                   "pathology_report_attached"),
        "size_code_no_size_doc": (fam(*SIZE_CODED_FAMILIES), "lesion_size_documented"),
        "lesion_no_site_doc": (fam(*LESION_FAMILIES), "lesion_site_documented"),
        "pa_family_no_prior_treatment": (ix.is_code(*STEP_THERAPY_CODES),
                                         "prior_treatment_failed"),
        "necessity_code_no_note": (ix.is_code(*NECESSITY_CODES), "medical_necessity_note"),
        "mohs_auc_unmet": (mohs_below_size_criteria(frames, ix), None),
    }
    counts = sum_per_claim(ix, {name: mask for name, (mask, _) in needs.items()})
    out = {}
    for name, (_, field) in needs.items():
        gap = counts[name] > 0
        if field is not None:
            gap &= base[f"doc_{field}"] != 1.0
        out[name] = gap.astype(np.float64)
    return out


def mohs_below_size_criteria(frames: ClaimFrames, ix: LineIndex) -> np.ndarray:
    """Mohs lines under the size criteria of appropriate-use policies (shared/domain §5,
    Anthem CG-SURG-90: >=20 mm trunk/extremities, >=10 mm scalp/neck)."""
    from features.encode import encode

    size = as_float(frames.lines["lesion_size_cm"], np.inf)
    site = frames.lines["lesion_site"]
    trunk = (encode(site, ("trunk", "arms", "legs")) >= 0) & (size < 2.0)
    scalp = (encode(site, ("scalp", "neck")) >= 0) & (size < 1.0)
    return ix.is_code(*MOHS_FIRST_STAGE) & (trunk | scalp)
