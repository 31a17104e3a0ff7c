"""`denialrisk generate` end to end with typer's CliRunner, and its failure modes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from contract.dataset import COMPLETE_MARKER, DatasetError, read_dataset
from denialrisk.cli import app
from synthetic_data.generate import GeneratorConfig, generate_to_path

runner = CliRunner()


def test_generate_writes_a_complete_dataset(tmp_path: Path):
    out = tmp_path / "claims"
    result = runner.invoke(app, ["generate", "--claims", "400", "--seed", "9", "--start",
                                 "2025-01-01", "--end", "2026-06-30", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 400 claims" in result.output
    frames = read_dataset(out)
    assert len(frames.claims) == 400
    assert {"denied", "denial_carc", "denial_category", "denied_lines",
            "oracle_p_denied", "oracle_p", "oracle_p_visible"} <= set(frames.claims.columns)


def test_no_drift_flag_is_accepted(tmp_path: Path):
    result = runner.invoke(app, ["generate", "--claims", "200", "--no-drift",
                                 "--drift-date", "2026-01-01", "--out", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output


def _no_complete_dataset(root: Path) -> bool:
    return not any(p.name == COMPLETE_MARKER for p in root.rglob("*"))


def test_unwritable_output_gives_clear_error_and_no_dataset(tmp_path: Path):
    # The parent of --out is a regular file: the folder cannot be created.
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("x")
    result = runner.invoke(app, ["generate", "--claims", "200", "--out",
                                 str(blocker / "claims")])
    assert result.exit_code != 0
    assert "cannot write data set" in result.output
    assert "Traceback" not in result.output
    assert _no_complete_dataset(tmp_path)


def test_failure_while_writing_leaves_no_complete_looking_dataset(tmp_path, monkeypatch):
    # A crash mid-write (disk full) must not leave a folder that reads as a data set.
    import pandas as pd

    def boom(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    target = tmp_path / "claims"
    with pytest.raises(DatasetError, match="No space left"):
        generate_to_path(GeneratorConfig(claims=100), target)
    assert not target.exists() and _no_complete_dataset(tmp_path)
