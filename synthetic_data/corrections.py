"""Corrected claims: the practice works a share of its denials and resubmits them weeks
later with its correction (claim frequency 7, original_claim_id = the denied claim).

The correction is the denying rule's cure (synthetic_data/cures.py) most of the time;
sometimes the practice resubmits without fixing what was wrong. Denials nobody can fix
on the claim (timely filing, eligibility, enrolment, duplicates, the payer's own
errors, benefit maxima) are not corrected. The practice reacts to the world's outcome
(quiet rule changes on), so the claim events never depend on GeneratorConfig.drift.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from reference.cms import CmsTables
from synthetic_data.cures import CURES, cure, tidy
from synthetic_data.edits import renumber_lines
from synthetic_data.events import copy_events, correction_dates
from synthetic_data.rules import REGISTRY

CURABLE = np.array([r.curable and r.id in CURES for r in REGISTRY] + [False])
OUTCOME_PREFIXES = ("oracle_", "hidden_", "denied", "denial_", "line_denied")
WORLD_TRUTH = ("hidden_relation", "hidden_lesion_ids",  # facts of the chart and the
               "hidden_payer_days_since_related_global_procedure",  # payer's record:
               "hidden_payer_related_global_days", "hidden_payer_related_procedure_code",
               "hidden_payer_sessions_this_year")  # kept for the cures


def contract_only(frames: ClaimFrames) -> ClaimFrames:
    """The frames without outcome and truth columns (before re-adjudication)."""
    drop_c = [c for c in frames.claims if c.startswith(OUTCOME_PREFIXES)
              and c not in WORLD_TRUTH]
    drop_l = [c for c in frames.lines if c.startswith(OUTCOME_PREFIXES)]
    return ClaimFrames(frames.claims.drop(columns=drop_c), frames.lines.drop(columns=drop_l))


def correction_truth(frames: ClaimFrames, truth: pd.DataFrame) -> dict:
    """The chart facts the follow-up fixes read (lesion numbers), per claim of frames."""
    lesions = truth["hidden_lesion_ids"].reindex(frames.claims["claim_id"].to_numpy())
    return {"lesion_ids": lesions.to_numpy(dtype=object)}


def subset(frames: ClaimFrames, ids: np.ndarray) -> ClaimFrames:
    """The claims with these ids and their lines."""
    keep = pd.Index(ids, dtype=object)
    claim_ids = pd.Index(frames.claims["claim_id"].to_numpy(dtype=object), dtype=object)
    line_ids = pd.Index(frames.lines["claim_id"].to_numpy(dtype=object), dtype=object)
    return ClaimFrames(frames.claims[keep.get_indexer(claim_ids) >= 0],
                       frames.lines[keep.get_indexer(line_ids) >= 0])


def realigned_lesions(frames: ClaimFrames, old: pd.Series) -> np.ndarray:
    """hidden_lesion_ids of renumbered claims: each line keeps its lesion (added lines:
    -1, unknown)."""
    ids = dict(zip(frames.claims["claim_id"].tolist(),
                   frames.claims["hidden_lesion_ids"].fillna("").astype(str).tolist()))
    per_claim: dict[str, list[str]] = {}
    for claim, number in zip(frames.lines["claim_id"].tolist(), old.tolist()):
        values = ids.get(claim, "").split()
        per_claim.setdefault(claim, []).append(values[number - 1] if number <= len(values)
                                               else "-1")
    return np.array([" ".join(per_claim.get(c, [])) for c in frames.claims["claim_id"]],
                    dtype=object)


def corrected_claims(ctx, adjudicated, config, cms: CmsTables) -> ClaimFrames:
    """Frequency-7 claims for a share of the curable denials of the batch."""
    claims = adjudicated.frames.claims
    reason = adjudicated.world_reason
    original = (claims["claim_frequency"].to_numpy(dtype=object) == "1") & ~claims[
        "_duplicate"].to_numpy(dtype=bool)
    works = CURABLE[np.where(reason >= 0, reason, len(REGISTRY))] & original
    rows = np.flatnonzero(works & ctx.chance(ctx.rate("corrected_share"), len(claims)))
    submitted = claims["submission_date"].to_numpy().astype("datetime64[D]")[rows]
    copies = copy_events(adjudicated.frames, rows, int(claims["_key"].max()) + 1,
                         correction_dates(ctx, submitted))
    truth = copies.claims.set_index("claim_id")
    fixed = contract_only(copies)
    right = ctx.chance(ctx.rate("correction_right"), len(rows))
    ids = copies.claims["claim_id"].to_numpy(dtype=object)
    parts = [subset(fixed, ids[~right])]
    for r in np.unique(reason[rows]):
        chosen = ids[(reason[rows] == r) & right]
        if len(chosen):
            parts.append(cure(subset(fixed, chosen), truth, REGISTRY[r].id, ctx.profile,
                              config.cms_dir, drift=True, follow_up=False))
    fixed = ClaimFrames(pd.concat([p.claims for p in parts], ignore_index=True),
                        pd.concat([p.lines for p in parts], ignore_index=True))
    fixed = tidy(fixed, truth, correction_truth(fixed, truth), ctx.profile, cms, True)
    billed = fixed.claims["claim_id"].isin(fixed.lines["claim_id"])  # nothing left: not sent
    fixed, old = renumber_lines(ClaimFrames(fixed.claims[billed], fixed.lines))
    fixed.claims["hidden_lesion_ids"] = realigned_lesions(fixed, old)
    fixed.claims["claim_frequency"] = "7"
    origin = pd.Series(claims["claim_id"].to_numpy(dtype=object)[rows], index=ids)
    fixed.claims["original_claim_id"] = origin.reindex(
        fixed.claims["claim_id"].to_numpy(dtype=object)).to_numpy(dtype=object)
    fixed.claims["_duplicate"] = False
    return ClaimFrames(fixed.claims.reset_index(drop=True), fixed.lines.reset_index(drop=True))



