"""`train --engine dask`: the training matrix built per partition on the Dask cluster.

The local engine builds the whole data set's model matrix in one process
(training.matrix.model_matrix). The dask engine splits the claims into row partitions,
joins each partition's lines (by claim position: a slice when the lines are grouped in
claims order, as data sets are written), and runs the same model_matrix per partition on
the workers, with the FeatureState fitted on the train window (the state is fitted on
the driver, as locally, so both engines use the identical state). Features are
per claim, so the concatenated partitions equal the local matrix exactly
(tests/model/test_dask_features.py). The matrix is then collected on the driver, where
the split masks, calibration and tests read it, and lightgbm.dask trains on the cluster
(training/distributed.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from features.encode import group_positions
from training.matrix import model_matrix

MatrixBuilder = Callable[[ClaimFrames, Any, Any, bool], pd.DataFrame]
CLAIMS_PER_PARTITION = 100_000


def partition_frames(frames: ClaimFrames, n_parts: int) -> list[ClaimFrames]:
    """Claims in `n_parts` consecutive row ranges, each with its own lines."""
    claims, lines = frames.claims, frames.lines
    pos = group_positions(lines["claim_id"], claims["claim_id"])
    order = np.argsort(pos, kind="stable")
    bounds = np.linspace(0, len(claims), max(n_parts, 1) + 1).astype(int)
    line_bounds = np.searchsorted(pos[order], bounds)
    return [ClaimFrames(claims.iloc[a:b], lines.iloc[order[la:lb]])
            for a, b, la, lb in zip(bounds[:-1], bounds[1:], line_bounds[:-1],
                                    line_bounds[1:])]


def partition_count(n_claims: int, workers: int) -> int:
    """Two partitions per worker, more for big data sets (~CLAIMS_PER_PARTITION each)."""
    return max(2 * workers, -(-n_claims // CLAIMS_PER_PARTITION), 1)


def dask_matrix_builder(client: Any) -> MatrixBuilder:
    """A model_matrix that builds the partitions' matrices on the cluster of `client`."""

    def build(frames: ClaimFrames, state: Any, cms: Any, payer_column: bool) -> pd.DataFrame:
        workers = max(len(client.scheduler_info().get("workers", {})), 1)
        parts = partition_frames(frames, partition_count(len(frames.claims), workers))
        shared = client.scatter(cms, broadcast=True)
        futures = [client.submit(model_matrix, client.scatter(part, hash=False), state, shared,
                                 payer_column, pure=False) for part in parts]
        try:
            return pd.concat(client.gather(futures))
        finally:
            client.cancel(futures)

    return build
