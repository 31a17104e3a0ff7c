"""CLI: generate --format x12 writes 837P/835 beside the data set; ingest reads them back."""

from __future__ import annotations

from typer.testing import CliRunner

from contract.dataset import read_dataset
from denialrisk.cli import app

runner = CliRunner()


def test_generate_x12_then_ingest_round_trip(tmp_path):
    ds = tmp_path / "ds"
    result = runner.invoke(app, ["generate", "--claims", "300", "--out", str(ds),
                                 "--format", "x12"])
    assert result.exit_code == 0, result.output
    x12 = tmp_path / "ds-x12"
    claims, remits = sorted(x12.glob("*.837")), sorted(x12.glob("*.835"))
    assert claims and remits
    args = ["ingest", "--out", str(tmp_path / "hist")]
    for c in claims:
        args += ["--claims", str(c)]
    for r in remits:
        args += ["--remits", str(r)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    original, history = read_dataset(ds).claims, read_dataset(tmp_path / "hist").claims
    assert len(history) == len(original)
    joined = original.set_index("claim_id").join(history.set_index("claim_id"), rsuffix="_h")
    assert (joined["denied"] == joined["denied_h"]).all()
    assert not [c for c in history.columns if c.startswith("oracle_")]


def test_ingest_missing_file_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["ingest", "--claims", str(tmp_path / "nope.837"),
                                 "--out", str(tmp_path / "h")])
    assert result.exit_code == 2 and "file not found" in result.output
