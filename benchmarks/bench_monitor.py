"""Measure the payer-drift monitor over many seeds: COA detection delay and false alarms.

    uv run python benchmarks/bench_monitor.py [--seeds 16] [--first-seed 0] [--out FILE]

Issue 6 targets: with drift, COA's modifier-25 change of 2026-04-01 is alerted within 4
weeks; without drift, no alert over 18 months. Per seed, the default history (2025-01 to
2026-06, 300,000 claims: ~3,850 a week) is generated twice with the same seed, with and
without drift: the claims are identical (synthesis and adjudication use separate random
streams), only the outcomes of claims under COA's new rule differ. So they are scored
once, by one champion trained on 2025 claims of another seed (the tests' champion: a
pooled model on 40,000 claims; --champion-claims / --min-payer-claims for per-payer
ones). The monitor (MonitorConfig from Settings, --set NAME=VALUE to try other values)
then runs on: the drift history (18 months), its 2026-H1 part (a short baseline of 13
weeks before the change) and the no-drift history (18 months). Not a unit test.
About a minute per seed on 2 cores (generate twice, score once); --cache DIR keeps the
scored tables, so re-runs with other --set values take seconds per seed.

Measured 2026-11-28 (defaults: threshold 2.0 + ln(~10,200 streams) = alarm level 11.2,
rate ratio 8, baseline quantile 0.85), delay = weeks from 2026-04-01 to the end of the
alarm week:
  tuning seeds 0-15, pooled 40k champion: 18 months 15/16 within 4 weeks (median 2.7,
    max 4.7), 2026-H1 14/16 (2 never); no drift 0 alerts in 16 runs (highest CUSUM 10.3)
  confirmation seeds 100-115, same: 16/16 (median 2.7, max 3.7), 2026-H1 14/16;
    no drift 0 in 16 (highest 9.5)
  seeds 0-15, per-payer champion on 200k claims of 2025 (--champion-claims 200000
    --min-payer-claims 20000): 15/16 (median 2.7, max 5.7), 2026-H1 15/16; no drift 0
    in 16 (highest 10.8)
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import fields, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from reference.cms import load_cms_tables
from settings import Settings, get_settings
from synthetic_data.config import GeneratorConfig
from synthetic_data.generate import generate_frames
from training.kpis import scored_outcomes
from training.monitor import MonitorConfig, monitor
from training.monitor_report import describe_alerts, detection_delay_weeks, format_alert
from training.scored import monitor_config, monitor_tokens, score_frames

CHANGE = date(2026, 4, 1)
TARGET_WEEKS = 4.0
SHORT_FROM = pd.Timestamp("2026-01-01")


def parse_args() -> argparse.Namespace:
    """Command-line options of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=16, help="number of seeds")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--claims", type=int, default=300_000, help="claims per 18 months")
    parser.add_argument("--champion-claims", type=int, default=40_000)
    parser.add_argument("--champion-seed", type=int, default=101)
    parser.add_argument("--min-payer-claims", type=int, default=None,
                        help="train per-payer champions with this many claims [pooled only]")
    parser.add_argument("--cache", type=Path, default=None,
                        help="keep scored tables here (re-runs only re-monitor)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="MonitorConfig override, e.g. --set threshold=2.5")
    parser.add_argument("--out", type=Path, default=None, help="write the numbers as JSON")
    return parser.parse_args()


def config_from(settings: Settings, pairs: list[str]) -> MonitorConfig:
    """The monitor config of the settings with NAME=VALUE overrides applied."""
    config = monitor_config(settings)
    types = {f.name: type(getattr(config, f.name)) for f in fields(config)}
    given = dict(pair.split("=", 1) for pair in pairs)
    return replace(config, **{k: types[k](v) for k, v in given.items()})


def train_champion(args: argparse.Namespace, cms: Any, tmp: Path) -> dict[str, Any]:
    """Bundles trained on `champion_claims` claims of 2025 (pooled, or per payer too)."""
    from training.evaluate import load_bundles
    from training.pipeline import run_training

    settings = Settings(max_rounds=400, early_stopping_rounds=30, learning_rate=0.1,
                        min_payer_claims=args.min_payer_claims or 8_000,
                        models_dir=tmp / "models", mlflow_dir=tmp / "mlflow",
                        bentoml_home=tmp / "bentoml")
    history = generate_frames(GeneratorConfig(
        claims=args.champion_claims, seed=args.champion_seed, start=date(2025, 1, 1),
        end=date(2025, 12, 31)))
    payers = None if args.min_payer_claims else ["pooled"]
    run_training(history, cms, settings, payers=payers, track=False)
    return load_bundles(settings.models_dir)


def cache_name(args: argparse.Namespace, seed: int) -> str:
    """File stem of one seed's cached tables (depends on every data/champion option)."""
    return (f"s{seed}-n{args.claims}-c{args.champion_claims}-{args.champion_seed}"
            f"-p{args.min_payer_claims or 0}")


def scored_pair(seed: int, claims: int, bundles: dict[str, Any], cms: Any
                ) -> dict[str, pd.DataFrame]:
    """Drift and no-drift scored tables of one seed, their claims' segment and code tokens."""
    drift = generate_frames(GeneratorConfig(claims=claims, seed=seed, drift=True))
    still = generate_frames(GeneratorConfig(claims=claims, seed=seed, drift=False))
    if not drift.lines.equals(still.lines):
        raise RuntimeError(f"seed {seed}: drift changed the claims, not only the outcomes")
    scores = score_frames(drift, bundles, cms)
    segments, codes = monitor_tokens(drift)
    return {"drift": scored_outcomes(drift, scores), "no_drift": scored_outcomes(still, scores),
            "segments": segments, "codes": codes}


def seed_tables(args: argparse.Namespace, seed: int, champion: Any, cms: Any
                ) -> dict[str, pd.DataFrame]:
    """One seed's tables, from the cache when present (champion() trains on demand)."""
    stem = args.cache / cache_name(args, seed) if args.cache else None
    parts = ("drift", "no_drift", "segments", "codes")
    if stem is not None and all(stem.with_suffix(f".{p}.parquet").is_file() for p in parts):
        return {p: pd.read_parquet(stem.with_suffix(f".{p}.parquet")) for p in parts}
    tables = scored_pair(seed, args.claims, champion(), cms)
    if stem is not None:
        stem.parent.mkdir(parents=True, exist_ok=True)
        for part, frame in tables.items():
            frame.to_parquet(stem.with_suffix(f".{part}.parquet"))
    return tables


def since(tables: dict[str, pd.DataFrame], table: str, start: pd.Timestamp
          ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A table's claims from `start` on, with their segment and code tokens."""
    rows = tables[table][tables[table]["service_date"] >= start].reset_index(drop=True)
    ids = set(rows["claim_id"])
    return (rows, *(t[t["claim_id"].isin(ids)] for t in (tables["segments"],
                                                         tables["codes"])))


def monitored(table: pd.DataFrame, segments: pd.DataFrame, codes: pd.DataFrame,
              config: MonitorConfig) -> Any:
    """The monitor's result on one history, its alerts described with their codes."""
    result = monitor(table, segments, config)
    describe_alerts(result.alerts, table, codes, config)
    return result


def coa_outcome(alerts: list[Any]) -> dict[str, Any]:
    """COA modifier detection delay, alerts before the change, and what the alert names."""
    early = [a for a in alerts if a.alarm_week + pd.Timedelta(days=6) < pd.Timestamp(CHANGE)]
    delay = detection_delay_weeks(alerts, "COA", "modifier", CHANGE)
    coa = [a for a in alerts if (a.payer_id, a.category) == ("COA", "modifier")
           and a not in early]
    named = " ".join([coa[0].segment, *(t for t, _, _ in coa[0].involved)]) if coa else ""
    later = [a for a in alerts if a not in early and a not in coa[:1]]
    return {"delay_weeks": delay, "coa_alert": format_alert(coa[0]) if coa else None,
            "alerts_before_change": [format_alert(a) for a in early],
            "other_alerts_after": [format_alert(a) for a in later],
            "names_destruction": "destruction" in named or "CPT 17" in named}


def measure_seed(tables: dict[str, pd.DataFrame], config: MonitorConfig) -> dict[str, Any]:
    """Monitor the three histories of one seed and keep what the summary needs."""
    full = monitored(tables["drift"], tables["segments"], tables["codes"], config)
    short = monitored(*since(tables, "drift", SHORT_FROM), config)
    still = monitored(tables["no_drift"], tables["segments"], tables["codes"], config)
    return {"drift_18m": coa_outcome(full.alerts), "drift_2026h1": coa_outcome(short.alerts),
            "no_drift_alerts": [format_alert(a) for a in still.alerts],
            "no_drift_max_cusum": round(float(still.path.max()), 2),
            "alarm_level": round(still.level, 2),
            "streams": len(still.streams.keys),
            "monitored_weeks": len(still.streams.weeks) - still.burn_in}


def detection_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Detection rate within the target, median and max delay (None: never detected)."""
    delays = [r["delay_weeks"] for r in runs]
    found = [d for d in delays if d is not None]
    return {"runs": len(runs), "detected_within_4_weeks": sum(d <= TARGET_WEEKS for d in found),
            "detected_at_all": len(found),
            "median_delay_weeks": statistics.median(found) if found else None,
            "max_delay_weeks": max(found) if found else None,
            "runs_with_alerts_before_change": sum(bool(r["alerts_before_change"])
                                                  for r in runs),
            "alerts_name_destruction": sum(r["names_destruction"] for r in runs)}


def summarise(per_seed: dict[int, dict[str, Any]], config: MonitorConfig,
              args: argparse.Namespace) -> dict[str, Any]:
    """The benchmark's numbers over all seeds."""
    still = [len(r["no_drift_alerts"]) for r in per_seed.values()]
    return {
        "seeds": sorted(per_seed), "claims_per_18_months": args.claims,
        "champion": {"claims": args.champion_claims, "seed": args.champion_seed,
                     "min_payer_claims": args.min_payer_claims},
        "config": config.__dict__,
        "drift_18_months": detection_summary([r["drift_18m"] for r in per_seed.values()]),
        "drift_2026_h1": detection_summary([r["drift_2026h1"] for r in per_seed.values()]),
        "no_drift_18_months": {
            "runs": len(still), "false_alerts": sum(still),
            "false_alerts_per_18_months": sum(still) / len(still),
            "runs_with_any_alert": sum(n > 0 for n in still),
            "max_cusum": max(r["no_drift_max_cusum"] for r in per_seed.values()),
            "alarm_level": min(r["alarm_level"] for r in per_seed.values())},
        "per_seed": {str(k): v for k, v in per_seed.items()},
    }


def print_summary(summary: dict[str, Any]) -> None:
    """Human-readable lines of the summary."""
    for name in ("drift_18_months", "drift_2026_h1"):
        d = summary[name]
        print(f"{name}: detected within {TARGET_WEEKS:.0f} weeks in "
              f"{d['detected_within_4_weeks']}/{d['runs']} (at all: {d['detected_at_all']}), "
              f"median delay {d['median_delay_weeks']} weeks, max {d['max_delay_weeks']}; "
              f"runs with alerts before the change: {d['runs_with_alerts_before_change']}; "
              f"alert names destruction codes: {d['alerts_name_destruction']}")
    n = summary["no_drift_18_months"]
    print(f"no drift, 18 months: {n['false_alerts']} false alerts in {n['runs']} runs "
          f"({n['false_alerts_per_18_months']:.3f} per 18 months), runs with any alert: "
          f"{n['runs_with_any_alert']}; highest CUSUM {n['max_cusum']} (alarm level "
          f"{n['alarm_level']})")
    for seed, r in summary["per_seed"].items():
        for line in r["no_drift_alerts"] + r["drift_18m"]["alerts_before_change"]:
            print(f"  seed {seed}: {line[:160]}")


def main() -> None:
    """Measure every seed, print the summary and optionally write it as JSON."""
    args = parse_args()
    settings = get_settings()
    config = config_from(settings, args.set)
    cms = load_cms_tables(settings.cms_dir)
    started, per_seed = time.perf_counter(), {}
    with tempfile.TemporaryDirectory() as tmp:
        trained: dict[str, Any] = {}

        def champion() -> dict[str, Any]:
            """The champion bundles, trained on first use."""
            if not trained:
                trained.update(train_champion(args, cms, Path(tmp)))
            return trained

        for seed in range(args.first_seed, args.first_seed + args.seeds):
            per_seed[seed] = measure_seed(seed_tables(args, seed, champion, cms), config)
            print(f"seed {seed}: COA delay {per_seed[seed]['drift_18m']['delay_weeks']}, "
                  f"no-drift alerts {len(per_seed[seed]['no_drift_alerts'])} "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
    summary = summarise(per_seed, config, args)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    print_summary(summary)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, indent=1, default=str))


if __name__ == "__main__":
    main()
