"""`denialrisk score --engine dask`: the bulk path's chunks scored as partitions on Dask.

The driver reads the data set in chunks exactly as the local engine does (one pass,
bounded memory) and submits each chunk, an Arrow claims table with its lines, to the
cluster, where serving.bulk.score_tables (the very function the local engine runs)
scores it with the loaded models, sent to every worker once. Results come back in input
order and the driver writes them as row groups of the atomic Parquet output; at most
IN_FLIGHT_PER_WORKER chunks per worker are out at a time, so memory stays bounded.

Without a scheduler address the CLI starts a LocalCluster (training.distributed.
dask_client: 2 worker processes of 1 thread; Dask's nanny sets OMP_NUM_THREADS=1 in each,
so LightGBM does not oversubscribe the cores). A remote cluster needs the same code
installed on its workers; the models and claims travel with the tasks.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from serving.bulk import ChunkScorer, score_tables
from serving.scoring import Options, Predictor

IN_FLIGHT_PER_WORKER = 2


def worker_count(client: Any) -> int:
    """Workers of the cluster (at least 1)."""
    return max(len(client.scheduler_info().get("workers", {})), 1)


def dask_scorer(client: Any, predictor: Predictor, options: Options) -> ChunkScorer:
    """A ChunkScorer running score_tables per chunk on the cluster of `client`."""
    models = client.scatter(predictor, broadcast=True)
    limit = IN_FLIGHT_PER_WORKER * worker_count(client)

    def run(chunks: Iterator[tuple[pa.Table, pa.Table]]) -> Iterator[pa.Table]:
        pending: deque[Any] = deque()
        try:
            for claims, lines in chunks:
                data = client.scatter([claims, lines], hash=False)  # not in the graph
                pending.append(client.submit(score_tables, models, *data, options,
                                             pure=False))
                if len(pending) >= limit:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            if pending:
                client.cancel(list(pending))

    return run
