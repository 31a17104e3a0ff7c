"""Bulk scoring: a claims data set in, one Parquet row per claim out, columnar end to end.

`denialrisk score --input DATASET --output scores.parquet` comes here (a `.jsonl` output
keeps the JSON-lines path of serving/offline.py). The data set is read in chunks of
`chunk_size` claims (serving/bulk_input.py); each chunk is normalised and validated on
its columns (serving/bulk_contract.py), featurised once for all its claims
(features.build.compute_raw_columns, as the API's scoring path), routed as the API routes
(a payer's own champion, else the pooled model with fallback = true) and each model
scores its rows with one predict call per booster. Reasons are serving.scoring's: up to
3 categories by P(denied) x P(category | denied), above the same floor. With
explanations, pred_contrib runs per model in batches of EXPLAIN_BATCH rows and each claim
gets its top factors (serving.explain: same factors, same order, plus other_factors);
fixes and reason line numbers need the JSON-lines output.

Output columns (OUTPUT_COLUMNS; explained runs add base_value, factor_<k>_name,
factor_<k>_contribution and other_factors): an invalid claim keeps claim_id and payer_id,
its `error` names the field, and the score columns are null. Each chunk is one row group
of a temp file next to the output, renamed into place only when complete (a failed run
leaves no output; the temp file is removed).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from features.build import compute_raw_columns
from reference.vocab import CATEGORIES, CATEGORY_CARC
from serving.bulk_contract import checked_frames
from serving.bulk_input import BulkSource, iter_tables, open_source
from serving.bulk_scores import ModelScores, score_models
from serving.offline import OfflineOutputError
from serving.scoring import MAX_REASONS, MIN_REASON_PROBABILITY, Options, Predictor
from training.split import subset_frames

DEFAULT_CHUNK = 100_000
REASON_FIELDS = [f for k in range(1, MAX_REASONS + 1) for f in (
    pa.field(f"reason_{k}_category", pa.string()), pa.field(f"reason_{k}_carc", pa.string()),
    pa.field(f"reason_{k}_probability", pa.float64()))]
OUTPUT_FIELDS = [pa.field("claim_id", pa.string()), pa.field("payer_id", pa.string()),
                 pa.field("model_name", pa.string()), pa.field("model_version", pa.string()),
                 pa.field("fallback", pa.bool_()), pa.field("denial_probability", pa.float64()),
                 pa.field("risk_band", pa.string()), *REASON_FIELDS,
                 pa.field("error", pa.string())]
OUTPUT_COLUMNS = [f.name for f in OUTPUT_FIELDS]
CATEGORY_NAMES = np.array(CATEGORIES, dtype=object)
CARC_CODES = np.array([CATEGORY_CARC[c] for c in CATEGORIES], dtype=object)


@dataclass(frozen=True)
class BulkSummary:
    """What a bulk scoring run did (printed by the CLI)."""

    output: Path
    claims: int
    errors: int
    chunks: int
    seconds: float
    engine: str = "local"

    @property
    def claims_per_s(self) -> float:
        return self.claims / self.seconds if self.seconds else 0.0


def output_schema(options: Options) -> pa.Schema:
    """Columns of the output file (explanation columns only when explaining)."""
    fields = list(OUTPUT_FIELDS)
    if options.explain:
        fields += [pa.field("base_value", pa.float64())]
        for k in range(1, options.max_factors + 1):
            fields += [pa.field(f"factor_{k}_name", pa.string()),
                       pa.field(f"factor_{k}_contribution", pa.float64())]
        fields += [pa.field("other_factors", pa.float64())]
    return pa.schema(fields)


def reason_columns(p: np.ndarray, category_probs: np.ndarray) -> dict[str, np.ndarray]:
    """serving.scoring.top_reasons as flat columns (null past a claim's last reason)."""
    joint = p[:, None] * category_probs
    order = np.argsort(-joint, axis=1, kind="stable")[:, :MAX_REASONS]
    top = np.take_along_axis(joint, order, axis=1)
    keep = np.cumprod(top >= MIN_REASON_PROBABILITY, axis=1).astype(bool)
    out: dict[str, np.ndarray] = {}
    for k in range(order.shape[1]):
        shown = keep[:, k]
        out[f"reason_{k + 1}_category"] = np.where(shown, CATEGORY_NAMES[order[:, k]], None)
        out[f"reason_{k + 1}_carc"] = np.where(shown, CARC_CODES[order[:, k]], None)
        out[f"reason_{k + 1}_probability"] = np.where(shown, top[:, k], np.nan)
    return out


def column_array(values: np.ndarray | pa.ChunkedArray, field: pa.Field) -> pa.ChunkedArray:
    """One output column (NaN floats and None objects become nulls; Arrow input is cast)."""
    if isinstance(values, pa.ChunkedArray):
        return values.cast(field.type)
    if pa.types.is_floating(field.type):
        values = np.asarray(values, dtype=np.float64)
        return pa.array(values, type=field.type, mask=np.isnan(values))
    return pa.array(values, type=field.type, from_pandas=True)


def chunk_table(claims: pa.Table, errors: np.ndarray, scores: ModelScores,
                schema: pa.Schema) -> pa.Table:
    """The output rows of one chunk (claims order; ids as the normalised input has them)."""
    ids, payers = claims.column("claim_id"), claims.column("payer_id")
    columns = {"claim_id": ids, "payer_id": payers, "error": errors,
               "denial_probability": scores.p, **scores.columns,
               **reason_columns(scores.p, scores.categories)}
    n = claims.num_rows
    return pa.table([column_array(columns[f.name], f) if f.name in columns
                     else pa.nulls(n, f.type) for f in schema], schema=schema)


@dataclass
class PreparedChunk:
    """A chunk after validation and feature building, before the models score it."""

    ids: pa.Table  # claim_id, payer_id as in the (normalised) input
    errors: np.ndarray  # first contract error per claim, None when valid
    raw: dict[str, Any]  # raw feature columns of the valid claims
    payers: pd.Series  # payer ids of the valid claims


def prepare_chunk(predictor: Predictor, claims: pa.Table, lines: pa.Table) -> PreparedChunk:
    """Validate a chunk (Arrow claims + their lines in claims order) and build the raw
    feature columns of its valid claims (the model-independent part of scoring)."""
    frames, errors = checked_frames(claims, lines)
    valid = errors == None  # noqa: E711
    frames_ok = frames if valid.all() else subset_frames(frames, valid)
    ids = pa.table({c: pa.chunked_array([pa.array(frames.claims[c])])
                    for c in ("claim_id", "payer_id")})
    return PreparedChunk(ids, errors, compute_raw_columns(frames_ok, predictor.cms),
                         frames_ok.claims["payer_id"])


def finish_chunk(predictor: Predictor, chunk: PreparedChunk, options: Options) -> pa.Table:
    """The output rows of a prepared chunk: each model scores its claims."""
    scores = score_models(predictor.models, chunk.raw, chunk.payers, options)
    valid = chunk.errors == None  # noqa: E711
    return chunk_table(chunk.ids, chunk.errors, scores.expand(valid), output_schema(options))


def score_tables(predictor: Predictor, claims: pa.Table, lines: pa.Table,
                 options: Options) -> pa.Table:
    """Score one chunk (Arrow claims + their lines in claims order) into output rows.

    Pure function of its inputs: the Dask engine runs it per partition on the workers."""
    return finish_chunk(predictor, prepare_chunk(predictor, claims, lines), options)


ChunkScorer = Callable[[Iterator[tuple[pa.Table, pa.Table]]], Iterator[pa.Table]]


def local_scorer(predictor: Predictor, options: Options) -> ChunkScorer:
    """Chunks scored in this process, the next chunk read and prepared in a helper thread
    while the models score the current one (LightGBM releases the GIL: on 2 cores the
    preparation would otherwise leave one core idle)."""
    def run(chunks: Iterator[tuple[pa.Table, pa.Table]]) -> Iterator[pa.Table]:
        pending = iter(chunks)

        def next_prepared() -> PreparedChunk | None:
            chunk = next(pending, None)
            return None if chunk is None else prepare_chunk(predictor, *chunk)

        with ThreadPoolExecutor(1, thread_name_prefix="bulk-prepare") as pool:
            ahead = pool.submit(next_prepared)
            while (chunk := ahead.result()) is not None:
                ahead = pool.submit(next_prepared)
                yield finish_chunk(predictor, chunk, options)
    return run


def write_error(output: Path, exc: OSError) -> OfflineOutputError:
    """The error for a failed write of `output`, in the system's words (Arrow's OSErrors
    wrap them in their own text)."""
    reason = os.strerror(exc.errno) if exc.errno else str(exc)
    return OfflineOutputError(f"cannot write results to {output}: {reason}")


def write_parquet_atomic(output: Path, schema: pa.Schema, tables: Iterator[pa.Table],
                         on_table: Callable[[pa.Table], None] | None = None) -> None:
    """Write each table as a row group of a temp file, fsync, rename to `output`; on any
    failure the temp file is removed (OfflineOutputError names the path for OS errors)."""
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with pq.ParquetWriter(tmp, schema) as writer:
            for table in tables:
                writer.write_table(table)
                if on_table is not None:
                    on_table(table)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise write_error(output, exc) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def score_dataset(input_path: Path, output: Path, predictor: Predictor,
                  options: Options = Options(explain=False, fixes=False),
                  chunk_size: int = DEFAULT_CHUNK, scorer: ChunkScorer | None = None,
                  progress: Callable[[int], None] | None = None,
                  source: BulkSource | None = None, engine: str = "local") -> BulkSummary:
    """Score every claim of a data set into a Parquet file (module docstring).

    `scorer` runs the chunks (default: in this process; serving/bulk_dask.py: on a Dask
    cluster); `progress` is called with the claim count of each finished chunk."""
    start, output = time.perf_counter(), Path(output)
    source = source or open_source(Path(input_path))
    run = scorer or local_scorer(predictor, options)
    counts = {"claims": 0, "errors": 0, "chunks": 0}

    def finished(table: pa.Table) -> None:
        counts["claims"] += table.num_rows
        counts["errors"] += table.num_rows - table.column("error").null_count
        counts["chunks"] += 1
        if progress is not None:
            progress(table.num_rows)

    write_parquet_atomic(output, output_schema(options),
                         run(iter_tables(source, chunk_size)), finished)
    return BulkSummary(output, counts["claims"], counts["errors"], counts["chunks"],
                       time.perf_counter() - start, engine)


__all__ = ["BulkSummary", "DEFAULT_CHUNK", "OfflineOutputError", "score_dataset",
           "score_tables"]
