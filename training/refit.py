"""The served model: the tested recipe refit on the whole history.

A model judged on the newest `test_months` was trained on claims that end a validation
month + the test window before the history does (about four months with the defaults).
Served that way, a payer's quiet rule change in the last months of the history would be
unknown to the service for months. So once the gate has promoted a model, `train` fits
the same recipe again with the split moved to the end of the history: the feature state
and the boosters learn from everything but the newest `val_months`, which early-stop,
calibrate and set the thresholds as before. The refit is what the BentoML store serves;
the tested bundle is kept beside it (store.HELDOUT_DIR) and MLflow registers it, so
`evaluate --champions`, `monitor` and the next run's gate judge a model on claims it has
not seen. Its test metrics travel with the refit (`heldout_window` says whose they are).
A refit is served only when it holds up against the tested model on the newest month
(refit_decision); otherwise the tested model is, and `train` says why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from contract.frames import ClaimFrames
from settings import Settings
from training.bundle import ModelBundle
from training.data import POOLED
from training.gate import GateDecision, gate_decision
from training.metrics import auc_gap, binary_metrics
from training.split import TimeSplit, subset_frames
from training.store import SERVED_DIR
from training.train import Fitter, TrainingData, model_rows, train_payer_model


def refit_split(split: TimeSplit) -> TimeSplit:
    """The split of the served refit: validation = the newest months (as many as the
    tested split's validation window spans), train = every month before; no test."""
    months = split.months
    val_months = (split.test_start - split.val_start).n
    val_start = months.max() - (val_months - 1)
    val = (months >= val_start).to_numpy()
    return TimeSplit(train=~val, val=val, test=np.zeros(len(months), dtype=bool),
                     months=months, val_start=val_start, test_start=months.max() + 1)


def served_copy(refit: ModelBundle, tested: ModelBundle) -> ModelBundle:
    """The refit bundle carrying the tested bundle's test metrics and MLflow version, with
    the training window those metrics belong to."""
    meta = tested.metadata
    refit.metadata = refit.metadata.model_copy(update={
        "test_metrics": meta.test_metrics, "model_version": meta.model_version,
        "heldout_window": meta.training_window})
    return refit


def refit_decision(refit: ModelBundle, tested: ModelBundle, data: TrainingData,
                   frames: ClaimFrames, cms: Any, settings: Settings, name: str,
                   kind: str) -> GateDecision:
    """The refit against the tested model on the newest month (the refit's validation;
    neither grew trees on it), by the champion gate's rule with the AUC margin widened by
    two paired-bootstrap standard errors (one month is a small sample): a refit that
    ranks clearly worse or is miscalibrated there (a thin or one-class newest month) is
    not served."""
    rows = model_rows(data, name, kind) & data.split.val
    y = data.denied[rows]
    p_new = refit.predict_proba(data.X[rows])
    p_old = tested.predict_proba(tested.features(subset_frames(frames, rows), cms))
    se = auc_gap(y, p_new, p_old)["se"]
    margin = round(settings.gate_max_auc_drop + (2 * se if np.isfinite(se) else 0.0), 4)
    return gate_decision(binary_metrics(y, p_new), binary_metrics(y, p_old), margin,
                         settings.gate_max_ece, "the tested model")


def refit_models(promoted: set[str], plan: dict[str, str],
                 tested: dict[str, ModelBundle], data: TrainingData, frames: ClaimFrames,
                 cms: Any, fit: Fitter, settings: Settings,
                 advance: Callable[[str], None]
                 ) -> tuple[dict[str, tuple[ModelBundle, Path]], dict[str, str]]:
    """Refit every promoted model's recipe on the whole history (`data`: refit_split; the
    pooled model too when a payer model warm-starts from it). A refit that passes
    refit_decision is saved to models_dir/<name>/served: returns name -> (refit, folder),
    and name -> why the tested model is served instead."""
    payer_refits = any(plan[n] == "payer" for n in promoted)  # they warm-start from pooled
    pooled, served, notes = None, {}, {}
    for name, kind in plan.items():
        if name not in promoted and not (kind == POOLED and payer_refits):
            continue
        advance(f"refitting {name} on the whole history")
        bundle = served_copy(train_payer_model(data, name, kind, fit, settings,
                                               settings.engine, pooled), tested[name])
        pooled = bundle if kind == POOLED else pooled
        if name not in promoted:
            continue
        check = refit_decision(bundle, tested[name], data, frames, cms, settings, name, kind)
        if check.promote:
            served[name] = (bundle, settings.models_dir / name / SERVED_DIR)
            bundle.save(served[name][1])
        else:
            notes[name] = f"the refit is not served (judged on the newest month): {check.reason}"
    return served, notes
