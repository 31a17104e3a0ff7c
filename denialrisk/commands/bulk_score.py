"""`denialrisk score --output FILE.parquet`: the bulk path (serving/bulk.py) with a progress
bar, run in this process or per partition on a Dask cluster (--engine dask)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from denialrisk.commands.common import fail
from settings import Settings


@contextmanager
def engine_scorer(s: Settings, predictor: Any, options: Any) -> Iterator[Any]:
    """None (score in this process) or a Dask ChunkScorer on `s.scheduler`, or on a new
    LocalCluster when no scheduler is given; the cluster lives while it is used."""
    if s.engine != "dask":
        yield None
        return
    from serving.bulk_dask import dask_scorer
    from training.distributed import dask_client

    with dask_client(s.scheduler) as client:
        yield dask_scorer(client, predictor, options)


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr over `total` claims; yields the advance callback."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("scoring"), BarColumn(), TextColumn("{task.completed:,}/"
               "{task.total:,} claims"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("score", total=total)
        yield lambda n: bar.advance(task, n)


def bulk_score(input_path: Path | None, x12: Path | None, output: Path, s: Settings,
               explain: bool, chunk_size: int | None) -> None:
    """Score a data set into a Parquet file and print the summary (one-line errors,
    exit 2, for bad input, models or output)."""
    from serving.bulk import DEFAULT_CHUNK, score_dataset
    from serving.bulk_input import open_source
    from serving.modelset import ModelLoadError
    from serving.offline import OfflineInputError, OfflineOutputError
    from serving.scoring import Options, load_predictor
    from training.bundle import BundleError

    if s.engine not in ("local", "dask"):
        fail(f"unknown engine {s.engine!r} (use local or dask)")
    if input_path is None:
        fail(f"Parquet output needs a data set --input, not --x12 {x12} (use a .jsonl output)")
    options = Options(explain=explain, fixes=False, max_factors=s.max_factors)
    try:
        source = open_source(input_path)
        predictor = load_predictor(s.bentoml_home, s.cms_dir)
        with engine_scorer(s, predictor, options) as scorer, \
                progress_bar(source.n_claims) as advance:
            summary = score_dataset(input_path, output, predictor, options,
                                    chunk_size or DEFAULT_CHUNK, scorer, advance, source,
                                    s.engine)
    except (ModelLoadError, BundleError, OfflineInputError, OfflineOutputError,
            OSError) as exc:
        fail(str(exc))
    typer.echo(str(summary))
