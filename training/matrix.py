"""The model matrix: feature columns from features.build plus, when asked, the payer.

The pooled model serves several payers, so it needs the payer as a categorical feature;
when the feature state does not already carry `payer_id`, it is appended here with the
fixed contract payer levels (an unknown payer becomes a missing category, which LightGBM
routes like any unseen level).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from contract.frames import ClaimFrames, claims_to_frames
from reference.vocab import PAYERS

PAYER_COLUMN = "payer_id"


def as_frames(claims: ClaimFrames | Sequence[Any]) -> ClaimFrames:
    """ClaimFrames as given, or flattened from contract claims (dicts or Claim models)."""
    return claims if isinstance(claims, ClaimFrames) else claims_to_frames(list(claims))


def needs_payer_column(state: Any) -> bool:
    """True when the feature state does not already provide a payer feature."""
    return PAYER_COLUMN not in state.columns


def add_payer_column(X: pd.DataFrame, payer_ids: pd.Series) -> pd.DataFrame:
    """X with a `payer_id` category column (contract payer levels) appended."""
    payer = pd.Categorical(pd.Series(payer_ids).astype(object).to_numpy(), categories=PAYERS)
    return X.assign(**{PAYER_COLUMN: payer})


def model_matrix(frames: ClaimFrames, state: Any, cms: Any, payer_column: bool,
                 line_flags: dict[str, Any] | None = None) -> pd.DataFrame:
    """Feature matrix of `frames` under `state`, with the payer column when requested
    (`line_flags` receives the per-line rule flags, see features.build)."""
    from features.build import build_features

    X = build_features(frames, state, cms, line_flags)
    if payer_column and needs_payer_column(state):
        X = add_payer_column(X, frames.claims["payer_id"].reset_index(drop=True))
    return X
