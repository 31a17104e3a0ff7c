"""Scale-out training with lightgbm.dask (DaskLGBMClassifier on a dask.distributed cluster).

lightgbm.dask has no reliable early stopping (workers would stop at different rounds), so
the cluster trains up to max_rounds and the round with the lowest validation log-loss
(staged, at `step` granularity) is chosen afterwards; the booster is truncated there.
The rest of the recipe (calibration, thresholds, reasons) is shared with the local engine
via the Fitter interface.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from settings import Settings
from training.train import Fitter, truncate

# The classifier infers objective/num_class from the labels; threads come from the workers.
CLASSIFIER_SETS = ("objective", "num_class", "num_threads")


@contextmanager
def dask_client(scheduler: str | None, n_workers: int = 2) -> Iterator[Any]:
    """A distributed Client on `scheduler`, or on a fresh LocalCluster when None."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def staged_logloss(booster: lgb.Booster, X: pd.DataFrame, y: np.ndarray,
                   step: int = 10) -> np.ndarray:
    """Validation log-loss after every `step` rounds (binary or multiclass softmax)."""
    total = booster.current_iteration()
    raw, losses = None, []
    for start in range(0, total, step):
        part = booster.predict(X, raw_score=True, start_iteration=start, num_iteration=step)
        raw = part if raw is None else raw + part
        losses.append(_logloss_from_raw(np.asarray(raw), y))
    return np.asarray(losses)


def _logloss_from_raw(raw: np.ndarray, y: np.ndarray) -> float:
    if raw.ndim == 1:
        return float(np.mean(np.logaddexp(0.0, raw) - y * raw))
    z = raw - raw.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-np.mean(logp[np.arange(len(y)), y.astype(int)]))


def best_rounds(booster: lgb.Booster, X: pd.DataFrame, y: np.ndarray, step: int = 10) -> int:
    """Round count with the lowest staged validation log-loss."""
    if len(y) == 0:
        return booster.current_iteration()
    losses = staged_logloss(booster, X, y, step)
    return min((int(np.argmin(losses)) + 1) * step, booster.current_iteration())


def to_dask(X: pd.DataFrame, y: np.ndarray, client: Any, partitions: int) -> tuple[Any, Any]:
    """Persisted dask frame/series pair with matching partitions, spread over workers."""
    import dask.dataframe as dd
    from distributed import wait

    frame = X.assign(__label__=np.asarray(y)).reset_index(drop=True)
    ddf = client.persist(dd.from_pandas(frame, npartitions=partitions))
    wait(ddf)
    client.rebalance(ddf)
    return ddf.drop(columns="__label__"), ddf["__label__"]


def dask_fitter(client: Any, settings: Settings) -> Fitter:
    """A Fitter training on the cluster with DaskLGBMClassifier."""
    from lightgbm.dask import DaskLGBMClassifier

    workers = max(len(client.scheduler_info().get("workers", {})), 1)

    def fit(params: dict, X_tr: pd.DataFrame, y_tr: np.ndarray,
            X_val: pd.DataFrame, y_val: np.ndarray) -> lgb.Booster:
        kwargs = {k: v for k, v in params.items() if k not in CLASSIFIER_SETS}
        dX, dy = to_dask(X_tr, y_tr, client, partitions=2 * workers)
        model = DaskLGBMClassifier(client=client, n_estimators=settings.max_rounds, **kwargs)
        with warnings.catch_warnings():  # threads are per worker; the notice is noise
            warnings.filterwarnings("ignore", message="Parameter n_jobs will be ignored")
            model.fit(dX, dy)
        booster = model.to_local().booster_
        return truncate(booster, best_rounds(booster, X_val, y_val))

    return fit
