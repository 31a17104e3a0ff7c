"""The README's main command: `denialrisk demo` runs generate -> train -> score end to end,
writing the default stores, so the commands it prints find everything with no paths."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from denialrisk.cli import app


@pytest.mark.slow
def test_demo_then_report_with_no_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("DENIALRISK_WORK_DIR", str(tmp_path))
    monkeypatch.setenv("DENIALRISK_NUM_THREADS", "1")
    for name in ("MLFLOW_TRACKING_URI", "BENTOML_HOME", "DENIALRISK_BENTOML_HOME",
                 "DENIALRISK_MODELS_DIR", "DENIALRISK_MLFLOW_DIR", "DENIALRISK_TRACKING_URI"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, ["demo", "--claims", "12000"])
    assert result.exit_code == 0, result.output
    assert "3/3 scored" in result.output and "API key for this demo" in result.output
    # the stores every later command finds by default
    assert (tmp_path / "claims" / "_COMPLETE").is_file()
    assert (tmp_path / "bentoml" / "models" / "denialrisk-pooled").is_dir()
    assert (tmp_path / "models" / "pooled" / "bundle.json").is_file()
    assert (tmp_path / "mlflow" / "mlflow.db").is_file()
    # the E/M example without 25 must come back with the add-modifier-25 fix
    assert "C-0000101-no25" in result.output
    assert '"add_modifier"' in result.output and '"25"' in result.output
    # the printed commands are whole lines, ready to paste
    lines = result.output.splitlines()
    assert any(re.fullmatch(r"  DENIALRISK_API_KEY=[\w-]+ uv run denialrisk serve", line)
               for line in lines), lines[-6:]
    assert "  uv run denialrisk report --payer COA" in lines
    out = tmp_path / "COA.html"
    report = CliRunner().invoke(app, ["report", "--payer", "COA", "--out", str(out)])
    assert report.exit_code == 0, report.output
    assert out.read_text().startswith("<!DOCTYPE html>")
