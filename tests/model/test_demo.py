"""The README's main command: `denialrisk demo` runs generate -> train -> score end to end."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from denialrisk.cli import app


@pytest.mark.slow
def test_demo_scores_examples_and_finds_the_missing_25_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("DENIALRISK_WORK_DIR", str(tmp_path))
    monkeypatch.setenv("DENIALRISK_NUM_THREADS", "1")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("BENTOML_HOME", raising=False)
    result = CliRunner().invoke(app, ["demo", "--claims", "12000"])
    assert result.exit_code == 0, result.output
    assert "3/3 scored" in result.output and "API key for this demo" in result.output
    assert (tmp_path / "demo" / "bentoml" / "models").is_dir()
    # the E/M example without 25 must come back with the add-modifier-25 fix
    assert "C-0000101-no25" in result.output
    assert '"add_modifier"' in result.output and '"25"' in result.output
