"""A claims data set read in bounded chunks for bulk scoring (pyarrow, no per-claim objects).

Input: a data set folder (contract/dataset.py: claims.parquet + lines.parquet + the
_COMPLETE marker), or the claims.parquet file of such a folder (its lines.parquet must sit
beside it). Only the contract columns are read; outcome and oracle columns are ignored.

Before any scoring, `open_source` reads the claim ids of both files (two string columns)
and checks the structure: every column the contract requires is present with a usable
type, claim ids are present and unique, every line belongs to a claim. It also finds
where each claim's lines are. When the lines are grouped by claim in claims order (as
write_dataset and the generator write them), chunks are read as consecutive pyarrow
batches of both files, so memory stays bounded by the chunk size; otherwise the lines
are loaded once and taken in claims order (correct, but the lines file is in memory).
Problems raise BulkInputError naming the file and the column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from contract.dataset import CLAIMS_FILE, COMPLETE_MARKER, LINES_FILE
from contract.frames import CLAIM_COLUMNS, LINE_COLUMNS
from serving.bulk_contract import KIND_OF
from serving.offline import OfflineInputError

# Columns whose contract field is required: a file without them cannot be scored at all.
REQUIRED_CLAIM_COLUMNS = ("claim_id", "payer_id", "submission_date", "place_of_service",
                          "member_id", "birth_date", "sex", "rendering_npi", "dx_1")
REQUIRED_LINE_COLUMNS = ("claim_id", "line", "cpt", "units", "charge", "dxp_1",
                         "date_of_service")
ARROW_KIND = {"string": (pa.types.is_string, pa.types.is_large_string),
              "boolean": (pa.types.is_boolean,), "integer": (pa.types.is_integer,),
              "number": (pa.types.is_integer, pa.types.is_floating),
              "date": (pa.types.is_timestamp, pa.types.is_date)}


class BulkInputError(OfflineInputError):
    """The bulk input is not a usable claims data set; the message names file and column."""


@dataclass(frozen=True)
class BulkSource:
    """Where a data set's claims and lines are, and how to read them in claims order."""

    claims: Path
    lines: Path
    n_claims: int
    claim_columns: list[str]
    line_columns: list[str]
    line_bounds: np.ndarray  # claim position -> first line row in claims order (n + 1)
    line_order: np.ndarray | None  # None: the file is already in claims order


def dataset_files(path: Path) -> tuple[Path, Path]:
    """(claims.parquet, lines.parquet) of a data set folder or of its claims file."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    if not path.exists():
        raise BulkInputError(f"input not found: {path}")
    if path.is_dir() and not (path / COMPLETE_MARKER).is_file():
        raise BulkInputError(f"{path} is not a complete data set (no {COMPLETE_MARKER} marker)")
    if path.is_file() and path.suffix != ".parquet":
        raise BulkInputError(f"{path}: Parquet output needs a data set folder or its "
                             f"{CLAIMS_FILE} as input (JSON lines go to a .jsonl output)")
    claims = path if path.is_file() else folder / CLAIMS_FILE
    lines = folder / LINES_FILE
    for f in (claims, lines):
        if not f.is_file():
            raise BulkInputError(f"{f} not found (a data set has {CLAIMS_FILE} and "
                                 f"{LINES_FILE} side by side)")
    return claims, lines


def read_schema(path: Path) -> pa.Schema:
    """The Arrow schema of a Parquet file (BulkInputError when it is not readable)."""
    try:
        return pq.read_schema(path)
    except (OSError, pa.ArrowException) as exc:
        raise BulkInputError(f"cannot read {path}: {exc}") from exc


def checked_columns(path: Path, wanted: list[str], required: tuple[str, ...]) -> list[str]:
    """The contract columns present in the file, after checking required ones and types."""
    schema = read_schema(path)
    missing = [c for c in required if c not in schema.names]
    if missing:
        raise BulkInputError(f"{path}: no column {missing[0]!r} (a required contract field)")
    present = [c for c in wanted if c in schema.names]
    for col in present:
        kind, arrow_type = KIND_OF.get(col, "string"), schema.field(col).type
        if not (pa.types.is_null(arrow_type) or any(f(arrow_type) for f in ARROW_KIND[kind])):
            raise BulkInputError(f"{path}: column {col!r} holds {kind_name(arrow_type)} "
                                 f"values ({arrow_type}), expected {kind}")
    return present


def kind_name(arrow_type: pa.DataType) -> str:
    """The contract kind an Arrow type holds (its own name when none fits)."""
    kinds = [k for k in ("string", "boolean", "integer", "number", "date")
             if any(f(arrow_type) for f in ARROW_KIND[k])]
    return kinds[0] if kinds else str(arrow_type)


def read_ids(path: Path) -> pa.Array:
    """The claim_id column of a file (BulkInputError naming a missing id)."""
    try:
        ids = pq.read_table(path, columns=["claim_id"]).column("claim_id").combine_chunks()
    except (OSError, pa.ArrowException) as exc:
        raise BulkInputError(f"cannot read {path}: {exc}") from exc
    if ids.null_count:
        row = int(np.flatnonzero(ids.is_null().to_numpy(zero_copy_only=False))[0])
        raise BulkInputError(f"{path}: claim_id is missing in row {row}")
    return ids


def index_in(values: pa.Array, value_set: pa.Array) -> np.ndarray:
    """Position of each value in value_set (first occurrence), -1 when absent."""
    found = pc.index_in(values, value_set=value_set.cast(values.type))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def line_positions(claim_ids: pa.Array, line_ids: pa.Array, claims: Path,
                   lines: Path) -> np.ndarray:
    """Position of each line's claim in claims.parquet; refuses duplicate claim ids and
    lines of unknown claims."""
    first = index_in(claim_ids, claim_ids)
    dup = np.flatnonzero(first != np.arange(len(first)))
    if len(dup):
        raise BulkInputError(f"{claims}: claim_id {claim_ids[int(dup[0])].as_py()!r} "
                             "appears more than once")
    pos = index_in(line_ids, claim_ids)
    orphan = np.flatnonzero(pos < 0)
    if len(orphan):
        raise BulkInputError(f"{lines}: claim_id {line_ids[int(orphan[0])].as_py()!r} of a "
                             f"line is not in {claims.name}")
    return pos


def open_source(path: Path) -> BulkSource:
    """Check a data set for bulk scoring and plan its chunked reading (module docstring)."""
    claims, lines = dataset_files(path)
    claim_columns = checked_columns(claims, CLAIM_COLUMNS, REQUIRED_CLAIM_COLUMNS)
    line_columns = checked_columns(lines, LINE_COLUMNS, REQUIRED_LINE_COLUMNS)
    claim_ids = read_ids(claims)
    pos = line_positions(claim_ids, read_ids(lines), claims, lines)
    ordered = bool(np.all(pos[1:] >= pos[:-1])) if len(pos) else True
    order = None if ordered else np.argsort(pos, kind="stable")
    sorted_pos = pos if order is None else pos[order]
    bounds = np.searchsorted(sorted_pos, np.arange(len(claim_ids) + 1))
    return BulkSource(claims, lines, len(claim_ids), claim_columns, line_columns,
                      bounds, order)


class RowReader:
    """The next n rows of a Parquet file, read as pyarrow batches (bounded memory)."""

    def __init__(self, path: Path, columns: list[str], batch_rows: int) -> None:
        source = pq.ParquetFile(path)
        self._schema = source.schema_arrow
        self._schema = pa.schema([self._schema.field(c) for c in columns])
        self._batches = source.iter_batches(batch_size=max(batch_rows, 1), columns=columns)
        self._buffer: list[pa.RecordBatch] = []
        self._buffered = 0

    def take(self, n: int) -> pa.Table:
        """The next n rows (fewer at the end of the file)."""
        while self._buffered < n:
            batch = next(self._batches, None)
            if batch is None:
                break
            self._buffer.append(batch)
            self._buffered += batch.num_rows
        table = pa.Table.from_batches(self._buffer, schema=self._schema)
        rest = table.slice(n)
        self._buffer, self._buffered = rest.to_batches(), rest.num_rows
        return table.slice(0, n)


class SortedLines:
    """Lines of a file not in claims order: read once, taken in claims order."""

    def __init__(self, source: BulkSource) -> None:
        self._table = pq.read_table(source.lines, columns=source.line_columns)
        self._order = source.line_order
        self._next = 0

    def take(self, n: int) -> pa.Table:
        rows = self._order[self._next:self._next + n]
        self._next += n
        return self._table.take(pa.array(rows))


def iter_tables(source: BulkSource, chunk_size: int) -> Iterator[tuple[pa.Table, pa.Table]]:
    """(claims, lines) Arrow tables of consecutive chunks of at most chunk_size claims,
    each chunk's lines grouped by claim in claims order."""
    claims = RowReader(source.claims, source.claim_columns, chunk_size)
    lines: RowReader | SortedLines = (
        RowReader(source.lines, source.line_columns, 2 * chunk_size)
        if source.line_order is None else SortedLines(source))
    for start in range(0, source.n_claims, chunk_size):
        stop = min(start + chunk_size, source.n_claims)
        n_lines = int(source.line_bounds[stop] - source.line_bounds[start])
        yield claims.take(stop - start), lines.take(n_lines)
