"""Per-claim reductions of per-line arrays (np.bincount / ufunc.at on the claim position).

Lines whose claim is absent from the claims frame have claim position -1 and are skipped.
"""

from __future__ import annotations

import numpy as np

from features.lineindex import LineIndex


def sum_per_claim(ix: LineIndex, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Sum per-line arrays over each claim (float32 results).

    Boolean columns are mostly False, so only their True positions are counted (a pass
    over a few thousand indices instead of every line); numeric ones use weights."""
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


def per_claim_max(ix: LineIndex, values: np.ndarray, empty: float = 0.0) -> np.ndarray:
    """Largest value of each claim's lines (`empty` for a claim without lines)."""
    out = np.full(ix.n_claims, -np.inf)
    valid = ix.claim_pos >= 0
    np.maximum.at(out, ix.claim_pos[valid], np.asarray(values, dtype=np.float64)[valid])
    out[np.isinf(out)] = empty
    return out


def per_claim_first(ix: LineIndex, mask: np.ndarray, values: np.ndarray,
                    line_no: np.ndarray) -> np.ndarray:
    """Per claim, `values` at its lowest-numbered line where `mask` holds (by claim line
    number, so the order lines arrive in never matters); -1 when no line does."""
    out = np.full(ix.n_claims, -1.0)
    rows = np.flatnonzero(np.asarray(mask) & (ix.claim_pos >= 0))
    rows = rows[np.argsort(-np.asarray(line_no)[rows], kind="stable")]  # lowest line last
    out[ix.claim_pos[rows]] = np.asarray(values, dtype=np.float64)[rows]  # last write wins
    return out
