"""Entry points behind `denialrisk kpis` and `denialrisk monitor` (wired in denialrisk/cli.py).

Both read a data set folder with outcomes (generated, or ingested from 835 remits), score
every claim with the model that serves its payer (its own champion, else the pooled one)
and work on the scored outcome table of training.kpis. `model="champion"` reads the
champions from the BentoML store (what the API serves); any other value is a folder of
bundles such as work/models (what `denialrisk train` wrote last).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from denialrisk.settings import Settings, get_settings
from features.frames import ClaimFrames
from features.vocab import PAYERS
from training.bundle import BundleError, ModelBundle
from training.kpis import (
    claim_tokens,
    denial_rate_by_category,
    denial_rates_by_month,
    payer_summary,
    render_table,
    scored_outcomes,
)
from training.monitor import MonitorConfig, MonitorResult, format_alert, monitor

CHAMPION = "champion"
POOLED = "pooled"


def settings_with(**overrides: Any) -> Settings:
    """Settings from the environment with the given non-None values applied."""
    given = {k: v for k, v in overrides.items() if v is not None}
    return get_settings().model_copy(update=given)


def champion_bundles(home: Path) -> dict[str, ModelBundle]:
    """Newest stored champion of every contract payer and the pooled model."""
    from bentoml.exceptions import NotFound

    from training.store import load_from_bentoml

    found = {}
    for name in (*PAYERS, POOLED):
        try:
            found[name] = load_from_bentoml(name, home)
        except NotFound:
            continue
    if not found:
        raise BundleError(f"no champion models in the BentoML store {home}/models; run "
                          "`denialrisk train` first")
    return found


def load_models(model: str, settings: Settings) -> dict[str, ModelBundle]:
    """Champions from the BentoML store, or every bundle in the folder `model`."""
    from training.evaluate import load_bundles

    if model == CHAMPION:
        return champion_bundles(settings.bentoml_home)
    return load_bundles(Path(model))


def score_frames(frames: ClaimFrames, bundles: dict[str, ModelBundle], cms: Any) -> pd.DataFrame:
    """ModelBundle.score of every claim by the model serving its payer (indexed by claim)."""
    from training.evaluate import serving_tier
    from training.split import subset_frames

    payer = frames.claims["payer_id"].astype(str).to_numpy()
    tiers = {p: serving_tier(bundles, p) for p in np.unique(payer)}
    parts = []
    for tier in sorted(set(tiers.values())):
        rows = np.isin(payer, [p for p, t in tiers.items() if t == tier])
        parts.append(bundles[tier].score(subset_frames(frames, rows), cms))
    return pd.concat(parts)


def load_scored(data: Path | None, model: str, settings: Settings
                ) -> tuple[ClaimFrames, pd.DataFrame, dict[str, ModelBundle]]:
    """The data set's frames, its scored outcome table (training.kpis) and the models."""
    from features.cms import load_cms_tables
    from training.data import load_frames

    frames = load_frames(Path(data) if data else settings.data_path())
    cms = load_cms_tables(settings.cms_dir)
    bundles = load_models(model, settings)
    return frames, scored_outcomes(frames, score_frames(frames, bundles, cms)), bundles


def after_training(bundles: dict[str, ModelBundle]) -> str | None:
    """First month the models did not fit on (the newest validation start), 'YYYY-MM'."""
    starts = [b.metadata.training_window.get("val_start") for b in bundles.values()]
    return max((s for s in starts if s), default=None)


def frames_between(frames: ClaimFrames, first: str | None = None,
                   last: str | None = None) -> ClaimFrames:
    """Claims whose first service month is within [first, last] ('YYYY-MM', inclusive)."""
    from training.split import claim_service_dates, subset_frames

    month = pd.PeriodIndex(claim_service_dates(frames), freq="M")
    keep = np.ones(len(month), dtype=bool)
    if first:
        keep &= np.asarray(month >= pd.Period(first, "M"))
    if last:
        keep &= np.asarray(month <= pd.Period(last, "M"))
    return subset_frames(frames, keep)


@dataclass
class KpiReport:
    """The three KPI tables of `denialrisk kpis` (and the report's KPI section)."""

    summary: pd.DataFrame
    monthly: pd.DataFrame
    by_category: pd.DataFrame

    def to_json(self) -> str:
        """All three tables as JSON records (NaN -> null)."""
        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            """A frame (index included) as JSON-ready records."""
            return json.loads(frame.reset_index().to_json(orient="records"))
        return json.dumps({"summary": records(self.summary), "monthly": records(self.monthly),
                           "by_category": records(self.by_category)}, indent=1)


def kpi_report(table: pd.DataFrame) -> KpiReport:
    """KPI summary per payer, predicted vs actual per month, denial rate per category."""
    return KpiReport(payer_summary(table), denial_rates_by_month(table),
                     denial_rate_by_category(table))


def kpis_command(data: Path | None = None, model: str = CHAMPION, out: Path | None = None,
                 payer: str | None = None, console: Any = None,
                 **overrides: Any) -> KpiReport:
    """Score a data set, print the KPI tables (rich) and optionally write them as JSON.

    `overrides` are Settings fields (cms_dir, bentoml_home, ...). Raises BundleError when no
    model can be loaded and features.dataset.DatasetError for a missing data set.
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


def run_monitor(frames: ClaimFrames, table: pd.DataFrame, config: MonitorConfig,
                start: date | None = None, first_month: str | None = None) -> MonitorResult:
    """The CUSUM monitor over a scored table (segments without codes, alerts with codes).

    `first_month` drops older claims first (e.g. the months the champion was fitted on,
    where its in-sample predictions are not a fair expectation).
    """
    if first_month:
        frames = frames_between(frames, first=first_month)
        table = table[table["claim_id"].isin(frames.claims["claim_id"].astype(str))]
        table = table.reset_index(drop=True)
    return monitor(table, claim_tokens(frames), config, start,
                   code_tokens=claim_tokens(frames, codes=True))


def coverage_line(result: MonitorResult, first: str | None) -> str:
    """What was monitored: claims from which month, streams, baseline and alarm weeks."""
    weeks = result.streams.weeks
    if len(weeks) <= result.burn_in:
        return (f"only {len(weeks)} weeks of claims: nothing monitored after the "
                f"{result.burn_in}-week baseline")
    return (f"monitored claims from {first or 'the first month'}: "
            f"{len(result.streams.keys):,} payer x reason x segment streams, baseline from "
            f"{weeks[0].date()}, alarms possible {weeks[result.burn_in].date()} to "
            f"{weeks[-1].date()}")


def monitor_command(data: Path | None = None, model: str = CHAMPION, start: date | None = None,
                    threshold: float | None = None, all_history: bool = False,
                    echo: Callable[[str], Any] = print, **overrides: Any) -> MonitorResult:
    """Print one `ALERT ...` line per payer x reason whose denials drifted, or `no alerts`.

    Monitors the claims after the models' training data (from their validation month on;
    `all_history` keeps every month). `start`: first service week that may alarm (earlier
    weeks only build the baseline); `threshold`: CUSUM alarm level (MonitorConfig).
    """
    settings = settings_with(**overrides)
    frames, table, bundles = load_scored(data, model, settings)
    config = MonitorConfig() if threshold is None else MonitorConfig(threshold=threshold)
    first = None if all_history else after_training(bundles)
    result = run_monitor(frames, table, config, start, first)
    echo(coverage_line(result, first))
    for alert in result.alerts:
        echo(format_alert(alert))
    if not result.alerts:
        echo("no alerts")
    return result


# ------------------------------------------------------------ notebook helpers


def load_or_generate(data: str | Path | None, config: Any, save_to: Path | None = None
                     ) -> ClaimFrames:
    """A data set folder's frames, or freshly generated ones (saved to `save_to` if given)."""
    from features.dataset import write_dataset
    from synthetic_data.generate import generate_frames
    from training.data import load_frames

    if data:
        return load_frames(Path(data))
    frames = generate_frames(config)
    if save_to is not None:
        write_dataset(frames, Path(save_to))
    return frames


def training_table(outcomes: list[Any]) -> pd.DataFrame:
    """One row per trained model: test AUC/ECE, registry version and the gate's decision."""
    return pd.DataFrame([{
        "model": o.name, "kind": o.kind, "test_auc": o.test_metrics.get("auc"),
        "test_ece": o.test_metrics.get("ece"), "version": o.version,
        "promoted": bool(o.decision and o.decision.promote),
        "gate": o.decision.reason if o.decision else "not tracked"} for o in outcomes])


def with_oracle(table: pd.DataFrame, frames: ClaimFrames) -> pd.DataFrame:
    """The scored table with the generator's oracle P(denied) as the prediction."""
    if "oracle_p_denied" not in frames.claims:
        raise ValueError("this data set has no oracle_p_denied column (not generated)")
    oracle = frames.claims["oracle_p_denied"].to_numpy(dtype=float)
    return table.assign(denial_probability=oracle)


def alert_segment_claims(result: MonitorResult, frames: ClaimFrames, payer: str,
                         category: str) -> tuple[str, pd.Series | None]:
    """The segment of the alert for payer x category and its claim ids (None: all claims)."""
    from training.monitor import ALL_CLAIMS

    found = [a for a in result.alerts if a.payer_id == payer and a.category == category]
    if not found or found[0].segment == ALL_CLAIMS:
        return ALL_CLAIMS, None
    tokens = claim_tokens(frames)
    return found[0].segment, tokens.loc[tokens["token"] == found[0].segment, "claim_id"]
