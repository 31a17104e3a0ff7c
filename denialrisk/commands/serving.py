"""Serving commands: the HTTP API, the offline scorer, and the end-to-end demo."""

from __future__ import annotations

import os
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
    payer_map: Path = opt("payer_map"),
) -> None:
    """Start the BentoML API with every payer's champion model plus the pooled model."""
    from denialrisk.commands.run_server import serve_command
    from serving.config import AuthNotConfiguredError
    from serving.modelset import ModelLoadError
    from training.bundle import BundleError

    s = resolve(port=port, workers=workers, bentoml_home=bentoml_home, cms_dir=cms_dir,
                payer_map=payer_map)
    use_payer_map(s.payer_map)
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
                              "or a data set folder (claims.parquet + lines.parquet)"),
    x12: list[Path] = typer.Option(
        None, "--x12", help="837P file(s) to score instead of --input (repeatable; results "
                            "in one output, in input order)"),
    output: Path = typer.Option(Path("reports/scores.jsonl"), "--output",
                                help="Results, one JSON response per line (written atomically)"),
    no_explain: bool = typer.Option(False, "--no-explain", help="Skip explanations and fixes"),
    chunk_size: int = typer.Option(5000, "--chunk-size", min=1,
                                   help="Claims per resumable chunk (<output>.parts/)"),
    bentoml_home: Path = opt("bentoml_home"),
    cms_dir: Path = opt("cms_dir"),
    payer_map: Path = opt("payer_map"),
) -> None:
    """Score claims offline through the same code path as the API (no HTTP); an interrupted
    run resumes from its finished chunks when rerun with the same input and options."""
    from denialrisk.commands.run_server import score_command, score_x12_command
    from serving.modelset import ModelLoadError
    from serving.offline import OfflineInputError, OfflineOutputError
    from training.bundle import BundleError

    s = resolve(bentoml_home=bentoml_home, cms_dir=cms_dir, payer_map=payer_map)
    use_payer_map(s.payer_map)
    if (input_path is None) == (not x12):
        fail("give exactly one of --input or --x12")
    missing = [str(p) for p in ([input_path] if input_path else x12) if not p.exists()]
    if missing:
        fail(f"input not found: {', '.join(missing)}")
    try:
        if x12:
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
    """generate -> train -> score the contract examples (and optionally serve), on defaults."""
    from denialrisk.demo import run_demo

    s = resolve(demo_claims=claims, seed=seed, work_dir=work_dir)
    try:
        run_demo(s, serve_after=serve_after)
    except (OSError, RuntimeError, ValueError) as exc:
        fail(str(exc))
