"""Partitioned on-disk spools: rows of a few tables split by a key into N partitions.

Ingest reads one file at a time and appends its rows here (Arrow IPC streams, lz4), so
memory holds one file's rows, not the history; later each partition (all rows whose key
hashes to it: a claim and its remits share CLM01 = CLP01) is read back alone. Every table
has a template frame that fixes its columns and dtypes, so an empty partition reads back
with the right schema.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc

IPC_OPTIONS = ipc.IpcWriteOptions(compression="lz4")


def partition_of(keys: pd.Series, parts: int) -> np.ndarray:
    """Partition number of each key (a stable hash: the same key always lands together)."""
    if parts == 1:
        return np.zeros(len(keys), dtype=np.int64)
    hashed = pd.util.hash_array(np.asarray(keys.astype(str), dtype=object))
    return (hashed % np.uint64(parts)).astype(np.int64)


class PartitionSpool:
    """Append-only partitioned tables in `folder` (removed by close)."""

    def __init__(self, folder: Path, parts: int, templates: dict[str, pd.DataFrame]) -> None:
        self.folder, self.parts = Path(folder), parts
        self.folder.mkdir(parents=True, exist_ok=True)
        self.templates = templates
        self.schemas = {name: pa.Schema.from_pandas(t, preserve_index=False)
                        for name, t in templates.items()}
        self.writers: dict[tuple[str, int], ipc.RecordBatchStreamWriter] = {}

    def path(self, name: str, part: int) -> Path:
        return self.folder / f"{name}-{part:04d}.arrows"

    def append(self, name: str, frame: pd.DataFrame, keys: pd.Series) -> None:
        """Add rows of table `name`, each to the partition of its key."""
        if frame.empty:
            return
        frame = frame.reset_index(drop=True)
        where = partition_of(keys.reset_index(drop=True), self.parts)
        for part in np.unique(where):
            self.append_to(name, frame[where == part] if self.parts > 1 else frame, int(part))

    def append_to(self, name: str, frame: pd.DataFrame, part: int) -> None:
        """Add rows of table `name` to partition `part`."""
        if frame.empty:
            return
        table = pa.Table.from_pandas(frame[list(self.templates[name].columns)],
                                     schema=self.schemas[name], preserve_index=False)
        self.writer(name, part).write_table(table)

    def writer(self, name: str, part: int) -> ipc.RecordBatchStreamWriter:
        key = (name, part)
        if key not in self.writers:
            self.writers[key] = ipc.new_stream(str(self.path(name, part)), self.schemas[name],
                                               options=IPC_OPTIONS)
        return self.writers[key]

    def finish(self) -> None:
        """Close every open writer (reading needs complete streams)."""
        for writer in self.writers.values():
            writer.close()
        self.writers.clear()

    def read(self, name: str, part: int) -> pd.DataFrame:
        """All rows of table `name` in partition `part`, in append order."""
        path = self.path(name, part)
        if not path.is_file():
            return self.templates[name].copy()
        with ipc.open_stream(str(path)) as reader:
            return reader.read_all().to_pandas()

    def close(self) -> None:
        """Close writers and delete the spool folder."""
        self.finish()
        shutil.rmtree(self.folder, ignore_errors=True)
