"""The payer's answer as outcome columns (contract/outcome.py): denied, the payer's CARC
(with group) and RARC as sent, our category, the denied line numbers, and the rule that
decided it (denial_rule: ground truth, never a feature)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic_data.adjudicate import Outcome
from synthetic_data.rules import REGISTRY
from synthetic_data.rules.view import ClaimView

RULE_IDS = np.array([r.id for r in REGISTRY] + [None], dtype=object)
CATEGORY = np.array([r.category for r in REGISTRY] + [None], dtype=object)
RARC = np.array([r.rarc for r in REGISTRY] + [None], dtype=object)


def carcs(view: ClaimView, reason: np.ndarray) -> np.ndarray:
    """The CARC each claim's payer sends for its reason rule (None when paid)."""
    out = np.full(view.n, None, dtype=object)
    for r in np.unique(reason[reason >= 0]):
        rule = REGISTRY[r]
        mask = reason == r
        out[mask] = [rule.carc_for(a) for a in view.archetype[mask].tolist()]
    return out


def denied_line_numbers(view: ClaimView, line_denied: np.ndarray) -> np.ndarray:
    """Space-joined numbers of each claim's denied lines ('' when paid)."""
    denied = line_denied[view.line_order]
    numbers = view.lines["line"].to_numpy(dtype=np.int64)
    pos = view.claim_pos[denied]
    nums = numbers[denied].astype(str)
    out = np.full(view.n, "", dtype=object)
    if not len(pos):
        return out
    starts = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]])
    ends = np.r_[starts[1:], len(pos)]
    values = nums.tolist()
    for s, e, claim in zip(starts.tolist(), ends.tolist(), pos[starts].tolist()):
        out[claim] = " ".join(values[s:e])
    return out


def outcome_columns(view: ClaimView, outcome: Outcome) -> dict[str, object]:
    """Claim outcome columns of one adjudicated batch (in view claim order)."""
    reason = outcome.reason
    idx = np.where(reason >= 0, reason, len(REGISTRY))
    return {
        "denied": reason >= 0,
        "denial_carc": pd.array(carcs(view, reason), dtype="string"),
        "denial_rarc": pd.array(np.where(reason >= 0, RARC[idx], None), dtype="string"),
        "denial_category": pd.array(CATEGORY[idx], dtype="string"),
        "denied_lines": pd.array(denied_line_numbers(view, outcome.line_denied),
                                 dtype="string"),
        "denial_rule": pd.array(RULE_IDS[idx], dtype="string"),
    }
