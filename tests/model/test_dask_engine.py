"""lightgbm.dask on a 2-worker LocalCluster reaches the local engine's AUC."""

from __future__ import annotations

import pytest

from training.distributed import dask_client, dask_fitter
from training.metrics import safe_auc
from training.train import local_fitter, train_binary

pytestmark = pytest.mark.slow


def test_dask_engine_within_001_auc_of_local(training_data, tmp_path, make_settings):
    d = training_data
    s = make_settings(tmp_path, max_rounds=200)
    tr, va, te = d.split.train, d.split.val, d.split.test
    local = train_binary(d.X[tr], d.denied[tr], d.X[va], d.denied[va], local_fitter(s), s)
    with dask_client(None) as client:
        dist = train_binary(d.X[tr], d.denied[tr], d.X[va], d.denied[va],
                            dask_fitter(client, s), s)
    auc_local = safe_auc(d.denied[te], local.predict(d.X[te]))
    auc_dask = safe_auc(d.denied[te], dist.predict(d.X[te]))
    assert abs(auc_local - auc_dask) < 0.01, (auc_local, auc_dask)
