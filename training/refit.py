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
"""

from __future__ import annotations

import numpy as np

from training.bundle import ModelBundle
from training.split import TimeSplit


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
