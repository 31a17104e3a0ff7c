"""Encounter synthesis of one chunk: headers -> encounters -> coded lines -> ClaimFrames.

No outcome is decided here (that is synthetic_data.adjudicate). Every step works on
whole columns; the only Python loops run over encounter types, modifier slots and line
offsets, never over claims.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from contract.frames import (
    CLAIM_COLUMNS,
    DX_COLS,
    DXP_COLS,
    LINE_COLUMNS,
    MOD_COLS,
    ClaimFrames,
    coerce_claims,
    coerce_lines,
)
from reference.cms import CmsTables
from synthetic_data import frontdesk as fd
from synthetic_data.codebook import line_charges
from synthetic_data.coding import (
    code_bypass_modifiers,
    code_modifier_25,
    slip_diagnosis_codes,
    slip_dx_pointers,
)
from synthetic_data.context import Ctx
from synthetic_data.documentation import cosmetic_visits, sample_documentation
from synthetic_data.encounters import build_encounters, sample_encounters, sample_history
from synthetic_data.lines import Lines, attach_diagnoses, order_lines
from synthetic_data.patients import sample_headers


def claim_ids(first: int, n: int, width: int) -> np.ndarray:
    """Unique claim ids C-0000001, C-0000002, ... (zero-padded to width digits)."""
    numbers = pd.Series(np.arange(first + 1, first + n + 1)).astype(str).str.zfill(width)
    return ("C-" + numbers).to_numpy(dtype=object)


def code_lines(ctx: Ctx, lines: Lines, n: int, cms: CmsTables) -> np.ndarray:
    """Modifiers, diagnosis slips and pointers on numbered lines; returns the dx matrix."""
    slip_diagnosis_codes(ctx, lines)
    code_modifier_25(ctx, lines)
    code_bypass_modifiers(ctx, lines, cms)
    matrix = attach_diagnoses(lines, n)
    slip_dx_pointers(ctx, lines, pd.notna(matrix).sum(axis=1))
    return matrix


def service_dates(ctx: Ctx, lines: Lines, dos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Line dates of service and claim submission dates (courses kept inside the range)."""
    claim, day = lines["claim"], lines["day"]
    span = np.zeros(len(dos), dtype=np.int64)
    np.maximum.at(span, claim, day)
    end = np.datetime64(ctx.config.end, "D")
    first = np.minimum(dos.astype("datetime64[D]"), end - span.astype("timedelta64[D]"))
    line_dos = first[claim] + day.astype("timedelta64[D]")
    lag = fd.submission_lag(ctx, len(dos)).astype("timedelta64[D]")
    return line_dos, first + span.astype("timedelta64[D]") + lag


def lines_frame(ctx: Ctx, lines: Lines, ids: np.ndarray, line_dos: np.ndarray) -> pd.DataFrame:
    """The contract lines frame (LINE_COLUMNS) of a chunk."""
    has_lesion = pd.notna(lines["site"])
    distinct = lines["distinct_from"]
    data = {
        "claim_id": ids[lines["claim"]], "line": lines["line"], "cpt": lines["cpt"],
        "units": lines["units"],
        "charge": line_charges(ctx.rng, lines["cpt"], lines["units"], ctx.config.cms_dir),
        "date_of_service": line_dos,
        "lesion_count": np.where(has_lesion, lines["count"], np.nan),
        "lesion_site": lines["site"],
        "lesion_size_cm": np.where(has_lesion, lines["size_cm"], np.nan),
        "lesion_distinct_from_line": np.where(has_lesion & (distinct > 0), distinct, np.nan),
    }
    data |= {col: lines[col] for col in MOD_COLS + DXP_COLS}
    return coerce_lines(pd.DataFrame(data).reindex(columns=LINE_COLUMNS))


def claims_frame(ctx: Ctx, headers: pd.DataFrame, lines: Lines, matrix: np.ndarray,
                 history: tuple[np.ndarray, np.ndarray]) -> pd.DataFrame:
    """The contract claims frame (CLAIM_COLUMNS) of a chunk, minus ids and dates."""
    n = len(headers)
    payer = headers["payer_idx"].to_numpy()
    out = pd.concat([
        headers[["payer_id", "place_of_service", "member_id", "birth_date", "sex",
                 "rendering_npi"]].reset_index(drop=True),
        fd.sample_eligibility(ctx, payer), fd.sample_prior_auth(ctx, lines, payer),
        pd.DataFrame(matrix, columns=DX_COLS), sample_documentation(ctx, lines, n),
    ], axis=1)
    out["credentialed_with_payer"] = fd.sample_credentialing(ctx, n)
    out["referral_on_file"] = fd.sample_referrals(ctx, payer)
    out["cosmetic_intake"] = fd.sample_cosmetic_intake(ctx, cosmetic_visits(lines, n))
    out["days_since_related_global_procedure"], out["related_global_days"] = history
    return out


def synthesize(ctx: Ctx, n: int, first_id: int, width: int, cms: CmsTables) -> ClaimFrames:
    """n claims (ids first_id+1 ...) with their lines, coded, documented, dated."""
    headers = sample_headers(ctx.rng, n, ctx.config.start, ctx.config.end)
    encounter = sample_encounters(ctx, headers["age_band"].to_numpy())
    history = sample_history(ctx, encounter)
    lines = order_lines(build_encounters(ctx, encounter, history[0] <= history[1]))
    matrix = code_lines(ctx, lines, n, cms)
    claims = claims_frame(ctx, headers, lines, matrix, history)
    line_dos, submitted = service_dates(ctx, lines, headers["dos"].to_numpy())
    ids = claim_ids(first_id, n, width)
    claims["claim_id"], claims["submission_date"] = ids, submitted
    return ClaimFrames(coerce_claims(claims.reindex(columns=CLAIM_COLUMNS)),
                       lines_frame(ctx, lines, ids, line_dos))
