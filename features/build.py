"""build_features: the one path from claims to model input (training, evaluation, serving).

Claims arrive as ClaimFrames (data sets) or as contract dicts / Claim objects (service,
offline scorer); both go through the same frames -> rule flags -> claim aggregates code.
The fitted FeatureState (column order, category levels, version) is saved with every
model so serving reproduces the training matrix exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from features.billing_rules import rule_flag_arrays
from features.claim_features import claim_level_features, line_aggregates
from features.cms import CmsTables
from features.encode import encode
from features.frames import ClaimFrames, claims_to_frames
from features.lineindex import index_lines
from features.registry import is_allowed_feature
from features.typed import as_objects

FEATURE_VERSION = "2"
CATEGORICAL: tuple[str, ...] = ("payer_id", "place_of_service", "sex")


class FeatureVersionError(RuntimeError):
    """A model's feature state was built by a different feature version."""


class FeatureState(BaseModel):
    """What a model needs to rebuild its input: column order and category levels."""

    version: str = FEATURE_VERSION
    columns: list[str]
    categorical: dict[str, list[str]]

    def check_version(self) -> None:
        """Refuse a state from another feature version (its columns would not match)."""
        if self.version != FEATURE_VERSION:
            raise FeatureVersionError(
                f"model was trained with feature version {self.version}; "
                f"this code builds feature version {FEATURE_VERSION}: retrain the model"
            )


def as_frames(claims: ClaimFrames | Sequence[Mapping[str, Any] | Any]) -> ClaimFrames:
    """Accept ClaimFrames as they are; flatten contract dicts / Claim objects."""
    if isinstance(claims, ClaimFrames):
        return claims
    return claims_to_frames(claims)


def compute_raw_columns(frames: ClaimFrames, cms: CmsTables,
                        line_flags: dict[str, Any] | None = None) -> dict[str, Any]:
    """All feature columns (arrays, claim order) before the state is applied.

    Kept as a dict of arrays so the model matrix is assembled once, in apply_state
    (every intermediate DataFrame costs a full copy of ~100 columns). When `line_flags`
    is given it receives the per-line rule flags the features were built from, so the
    service's explanations read the very flags the model saw (and skip a second pass)."""
    ix = index_lines(frames)
    flags = rule_flag_arrays(frames, cms, ix)
    if line_flags is not None:
        line_flags.update(flags)
    out = claim_level_features(frames, ix, flags)
    out.update(line_aggregates(frames, ix, flags))
    bad = [c for c in out if not is_allowed_feature(c)]
    if bad:
        raise ValueError(f"forbidden feature columns: {bad}")
    return out


def compute_raw_features(frames: ClaimFrames, cms: CmsTables) -> pd.DataFrame:
    """All feature columns as a DataFrame (categoricals still strings), for fitting/tests."""
    return pd.DataFrame(compute_raw_columns(frames, cms), index=frames.claims.index)


def fit_feature_state(frames: ClaimFrames, cms: CmsTables) -> FeatureState:
    """Fix the column order and category levels from training claims."""
    raw = compute_raw_features(frames, cms)
    levels = {c: sorted(raw[c].dropna().astype(str).unique().tolist()) for c in CATEGORICAL}
    return FeatureState(columns=list(raw.columns), categorical=levels)


def apply_state(raw: Mapping[str, Any], state: FeatureState, n_rows: int,
                index: pd.Index | None = None) -> pd.DataFrame:
    """Order columns as at training and encode categoricals with the training levels.

    Numeric columns are written into one float32 block (column-major, so each write is
    contiguous and pandas takes the block without a copy); the few categoricals are then
    inserted at their positions. One block instead of ~100 keeps small batches cheap."""
    state.check_version()
    numeric = [c for c in state.columns if c not in state.categorical]
    block = np.empty((n_rows, len(numeric)), dtype=np.float32, order="F")
    for j, col in enumerate(numeric):
        block[:, j] = np.asarray(raw[col], dtype=np.float32) if col in raw else np.nan
    frame = pd.DataFrame(block, columns=numeric, index=index, copy=False)
    for pos, col in enumerate(state.columns):
        if col in state.categorical:
            frame.insert(pos, col, categorical(raw.get(col), state.categorical[col], n_rows))
    return frame


def categorical(values: Any, levels: list[str], n_rows: int) -> pd.Categorical:
    """Values as a Categorical over the training levels (unseen or missing -> NaN).

    Built from codes (a pyarrow lookup), not from the values: pandas' own Categorical
    constructor hashes every value in Python objects."""
    dtype = category_dtype(tuple(levels))
    if values is None:
        return pd.Categorical.from_codes(np.full(n_rows, -1), dtype=dtype)
    return pd.Categorical.from_codes(encode(values, tuple(levels)), dtype=dtype)


@lru_cache(maxsize=64)
def category_dtype(levels: tuple[str, ...]) -> pd.CategoricalDtype:
    """The dtype of a categorical feature, built once per level set (it hashes levels)."""
    return pd.CategoricalDtype(list(levels))


def build_features(
    claims: ClaimFrames | Sequence[Mapping[str, Any] | Any],
    state: FeatureState,
    cms: CmsTables,
    line_flags: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Model input for claims: one row per claim (frames.claims order), state's columns.

    `line_flags`, when given, is filled with the per-line rule flags (see
    compute_raw_columns)."""
    frames = as_frames(claims)
    raw = compute_raw_columns(frames, cms, line_flags)
    index = pd.Index(as_objects(frames.claims["claim_id"]), name="claim_id")
    return apply_state(raw, state, len(frames.claims), index)
