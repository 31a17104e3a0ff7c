"""A payer's reason model learns from every payer's denials (training/train.py): its own
payer's count fully, the others at OTHER_PAYER_REASON_WEIGHT; the pooled model and the
dask engine (no sample weights) weigh every denial the same."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from training.train import OTHER_PAYER_REASON_WEIGHT, reason_rows, reason_weights


def data(weight=None) -> SimpleNamespace:
    payer = pd.Series(["MCR", "COA", "MCR", "COB", "COA"])
    train = np.array([True, True, True, True, False])
    return SimpleNamespace(payer=payer, split=SimpleNamespace(train=train), weight=weight)


def test_every_payers_training_rows_join_the_reason_rows():
    d = data()
    assert reason_rows(d).tolist() == [True, True, True, True, False]
    stale = data(weight=np.array([1.0, 0.0, 1.0, 1.0, 1.0]))  # a stale label stays out
    assert reason_rows(stale).tolist() == [True, False, True, True, False]


def test_own_denials_weigh_fully_others_less_pooled_and_dask_equal():
    d = data()
    rows = np.array([True, True, True, True, False])
    w = reason_weights(d, rows, "MCR", "payer")
    assert w.tolist() == [1.0, OTHER_PAYER_REASON_WEIGHT, 1.0, OTHER_PAYER_REASON_WEIGHT]
    assert reason_weights(d, rows, "pooled", "pooled") is None
    assert reason_weights(d, rows, "MCR", "payer", engine="dask") is None
    recency = data(weight=np.array([0.5, 1.0, 1.0, 1.0, 1.0]))
    assert reason_weights(recency, rows, "MCR", "payer")[0] == 0.5
