"""Report commands: coder-training explanation report, KPIs, payer-drift monitoring."""

from __future__ import annotations

from pathlib import Path

import typer

from denialrisk.commands.common import fail, opt, path_default, resolve, working

MODEL_HELP = "'champion' (the BentoML store) or a folder of model bundles"


def _errors() -> tuple[type[BaseException], ...]:
    from contract.dataset import DatasetError
    from serving.modelset import ModelLoadError
    from training.bundle import BundleError

    return (BundleError, ModelLoadError, DatasetError, ValueError, OSError)


def checked(**values: object) -> dict[str, object]:
    """The Settings overrides given on the command line, once the Settings accept them
    with the environment (a usage error otherwise)."""
    given = {k: v for k, v in values.items() if v is not None}
    resolve(**given)
    return given


def report(
    payer: str = typer.Option(..., "--payer", help="Payer id the report is about (e.g. COA)"),
    data: Path = typer.Option(None, "--data", help="Data set folder",
                              show_default=path_default("claims")),
    out: Path = typer.Option(None, "--out", help="HTML file",
                             show_default="reports/<payer>.html"),
    model: str = typer.Option("champion", "--model", help=MODEL_HELP),
    work_dir: Path = opt("work_dir"),
    bentoml_home: Path = opt("bentoml_home"),
    cms_dir: Path = opt("cms_dir"),
) -> None:
    """Write a self-contained HTML explanation report for coding educators."""
    from denialrisk.commands.report_html import report_command

    overrides = checked(work_dir=work_dir, bentoml_home=bentoml_home, cms_dir=cms_dir)
    try:
        with working(f"scoring {payer.upper()}'s claims and writing the report"):
            path = report_command(payer.upper(), data=data, out=out, model=model,
                                  **overrides)
    except _errors() as exc:
        fail(str(exc))
    typer.echo(f"wrote {path}")


def kpis(
    data: Path = typer.Option(None, "--data", help="Outcome data set (generated or ingested)",
                              show_default=path_default("claims")),
    model: str = typer.Option("champion", "--model", help=MODEL_HELP),
    payer: str = typer.Option(None, "--payer", help="Only this payer", show_default="all"),
    out: Path = typer.Option(None, "--out", help="Also write the KPIs as JSON here",
                             show_default="none"),
    work_dir: Path = opt("work_dir"),
    bentoml_home: Path = opt("bentoml_home"),
    cms_dir: Path = opt("cms_dir"),
) -> None:
    """Predicted vs actual denial rates, clean-claim rate, revenue at risk and protected."""
    from denialrisk.commands.monitoring import kpis_command

    overrides = checked(work_dir=work_dir, bentoml_home=bentoml_home, cms_dir=cms_dir)
    try:
        with working("scoring the data set"):
            kpis_command(data=data, model=model, out=out, payer=payer, **overrides)
    except _errors() as exc:
        fail(str(exc))


def monitor(
    data: Path = typer.Option(None, "--data", help="Outcomes arriving over time",
                              show_default=path_default("claims")),
    model: str = typer.Option("champion", "--model", help=MODEL_HELP),
    all_history: bool = typer.Option(
        False, "--all-history", help="Alarms in every week after the burn-in, not only after "
                                     "the models' training data"),
    threshold: float = opt("monitor_threshold", "--threshold"),
    rate_ratio: float = opt("monitor_rate_ratio", "--rate-ratio"),
    baseline_quantile: float = opt("monitor_baseline_quantile", "--baseline-quantile"),
    burn_in_weeks: int = opt("monitor_burn_in_weeks", "--burn-in-weeks"),
    min_weeks: int = opt("monitor_min_weeks", "--min-weeks"),
    work_dir: Path = opt("work_dir"),
    bentoml_home: Path = opt("bentoml_home"),
    cms_dir: Path = opt("cms_dir"),
) -> None:
    """CUSUM of observed vs predicted denials per payer and reason: one ALERT line each."""
    from denialrisk.commands.monitoring import monitor_command

    overrides = checked(work_dir=work_dir, bentoml_home=bentoml_home, cms_dir=cms_dir,
                      monitor_threshold=threshold, monitor_rate_ratio=rate_ratio,
                      monitor_baseline_quantile=baseline_quantile,
                      monitor_burn_in_weeks=burn_in_weeks, monitor_min_weeks=min_weeks)
    try:
        with working("scoring the data set and running the CUSUM per payer x reason"):
            monitor_command(data=data, model=model, all_history=all_history,
                            echo=typer.echo, **overrides)
    except _errors() as exc:
        fail(str(exc))
