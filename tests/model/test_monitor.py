"""Payer-drift monitor and retrain recovery.

CUSUM arithmetic by hand; then on generated data at the default volume (300,000 claims over
2025-01..2026-06, ~3,850 a week), generated twice with the same seed, with and without
COA's 2026-04-01 rule change (identical claims, only outcomes under the new rule differ),
scored once by a champion trained on 2025 claims of another seed (pooled model, 40k
claims): without drift the monitor prints `no alerts`; with drift it alerts COA modifier
denials within 4 weeks, naming the destruction codes and modifier 25; a COA model
retrained with the alert's stale labels left out predicts the new rule's denial rate
where the champion does not. Detection rate and false alarms over many seeds:
benchmarks/bench_monitor.py.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy.stats import gamma

from training.monitor import (
    ANY_KIND,
    Alert,
    MonitorConfig,
    Streams,
    alarm_level,
    alerts_from,
    baseline_ratio,
    cusum,
    llr_increments,
    rising_weeks,
    run_start,
    with_procedure_groups,
)
from training.monitor_report import detection_delay_weeks, format_alert

CHANGE = date(2026, 4, 1)


def test_cusum_accumulates_resets_and_waits_for_burn_in():
    inc = np.array([[1.0, -3.0, 2.0, 2.0, 2.0]])
    assert cusum(inc, 0).tolist() == [[1.0, 0.0, 2.0, 4.0, 6.0]]
    assert cusum(inc, 3).tolist() == [[0.0, 0.0, 0.0, 2.0, 4.0]]
    assert rising_weeks(inc, cusum(inc, 0)).tolist() == [[1, 0, 1, 2, 3]]
    assert run_start(cusum(inc, 0)[0], 4) == 2


def test_baseline_ratio_is_an_upper_gamma_quantile_of_weeks_before_the_guard():
    obs, exp = np.array([[2.0, 2.0, 2.0, 10.0]]), np.ones((1, 4))
    r = baseline_ratio(obs, exp, guard=1, pseudo=1.0, quantile=0.85)
    past_o, past_e = np.array([0, 0, 2, 4]), np.array([0, 0, 1, 2])  # week 3 ignores week 2
    want = gamma.ppf(0.85, past_o + 1.0, scale=1 / (past_e + 1.0))
    assert r[0] == pytest.approx(want)
    short = baseline_ratio(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]]), 0, 0.5, 0.85)
    long = baseline_ratio(np.array([[20.0, 0.0]]), np.array([[20.0, 0.0]]), 0, 0.5, 0.85)
    assert short[0, 1] > long[0, 1] > 1.0  # the same rate, trusted more with more history


def test_llr_increment_is_poisson_likelihood_ratio():
    inc = llr_increments(np.array([[3.0]]), np.array([[0.5]]), np.array([[2.0]]), 8.0)
    assert inc[0, 0] == pytest.approx(3 * np.log(8) - 7 * 2.0 * 0.5)


def test_alarm_level_grows_with_the_log_of_the_number_of_streams():
    config = MonitorConfig(threshold=2.0)
    assert alarm_level(config, 1) == 2.0
    assert alarm_level(config, 1000) - alarm_level(config, 10) == pytest.approx(np.log(100))


def test_procedure_kinds_merge_into_one_em_pattern():
    tokens = pd.DataFrame({"claim_id": ["a", "b", "b", "c"], "token": [
        "E/M+25, no separate note, with destruction_ak", "destruction_benign",
        "E/M+25, no separate note, with destruction_benign", "E/M+25 with biopsy"]})
    out = with_procedure_groups(tokens)
    merged = f"E/M+25, no separate note, with destruction{ANY_KIND}"
    assert sorted(out.loc[out["token"] == merged, "claim_id"]) == ["a", "b"]
    assert len(out) == len(tokens) + 2  # 'biopsy' has one kind: no duplicate pattern


def test_alert_needs_the_level_and_two_rising_weeks_and_names_the_run_and_scope():
    weeks = pd.date_range("2026-03-02", periods=6, freq="W-MON")
    keys = pd.DataFrame({"payer_id": ["COA"] * 3, "category": ["modifier"] * 3,
                         "segment": ["all claims", "E/M+25 with destruction_benign",
                                     "modifier 25"]})
    obs = np.array([[0, 9, 0, 0, 0, 0], [0, 0, 3, 3, 3, 3], [0, 0, 0, 3, 3, 3]], dtype=float)
    exp = np.full((3, 6), 0.2)
    ratio = np.full((3, 6), 0.5)
    inc = llr_increments(obs, exp, ratio, 8.0)
    path = cusum(inc, 0)
    alerts = alerts_from(Streams(keys, weeks, obs, exp), path, rising_weeks(inc, path),
                         level=10.0, min_weeks=2, ratio=ratio)
    assert len(alerts) == 1  # the one-week spike of 9 does not alarm alone
    alert = alerts[0]
    assert alert.segment == "E/M+25 with destruction_benign"
    # each week adds 3 ln 8 - 7 * 0.5 * 0.2 = 5.54: 5.54, 11.1 > 10 in the second week
    assert alert.first_week == weeks[2] and alert.alarm_week == weeks[3]
    assert alert.observed == 6 and alert.expected == pytest.approx(2 * 0.5 * 0.2)
    assert alert.scope == ["E/M+25 with destruction_benign", "modifier 25"]
    line = format_alert(alert)
    assert line.startswith("ALERT payer COA reason modifier (CO-4)") and "retrain" in line
    assert "'modifier 25'" in line


def test_detection_delay_counts_to_the_end_of_the_alarm_week():
    alert = Alert("COA", "modifier", "s", pd.Timestamp("2026-04-13"),
                  pd.Timestamp("2026-04-13"), 5, 1, 12)
    assert detection_delay_weeks([alert], "COA", "modifier", CHANGE) == pytest.approx(19 / 7)
    assert detection_delay_weeks([alert], "MCR", "modifier", CHANGE) is None


@pytest.fixture(scope="module")
def champion(tmp_path_factory, cms):
    from settings import Settings
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
    return load_bundles(settings.models_dir)


@pytest.fixture(scope="module")
def histories(champion, cms) -> dict:
    """18 months with and without drift (same claims), scored once, and monitored."""
    from settings import Settings
    from synthetic_data.config import GeneratorConfig
    from synthetic_data.generate import generate_frames
    from training.kpis import scored_outcomes
    from training.scored import (
        after_training,
        monitor_config,
        monitor_tokens,
        run_monitor,
        score_frames,
    )

    drift = generate_frames(GeneratorConfig(claims=300_000, seed=301, drift=True))
    still = generate_frames(GeneratorConfig(claims=300_000, seed=301, drift=False))
    from contract.frames import LINE_COLUMNS

    # the drift changes outcomes (and the 835 line amounts), never claims
    assert drift.lines[LINE_COLUMNS].equals(still.lines[LINE_COLUMNS])
    scores = score_frames(drift, champion, cms)
    config, tokens = monitor_config(Settings()), monitor_tokens(drift)
    first = after_training(champion)  # as `denialrisk monitor`: after the model's data
    out = {"frames": drift}
    for name, frames in (("drift", drift), ("no_drift", still)):
        table = scored_outcomes(frames, scores)
        out[name] = (table, run_monitor(frames, table, config, first_month=first,
                                        tokens=tokens))
    return out


@pytest.mark.slow
def test_no_alert_over_18_months_without_drift(histories, record_property):
    from training.scored import alert_lines

    table, result = histories["no_drift"]
    record_property("streams", len(result.streams.keys))
    record_property("alarm_level", round(result.level, 2))
    record_property("max_cusum", round(float(result.path.max()), 2))
    assert len(result.streams.weeks) - result.burn_in >= 40 and len(table) == 300_000
    assert alert_lines(result) == ["no alerts"]


@pytest.mark.slow
def test_coa_rule_change_is_alerted_within_four_weeks_with_its_codes(histories,
                                                                    record_property):
    from training.scored import alert_lines

    _, result = histories["drift"]
    lines = alert_lines(result)
    delay = detection_delay_weeks(result.alerts, "COA", "modifier", CHANGE)
    record_property("coa_detection_delay_weeks", delay)
    assert delay is not None and delay <= 4.0, lines
    assert not [a for a in result.alerts if a.alarm_week < pd.Timestamp(CHANGE)], lines
    coa = next(a for a in result.alerts if (a.payer_id, a.category) == ("COA", "modifier"))
    named = [coa.segment, *(token for token, _, _ in coa.involved)]
    assert "destruction" in coa.segment, named  # the claims the new rule reviews
    assert "E/M+25" in coa.segment or "modifier 25" in named, named  # the line it denies
    assert any(t.startswith("CPT 17") for t in named), named
    assert any(line.startswith("ALERT payer COA reason modifier") for line in lines)


@pytest.mark.slow
def test_retrain_without_stale_labels_predicts_the_new_rule(histories, champion, cms,
                                                            tmp_path, record_property):
    from settings import Settings
    from training.evaluate import load_bundles
    from training.kpis import scored_outcomes
    from training.monitor import segment_tokens
    from training.pipeline import run_training
    from training.recovery import (
        find_alert,
        first_test_month,
        recovery_table,
        stale_weights,
    )
    from training.scored import score_frames
    from training.split import subset_frames

    frames = histories["frames"]
    coa = subset_frames(frames, (frames.claims["payer_id"] == "COA").to_numpy())
    alert = find_alert(histories["drift"][1], "COA", "modifier")
    settings = Settings(max_rounds=400, early_stopping_rounds=30, learning_rate=0.1,
                        test_months=1, models_dir=tmp_path / "models",
                        mlflow_dir=tmp_path / "mlflow", bentoml_home=tmp_path / "bentoml")
    run_training(coa, cms, settings, payers=["COA"], track=False,
                 weights=stale_weights(coa, [alert]))
    retrained = load_bundles(settings.models_dir)
    tables = {"champion": scored_outcomes(coa, score_frames(coa, champion, cms)),
              "retrained": scored_outcomes(coa, score_frames(coa, retrained, cms))}
    # the claims the change touches: E/M+25 with a destruction, in the alert's scope
    tokens = segment_tokens(coa)
    touched = [t for t in alert.scope if "E/M+25" in t and "destruction" in t]
    assert touched, alert.scope
    affected = tokens.loc[tokens["token"].isin(touched), "claim_id"].drop_duplicates()
    report = recovery_table(tables, "COA", first_test_month(retrained), affected)
    assert_learned(report, "retrained", "champion", record_property, min_auc_gain=-0.01)


def test_recency_weights_halve_every_half_life_and_keep_left_out_claims_out():
    from training.train import sample_weights

    dates = pd.Series(pd.to_datetime(["2026-01-01", "2026-03-02", "2026-05-01", "2026-06-01"]))
    train = np.array([True, True, True, False])
    w = sample_weights(dates, train, 60.0, base=np.array([1.0, 0.0, 1.0, 1.0]))
    assert w.tolist() == pytest.approx([0.25, 0.0, 1.0, 1.0])  # 120 and 60 days before May 1
    assert sample_weights(dates, train, None) is None


def test_stale_weights_leave_out_the_alerted_payers_scope_before_its_first_week(frames):
    from training.kpis import claim_tokens
    from training.recovery import stale_weights
    from training.split import claim_service_dates

    first = pd.Timestamp("2026-01-05")
    alert = Alert("COA", "modifier", "destruction_benign", first, first, 5, 1, 12,
                  scope=["destruction_benign", "modifier 59"])
    w = stale_weights(frames, [alert])
    tokens = claim_tokens(frames)
    scoped = tokens.loc[tokens["token"].isin(alert.scope), "claim_id"]
    claims = frames.claims
    want = (claims["claim_id"].astype(str).isin(scoped) & (claims["payer_id"] == "COA")
            & (claim_service_dates(frames) < first).to_numpy())
    assert want.sum() > 0 and (w == 0).sum() == want.sum()
    assert (w[want.to_numpy()] == 0).all() and set(np.unique(w)) == {0.0, 1.0}


def test_involved_codes_rank_excess_over_each_codes_own_history():
    from training.monitor_report import involved_codes

    weeks = pd.date_range("2026-01-05", periods=12, freq="W-MON")
    n = 24  # two claims a week: one 17110 claim, one 99213 claim
    week = np.repeat(weeks, 2)
    run = week >= weeks[8]
    is_wart = np.tile([True, False], 12)
    denied = (is_wart & run) | (~is_wart & (np.arange(n) % 4 == 1))  # 99213: steady
    table = pd.DataFrame({"claim_id": [f"c{i}" for i in range(n)], "payer_id": "COA",
                          "week": week, "p_modifier": 0.1,
                          "denial_category": np.where(denied, "modifier", None)})
    tokens = pd.DataFrame({"claim_id": table["claim_id"], "token": np.where(
        is_wart, "CPT 17110", "CPT 99213")})
    em = tokens.assign(token="E/M+25 with destruction_benign")
    alert = Alert("COA", "modifier", "s", weeks[8], weeks[11], 4, 0.4, 12)
    named = involved_codes(table, pd.concat([tokens, em]), alert, MonitorConfig())
    assert [tok for tok, _, _ in named] == ["CPT 17110"]  # 99213 denials match its history
    assert named[0][1] == 4 and 0 < named[0][2] < 4 * 0.1


def assert_learned(report: pd.DataFrame, new: str, old: str, record_property,
                   min_auc_gain: float) -> None:
    """The `new` system predicts the changed segment's rate at least twice as closely as
    `old` (on 10 or more claims) and gains at least min_auc_gain AUC on the payer."""
    for name, row in report.iterrows():
        record_property(f"{name}_segment_gap", round(float(row["segment_gap"]), 3))
        record_property(f"{name}_auc", round(float(row["auc"]), 4))
    assert report.at[new, "segment_claims"] >= 10, report
    gap = report["segment_gap"].abs()
    assert gap[new] < gap[old] / 2, report
    assert report.at[new, "auc"] >= report.at[old, "auc"] + min_auc_gain, report


def changed_segment(frames) -> pd.Series:
    """Claims of the segment COA's change reviews: E/M+25 billed with a destruction."""
    from training.monitor import segment_tokens

    tokens = segment_tokens(frames)
    touched = tokens["token"].str.contains("E/M\\+25", regex=True) & \
        tokens["token"].str.contains("destruction")
    return tokens.loc[touched, "claim_id"].drop_duplicates()


@pytest.mark.slow
def test_served_refit_learns_a_rule_change_of_the_last_months(histories, cms, tmp_path,
                                                              mlflow_template,
                                                              record_property):
    # COA's change (2026-04-01) two months before the end of a history that stops in May:
    # the tested model ends in January, the refit the store serves in April (May
    # calibrates it), so on June's claims the refit knows the new rule.
    import shutil

    from contract.dataset import write_dataset
    from settings import Settings
    from training.kpis import scored_outcomes
    from training.pipeline import run_training
    from training.recovery import recovery_table
    from training.scored import load_scored, score_frames
    from training.split import claim_service_dates, subset_frames
    from training.store import load_from_bentoml

    frames = histories["frames"]
    coa = subset_frames(frames, (frames.claims["payer_id"] == "COA").to_numpy())
    month = claim_service_dates(coa).dt.strftime("%Y-%m").to_numpy()
    history, june = (subset_frames(coa, month < "2026-06"),
                     subset_frames(coa, month == "2026-06"))
    (tmp_path / "mlflow").mkdir()
    shutil.copy(mlflow_template, tmp_path / "mlflow" / "mlflow.db")
    settings = Settings(max_rounds=400, early_stopping_rounds=30, learning_rate=0.1,
                        models_dir=tmp_path / "models", mlflow_dir=tmp_path / "mlflow",
                        tracking_uri=f"sqlite:///{tmp_path / 'mlflow' / 'mlflow.db'}",
                        bentoml_home=tmp_path / "bentoml")
    [outcome] = run_training(history, cms, settings, payers=["COA"])
    assert outcome.decision.promote, outcome.decision.reason
    served = load_from_bentoml("COA", settings.bentoml_home)
    tested = load_from_bentoml("COA", settings.bentoml_home, heldout=True)
    assert tested.metadata.training_window["train_end"] == "2026-01"
    assert served.metadata.training_window["train_end"] == "2026-04"
    assert served.metadata.heldout_window == tested.metadata.training_window
    assert served.metadata.test_metrics == tested.metadata.test_metrics
    affected = changed_segment(june)
    tables = {name: scored_outcomes(june, score_frames(june, {"COA": bundle}, cms))
              for name, bundle in (("tested", tested), ("served", served))}
    report = recovery_table(tables, "COA", "2026-06", affected)
    assert_learned(report, "served", "tested", record_property, min_auc_gain=0.001)
    # kpis / monitor on the history plus June: the history's claims by the model as
    # tested (out of sample after its training window), June's by the refit that served it
    write_dataset(coa, tmp_path / "coa")
    _, table, _ = load_scored(tmp_path / "coa", "champion", settings)
    monitored = table.set_index("claim_id")["denial_probability"]
    for part, bundle in ((june, served), (history, tested)):
        expected = score_frames(part, {"COA": bundle}, cms)["denial_probability"]
        np.testing.assert_allclose(monitored.loc[expected.index.astype(str)].to_numpy(),
                                   expected.to_numpy(), rtol=1e-6)


@pytest.mark.slow
def test_walk_forward_scores_the_months_after_a_change_with_retrains_that_saw_it(
        histories, cms, tmp_path, record_property):
    # The tested COA model ends before the test window the change opens; scored month by
    # month by the retrain served during it, May and June come from models that learned
    # April's denials, so the changed segment is predicted near its rate there.
    from settings import Settings
    from training.evaluate import load_bundles
    from training.metrics import safe_auc
    from training.pipeline import run_training
    from training.split import claim_service_dates, subset_frames
    from training.walk_forward import walk_forward_preds

    frames = histories["frames"]
    coa = subset_frames(frames, (frames.claims["payer_id"] == "COA").to_numpy())
    settings = Settings(max_rounds=400, early_stopping_rounds=30, learning_rate=0.1,
                        work_dir=tmp_path, models_dir=tmp_path / "models")
    run_training(coa, cms, settings, payers=["COA"], track=False)
    tested = load_bundles(settings.models_dir)
    walked = walk_forward_preds(coa, cms, settings, tested, tmp_path / "walk")
    month = claim_service_dates(coa).dt.strftime("%Y-%m").to_numpy()
    test = month >= "2026-04"
    assert len(walked.p) == test.sum()
    june = month[test] == "2026-06"
    y = coa.claims["denied"].to_numpy(int)[test]
    p_tested = tested["COA"].predict_proba(
        tested["COA"].features(subset_frames(coa, test), cms))
    seg = coa.claims["claim_id"].isin(changed_segment(coa)).to_numpy()[test] & june
    gaps = {name: float(p[seg].mean() - y[seg].mean())
            for name, p in (("tested", p_tested), ("walk", walked.p))}
    aucs = {name: safe_auc(y[june], p[june])
            for name, p in (("tested", p_tested), ("walk", walked.p))}
    record_property("june_segment_gaps", gaps)
    record_property("june_aucs", aucs)
    assert seg.sum() >= 10
    assert abs(gaps["walk"]) < abs(gaps["tested"]) / 2, gaps
    assert aucs["walk"] > aucs["tested"], aucs
    assert sorted(p.name for p in (tmp_path / "walk").iterdir()) == \
        ["2026-04", "2026-05", "2026-06"]
