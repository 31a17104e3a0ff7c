"""Both notebooks execute end to end on a tiny data set (papermill on jupytext-converted files).

The .py (percent) files are converted to .ipynb in a tmp dir, executed with tiny
parameters and every store (MLflow, BentoML, bundles, data, report) under tmp; papermill
raises when any cell raises, which fails the test. The outputs are what a reader sees:
no stderr at all (no MLflow download bars or INFO lines, no warnings such as
matplotlib's "more than 20 figures"), figures shown as images; MLflow runs are named by
payer and training date.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
TINY_RETRAIN = dict(n_claims=16_000, seed=3, payers=["pooled"], max_rounds=80,
                    learning_rate=0.2, early_stopping_rounds=10)


def execute(name: str, tmp: Path, parameters: dict[str, Any]) -> dict[str, Any]:
    """Convert notebooks/<name>.py, run it with papermill in tmp; the executed notebook."""
    import jupytext
    import papermill

    source = tmp / f"{name}.ipynb"
    jupytext.write(jupytext.read(NOTEBOOKS / f"{name}.py"), source)
    executed = tmp / f"{name}.out.ipynb"
    papermill.execute_notebook(str(source), str(executed), parameters=parameters,
                               kernel_name="python3", cwd=str(tmp), progress_bar=False,
                               execution_timeout=300)
    return json.loads(executed.read_text())


def stderr_text(notebook: dict[str, Any]) -> str:
    """Everything the cells wrote to stderr (progress bars, warnings, log lines)."""
    return "".join("".join(out.get("text", "")) for cell in notebook["cells"]
                   for out in cell.get("outputs", [])
                   if out.get("output_type") == "stream" and out.get("name") == "stderr")


def images(notebook: dict[str, Any]) -> int:
    """PNG images among the outputs."""
    return sum("image/png" in out.get("data", {}) for cell in notebook["cells"]
               for out in cell.get("outputs", []))


def outputs_text(notebook: dict[str, Any]) -> str:
    """All stream and text/plain outputs of an executed notebook."""
    parts = []
    for cell in notebook["cells"]:
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            parts.append("".join(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("notebooks")


@pytest.fixture(scope="module")
def retrain_run(workspace) -> tuple[dict[str, Any], Path, float]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{workspace / 'env-mlflow.db'}")
        mp.setenv("BENTOML_HOME", str(workspace / "env-bentoml"))
        work = workspace / "01"
        start = time.perf_counter()
        nb = execute("01-retrain", workspace, TINY_RETRAIN | {"work_dir": str(work)})
        return nb, work, time.perf_counter() - start


def test_retrain_notebook_trains_monitors_and_retrains(retrain_run, record_property):
    nb, work, seconds = retrain_run
    record_property("seconds", round(seconds, 1))
    text = outputs_text(nb)
    assert (work / "champion" / "pooled" / "bundle.json").is_file()
    assert (work / "retrained" / "pooled" / "bundle.json").is_file()
    assert (work / "mlflow" / "mlflow.db").is_file()  # tracked in work_dir, not the env's
    assert "ALERT" in text or "no alerts" in text
    assert "test_auc" in text and "promoted" in text
    assert "labels left out as stale" in text and "segment_gap" in text  # recovery table
    assert (work / "retrained-all-history" / "pooled" / "bundle.json").is_file()


def test_retrain_notebook_outputs_are_quiet(retrain_run):
    nb, _, _ = retrain_run
    assert stderr_text(nb) == ""
    assert images(nb) == 1  # the AUC per month plot, shown once


def test_mlflow_runs_are_named_by_payer_and_date(retrain_run):
    import re

    import mlflow

    _, work, _ = retrain_run
    client = mlflow.MlflowClient(f"sqlite:///{work / 'mlflow' / 'mlflow.db'}")
    runs = client.search_runs([e.experiment_id for e in client.search_experiments()])
    names = {r.info.run_name for r in runs}
    assert len(runs) == 2 and names  # the champion and the retrain (the plain one: untracked)
    assert all(re.fullmatch(r"pooled \d{4}-\d{2}-\d{2}", name) for name in names), names


def test_report_notebook_writes_the_html_report(retrain_run, workspace, record_property):
    _, work, _ = retrain_run
    out = workspace / "report" / "COA.html"
    start = time.perf_counter()
    nb = execute("02-explanation-report", workspace, {
        "payer": "COA", "data": str(work / "claims"), "model": str(work / "retrained"),
        "bentoml_home": str(work / "bentoml"), "examples_per_driver": 2, "out": str(out)})
    seconds = time.perf_counter() - start
    record_property("seconds", round(seconds, 1))
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "data:image/png;base64," in html
    assert "wrote" in outputs_text(nb)
    assert stderr_text(nb) == ""
