"""From a data set folder to TrainingData, and which models a training run builds.

The feature state is fitted on the training window only, so category levels and any
learned statistics never see validation or test claims.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from contract.dataset import read_dataset
from contract.frames import ClaimFrames
from reference.vocab import PAYERS
from settings import Settings
from training.matrix import model_matrix, needs_payer_column
from training.split import TimeSplit, claim_service_dates, subset_frames, time_split
from training.train import TrainingData

POOLED = "pooled"


class UnknownPayerError(ValueError):
    """A requested payer is neither a contract payer nor present in the data."""


def load_frames(path: Path) -> ClaimFrames:
    """Read a data set folder (contract.dataset.DatasetError names a missing one)."""
    return read_dataset(Path(path))


def split_frames(frames: ClaimFrames, settings: Settings) -> TimeSplit:
    """Time split of the data set by first date of service (see training.split)."""
    return time_split(claim_service_dates(frames), settings.test_months, settings.val_months)


def labels(frames: ClaimFrames) -> tuple[np.ndarray, pd.Series]:
    """Denied (0/1) and denial category (object, NaN when not denied) of each claim."""
    claims = frames.claims.reset_index(drop=True)
    denied = claims["denied"].astype(bool).to_numpy().astype(int)
    category = claims["denial_category"].astype(object).where(denied == 1)
    return denied, category.where(category.notna(), None)


def prepare_training_data(frames: ClaimFrames, cms: object, settings: Settings,
                          split: TimeSplit | None = None,
                          build: Callable[..., pd.DataFrame] = model_matrix) -> TrainingData:
    """Split by time, fit the feature state on the train window, build the whole matrix
    (`build`: model_matrix, or the dask engine's per-partition builder). Every row reads
    the providers' standing from all the outcomes known before its date, as the service
    reads it from the practice's history store (features.build.live_state): validation
    and test rows see an enrolment that happened after the train window."""
    from features.build import fit_feature_state, live_state

    split = split or split_frames(frames, settings)
    state = fit_feature_state(subset_frames(frames, split.train), cms)
    payer_column = needs_payer_column(state)
    X = build(frames, live_state(state, frames.claims), cms, payer_column)
    denied, category = labels(frames)
    payer = frames.claims["payer_id"].astype(object).reset_index(drop=True)
    return TrainingData(X, denied, category, payer, split, state, payer_column)


def known_payers(data_payers: pd.Series) -> list[str]:
    """Contract payers plus any other payer id present in the data."""
    extra = sorted(set(data_payers.dropna().unique()) - set(PAYERS))
    return [*PAYERS, *extra]


def min_claims_for_own_model(n_train: int, setting: int | None) -> int:
    """Training claims a payer needs for its own model: the setting, or (none) 1% of the
    training claims with a floor of 1,000: a 40k-claim practice's payers each get their
    own model, a 2% payer of a 300k data set too, a 20-claim payer never."""
    if setting is not None:
        return setting
    return max(1000, round(0.01 * n_train))


def plan_models(payer: pd.Series, train: np.ndarray, min_claims: int | None,
                requested: Sequence[str] | None = None, denied: np.ndarray | None = None,
                min_denials: int = 0) -> dict[str, str]:
    """Models to train, name -> kind ("payer" | "pooled"), pooled first.

    A payer gets its own model with enough training claims (min_claims_for_own_model)
    and at least `min_denials` denied ones (a model needs both classes to learn from);
    the pooled model is trained whenever it serves someone (a small payer, an unknown
    one, or by request) and is the baseline a new payer model is gated against.
    """
    counts = payer[train].value_counts()
    need = min_claims_for_own_model(int(train.sum()), min_claims)
    denials = (payer[train & (denied == 1)].value_counts() if denied is not None
               else counts)
    eligible = [p for p in known_payers(payer)
                if counts.get(p, 0) >= need and denials.get(p, 0) >= min_denials]
    names = list(requested) if requested else [*eligible, POOLED]
    allowed = {*known_payers(payer), POOLED}
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise UnknownPayerError(f"unknown payer {unknown[0]!r} (known: "
                                f"{', '.join(sorted(allowed))})")
    plan = {POOLED: "pooled"} if any(n not in eligible for n in names) else {}
    plan.update({n: "payer" for n in names if n in eligible})
    return plan
