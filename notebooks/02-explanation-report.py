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
# # 02 · One payer's denial drivers, worked examples and fixes
#
# The same content as `denialrisk report --payer P`, section by section: the top denial
# drivers (SHAP summary in claim language), denial reasons by code pattern, worked
# examples with verified fixes, worked fixes (claim lines before and after, with the
# risk and the cited rule), how the payer differs from the others, how far to trust the
# model, and the KPIs. The last cell writes the self-contained HTML report.

# %% tags=["parameters"]
payer = "COA"
data = "work/claims"  # data set folder with outcomes (generated or ingested from 835)
model = "champion"  # champion: the BentoML store; or a folder of bundles such as work/models
bentoml_home = "work/bentoml"
months = 3  # newest months treated as recent claims / test window
examples_per_driver = 5
out = "reports/COA.html"

# %%
# ruff: noqa: E402 (parameters come first, as papermill expects)
import os

# Quiet outputs: no MLflow artifact download bars, no MLflow INFO lines.
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")

from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

from denialrisk.commands.report_html import load_model_set
from reference.cms import load_cms_tables
from serving.report.build import ReportOptions, build_context, render_html, write_html
from serving.report.examples import examples_table
from serving.report.worked_fixes import fixes_table
from settings import Settings
from training.data import load_frames

frames = load_frames(Path(data))
models = load_model_set(model, Path(bentoml_home))
cms = load_cms_tables(Settings().cms_dir)
context = build_context(payer, frames, models, cms,
                        ReportOptions(months=months, examples_per_driver=examples_per_driver))
print(f"{payer}: {context['window']['claims']} "
      f"({context['window']['start']} to {context['window']['end']}), model "
      f"{context['model']['name']} v{context['model']['version']}")

# %% [markdown]
# ## 1. Top denial drivers (SHAP summary, claim language)

# %%
display(HTML(f'<img src="{context["drivers"]["plot"]}">'))
context["drivers"]["frame"].round(3)

# %% [markdown]
# ## 2. Denial reasons by procedure family and modifier pattern

# %%
display(HTML(f'<img src="{context["patterns"]["families"]}">'))
display(HTML(f'<img src="{context["patterns"]["modifiers"]}">'))

# %% [markdown]
# ## 3. Worked examples: explanation and the fix that lowers the risk

# %%
examples_table(context["examples"])

# %% [markdown]
# ## 4. Worked fixes: the top verified fix of recent risky claims, with its rule

# %%
fixes_table(context["fixes"])

# %% [markdown]
# ## 5. How this payer differs (the same claims under each payer's model)

# %%
display(HTML(f'<img src="{context["comparison"]["plot"]}">'))
pd.DataFrame(context["comparison"]["highlights"])

# %% [markdown]
# ## 6. Calibration and accuracy on the test window

# %%
print(context["calibration"]["trust"])
display(HTML(f'<img src="{context["calibration"]["plot"]}">'))
pd.DataFrame(context["calibration"]["bins"])

# %% [markdown]
# ## 7. KPIs

# %%
display(pd.DataFrame(context["kpis"]["summary"]))
pd.DataFrame(context["kpis"]["categories"])

# %%
path = write_html(render_html(context), Path(out))
print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB, self-contained)")
