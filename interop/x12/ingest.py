"""Learning from real history: a practice's 837P claims and 835 remits -> a data set.

`ingest` streams, with memory bounded by one file plus one partition:
1. read each file once (837P: contract claim events; 835: remit and service rows) and
   append its rows to an on-disk spool split into partitions by CLM01 = CLP01;
2. label each partition (assemble.py: events, remit matching, outcome columns) into
   staged data set rows, history store rows and cross-partition links;
3. build the history store (interop/history.py), then write the data set one partition at
   a time (pyarrow ParquetWriter row groups) with links resolved and history filled.
The data set folder holds claims.parquet and lines.parquet (contract columns and the
outcome columns of contract/outcome.py, no oracle columns), history/ (the store) and
ingest_report.json; it appears only when complete (written to a temporary sibling, then
renamed). Nothing is dropped silently: the report counts every refusal (ingest_report.py).
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from math import ceil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from contract.dataset import CLAIMS_FILE, COMPLETE_MARKER, LINES_FILE, DatasetError
from contract.frames import ClaimFrames
from interop.history import HistoryStore, fill_history, new_salt, outcome_rows
from interop.x12.assemble import assemble_partition
from interop.x12.ingest_report import IngestReport
from interop.x12.payer_map import load_payer_map
from interop.x12.progress import Tick, ticker
from interop.x12.reading import Reading, Task, default_workers, read_all, reader_pool
from interop.x12.spool import PartitionSpool
from interop.x12.templates import dataset_templates, spool_templates
from reference.codes import load_code_table
from reference.icd10 import check_icd10

PARTITION_BYTES = 48 * 2**20  # input X12 per partition (~60k claims of 837P + 835)
MAX_PARTITIONS = 256
HISTORY_DIR = "history"
REPORT_FILE = "ingest_report.json"


@contextmanager
def frozen_gc() -> Iterator[None]:
    """Keep the long-lived objects alive now (the ICD-10 code tree: ~100k objects, loaded
    here first) out of the garbage collector's passes while ingest allocates millions of
    short-lived ones: every full pass would walk the tree again (5x slower reading)."""
    check_icd10("L57.0")
    load_code_table()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def partition_count(paths: list[Path]) -> int:
    """Partitions for the inputs: one per PARTITION_BYTES of X12."""
    total = sum(Path(p).stat().st_size for p in paths)
    return max(1, min(MAX_PARTITIONS, ceil(total / PARTITION_BYTES)))


class DatasetWriter:
    """claims.parquet and lines.parquet written a row group at a time."""

    def __init__(self, folder: Path) -> None:
        templates = dataset_templates()
        self.schemas = {name: pa.Schema.from_pandas(t, preserve_index=False)
                        for name, t in templates.items()}
        self.writers = {name: pq.ParquetWriter(folder / file, self.schemas[name])
                        for name, file in (("claims", CLAIMS_FILE), ("lines", LINES_FILE))}
        self.claims = 0

    def write(self, frames: ClaimFrames) -> None:
        for name, frame in (("claims", frames.claims), ("lines", frames.lines)):
            table = pa.Table.from_pandas(frame[self.schemas[name].names],
                                         schema=self.schemas[name], preserve_index=False)
            self.writers[name].write_table(table)
        self.claims += len(frames.claims)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


def resolve_links(frames: ClaimFrames, links: dict[str, str]) -> ClaimFrames:
    """original_claim_id of replacements whose original was found in another partition."""
    if not links:
        return frames
    claims = frames.claims.copy()
    found = claims["claim_id"].map(links)
    claims["original_claim_id"] = claims["original_claim_id"].fillna(found)
    return ClaimFrames(claims, frames.lines)


def label_all(spool: PartitionSpool, state: Reading, report: IngestReport, salt: str,
              tick: Tick) -> tuple[HistoryStore, dict[str, str]]:
    """Phase 2: every partition labelled into the staging tables; the history store and
    the links that cross partitions."""
    parts, outcomes, owners, unresolved = [], [], {}, {}
    for p in range(spool.parts):
        out = assemble_partition(spool.read("claims", p), spool.read("lines", p),
                                 spool.read("remits", p), spool.read("services", p),
                                 report, state.invalid, state.references, salt)
        spool.append_to("out_claims", out.frames.claims, p)
        spool.append_to("out_lines", out.frames.lines, p)
        parts.append(out.store_rows)
        outcomes.append(outcome_rows(out.frames.claims))
        owners.update(out.owners)
        unresolved.update(out.unresolved)
        tick("label", 1)
    links = {event: owners[ref] for event, ref in unresolved.items() if ref in owners}
    report.events_linked += len(links)
    corrected = report.events_replacement + report.events_void
    report.events_unlinked = corrected - report.events_linked
    return HistoryStore.from_rows(parts, salt, outcomes), links


def write_all(spool: PartitionSpool, staging: Path, store: HistoryStore,
              links: dict[str, str], tick: Tick) -> int:
    """Phase 3: the data set, one row group per partition, links and history filled."""
    writer = DatasetWriter(staging)
    try:
        for p in range(spool.parts):
            frames = ClaimFrames(spool.read("out_claims", p), spool.read("out_lines", p))
            writer.write(fill_history(resolve_links(frames, links), store))
            tick("write", 1)
    finally:
        writer.close()
    return writer.claims


def run_phases(tasks: list[Task], staging: Path, report: IngestReport, pool: Executor | None,
               workers: int, tick: Tick) -> HistoryStore:
    """The three phases of the module docstring, into the staging folder."""
    spool = PartitionSpool(staging / ".spool", report.partitions,
                           {**spool_templates(), **{f"out_{k}": v for k, v in
                                                    dataset_templates().items()}})
    state = Reading(spool, report)
    try:
        read_all(tasks, state, pool, tick, ahead_limit=2 * workers)
        spool.finish()
        store, links = label_all(spool, state, report, new_salt(), tick)
        spool.finish()
        report.kept = write_all(spool, staging, store, links, tick)
    finally:
        spool.close()
    return store


def publish(staging: Path, out: Path) -> None:
    """Mark the staged data set complete and move it into place."""
    (staging / COMPLETE_MARKER).write_text("complete\n")
    if out.exists():
        shutil.rmtree(out) if out.is_dir() else out.unlink()
    os.replace(staging, out)


def ingest(claims_837: list[Path], remits_835: list[Path], out: Path,
           payer_map_path: Path | None = None, progress: bool = False,
           partitions: int | None = None, workers: int | None = None) -> IngestReport:
    """Join 837P claims with 835 remits and write the labelled data set folder `out`
    (workers: reader processes, default one per core for large inputs)."""
    started, out = time.perf_counter(), Path(out)
    paths = [Path(p) for p in [*claims_837, *remits_835]]
    report = IngestReport(out=str(out), partitions=partitions or partition_count(paths))
    payer_map = load_payer_map(payer_map_path)
    kinds = ["837"] * len(claims_837) + ["835"] * len(remits_835)
    tasks = [(k, p, i, payer_map) for i, (k, p) in enumerate(zip(kinds, paths))]
    workers = workers or default_workers(paths)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:
        raise DatasetError(f"cannot write data set to {out}: {exc.strerror or exc}") from exc
    try:
        with frozen_gc(), reader_pool(workers) as pool, ticker(progress, len(paths),
                                                               report.partitions) as tick:
            store = run_phases(tasks, staging, report, pool, workers, tick)
        store.save(staging / HISTORY_DIR)
        report.history_rows = len(store.rows)
        report.history_patients = int(store.rows["patient"].nunique())
        report.seconds = round(time.perf_counter() - started, 2)
        (staging / REPORT_FILE).write_text(json.dumps(report.to_dict(), indent=1) + "\n")
        publish(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report
