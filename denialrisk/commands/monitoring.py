"""Entry points behind `denialrisk kpis` and `denialrisk monitor` (wired in denialrisk/cli.py).

Both read a data set folder with outcomes (generated, or ingested from 835 remits), score
every claim with the model that serves its payer (training/scored.py) and print what the
scored outcome table says: KPI tables, or one ALERT line per drifted payer x reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from settings import settings_with
from training.kpis import render_table
from training.monitor import MonitorResult
from training.scored import (
    CHAMPION,
    KpiReport,
    after_training,
    alert_lines,
    coverage_line,
    kpi_report,
    load_scored,
    monitor_config,
    run_monitor,
)


def kpis_command(data: Path | None = None, model: str = CHAMPION, out: Path | None = None,
                 payer: str | None = None, console: Any = None,
                 **overrides: Any) -> KpiReport:
    """Score a data set, print the KPI tables (rich) and optionally write them as JSON.

    `overrides` are Settings fields (cms_dir, bentoml_home, ...). Raises BundleError when no
    model can be loaded and contract.dataset.DatasetError for a missing data set.
    """
    from rich.console import Console

    settings = settings_with(**overrides)
    _, table, _ = load_scored(data, model, settings)
    if payer:
        table = table[table["payer_id"] == payer].reset_index(drop=True)
    report = kpi_report(table)
    console = console or Console()
    console.print(render_table(report.summary, "Denial KPIs per payer"))
    console.print(render_table(report.monthly, "Predicted vs actual denial rate per month"))
    console.print(render_table(report.by_category, "Denial rate by reason category"))
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(report.to_json())
    return report


def monitor_command(data: Path | None = None, model: str = CHAMPION, start: date | None = None,
                    all_history: bool = False, echo: Callable[[str], Any] = print,
                    **overrides: Any) -> MonitorResult:
    """Print one `ALERT ...` line per payer x reason whose denials drifted, or `no alerts`.

    Alarms start in the first month after the models' training data (their validation
    month; `all_history`: after the burn-in) or at `start` if later. `overrides` are
    Settings fields (monitor_threshold, monitor_rate_ratio, ..., cms_dir, bentoml_home).
    """
    settings = settings_with(**overrides)
    frames, table, bundles = load_scored(data, model, settings)
    first = None if all_history else after_training(bundles)
    result = run_monitor(frames, table, monitor_config(settings), start, first)
    echo(coverage_line(result, first))
    for line in alert_lines(result):
        echo(line)
    return result
