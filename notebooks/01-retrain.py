# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · Retrain after a payer rule change
#
# COA quietly started denying modifier 25 on an E/M billed with 17000-series destructions
# unless a separate E/M note is documented (dates of service from 2026-04-01). This notebook
# trains a champion on the history before the change, shows what the change does to it
# month by month, lets the drift monitor raise its alert, retrains on all the history,
# compares the new model with the champion through the registry gate, and shows the
# recovery. All logic lives in the package; the cells only call and display.

# %% tags=["parameters"]
n_claims = 300_000  # claims to generate when no data set is given
seed = 20260101
data = ""  # existing data set folder; empty: generate and save under work_dir
work_dir = "work/notebooks/01-retrain"
drift = True
champion_last_month = "2026-02"  # the first champion learns only from claims up to here
watch_payer = "COA"
watch_reason = "modifier"
change_month = "2026-04"
payers = []  # models to train; empty: every payer with enough claims, plus pooled
min_payer_claims = 20_000
max_rounds = 2000
learning_rate = 0.05
early_stopping_rounds = 100

# %%
# ruff: noqa: E402 (parameters come first, as papermill expects)
from pathlib import Path

import pandas as pd

from denialrisk.settings import Settings
from features.cms import load_cms_tables
from synthetic_data.config import GeneratorConfig
from training.evaluate import load_bundles
from training.kpis import monthly_model_quality, observed_vs_predicted, scored_outcomes
from training.monitor import MonitorConfig, format_alert
from training.monitor_commands import (
    after_training,
    alert_segment_claims,
    frames_between,
    load_or_generate,
    run_monitor,
    score_frames,
    training_table,
    with_oracle,
)
from training.pipeline import run_training

work = Path(work_dir).resolve()
common = dict(work_dir=work, mlflow_dir=work / "mlflow", bentoml_home=work / "bentoml",
              tracking_uri=f"sqlite:///{work / 'mlflow' / 'mlflow.db'}",
              min_payer_claims=min_payer_claims, max_rounds=max_rounds,
              learning_rate=learning_rate, early_stopping_rounds=early_stopping_rounds)
champion_settings = Settings(**common, models_dir=work / "champion")
retrain_settings = Settings(**common, models_dir=work / "retrained", test_months=1)
cms = load_cms_tables(champion_settings.cms_dir)

# %% [markdown]
# ## 1. History
# Generated claims (or an existing data set, e.g. ingested from 835 remits), saved under
# `work_dir/claims` so notebook 02 can explain the same claims.

# %%
frames = load_or_generate(data, GeneratorConfig(claims=n_claims, seed=seed, drift=drift),
                          save_to=work / "claims")
frames.claims.groupby("payer_id")["denied"].agg(["size", "mean"]).rename(
    columns={"size": "claims", "mean": "denial_rate"})

# %% [markdown]
# ## 2. The champion: trained on the history before the change
# `run_training` registers each model in MLflow and promotes it through the gate (the
# first model of a payer has no champion to beat: only its calibration is checked).

# %%
history = frames_between(frames, last=champion_last_month)
champion_runs = run_training(history, cms, champion_settings, payers=payers or None)
training_table(champion_runs)

# %% [markdown]
# ## 3. What the change does to the champion, month by month
# Model AUC per service month for the watched payer, next to the generator's oracle (the
# best any model could do). After the change the champion falls behind the oracle.

# %%
champion = load_bundles(champion_settings.models_dir)
scored = scored_outcomes(frames, score_frames(frames, champion, cms))
oracle = with_oracle(scored, frames)
quality = pd.concat({"champion": monthly_model_quality(scored, watch_payer),
                     "oracle": monthly_model_quality(oracle, watch_payer)}, axis=1)
quality.loc[:, (slice(None), ["claims", "actual_denial_rate", "auc", "ece"])].round(3)

# %%
quality.xs("auc", axis=1, level=1).plot(
    marker="o", figsize=(8, 3.5), title=f"{watch_payer}: AUC per service month "
    f"(rule change in {change_month})")

# %% [markdown]
# ## 4. The drift monitor raises the alert
# A CUSUM per payer x reason x code pattern (training/monitor.py) on the claims after the
# champion's training data (its in-sample months are no fair expectation).

# %%
result = run_monitor(frames, scored, MonitorConfig(), first_month=after_training(champion))
for alert in result.alerts:
    print(format_alert(alert))
print("no alerts" if not result.alerts else f"{len(result.alerts)} alert(s)")

# %%
segment, segment_ids = alert_segment_claims(result, frames, watch_payer, watch_reason)
print(f"{watch_payer} {watch_reason}: segment '{segment}', observed vs predicted denials")
observed_vs_predicted(scored, watch_payer, watch_reason, segment_ids).round(1)

# %% [markdown]
# ## 5. Retrain on all the history and compare with the champion
# The newest month is the test window; the gate scores the registered champion on the
# same claims and promotes the new version only if it is not worse and well calibrated.

# %%
retrain_runs = run_training(frames, cms, retrain_settings, payers=payers or None)
training_table(retrain_runs)

# %% [markdown]
# ## 6. Recovery
# AUC after the change: champion, retrained model and oracle; then the alert's segment,
# observed vs predicted under both models. The features carry no date, so one or two
# post-change months among many older ones teach the retrained model only part of the new
# rule; the gap closes as post-change months accumulate (retrain monthly after an alert).

# %%
retrained = load_bundles(retrain_settings.models_dir)
rescored = scored_outcomes(frames, score_frames(frames, retrained, cms))
after = pd.concat({"champion": monthly_model_quality(scored, watch_payer)["auc"],
                   "retrained": monthly_model_quality(rescored, watch_payer)["auc"],
                   "oracle": monthly_model_quality(oracle, watch_payer)["auc"]}, axis=1)
after.loc[after.index >= change_month].round(4)

# %%
pd.concat({"champion": observed_vs_predicted(scored, watch_payer, watch_reason, segment_ids),
           "retrained": observed_vs_predicted(rescored, watch_payer, watch_reason,
                                              segment_ids)}, axis=1).round(1)
