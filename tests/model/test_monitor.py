"""Payer-drift monitor: CUSUM arithmetic by hand; on generated data, COA's 2026-04-01 rule
change is caught within 4 weeks and 18 months without drift raise no alert.

The champion is trained once (pooled model on 40k claims of 2025, the setting the
MonitorConfig thresholds were measured with); the monitored data have the default volume
(~3,850 claims a week): 2026-H1 with drift, and 2025-01..2026-06 without it.
"""

from __future__ import annotations

import time
from datetime import date

import numpy as np
import pandas as pd
import pytest

from training.monitor import (
    Alert,
    Streams,
    alerts_from,
    baseline_ratio,
    cusum,
    detection_delay_weeks,
    format_alert,
    llr_increments,
    rising_weeks,
    run_start,
)

CHANGE = date(2026, 4, 1)


def test_cusum_accumulates_resets_and_waits_for_burn_in():
    inc = np.array([[1.0, -3.0, 2.0, 2.0, 2.0]])
    assert cusum(inc, 0).tolist() == [[1.0, 0.0, 2.0, 4.0, 6.0]]
    assert cusum(inc, 3).tolist() == [[0.0, 0.0, 0.0, 2.0, 4.0]]
    assert rising_weeks(inc, cusum(inc, 0)).tolist() == [[1, 0, 1, 2, 3]]
    assert run_start(cusum(inc, 0)[0], 4) == 2


def test_baseline_ratio_uses_only_weeks_before_the_guard():
    obs, exp = np.array([[2.0, 2.0, 2.0, 10.0]]), np.ones((1, 4))
    r = baseline_ratio(obs, exp, guard=1, pseudo=1.0)
    assert r[0].tolist() == pytest.approx([1.0, 1.0, 3 / 2, 5 / 3])  # week 3 ignores week 2


def test_llr_increment_is_poisson_likelihood_ratio():
    inc = llr_increments(np.array([[3.0]]), np.array([[0.5]]), np.array([[2.0]]), 8.0)
    assert inc[0, 0] == pytest.approx(3 * np.log(8) - 7 * 2.0 * 0.5)


def test_alert_needs_threshold_and_two_rising_weeks_and_names_the_run():
    weeks = pd.date_range("2026-03-02", periods=6, freq="W-MON")
    keys = pd.DataFrame({"payer_id": ["COA", "COA"], "category": ["modifier"] * 2,
                         "segment": ["all claims", "E/M+25 with destruction_benign"]})
    obs = np.array([[0, 9, 0, 0, 0, 0], [0, 0, 3, 3, 3, 3]], dtype=float)
    exp = np.full((2, 6), 0.2)
    streams = Streams(keys, weeks, obs, exp)
    inc = llr_increments(obs, exp, np.ones_like(obs), 8.0)
    path = cusum(inc, 0)
    alerts = alerts_from(streams, path, rising_weeks(inc, path), threshold=10.0, min_weeks=2)
    assert len(alerts) == 1  # the one-week spike of 9 does not alarm alone
    alert = alerts[0]
    assert alert.segment == "E/M+25 with destruction_benign"
    # each week adds 3 ln 8 - 7 * 0.2 = 4.84: 4.84, 9.68, 14.5 > 10 in the third week
    assert alert.first_week == weeks[2] and alert.alarm_week == weeks[4]
    assert alert.observed == 9 and alert.expected == pytest.approx(0.6)
    line = format_alert(alert)
    assert line.startswith("ALERT payer COA reason modifier (CO-4)") and "retrain" in line


def test_detection_delay_counts_to_the_end_of_the_alarm_week():
    alert = Alert("COA", "modifier", "s", pd.Timestamp("2026-04-13"),
                  pd.Timestamp("2026-04-13"), 5, 1, 12)
    assert detection_delay_weeks([alert], "COA", "modifier", CHANGE) == pytest.approx(19 / 7)
    assert detection_delay_weeks([alert], "MCR", "modifier", CHANGE) is None


@pytest.fixture(scope="module")
def champion(tmp_path_factory, cms):
    from denialrisk.settings import Settings
    from synthetic_data.config import GeneratorConfig
    from synthetic_data.generate import generate_frames
    from training.evaluate import load_bundles
    from training.pipeline import run_training

    tmp = tmp_path_factory.mktemp("monitor")
    settings = Settings(max_rounds=400, early_stopping_rounds=30, learning_rate=0.1,
                        min_payer_claims=8000, models_dir=tmp / "models",
                        mlflow_dir=tmp / "mlflow", bentoml_home=tmp / "bentoml")
    history = generate_frames(GeneratorConfig(claims=40_000, seed=101, start=date(2025, 1, 1),
                                              end=date(2025, 12, 31)))
    run_training(history, cms, settings, payers=["pooled"], track=False)
    return settings.models_dir, load_bundles(settings.models_dir)


@pytest.mark.slow
def test_coa_rule_change_is_detected_within_four_weeks(champion, tmp_path, record_property):
    from features.dataset import write_dataset
    from synthetic_data.config import GeneratorConfig
    from synthetic_data.generate import generate_frames
    from training.monitor_commands import monitor_command

    data = tmp_path / "claims-2026"
    write_dataset(generate_frames(GeneratorConfig(
        claims=100_000, seed=201, start=date(2026, 1, 1), end=date(2026, 6, 30))), data)
    lines: list[str] = []
    start = time.perf_counter()
    result = monitor_command(data, model=str(champion[0]), echo=lines.append)
    record_property("monitor_seconds", round(time.perf_counter() - start, 1))
    delay = detection_delay_weeks(result.alerts, "COA", "modifier", CHANGE)
    record_property("coa_detection_delay_weeks", delay)
    assert delay is not None and delay <= 4.0, lines
    assert not [a for a in result.alerts if a.alarm_week < pd.Timestamp(CHANGE)], lines
    coa = next(a for a in result.alerts if (a.payer_id, a.category) == ("COA", "modifier"))
    named = " ".join([coa.segment, *(tok for tok, _, _ in coa.involved)])
    assert "destruction" in named or "CPT 17" in named, named
    assert any(line.startswith("ALERT payer COA reason modifier") for line in lines)


@pytest.mark.slow
def test_no_alert_over_18_months_without_drift(champion, cms, record_property):
    from synthetic_data.config import GeneratorConfig
    from synthetic_data.generate import generate_frames
    from training.kpis import scored_outcomes
    from training.monitor import MonitorConfig
    from training.monitor_commands import run_monitor, score_frames

    frames = generate_frames(GeneratorConfig(claims=300_000, seed=301, drift=False))
    table = scored_outcomes(frames, score_frames(frames, champion[1], cms))
    result = run_monitor(frames, table, MonitorConfig())
    monitored = len(result.streams.weeks) - result.burn_in
    record_property("streams", len(result.streams.keys))
    record_property("monitored_weeks", monitored)
    record_property("max_cusum", round(float(result.path.max()), 2))
    assert monitored >= 70 and len(table) == 300_000
    assert result.alerts == [], [format_alert(a) for a in result.alerts]
