"""Flat, columnar form of contract claims: one claims frame and one lines frame.

Every layer meets here: the generator builds these frames directly (vectorised), the
service turns a JSON claim into them, and build_features reads only them. Nested JSON
fields become fixed columns (mod_1..mod_4, dxp_1..dxp_4, dx_1..dx_12, doc_<field>).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from contract.typed import (
    boolean_array,
    date_array,
    float_array,
    int32_array,
    string_array,
)
from reference.vocab import DOCUMENTATION_FIELDS, MAX_DIAGNOSES, MAX_DX_POINTERS, MAX_MODIFIERS

MOD_COLS = [f"mod_{i}" for i in range(1, MAX_MODIFIERS + 1)]
DXP_COLS = [f"dxp_{i}" for i in range(1, MAX_DX_POINTERS + 1)]
DX_COLS = [f"dx_{i}" for i in range(1, MAX_DIAGNOSES + 1)]
DOC_COLS = [f"doc_{f}" for f in DOCUMENTATION_FIELDS]

HISTORY_INT_COLS = ["days_since_related_global_procedure", "related_global_days",
                    "sessions_this_year", "days_since_last_visit", "prior_denials_same_code",
                    "lines_billed_before"]
CLAIM_BOOL_COLS = [
    "credentialed_with_payer", "eligibility_verified", "coverage_active",
    "referral_on_file", "cosmetic_intake", *DOC_COLS, "established_patient",
]
CLAIM_STR_COLS = [
    "claim_id", "payer_id", "place_of_service", "member_id", "sex", "rendering_npi",
    "prior_auth_number", "prior_auth_cpt_codes", *DX_COLS, "related_procedure_code",
    "claim_frequency", "original_claim_id",
]
CLAIM_DATE_COLS = ["submission_date", "birth_date"]
CLAIM_INT_COLS = HISTORY_INT_COLS
CLAIM_COLUMNS = [
    "claim_id", "payer_id", "submission_date", "place_of_service", "member_id", "birth_date",
    "sex", "rendering_npi", "credentialed_with_payer", "eligibility_verified",
    "coverage_active", "prior_auth_number", "prior_auth_cpt_codes", "referral_on_file",
    "cosmetic_intake", *DX_COLS, *DOC_COLS, "days_since_related_global_procedure",
    "related_global_days", "related_procedure_code", "sessions_this_year",
    "established_patient", "days_since_last_visit", "prior_denials_same_code",
    "lines_billed_before", "claim_frequency", "original_claim_id",
]
LINE_STR_COLS = ["claim_id", "cpt", *MOD_COLS, "lesion_site", "lesion_laterality", "ndc",
                 "drug_quantity"]
LINE_INT_COLS = ["line", "units", *DXP_COLS, "lesion_count", "lesion_distinct_from_line"]
LINE_COLUMNS = [
    "claim_id", "line", "cpt", *MOD_COLS, "units", "charge", *DXP_COLS, "date_of_service",
    "lesion_count", "lesion_site", "lesion_size_cm", "lesion_distinct_from_line",
    "lesion_laterality", "ndc", "drug_quantity",
]


@dataclass
class ClaimFrames:
    """Claims (one row per claim, plus any outcome columns) and their lines."""

    claims: pd.DataFrame
    lines: pd.DataFrame

    def __len__(self) -> int:
        return len(self.claims)


def coerce_claims(frame: pd.DataFrame) -> pd.DataFrame:
    """Give the contract columns of a claims frame their canonical dtypes."""
    out = frame.copy()
    for col in CLAIM_STR_COLS:
        out[col] = out[col].astype("string") if col in out else pd.Series(
            pd.NA, index=out.index, dtype="string")
    for col in CLAIM_BOOL_COLS:
        out[col] = out[col].astype("boolean") if col in out else pd.Series(
            pd.NA, index=out.index, dtype="boolean")
    for col in CLAIM_DATE_COLS:
        out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
    for col in CLAIM_INT_COLS:
        out[col] = pd.to_numeric(out[col]).astype("Int32") if col in out else pd.Series(
            pd.NA, index=out.index, dtype="Int32")
    out["prior_auth_cpt_codes"] = out["prior_auth_cpt_codes"].fillna("")
    out["claim_frequency"] = out["claim_frequency"].fillna("1")
    return out


def coerce_lines(frame: pd.DataFrame) -> pd.DataFrame:
    """Give the contract columns of a lines frame their canonical dtypes."""
    out = frame.copy()
    for col in LINE_STR_COLS:
        out[col] = out[col].astype("string") if col in out else pd.Series(
            pd.NA, index=out.index, dtype="string")
    for col in LINE_INT_COLS:
        out[col] = pd.to_numeric(out[col]).astype("Int32") if col in out else pd.Series(
            pd.NA, index=out.index, dtype="Int32")
    out["charge"] = out["charge"].astype("float64")
    out["lesion_size_cm"] = pd.to_numeric(out.get("lesion_size_cm")).astype("float64")
    out["date_of_service"] = pd.to_datetime(out["date_of_service"]).astype("datetime64[ns]")
    return out


def _pad(values: list[Any], width: int) -> list[Any]:
    return list(values[:width]) + [None] * (width - len(values[:width]))


def fields(value: Any) -> Mapping[str, Any]:
    """A contract object's fields as a mapping: a dict as it is, a pydantic model's own
    field dict (no model_dump copy: ~15 us a claim), {} for None."""
    if value is None:
        return {}
    return value if isinstance(value, dict) else value.__dict__


def _claim_values(c: Mapping[str, Any], claim_id: str) -> tuple[Any, ...]:
    """One claim's flat values in CLAIM_COLUMNS order (a tuple: rows are transposed into
    columns with zip, cheaper than a dict per row)."""
    patient, provider = fields(c.get("patient")), fields(c.get("provider"))
    elig, pa = fields(c.get("eligibility")), fields(c.get("prior_authorization"))
    doc, hist = fields(c.get("documentation")), fields(c.get("history"))
    return (
        claim_id, str(c["payer_id"]).upper(), c["submission_date"], c.get("place_of_service"),
        patient.get("member_id"), patient.get("birth_date"), patient.get("sex"),
        provider.get("rendering_npi"), provider.get("credentialed_with_payer"),
        elig.get("verified"), elig.get("coverage_active"),
        pa.get("number") if pa else None,
        " ".join(pa.get("cpt_codes") or []) if pa else "",
        c.get("referral_on_file"), c.get("cosmetic_intake"),
        *_pad(list(c.get("diagnoses") or []), MAX_DIAGNOSES),
        *[doc.get(f) for f in DOCUMENTATION_FIELDS],
        hist.get("days_since_related_global_procedure"), hist.get("related_global_days"),
        hist.get("related_procedure_code"), hist.get("sessions_this_year"),
        hist.get("established_patient"), hist.get("days_since_last_visit"),
        hist.get("prior_denials_same_code"), hist.get("lines_billed_before"),
        c.get("claim_frequency") or "1",
        c.get("original_claim_id"),
    )


def _line_values(ln: Mapping[str, Any], claim_id: str) -> tuple[Any, ...]:
    """One line's flat values in LINE_COLUMNS order."""
    lesion = fields(ln.get("lesion"))
    return (
        claim_id, ln["line"], ln["cpt"], *_pad(list(ln.get("modifiers") or []), MAX_MODIFIERS),
        ln["units"], ln["charge"], *_pad(list(ln.get("dx_pointers") or []), MAX_DX_POINTERS),
        ln["date_of_service"], lesion.get("count"), lesion.get("site"),
        lesion.get("size_cm"), lesion.get("distinct_from_line"), lesion.get("laterality"),
        ln.get("ndc"), ln.get("drug_quantity"),
    )


CLAIM_TYPES: dict[str, Callable[[Sequence[Any]], Any]] = {
    **{c: string_array for c in CLAIM_STR_COLS}, **{c: boolean_array for c in CLAIM_BOOL_COLS},
    **{c: date_array for c in CLAIM_DATE_COLS}, **{c: int32_array for c in CLAIM_INT_COLS},
}
LINE_TYPES: dict[str, Callable[[Sequence[Any]], Any]] = {
    **{c: string_array for c in LINE_STR_COLS}, **{c: int32_array for c in LINE_INT_COLS},
    "charge": float_array, "lesion_size_cm": float_array, "date_of_service": date_array,
}


def typed_frame(columns: Mapping[str, Sequence[Any]],
                types: Mapping[str, Callable[[Sequence[Any]], Any]]) -> pd.DataFrame:
    """Columns of Python values as a frame with the canonical dtypes (no astype pass)."""
    return pd.DataFrame({c: types[c](v) for c, v in columns.items()}, copy=False)


Columns = dict[str, tuple[Any, ...]]


def transpose(rows: list[tuple[Any, ...]], names: Sequence[str]) -> Columns:
    """Value tuples (one per row, in `names` order) as one tuple per column."""
    if not rows:
        return {name: () for name in names}
    return dict(zip(names, zip(*rows), strict=True))


def flatten_claims(claims: Iterable[Mapping[str, Any] | Any],
                   ids: Sequence[str] | None = None) -> tuple[Columns, Columns]:
    """Claim columns and line columns (CLAIM_COLUMNS / LINE_COLUMNS, Python values) of
    contract claims (dicts or pydantic Claim objects). `ids` replace the claims' own ids
    in both tables (the service uses positions: duplicate ids then cannot mix up lines).
    Payer ids are upper-cased, as routing reads them."""
    claims = [fields(c) for c in claims]
    ids = [c["claim_id"] for c in claims] if ids is None else ids
    claim_rows = [_claim_values(c, i) for c, i in zip(claims, ids, strict=True)]
    line_rows = [_line_values(fields(ln), i) for c, i in zip(claims, ids)
                 for ln in c["lines"]]
    return transpose(claim_rows, CLAIM_COLUMNS), transpose(line_rows, LINE_COLUMNS)


def claims_to_frames(claims: Iterable[Mapping[str, Any] | Any]) -> ClaimFrames:
    """Flatten contract claims (dicts or pydantic Claim objects) into ClaimFrames.

    Same dtypes as coerce_claims/coerce_lines give a data set read from parquet, built
    column by column from the values (the service reads the same columns as
    features/columns.py ColumnTables instead, without pandas)."""
    claim_columns, line_columns = flatten_claims(claims)
    return ClaimFrames(typed_frame(claim_columns, CLAIM_TYPES),
                       typed_frame(line_columns, LINE_TYPES))


def _none(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def frames_to_claims(frames: ClaimFrames) -> list[dict[str, Any]]:
    """Rebuild contract-shaped claim dicts from frames (for validation, JSON and X12 out)."""
    by_claim: dict[str, list[dict[str, Any]]] = {}
    for rec in frames.lines[LINE_COLUMNS].to_dict("records"):
        r = {k: _none(v) for k, v in rec.items()}
        lesion = None
        if r["lesion_count"] is not None:
            lesion = {"count": r["lesion_count"], "site": r["lesion_site"],
                      "size_cm": r["lesion_size_cm"],
                      "distinct_from_line": r["lesion_distinct_from_line"],
                      "laterality": r["lesion_laterality"]}
        by_claim.setdefault(r["claim_id"], []).append({
            "line": r["line"], "cpt": r["cpt"],
            "modifiers": [r[c] for c in MOD_COLS if r[c] is not None],
            "units": r["units"], "charge": r["charge"],
            "dx_pointers": [r[c] for c in DXP_COLS if r[c] is not None],
            "date_of_service": r["date_of_service"], "lesion": lesion,
            "ndc": r["ndc"], "drug_quantity": r["drug_quantity"],
        })
    return [_claim_dict(rec, by_claim.get(rec["claim_id"], []))
            for rec in frames.claims[CLAIM_COLUMNS].to_dict("records")]


def _claim_dict(rec: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    r = {k: _none(v) for k, v in rec.items()}
    pa = None
    if r["prior_auth_number"] is not None:
        pa = {"number": r["prior_auth_number"],
              "cpt_codes": [c for c in (r["prior_auth_cpt_codes"] or "").split() if c]}
    return {
        "claim_id": r["claim_id"], "payer_id": r["payer_id"],
        "submission_date": r["submission_date"], "place_of_service": r["place_of_service"],
        "patient": {"member_id": r["member_id"], "birth_date": r["birth_date"], "sex": r["sex"]},
        "provider": {"rendering_npi": r["rendering_npi"],
                     "credentialed_with_payer": r["credentialed_with_payer"]},
        "eligibility": {"verified": r["eligibility_verified"],
                        "coverage_active": r["coverage_active"]},
        "prior_authorization": pa, "referral_on_file": r["referral_on_file"],
        "cosmetic_intake": r["cosmetic_intake"],
        "diagnoses": [r[c] for c in DX_COLS if r[c] is not None],
        "lines": sorted(lines, key=lambda ln: ln["line"]),
        "documentation": {f: r[f"doc_{f}"] for f in DOCUMENTATION_FIELDS},
        "history": {"days_since_related_global_procedure":
                    r["days_since_related_global_procedure"],
                    "related_global_days": r["related_global_days"],
                    "related_procedure_code": r["related_procedure_code"],
                    "sessions_this_year": r["sessions_this_year"],
                    "established_patient": r["established_patient"],
                    "days_since_last_visit": r["days_since_last_visit"],
                    "prior_denials_same_code": r["prior_denials_same_code"],
                    "lines_billed_before": r["lines_billed_before"]},
        "claim_frequency": r["claim_frequency"] or "1",
        "original_claim_id": r["original_claim_id"],
    }
