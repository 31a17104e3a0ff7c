"""Ingest phase 1: read every X12 file once and spool its rows (in parallel when large).

Each file is read on its own (batches.py) into rows numbered from file_index x SEQ_STRIDE,
so the numbering (the read order ingest names and orders events by) is the same whether
files are read in this process or by worker processes. Workers are forked once, after the
reference tables are loaded, and only parse: this process appends every batch to the
spool, in file order, at most 2 x workers batches ahead, so memory stays at a few files.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from interop.x12.batches import ClaimBatch, RemitBatch, read_claim_batch, read_remit_batch
from interop.x12.ingest_report import IngestReport
from interop.x12.payer_map import PayerMap
from interop.x12.spool import PartitionSpool

SEQ_STRIDE = 10_000_000  # rows one file may hold
PARALLEL_BYTES = 16 * 2**20  # below this much X12, forking workers costs more than it saves
MAX_WORKERS = 4
Task = tuple[str, Path, int, PayerMap]


def read_file(task: Task) -> ClaimBatch | RemitBatch:
    """One file's batch (kind '837' or '835'); runs in a worker or in this process."""
    kind, path, index, payer_map = task
    first = index * SEQ_STRIDE
    return read_claim_batch(path, payer_map, first) if kind == "837" else read_remit_batch(
        path, first)


def default_workers(paths: list[Path]) -> int:
    """Reader processes: one per core (at most MAX_WORKERS) for large inputs, else none."""
    if sum(p.stat().st_size for p in paths) < PARALLEL_BYTES:
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


@contextmanager
def reader_pool(workers: int) -> Iterator[Executor | None]:
    """Forked reader processes (started now, before any progress-bar thread), or None."""
    if workers <= 1:
        yield None
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        pool.submit(int).result()  # forks every worker now
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


class Reading:
    """Spools batches and keeps what later phases need: invalid claim ids, REF*F8s."""

    def __init__(self, spool: PartitionSpool, report: IngestReport) -> None:
        self.spool, self.report = spool, report
        self.invalid: set[str] = set()
        self.references: set[str] = set()

    def absorb(self, batch: ClaimBatch | RemitBatch) -> int:
        """Spool one batch and count it; returns the records it held."""
        if isinstance(batch, ClaimBatch):
            return self.claims(batch)
        return self.remits(batch)

    def claims(self, batch: ClaimBatch) -> int:
        claims, lines = batch.frames.claims, batch.frames.lines
        self.spool.append("claims", claims, claims["clm01"])
        self.spool.append("lines", lines,
                          lines["claim_id"].map(claims.set_index("claim_id")["clm01"]))
        self.invalid.update(batch.invalid_ids)
        self.references.update(claims["f8"].dropna())
        self.report.add({"claim_files": 1, "claims_read": batch.results,
                         "claims_invalid": sum(batch.rejected.values()),
                         "dropped_drug_fields": batch.dropped_drug_fields,
                         "envelope_warnings": batch.envelope_warnings})
        for name in ("rejected", "unmapped_payers", "unknown_codes", "unknown_modifiers"):
            self.report.merge(name, getattr(batch, name))
        self.note(batch.messages)
        return batch.results

    def remits(self, batch: RemitBatch) -> int:
        self.spool.append("remits", batch.remits, batch.remits["clp01"])
        owner = pd.Series(batch.remits["clp01"].to_numpy(), index=batch.remits["rseq"])
        self.spool.append("services", batch.services, batch.services["rseq"].map(owner))
        self.report.add({"remit_files": 1, "remits_read": batch.read,
                         "remits_refused": batch.refused,
                         "envelope_warnings": batch.envelope_warnings})
        self.note(batch.messages)
        return batch.read

    def note(self, messages: list[str]) -> None:
        for message in messages:
            self.report.note(message)


def read_all(tasks: list[Task], reading: Reading, pool: Executor | None,
             tick: Callable[[str, int], None], ahead_limit: int = 2) -> None:
    """Read every task's file and absorb the batches in task order (at most ahead_limit
    files read ahead by the pool)."""
    if pool is None:
        for task in tasks:
            tick("read", reading.absorb(read_file(task)))
        return
    ahead: deque[Future] = deque()
    for task in tasks:
        ahead.append(pool.submit(read_file, task))
        if len(ahead) >= ahead_limit:
            tick("read", reading.absorb(ahead.popleft().result()))
    while ahead:
        tick("read", reading.absorb(ahead.popleft().result()))
