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
# month by month, lets the drift monitor raise its alert, retrains with the labels the
# change made stale left out, compares the new model with the champion through the
# registry gate, and measures the recovery against a plain retrain and the generator's
# oracle. All logic lives in the package; the cells only call and display.

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
import os

# Quiet outputs: no MLflow artifact download bars, no MLflow INFO lines (database set-up).
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from denialrisk.data_sources import load_or_generate
from reference.cms import load_cms_tables
from settings import Settings
from synthetic_data.config import GeneratorConfig
from training.evaluate import load_bundles
from training.kpis import monthly_model_quality, observed_vs_predicted, scored_outcomes
from training.pipeline import run_training
from training.recovery import (
    find_alert,
    first_test_month,
    left_out_line,
    recovery_table,
    segment_claims,
    stale_weights,
    training_table,
    with_oracle,
)
from training.scored import (
    after_training,
    alert_lines,
    frames_between,
    monitor_config,
    run_monitor,
    score_frames,
)

work = Path(work_dir).resolve()
common = dict(work_dir=work, mlflow_dir=work / "mlflow", bentoml_home=work / "bentoml",
              tracking_uri=f"sqlite:///{work / 'mlflow' / 'mlflow.db'}",
              min_payer_claims=min_payer_claims, max_rounds=max_rounds,
              learning_rate=learning_rate, early_stopping_rounds=early_stopping_rounds)
champion_settings = Settings(**common, models_dir=work / "champion")
retrain_settings = Settings(**common, models_dir=work / "retrained", test_months=1)
plain_settings = Settings(**common, models_dir=work / "retrained-all-history", test_months=1)
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
# best any model could do). The change touches few claims, so the payer's AUC barely moves:
# it shows in the code pattern the monitor finds (section 4).

# %%
champion = load_bundles(champion_settings.models_dir)
scored = scored_outcomes(frames, score_frames(frames, champion, cms))
oracle = with_oracle(scored, frames)
quality = pd.concat({"champion": monthly_model_quality(scored, watch_payer),
                     "oracle": monthly_model_quality(oracle, watch_payer)}, axis=1)
quality.loc[:, (slice(None), ["claims", "actual_denial_rate", "auc", "ece"])].round(3)

# %%
# %matplotlib inline
ax = quality.xs("auc", axis=1, level=1).plot(
    marker="o", figsize=(8, 3.5), title=f"{watch_payer}: AUC per service month "
    f"(rule change in {change_month})")
display(ax.figure)  # inline again: training switches matplotlib to Agg for its figures
plt.close(ax.figure)

# %% [markdown]
# ## 4. The drift monitor raises the alert
# A CUSUM per payer x reason x code pattern (training/monitor.py, `denialrisk monitor`),
# alarming from the first month after the champion's training data (earlier months only
# set each pattern's baseline). The alert names the pattern, the first week it shows and
# the codes and modifiers involved.

# %%
result = run_monitor(frames, scored, monitor_config(champion_settings),
                     first_month=after_training(champion))
print("\n".join(alert_lines(result)))

# %%
alert = find_alert(result, watch_payer, watch_reason)
segment, segment_ids = segment_claims(frames, alert)
print(f"{watch_payer} {watch_reason}: segment '{segment}', observed vs predicted denials")
observed_vs_predicted(scored, watch_payer, watch_reason, segment_ids).round(1)

# %% [markdown]
# ## 5. Retrain without the stale labels and compare with the champion
# The features carry no date, so a model fitted on all history learns mostly the old rule.
# The retrain keeps the whole history but leaves out the watched payer's claims in the
# alert's scope from before the week the change showed (training/recovery.py): those
# patterns are learned from the claims since the change. The newest month is the test
# window; the gate scores the registered champion on the same claims and promotes the new
# version only if it is not worse and well calibrated. A plain retrain on all history
# (not registered) shows what the stale labels cost.

# %%
weights = stale_weights(frames, [alert])
print(left_out_line(weights))
retrain_runs = run_training(frames, cms, retrain_settings, payers=payers or None,
                            weights=weights)
plain_runs = run_training(frames, cms, plain_settings, payers=payers or None, track=False)
training_table(retrain_runs)

# %% [markdown]
# ## 6. Recovery
# On the watched payer's claims of the retrained model's test month (no model was fitted
# or tuned on them): AUC and ECE, and in the alert's pattern the predicted vs observed
# denial rate, for the champion, the plain retrain, the retrain without stale labels and
# the oracle. Then the pattern month by month under each model: the retrained model
# applies the new rule to every claim, so on the months before the change it predicts
# denials the old rule did not make (right for claims billed today).

# %%
retrained = load_bundles(retrain_settings.models_dir)
rescored = scored_outcomes(frames, score_frames(frames, retrained, cms))
plain = scored_outcomes(frames, score_frames(frames, load_bundles(plain_settings.models_dir),
                                             cms))
systems = {"champion": scored, "retrained, all history": plain,
           "retrained, stale labels left out": rescored, "oracle": oracle}
recovery_table(systems, watch_payer, first_test_month(retrained), segment_ids).round(3)

# %%
pd.concat({name: observed_vs_predicted(table, watch_payer, watch_reason, segment_ids)
           for name, table in systems.items() if name != "oracle"}, axis=1).round(1)
