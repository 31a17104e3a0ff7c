"""Serving commands: the HTTP API, the offline scorer, and the end-to-end demo."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from denialrisk.commands.common import fail, opt, resolve

if TYPE_CHECKING:
    from serving.offline import ScoreSummary


def serve(
    port: int = opt("port"),
    workers: int = opt("workers"),
    insecure_dev: bool = typer.Option(
        False, "--insecure-dev", help="Start without DENIALRISK_API_KEY (local development)"),
    work_dir: Path = opt("work_dir"),
    bentoml_home: Path = opt("bentoml_home"),
    cms_dir: Path = opt("cms_dir"),
    payer_map: Path = opt("payer_map"),
    history_store: Path = opt("history_store"),
) -> None:
    """Start the BentoML API with every payer's champion model plus the pooled model.

    Runs in the foreground; SIGTERM or SIGINT (Ctrl-C) stops the server and its workers."""
    from denialrisk.commands.run_server import serve_command
    from serving.config import AuthNotConfiguredError
    from serving.modelset import ModelLoadError
    from training.bundle import BundleError

    s = resolve(port=port, workers=workers, work_dir=work_dir, bentoml_home=bentoml_home,
                cms_dir=cms_dir, payer_map=payer_map, history_store=history_store)
    use_payer_map(s.payer_map)
    os.environ["DENIALRISK_HISTORY_STORE"] = str(s.history_path())  # claims without history
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
                              "or a data set (its folder, or its claims.parquet)",
        show_default="none"),
    x12: list[Path] = typer.Option(
        None, "--x12", help="837P file(s) to score instead of --input (repeatable; results "
                            "in one output, in input order)", show_default="none"),
    output: Path = typer.Option(Path("reports/scores.jsonl"), "--output",
                                help="Results, written atomically: .jsonl = one JSON response "
                                     "per line; .parquet = one row per claim (bulk path, "
                                     "data set input)"),
    no_explain: bool = typer.Option(False, "--no-explain", help="Skip explanations and fixes"),
    chunk_size: int = typer.Option(
        None, "--chunk-size", min=1, help="Claims per chunk: resumable part (<output>.parts/)"
                                          " or Parquet row group", show_default="5000 / 100000"),
    engine: str = opt("engine"),
    scheduler: str = opt("scheduler"),
    work_dir: Path = opt("work_dir"),
    bentoml_home: Path = opt("bentoml_home"),
    cms_dir: Path = opt("cms_dir"),
    payer_map: Path = opt("payer_map"),
    history_store: Path = opt("history_store"),
) -> None:
    """Score claims offline through the same code path as the API (no HTTP); an interrupted
    run resumes from its finished chunks when rerun with the same input and options.


    A .parquet output takes the bulk path (serving/bulk.py; --engine dask: on a cluster).
    Exits 1 when no claim could be scored (every one invalid, or none in the input)."""
    from denialrisk.commands.run_server import score_command, score_x12_command
    from serving.modelset import ModelLoadError
    from serving.offline import OfflineInputError, OfflineOutputError
    from training.bundle import BundleError

    s = resolve(work_dir=work_dir, bentoml_home=bentoml_home, cms_dir=cms_dir, engine=engine,
                scheduler=scheduler, payer_map=payer_map, history_store=history_store)
    use_payer_map(s.payer_map)
    os.environ["DENIALRISK_HISTORY_STORE"] = str(s.history_path())  # claims without history
    if (input_path is None) == (not x12):
        raise typer.BadParameter("give exactly one of --input or --x12",
                                 param_hint="'--input' / '--x12'")
    missing = [str(p) for p in ([input_path] if input_path else x12) if not p.exists()]
    if missing:
        raise typer.BadParameter(f"not found: {', '.join(missing)}",
                                 param_hint="'--input'" if input_path else "'--x12'")
    if output.suffix == ".parquet":
        from denialrisk.commands.bulk_score import bulk_score

        if x12 and len(x12) > 1:
            raise typer.BadParameter("a .parquet output scores one --x12 file",
                                     param_hint="'--x12'")
        bulk_score(input_path, x12[0] if x12 else None, output, s, not no_explain,
                   chunk_size)
        return
    if s.engine == "dask":
        raise typer.BadParameter("--engine dask needs a .parquet output (the bulk path)",
                                 param_hint="'--engine'")
    chunk_size = chunk_size or 5000
    try:
        if x12:
            summary = score_x12_command(x12, output, bentoml_home=s.bentoml_home,
                                        cms_dir=s.cms_dir, explain=not no_explain,
                                        chunk_size=chunk_size, progress=True)
        else:
            summary = score_command(input_path, output, bentoml_home=s.bentoml_home,
                                    cms_dir=s.cms_dir, chunk_size=chunk_size,
                                    explain=not no_explain, fixes=not no_explain,
                                    progress=True)
    except (ModelLoadError, BundleError, OfflineInputError, OfflineOutputError,
            OSError) as exc:
        fail(str(exc))
    typer.echo(summary_text(summary))
    if summary.claims == summary.errors:
        fail(nothing_scored(summary), code=1)


def summary_text(summary: ScoreSummary) -> str:
    """What a scoring run did, in one line for people."""
    scored = summary.claims - summary.errors
    rate = scored / summary.seconds if summary.seconds > 0 else 0.0
    text = (f"scored {scored:,} of {summary.claims:,} claims in {summary.seconds:.1f}s "
            f"({rate:,.0f} claims/s) -> {summary.output}")
    if summary.errors:
        text += (f"; {summary.errors:,} could not be scored (their lines in the output "
                 "name the fields)")
    if summary.resumed_chunks:
        text += f"; {summary.resumed_chunks} of {summary.chunks} chunks resumed"
    return text


def nothing_scored(summary: ScoreSummary) -> str:
    """The error line of a run that scored no claim: why, with the first invalid field."""
    if summary.claims == 0:
        return "the input holds no claims"
    first = first_error(summary.output)
    return (f"none of the {summary.claims:,} claims could be scored"
            + (f" (first: {first})" if first else ""))


def first_error(output: Path) -> str | None:
    """`field: message` of the first error line of a results file, if any."""
    import json

    with Path(output).open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith('{"error"'):  # serving/offline.py error records
                record = json.loads(line)
                detail = (record.get("detail") or [{}])[0]
                return (f"{detail.get('field', '?')}: {detail.get('message', record['error'])}"
                        if detail else str(record["error"]))
    return None


def use_payer_map(path: Path | None) -> None:
    """Point the X12/FHIR readers (this process and a server it starts) at a payer map;
    a missing or malformed file is a one-line error here rather than per claim later."""
    if path is None:
        return
    from interop.x12.payer_map import PAYER_MAP_ENV, PayerMapError, load_payer_map

    try:
        load_payer_map(path)
    except PayerMapError as exc:
        fail(str(exc))
    os.environ[PAYER_MAP_ENV] = str(Path(path).resolve())


def demo(
    claims: int = opt("demo_claims", "--claims"),
    seed: int = opt("seed"),
    work_dir: Path = opt("work_dir"),
    serve_after: bool = typer.Option(
        False, "--serve", help="After scoring the examples, start the API with a new key"),
) -> None:
    """generate -> train -> score the contract examples (and optionally serve).

    Writes the default stores (<work-dir>/claims, models, mlflow, bentoml), so `report`,
    `serve`, `score`, `kpis` and `monitor` find the demo's data and models with no flags."""
    from denialrisk.demo import run_demo

    s = resolve(demo_claims=claims, seed=seed, work_dir=work_dir)
    try:
        run_demo(s, serve_after=serve_after)
    except (OSError, RuntimeError, ValueError) as exc:
        fail(str(exc))
