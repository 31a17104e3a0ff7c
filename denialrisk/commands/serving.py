"""Serving commands: the HTTP API, the offline scorer, and the end-to-end demo."""

from __future__ import annotations

from pathlib import Path

import typer

from denialrisk.commands.common import fail, opt, resolve


def serve(
    port: int = opt("port"),
    workers: int = opt("workers"),
    insecure_dev: bool = typer.Option(
        False, "--insecure-dev", help="Start without DENIALRISK_API_KEY (local development)"),
    bentoml_home: Path = opt("bentoml_home"),
    cms_dir: Path = opt("cms_dir"),
) -> None:
    """Start the BentoML API with every payer's champion model plus the pooled model."""
    from denialrisk.commands.run_server import serve_command
    from serving.config import AuthNotConfiguredError
    from serving.modelset import ModelLoadError
    from training.bundle import BundleError

    s = resolve(port=port, workers=workers, bentoml_home=bentoml_home, cms_dir=cms_dir)
    try:
        code = serve_command(port=s.port, insecure_dev=insecure_dev,
                             bentoml_home=s.bentoml_home, cms_dir=s.cms_dir,
                             workers=s.workers)
    except (AuthNotConfiguredError, ModelLoadError, BundleError) as exc:
        fail(str(exc))
    raise typer.Exit(code)


def score(
    input_path: Path = typer.Option(
        None, "--input", help="Claims to score: a .jsonl file (one contract claim per line) "
                              "or a data set (its folder, or its claims.parquet)"),
    x12: Path = typer.Option(None, "--x12", help="An 837P file to score instead of --input"),
    output: Path = typer.Option(Path("reports/scores.jsonl"), "--output",
                                help="Results, written atomically: .jsonl = one JSON response "
                                     "per line; .parquet = one row per claim (bulk path, "
                                     "data set input)"),
    no_explain: bool = typer.Option(False, "--no-explain", help="Skip explanations and fixes"),
    chunk_size: int = typer.Option(
        None, "--chunk-size", min=1, help="Claims per chunk: resumable part (<output>.parts/, "
                                          "default 5000) or Parquet row group (100000)"),
    engine: str = opt("engine"),
    scheduler: str = opt("scheduler"),
    bentoml_home: Path = opt("bentoml_home"),
    cms_dir: Path = opt("cms_dir"),
) -> None:
    """Score claims offline through the same code path as the API (no HTTP); an interrupted
    run resumes from its finished chunks when rerun with the same input and options.
    A .parquet output takes the bulk path (serving/bulk.py; --engine dask: on a cluster)."""
    from denialrisk.commands.run_server import score_command, score_x12_command
    from serving.modelset import ModelLoadError
    from serving.offline import OfflineInputError, OfflineOutputError
    from training.bundle import BundleError

    s = resolve(bentoml_home=bentoml_home, cms_dir=cms_dir, engine=engine,
                scheduler=scheduler)
    if engine not in (None, "local", "dask"):
        fail(f"unknown engine {engine!r} (use local or dask)")
    if (input_path is None) == (x12 is None):
        fail("give exactly one of --input or --x12")
    source = input_path or x12
    if not source.exists():
        fail(f"input not found: {source}")
    if output.suffix == ".parquet":
        from denialrisk.commands.bulk_score import bulk_score

        bulk_score(input_path, x12, output, s, not no_explain, chunk_size)
        return
    if engine == "dask":
        fail("--engine dask needs a .parquet output (the bulk path)")
    chunk_size = chunk_size or 5000
    try:
        if x12 is not None:
            summary = score_x12_command(x12, output, bentoml_home=s.bentoml_home,
                                        cms_dir=s.cms_dir, explain=not no_explain,
                                        chunk_size=chunk_size)
        else:
            summary = score_command(input_path, output, bentoml_home=s.bentoml_home,
                                    cms_dir=s.cms_dir, chunk_size=chunk_size,
                                    explain=not no_explain, fixes=not no_explain)
    except (ModelLoadError, BundleError, OfflineInputError, OfflineOutputError,
            OSError) as exc:
        fail(str(exc))
    typer.echo(str(summary))


def demo(
    claims: int = opt("demo_claims", "--claims"),
    seed: int = opt("seed"),
    work_dir: Path = opt("work_dir"),
    serve_after: bool = typer.Option(
        False, "--serve", help="After scoring the examples, start the API with a new key"),
) -> None:
    """generate -> train -> score the contract examples (and optionally serve), on defaults."""
    from denialrisk.demo import run_demo

    s = resolve(demo_claims=claims, seed=seed, work_dir=work_dir)
    try:
        run_demo(s, serve_after=serve_after)
    except (OSError, RuntimeError, ValueError) as exc:
        fail(str(exc))
