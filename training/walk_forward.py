"""`evaluate --walk-forward`: each test month scored by the model served at its start.

`train` serves the tested recipe refit on the whole history (training/refit.py): run at
the end of a month, it serves a model whose trees learned every month but the last, which
early-stopped and calibrated it. Retrained monthly, the service therefore scores month m
with the recipe fitted on the months before m-1 and validated on m-1: exactly what
run_training does with one test month on the history up to m, which never sees month m.
So walk-forward trains that once per test month (no tracking) and scores each month's
claims with its own models, tiered as the champions are (a payer served by the pooled
model stays so). A quiet rule change is then missed only until the first retrain after it,
where the tested model misses it for the whole test window.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from features.build import live_state
from settings import Settings
from training.bundle import ModelBundle
from training.data import POOLED, split_frames
from training.evaluate import SystemPreds, load_bundles, merge_preds, serving_tier
from training.pipeline import run_training
from training.split import subset_frames


def models_for_month(frames: ClaimFrames, months: pd.Series, month: pd.Period, cms: Any,
                     settings: Settings, folder: Path) -> dict[str, ModelBundle]:
    """The models a monthly retrain serves during `month`: run_training on the history up
    to it with `month` as its only test month (never fitted on), saved under `folder`."""
    history = subset_frames(frames, (months <= month).to_numpy())
    shutil.rmtree(folder, ignore_errors=True)  # no bundle of an earlier run stays
    run_training(history, cms, settings.model_copy(update={
        "test_months": 1, "models_dir": folder}), track=False)
    return load_bundles(folder)


def month_preds(frames: ClaimFrames, cms: Any, tiers: dict[str, str],
                bundles: dict[str, ModelBundle], rows: np.ndarray
                ) -> list[tuple[np.ndarray, SystemPreds]]:
    """Model predictions of the selected rows by the tier serving each payer. The models
    of one run share one feature state, and a claim's features are its own (serving
    builds them claim by claim): the matrix is built once, on the selected rows, with the
    providers' standing read from every outcome known before each claim's date (as the
    service reads it from the practice's history store)."""
    ref = bundles.get(POOLED) or next(iter(bundles.values()))
    live = replace(ref, state=live_state(ref.state, frames.claims))
    X = live.features(subset_frames(frames, rows), cms)
    pos = np.flatnonzero(rows)
    payer = frames.claims["payer_id"].astype(str).to_numpy()[pos]
    out = []
    for tier in sorted(set(tiers.values())):
        bundle = bundles[tier if tier in bundles else serving_tier(bundles, tier)]
        serve = np.isin(payer, [p for p, t in tiers.items() if t == tier])
        if serve.any():
            p = bundle.predict_proba(X[serve])
            out.append((pos[serve], SystemPreds(p, p, bundle.predict_reasons(X[serve]))))
    return out


def walk_forward_preds(frames: ClaimFrames, cms: Any, settings: Settings,
                       champions: dict[str, ModelBundle], folder: Path,
                       progress: Callable[[str], None] = lambda _: None) -> SystemPreds:
    """Model predictions of the test window, each month by its own monthly retrain
    (aligned with the test rows, as evaluate_frames' systems are)."""
    split = split_frames(frames, settings)
    test = split.test
    payer = frames.claims["payer_id"].astype(str).reset_index(drop=True)
    tiers = {p: serving_tier(champions, p) for p in sorted(payer[test].unique())}
    parts = []
    for month in sorted(split.months[test].unique()):
        progress(f"retraining as of {month}")
        bundles = models_for_month(frames, split.months, month, cms, settings,
                                   folder / str(month))
        rows = test & (split.months == month).to_numpy()
        parts += month_preds(frames, cms, tiers, bundles, rows)
    tpos = np.flatnonzero(test)
    return merge_preds([(np.searchsorted(tpos, pos), sp) for pos, sp in parts], len(tpos))
