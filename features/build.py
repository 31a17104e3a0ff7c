"""build_features: the one path from claims to model input (training, evaluation, serving).

Claims arrive as ClaimFrames (data sets) or as contract dicts / Claim objects (service,
offline scorer); both go through the same frames -> rule flags -> claim aggregates code.
The fitted FeatureState (column order, category levels, version) is saved with every
model so serving reproduces the training matrix exactly. build_features returns the
DataFrame training reads; build_matrix lays the very same raw columns straight into the
float matrix a model scores (the service's path: no DataFrame on a single claim).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from contract.columns import claims_to_columns
from contract.frames import ClaimFrames, claims_to_frames
from contract.typed import as_objects
from features.billing_rules import rule_flag_arrays
from features.checks import check_frames
from features.claim_features import CATEGORICAL, claim_level_features, line_aggregates
from features.encode import encode
from features.encodings import encodings
from features.lineindex import index_lines
from features.registry import CHECK_PREFIX, is_allowed_feature
from features.standing import (
    STANDING,
    credentialing_changes,
    live_changes,
    standing,
    with_standing,
)
from features.sums import sum_per_claim
from reference.cms import CmsTables

# 10: missing side modifiers whose side the pointed diagnosis names; 9: a side modifier
# missing is found from the diagnosis's side and site on a line with no lesion record
# (every 837P line); 8: lines billed before (duplicate submissions); the in-global flag
# only on E/M and 000/010/090 procedures; 7: E/M-25 beside injections and phototherapy
# (NCCI PTP); 6: urticaria and hidradenitis diagnosis classes (drug linkage); 5: NCCI
# pairs with curated non-derm codes; cosmetic resurfacing
FEATURE_VERSION = "10"
MIN_LEVEL_COUNT = 5  # a categorical level needs this many training claims to be learned


class FeatureVersionError(RuntimeError):
    """A model's feature state was built by a different feature version."""


class FeatureState(BaseModel):
    """What a model needs to rebuild its input: column order, category levels and each
    categorical's usual level.

    A level the model never learned (a rendering provider new to the practice, a rare
    place of service) or a missing one is read as the usual level (the most frequent in
    training), in training and serving alike: LightGBM would otherwise send it down every
    split's "not in this set" branch, an arbitrary path that scored a new provider's clean
    claim at 90%. States saved without `usual` keep reading such levels as missing.
    `credentialing`: the changes of providers' standing with payers learned from the
    training claims' remits (features/standing.py)."""

    version: str = FEATURE_VERSION
    columns: list[str]
    categorical: dict[str, list[str]]
    usual: dict[str, str] = Field(default_factory=dict)
    credentialing: list[tuple[str, str, int, int]] = Field(default_factory=list)

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
    lines = line_aggregates(frames, ix, flags)
    out = claim_level_features(frames, ix, lines)
    out.update(lines)
    out.update(encodings(frames, ix, flags))
    out.update(checker_counts(frames, cms, ix, line_flags))
    check_allowed(tuple(out))
    return out


def checker_counts(frames: ClaimFrames, cms: CmsTables, ix: Any,
                   line_flags: dict[str, Any] | None) -> dict[str, np.ndarray]:
    """Lines each coding-consistency rule fires on, per claim (features/checks: laterality,
    code vs site/size/count, global-period modifiers, 59/X, pointers, NDC); the per-line
    severities go to `line_flags` as check_<rule>. side_missing_dx_named counts the
    missing side modifiers whose side the pointed diagnosis names: what a payer's edit
    can see on the claim (a side known from the lesion record only, it cannot)."""
    evidence: dict[str, np.ndarray] = {}
    severities = check_frames(frames, cms, evidence)
    if line_flags is not None:
        line_flags.update({CHECK_PREFIX + rule: v for rule, v in severities.items()})
    columns = {CHECK_PREFIX + rule: v > 0 for rule, v in severities.items()}
    columns["side_missing_dx_named"] = (severities["side_modifier_missing"] > 0) \
        & evidence["dx_names_side"]
    return sum_per_claim(ix, columns)


@lru_cache(maxsize=16)
def check_allowed(columns: tuple[str, ...]) -> None:
    """Refuse outcome / oracle columns as features (cached: the same columns every call)."""
    bad = [c for c in columns if not is_allowed_feature(c)]
    if bad:
        raise ValueError(f"forbidden feature columns: {bad}")


def compute_raw_features(frames: ClaimFrames, cms: CmsTables) -> pd.DataFrame:
    """All feature columns as a DataFrame (categoricals still strings), for fitting/tests."""
    return pd.DataFrame(compute_raw_columns(frames, cms), index=frames.claims.index)


def fit_feature_state(frames: ClaimFrames, cms: CmsTables) -> FeatureState:
    """Fix the column order and category levels from training claims, and learn the
    providers' credentialing standing from their outcomes (when they carry them)."""
    raw = compute_raw_features(frames, cms)
    changes = credentialing_changes(frames.claims)
    raw[STANDING] = standing(raw, changes)
    levels = {c: frequent_levels(raw[c]) for c in CATEGORICAL}
    return FeatureState(columns=informative_columns(raw), categorical=levels,
                        usual={c: usual_level(raw[c]) for c in CATEGORICAL if levels[c]},
                        credentialing=changes)


def live_state(state: FeatureState, claims: pd.DataFrame) -> FeatureState:
    """The state with the providers' standing read from every outcome in `claims` (the
    practice's remits up to now: its history store, or a data set evaluated), not only
    from the training ones: a provider a payer enrolled after training reads "paid since"
    once that payment's remit is back, without a retrain (features/standing.py)."""
    return state.model_copy(update={
        "credentialing": live_changes(state.credentialing, claims)})


def stateful_columns(raw: Mapping[str, Any], state: FeatureState) -> Mapping[str, Any]:
    """The raw columns plus those the state itself computes (the providers' standing)."""
    return with_standing(raw, state.credentialing) if STANDING in state.columns else raw


def informative_columns(raw: pd.DataFrame) -> list[str]:
    """Columns worth a model's attention: every categorical, and numeric columns that
    vary on at least MIN_LEVEL_COUNT training claims (a code or modifier the practice
    never bills teaches nothing and costs training time; LightGBM bins every column).
    Missing is a value of its own: an 837P carries a referral (REF*9F) or nothing, so
    `referral_on_file` is 1 or missing there, and which claims lack it is what an HMO's
    referral denials turn on (LightGBM learns the missing branch)."""
    keep = []
    for name in raw.columns:
        values = raw[name]
        if name in CATEGORICAL:
            keep.append(name)
            continue
        numbers = values.to_numpy(dtype=np.float64)
        missing = np.isnan(numbers)
        finite = numbers[~missing]
        mode_count = np.unique(finite, return_counts=True)[1].max() if len(finite) else 0
        if len(numbers) - max(mode_count, int(missing.sum())) >= MIN_LEVEL_COUNT:
            keep.append(name)
    return keep

def usual_level(values: pd.Series) -> str:
    """The most frequent training level (ties: the first in sorted order)."""
    counts = values.dropna().astype(str).value_counts()
    return str(counts[counts == counts.max()].sort_index().index[0])


def frequent_levels(values: pd.Series) -> list[str]:
    """Sorted levels seen on at least MIN_LEVEL_COUNT training claims (rarer ones, like
    unseen ones, are read as missing: too few claims to learn a payer habit from)."""
    counts = values.dropna().astype(str).value_counts()
    return sorted(counts.index[counts >= MIN_LEVEL_COUNT].tolist())


def apply_state(raw: Mapping[str, Any], state: FeatureState, n_rows: int,
                index: pd.Index | None = None) -> pd.DataFrame:
    """Order columns as at training and encode categoricals with the training levels.

    Numeric columns are written into one float32 block (column-major, so each write is
    contiguous and pandas takes the block without a copy); the few categoricals are then
    inserted at their positions. One block instead of ~100 keeps small batches cheap."""
    state.check_version()
    raw = stateful_columns(raw, state)
    numeric = [c for c in state.columns if c not in state.categorical]
    block = np.empty((n_rows, len(numeric)), dtype=np.float32, order="F")
    for j, col in enumerate(numeric):
        block[:, j] = np.asarray(raw[col], dtype=np.float32) if col in raw else np.nan
    frame = pd.DataFrame(block, columns=numeric, index=index, copy=False)
    for pos, col in enumerate(state.columns):
        if col in state.categorical:
            frame.insert(pos, col, categorical(raw.get(col), state.categorical[col], n_rows,
                                               state.usual.get(col)))
    return frame


def categorical(values: Any, levels: list[str], n_rows: int,
                usual: str | None = None) -> pd.Categorical:
    """Values as a Categorical over the training levels (unseen or missing -> the usual
    level when the state has one, else NaN).

    Built from codes (a pyarrow lookup), not from the values: pandas' own Categorical
    constructor hashes every value in Python objects."""
    dtype = category_dtype(tuple(levels))
    return pd.Categorical.from_codes(level_codes(values, tuple(levels), n_rows,
                                                 usual_code(levels, usual)), dtype=dtype)


def usual_code(levels: Sequence[str], usual: str | None) -> int:
    """Code of the usual level among `levels` (-1: none)."""
    return list(levels).index(usual) if usual in levels else -1


def level_codes(values: Any, levels: tuple[str, ...], n_rows: int, usual: int) -> np.ndarray:
    """Level code of each value; unseen or missing values take code `usual` (-1: NaN)."""
    codes = np.full(n_rows, -1) if values is None else encode(values, levels)
    return np.where(codes < 0, usual, codes) if usual >= 0 else codes


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


@dataclass(frozen=True, eq=False)
class MatrixLayout:
    """Where each feature goes in a model's float64 input matrix (fixed per model).

    What LightGBM scores: numeric features as float32 values widened to float64 (the
    precision apply_state stores), categoricals as their level codes, NaN = missing."""

    width: int
    numeric: tuple[tuple[int, str], ...]  # (matrix column, feature)
    categorical: tuple[tuple[int, str, tuple[str, ...]], ...]  # (column, feature, levels)
    usual: Mapping[str, int] = field(default_factory=dict)  # feature -> usual level code

    @cached_property
    def numeric_positions(self) -> np.ndarray:
        """Matrix columns of the numeric features, in `numeric` order."""
        return np.array([j for j, _ in self.numeric], dtype=np.intp)

    @cached_property
    def numeric_column(self) -> dict[str, int]:
        """Numeric feature -> its matrix column."""
        return {name: j for j, name in self.numeric}


def matrix_layout(names: Sequence[str], columns: Sequence[str],
                  levels: Mapping[str, Sequence[str]],
                  usual: Mapping[str, str] | None = None) -> MatrixLayout:
    """Layout of a matrix with columns `names` (the booster's order), each one of the
    frame `columns`; those in `levels` are categorical, unseen levels read as `usual`
    (FeatureState.usual). KeyError on an unknown name."""
    known = set(columns)
    missing = [n for n in names if n not in known]
    if missing:
        raise KeyError(f"model features not built by the feature state: {missing}")
    numeric = tuple((j, n) for j, n in enumerate(names) if n not in levels)
    cats = tuple((j, n, tuple(levels[n])) for j, n in enumerate(names) if n in levels)
    codes = {n: usual_code(lv, (usual or {}).get(n)) for _, n, lv in cats}
    return MatrixLayout(len(names), numeric, cats, codes)


def fill_matrix(raw: Mapping[str, Any], layout: MatrixLayout, n_rows: int) -> np.ndarray:
    """The model matrix from raw feature columns: the values apply_state's DataFrame holds,
    converted as ModelBundle.matrix converts it, without building the DataFrame."""
    out = np.empty((n_rows, layout.width), dtype=np.float64)
    missing = np.full(n_rows, np.nan)
    numeric = [raw.get(col, missing) for _, col in layout.numeric]
    out[:, layout.numeric_positions] = np.array(numeric, dtype=np.float32).reshape(
        len(numeric), n_rows).T  # one float32 cast of every column, as apply_state's block
    for j, col, levels in layout.categorical:
        codes = level_codes(raw.get(col), levels, n_rows, layout.usual.get(col, -1))
        out[:, j] = np.where(codes < 0, np.nan, codes)
    return out


def build_matrix(
    claims: ClaimFrames | Sequence[Mapping[str, Any] | Any],
    state: FeatureState,
    cms: CmsTables,
    layout: MatrixLayout,
    line_flags: dict[str, Any] | None = None,
) -> np.ndarray:
    """build_features as the float matrix a model scores (the serving path): the same
    raw columns, laid out directly, with no DataFrame on the way (they cost more than
    the features on a single claim). Contract claims are read through ColumnTables."""
    state.check_version()
    frames = claims if isinstance(claims, ClaimFrames) else claims_to_columns(claims)
    raw = compute_raw_columns(frames, cms, line_flags)
    return fill_matrix(stateful_columns(raw, state), layout, len(frames.claims))
