"""`train --engine dask` builds the training matrix per partition on the cluster: the
same matrix, bit for bit, as the local engine builds in one process."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from contract.frames import ClaimFrames
from training.dask_features import partition_frames
from training.data import prepare_training_data
from training.pipeline import engine_for

pytestmark = pytest.mark.slow


def test_partitions_hold_each_claim_with_its_lines(frames):
    head = frames.claims.iloc[:500]
    lines = frames.lines[frames.lines["claim_id"].isin(head["claim_id"])]
    shuffled = ClaimFrames(head, lines.sample(frac=1.0, random_state=1))
    parts = partition_frames(shuffled, 3)
    assert [len(p.claims) for p in parts] == [166, 167, 167]
    for part in parts:
        assert set(part.lines["claim_id"]) <= set(part.claims["claim_id"])
    assert sum(len(p.lines) for p in parts) == len(lines)
    assert pd.concat([p.claims for p in parts]).equals(head)


def test_dask_engine_matrix_equals_the_local_one(frames, cms, training_data, make_settings,
                                                 tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        settings = make_settings(tmp_path, engine="dask", scheduler=cluster.scheduler_address)
        with engine_for(settings) as (_, build):
            data = prepare_training_data(frames, cms, settings, build=build)
    assert build.__module__ == "training.dask_features"
    pd.testing.assert_frame_equal(data.X, training_data.X, check_exact=True)
    assert data.state == training_data.state
    np.testing.assert_array_equal(data.denied, training_data.denied)
