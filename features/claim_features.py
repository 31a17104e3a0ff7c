"""Claim-level feature columns: rule-flag aggregates, code mix, documentation, timing.

Vectorised over all claims: line flags are summed per claim with np.bincount on the
claim position, claim fields are plain column arithmetic. Nothing here is payer
specific: which payer enforces which rule is learned from data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from contract.frames import DX_COLS, ClaimFrames
from contract.typed import Column, as_datetime, as_float, category_values, is_present
from features.encode import encode
from features.lineindex import (
    LineIndex,
    claim_dx_codes,
    claim_dx_count,
    code_families,
    dx_mask,
)
from reference.codes import load_code_table
from reference.linkage import COSMETIC_DX, SCREENING_DX
from reference.vocab import DEFAULT_FILING_LIMIT_DAYS, DOCUMENTATION_FIELDS, PAYER_FILING_LIMIT_DAYS

FLAG_SUMS = (
    "em_needs_25", "em_has_25_with_proc", "ptp_unbypassed", "ptp_mi0", "ptp_bypass_59",
    "ptp_bypass_no_distinct", "ptp_any", "units_over_mue", "orphan_addon",
    "in_global_unmodified", "dx_conditional_only", "benign_lesion_no_symptoms",
    "cosmetic_dx", "pa_missing", "x_would_fit",
)
DESTRUCTION_FAMILIES = ("destruction_ak", "destruction_benign")
SIZE_FAMILIES = ("shave", "excision_benign", "excision_malignant", "destruction_malignant")


def sum_per_claim(ix: LineIndex, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Sum per-line arrays over each claim with np.bincount on the claim position.

    Boolean columns are mostly False, so only their True positions are counted (a pass
    over a few thousand indices instead of every line); numeric ones use weights.
    """
    valid = ix.claim_pos >= 0
    all_valid = bool(valid.all())
    pos = ix.claim_pos if all_valid else ix.claim_pos[valid]
    out: dict[str, np.ndarray] = {}
    for name, values in columns.items():
        values = np.asarray(values)
        values = values if all_valid else values[valid]
        if values.dtype.kind == "b":
            counts = np.bincount(pos[values], minlength=ix.n_claims)
        else:
            counts = np.bincount(pos, weights=values.astype(np.float64), minlength=ix.n_claims)
        out[name] = counts.astype(np.float32)
    return out


def _per_claim_max(ix: LineIndex, values: np.ndarray) -> np.ndarray:
    out = np.zeros(ix.n_claims)
    valid = ix.claim_pos >= 0
    np.maximum.at(out, ix.claim_pos[valid], values[valid].astype(np.float64))
    return out


def line_level_columns(frames: ClaimFrames, ix: LineIndex, flags: Mapping[str, Any]) -> dict:
    """Per-line indicator arrays whose per-claim sums become features."""
    cols: dict[str, np.ndarray] = {f: np.asarray(flags[f]) for f in FLAG_SUMS}
    unsupported = ~np.asarray(flags["dx_supported"])
    cols["dx_unsupported"] = unsupported
    over = np.asarray(flags["units_over_mue"])
    cols["mue_over_mai2"] = over & (np.asarray(flags["mue_mai"]) == 2)
    cols["has_59"] = ix.has("59")
    cols["has_x_modifier"] = ix.has_x
    cols["has_anatomic_modifier"] = ix.has_bypass & ~ix.has_x & ~ix.has("59")
    cols["n_lines"] = np.ones(ix.n_lines, dtype=bool)
    cols["total_units"] = ix.units
    cols["total_charge"] = as_float(frames.lines["charge"], 0.0)
    cols["unknown_codes"] = ix.code_idx == len(load_code_table().frame)
    for fam in code_families():
        in_fam = ix.in_family(fam)
        cols[f"n_{fam}"] = in_fam
        if fam != "em":
            cols[f"dx_unsupported_{fam}"] = in_fam & unsupported
    cols["em_new_patient"] = ix.is_code("99202", "99203", "99204", "99205")
    cols["n_sized_lines_no_size"] = (ix.in_family(*SIZE_FAMILIES)
                                     & ~is_present(frames.lines["lesion_size_cm"]))
    cols["_destruction"] = ix.in_family(*DESTRUCTION_FAMILIES)
    cols["n_lesions"] = as_float(frames.lines["lesion_count"], 0.0)
    return cols


def line_aggregates(frames: ClaimFrames, ix: LineIndex, flags: Mapping[str, Any]) -> dict:
    """Rule flags and code-family mix summed per claim."""
    cols = sum_per_claim(ix, line_level_columns(frames, ix, flags))
    destruction = cols.pop("_destruction") > 0
    cols["em_25_with_destruction"] = ((cols["em_has_25_with_proc"] > 0) & destruction).astype(
        np.float64)
    cols["mue_excess"] = _per_claim_max(ix, np.asarray(flags["mue_excess"]))
    em_level = np.zeros(ix.n_lines)
    for level in range(1, 6):
        em_level[ix.is_code(f"9920{level}", f"9921{level}")] = level
    cols["em_level"] = _per_claim_max(ix, em_level)
    size = as_float(frames.lines["lesion_size_cm"], 0.0)
    cols["max_lesion_size_cm"] = _per_claim_max(ix, size)
    return cols


def _any_dx(frames: ClaimFrames, ix: LineIndex, codes: tuple[str, ...],
            first_only: bool = False) -> np.ndarray:
    """1.0 where any of the claim's diagnoses (or only the first) is one of codes."""
    dx = claim_dx_codes(frames, ix)[:, :1 if first_only else len(DX_COLS)]
    return dx_mask(codes)[dx].any(axis=1).astype(np.float64)


def _flag(series: Column) -> np.ndarray:
    """Nullable bool -> float (1, 0, NaN for unknown)."""
    return as_float(series)


def filing_limits(payer_ids: Column) -> np.ndarray:
    """Each claim's payer filing limit in days (the default for an unknown payer)."""
    payers = tuple(PAYER_FILING_LIMIT_DAYS)
    limits = np.append(np.array([PAYER_FILING_LIMIT_DAYS[p] for p in payers], dtype=np.float64),
                       DEFAULT_FILING_LIMIT_DAYS)
    pos = encode(payer_ids, payers)
    return limits[np.where(pos < 0, len(payers), pos)]


def claim_level_features(frames: ClaimFrames, ix: LineIndex, flags: Mapping[str, Any]) -> dict:
    """Claim fields: timing, eligibility, documentation completeness, demographics."""
    c = frames.claims
    first_dos = np.full(ix.n_claims, np.datetime64("NaT"), dtype="datetime64[ns]")
    dos = as_datetime(frames.lines["date_of_service"])
    valid = ix.claim_pos >= 0
    np.fmin.at(first_dos, ix.claim_pos[valid], dos[valid])
    sub = as_datetime(c["submission_date"])
    days_to_submit = (sub - first_dos) / np.timedelta64(1, "D")
    limit = filing_limits(c["payer_id"])
    age = (first_dos - as_datetime(c["birth_date"])) / np.timedelta64(1, "D") / 365.25
    out = {
        "payer_id": category_values(c["payer_id"]),
        "place_of_service": category_values(c["place_of_service"]),
        "sex": category_values(c["sex"]),
        "patient_age": age,
        "days_to_submit": days_to_submit,
        "filing_limit_days": limit,
        "days_over_filing_limit": days_to_submit - limit,
        "past_filing_limit": (days_to_submit > limit).astype(np.float64),
        "eligibility_verified": _flag(c["eligibility_verified"]),
        "coverage_inactive": 1.0 - _flag(c["coverage_active"]),
        "not_credentialed": 1.0 - _flag(c["credentialed_with_payer"]),
        "referral_on_file": _flag(c["referral_on_file"]),
        "cosmetic_intake": _flag(c["cosmetic_intake"]),
        "has_prior_auth": is_present(c["prior_auth_number"]).astype(np.float64),
        "days_since_global": as_float(c["days_since_related_global_procedure"]),
        "related_global_days": as_float(c["related_global_days"]),
        "n_diagnoses": claim_dx_count(frames, ix),
        "screening_dx": _any_dx(frames, ix, SCREENING_DX),
        "screening_primary_dx": _any_dx(frames, ix, SCREENING_DX, first_only=True),
        "cosmetic_dx_on_claim": _any_dx(frames, ix, COSMETIC_DX),
    }
    for f in DOCUMENTATION_FIELDS:
        out[f"doc_{f}"] = _flag(c[f"doc_{f}"])
    out.update(documentation_gaps(frames, ix, out))
    return out


LESION_FAMILIES = (*SIZE_FAMILIES, "biopsy", "mohs", "destruction_ak", "destruction_benign",
                   "skin_tag")
STEP_THERAPY_CODES = ("J3358", "96900", "96910", "96912", "96913", "96920", "96921", "96922")
NECESSITY_CODES = ("17311", "17313", *STEP_THERAPY_CODES)


def documentation_gaps(frames: ClaimFrames, ix: LineIndex, base: dict) -> dict[str, np.ndarray]:
    """Documentation a procedure family needs but the claim does not have (1.0 = gap).

    The line masks are summed per claim in one sum_per_claim call."""
    fam = ix.in_family
    needs = {  # gap feature -> (lines needing the documentation, documentation field)
        "em_25_no_separate_note": (ix.is_em & ix.has("25"), "separate_em_note"),
        "excision_no_margins": (fam("excision_benign", "excision_malignant"),
                                "margins_documented"),
        "malignant_no_pathology": (fam("excision_malignant", "destruction_malignant")
                                   | ix.is_code("17311", "17313"), "pathology_report_attached"),
        "size_code_no_size_doc": (fam(*SIZE_FAMILIES), "lesion_size_documented"),
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
    size = as_float(frames.lines["lesion_size_cm"], np.inf)
    site = frames.lines["lesion_site"]
    trunk = (encode(site, ("trunk", "arms", "legs")) >= 0) & (size < 2.0)
    scalp = (encode(site, ("scalp", "neck")) >= 0) & (size < 1.0)
    return ix.in_family("mohs") & ~ix.is_code("17312", "17314", "17315") & (trunk | scalp)
