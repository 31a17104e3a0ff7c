"""Claim events beyond the first submission: duplicate submissions (the same claim sent
again while pending) and corrected claims (claim frequency 7, original_claim_id set) the
practice sends for a share of its denials, with its correction applied; and what the
practice's claim system knows of them (lines_billed_before).

Both are new events in the history; the original keeps its own outcome (shared/domain
§11: corrected and void claims are events, never overwrites).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from synthetic_data.world.context import WorldCtx
from synthetic_data.world.frontdesk import DUPLICATE_DELAY

REMIT_DAYS = (12, 31)  # submission -> 835 received
REWORK_DAYS = (3, 29)  # 835 received -> corrected claim sent


def copy_events(frames: ClaimFrames, rows: np.ndarray, next_key: int,
                submission: np.ndarray) -> ClaimFrames:
    """Copies of the claims at `rows` (positions) as new events with new keys and ids
    and the given submission dates; their lines follow."""
    claims = frames.claims.iloc[rows].copy()
    keys = np.arange(next_key, next_key + len(rows))
    old_ids = claims["claim_id"].to_numpy(dtype=object)
    new_ids = np.array([f"{i.split('-')[0]}-{k}" for i, k in zip(old_ids.tolist(),
                                                                 keys.tolist())],
                       dtype=object)
    claims["_key"] = keys
    claims["claim_id"] = new_ids
    claims["submission_date"] = submission
    mapping = pd.Series(new_ids, index=pd.Index(old_ids, dtype=object), dtype=object)
    lines = frames.lines[frames.lines["claim_id"].isin(old_ids)].copy()
    lines["claim_id"] = mapping.reindex(pd.Index(lines["claim_id"].to_numpy(dtype=object),
                                                 dtype=object)).to_numpy(dtype=object)
    return ClaimFrames(claims.reset_index(drop=True), lines.reset_index(drop=True))


def with_duplicates(ctx: WorldCtx, frames: ClaimFrames) -> ClaimFrames:
    """Append duplicate submissions of a few claims, 7-30 days after the first one."""
    n = len(frames.claims)
    dup = np.flatnonzero(ctx.err("duplicate", n))
    low, high = DUPLICATE_DELAY
    delay = ctx.rng.integers(low, high, len(dup)).astype("timedelta64[D]")
    submitted = frames.claims["submission_date"].to_numpy().astype("datetime64[D]")
    copies = copy_events(frames, dup, int(frames.claims["_key"].max()) + 1,
                         submitted[dup] + delay)
    copies.claims["_duplicate"] = True
    claims = pd.concat([frames.claims.assign(_duplicate=False), copies.claims],
                       ignore_index=True)
    return ClaimFrames(claims, pd.concat([frames.lines, copies.lines], ignore_index=True))


def correction_dates(ctx: WorldCtx, submitted: np.ndarray) -> np.ndarray:
    """When the corrected claims go out: after the remit comes back and is worked."""
    n = len(submitted)
    days = ctx.rng.integers(*REMIT_DAYS, n) + ctx.rng.integers(*REWORK_DAYS, n)
    return submitted.astype("datetime64[D]") + days.astype("timedelta64[D]")


def lines_billed_before(claims: pd.DataFrame, lines: pd.DataFrame) -> np.ndarray:
    """Per claim: its lines whose date of service and code the practice already billed for
    the patient on a claim it submitted on an earlier day (the claim system's record of
    what went out; a copy sent again or a replacement has them all)."""
    pos = pd.Index(claims["claim_id"].to_numpy(dtype=object), dtype=object).get_indexer(
        pd.Index(lines["claim_id"].to_numpy(dtype=object), dtype=object))
    sent = claims["submission_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    service = pd.DataFrame({
        "patient": claims["_patient"].to_numpy()[pos],
        "dos": lines["date_of_service"].to_numpy().astype("datetime64[D]").astype(np.int64),
        "cpt": pd.factorize(lines["cpt"].to_numpy(dtype=object))[0], "sent": sent[pos]})
    first = service.groupby(["patient", "dos", "cpt"])["sent"].transform("min")
    before = (first < service["sent"]).to_numpy()
    return np.bincount(pos[before], minlength=len(claims)).astype(np.int64)
