"""Scoring a data set with stored models, for the KPIs, the drift monitor and the report.

Models are the champions of the BentoML store (`model="champion"`, what the API serves, as
tested: trained before the test window; a claim newer than the history they were trained
from is scored as served, by the refit on that whole history) or every bundle of a folder
such as work/models (what `denialrisk train` wrote last); each claim is scored by the
model serving its payer (its own, else the pooled one). The CLI commands `kpis` and
`monitor` (denialrisk/commands/monitoring.py) print what this builds.
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

from contract.frames import ClaimFrames
from settings import Settings
from training.bundle import BundleError, ModelBundle
from training.kpis import (
    denial_rate_by_category,
    denial_rates_by_month,
    payer_summary,
    scored_outcomes,
)
from training.monitor import MonitorConfig, MonitorResult, monitor, segment_tokens
from training.monitor_report import describe_alerts, format_alert

CHAMPION = "champion"
POOLED = "pooled"


def champion_bundles(home: Path, heldout: bool = True) -> dict[str, ModelBundle]:
    """Newest stored champion of every payer in the store (any payer id) and the pooled
    model, each as it was tested (not its refit on the whole history, training/refit.py):
    the history after its training window is then scored out of sample. `heldout=False`:
    as served (the refit, where the store holds one)."""
    from bentoml.exceptions import NotFound

    from training.store import load_from_bentoml, stored_payers

    found = {}
    for name in stored_payers(home):
        try:
            bundle = load_from_bentoml(name, home, heldout=heldout)
        except NotFound:
            continue
        key = POOLED if bundle.metadata.kind == POOLED else bundle.metadata.payer
        found[key] = bundle
    if not found:
        raise BundleError(f"no champion models in the BentoML store {home}/models; run "
                          "`denialrisk train` first")
    return found


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


def history_end(bundles: dict[str, ModelBundle]) -> str | None:
    """Newest month of the history the models were built from ('YYYY-MM')."""
    ends = [b.metadata.training_window.get("test_end") for b in bundles.values()]
    return max((e for e in ends if e), default=None)


def score_by_date(frames: ClaimFrames, tested: dict[str, ModelBundle],
                  served: Callable[[], dict[str, ModelBundle]], cms: Any) -> pd.DataFrame:
    """score_frames with the champions as tested for claims inside the history they were
    trained from (out of sample after their training window) and as served for claims
    newer than it: the refit is what scored those in production, and it knows a change
    of the history's last months that the tested model would keep alarming on. The
    served set (`served()`, the refits of the same history) is loaded only when such
    claims exist."""
    from training.split import claim_service_dates, subset_frames

    end = history_end(tested)
    month = claim_service_dates(frames).dt.strftime("%Y-%m").fillna("").to_numpy(dtype=str)
    newer = month > end if end else np.zeros(len(month), dtype=bool)
    if not newer.any():
        return score_frames(frames, tested, cms)
    parts = [score_frames(subset_frames(frames, rows), bundles, cms)
             for rows, bundles in ((~newer, tested), (newer, served())) if rows.any()]
    return pd.concat(parts)


def load_scored(data: Path | None, model: str, settings: Settings
                ) -> tuple[ClaimFrames, pd.DataFrame, dict[str, ModelBundle]]:
    """The data set's frames, its scored outcome table (training.kpis) and the models:
    the champions of the BentoML store as tested (claims newer than their history scored
    as served), or every bundle in the folder `model`."""
    from reference.cms import load_cms_tables
    from training.data import load_frames
    from training.evaluate import load_bundles

    frames = load_frames(Path(data) if data else settings.data_path())
    cms = load_cms_tables(settings.cms_dir)
    if model == CHAMPION:
        bundles = champion_bundles(settings.bentoml_home)
        scores = score_by_date(frames, bundles, lambda: champion_bundles(
            settings.bentoml_home, heldout=False), cms)
    else:
        bundles = load_bundles(Path(model))
        scores = score_frames(frames, bundles, cms)
    return frames, scored_outcomes(frames, scores), bundles


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


def monitor_config(settings: Settings) -> MonitorConfig:
    """The CUSUM settings of the monitor (Settings.monitor_*)."""
    return MonitorConfig(rate_ratio=settings.monitor_rate_ratio,
                         threshold=settings.monitor_threshold,
                         baseline_quantile=settings.monitor_baseline_quantile,
                         burn_in_weeks=settings.monitor_burn_in_weeks,
                         min_weeks=settings.monitor_min_weeks)


def monitor_tokens(frames: ClaimFrames) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(claim_id, token) pairs the monitor streams on, and those plus CPT codes (alerts)."""
    segments = segment_tokens(frames)
    cpt = pd.DataFrame({"claim_id": frames.lines["claim_id"].astype(str).to_numpy(),
                        "token": ("CPT " + frames.lines["cpt"].astype(str)).to_numpy()})
    codes = pd.concat([segments, cpt.drop_duplicates()], ignore_index=True)
    return segments, codes


def month_start(month: str | None) -> date | None:
    """First day of a 'YYYY-MM' month (None stays None)."""
    return pd.Period(month, "M").start_time.date() if month else None


def run_monitor(frames: ClaimFrames, table: pd.DataFrame, config: MonitorConfig,
                start: date | None = None, first_month: str | None = None,
                tokens: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> MonitorResult:
    """The CUSUM monitor over a scored table (alerts name CPT codes too).

    Alarms start at `start` or at `first_month` ('YYYY-MM', e.g. the first month after the
    champion's training data), whichever is later; earlier weeks only build each segment's
    baseline (on the champion's training months its predictions fit a little too well, so
    those months are a baseline, never a test). `tokens`: monitor_tokens(frames), when
    already computed.
    """
    starts = [d for d in (start, month_start(first_month)) if d]
    segments, codes = tokens or monitor_tokens(frames)
    result = monitor(table, segments, config, max(starts, default=None))
    describe_alerts(result.alerts, table, codes, config)
    return result


def coverage_line(result: MonitorResult, first: str | None) -> str:
    """What was monitored: streams, alarm level, baseline and alarm weeks."""
    weeks = result.streams.weeks
    if len(weeks) <= result.burn_in:
        return (f"only {len(weeks)} weeks of claims: nothing monitored after the "
                f"{result.burn_in}-week baseline")
    return (f"{len(result.streams.keys):,} payer x reason x segment streams (alarm level "
            f"{result.level:.1f}), baseline from {weeks[0].date()}, alarms possible "
            f"{weeks[result.burn_in].date()} to {weeks[-1].date()}"
            + (f" (from {first}, the first month after training)" if first else ""))


def alert_lines(result: MonitorResult) -> list[str]:
    """One `ALERT ...` line per alert, or the single line `no alerts`."""
    return [format_alert(alert) for alert in result.alerts] or ["no alerts"]
