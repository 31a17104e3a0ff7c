"""CLI: generate --format x12 writes a practice's 837P/835 history (and truth.parquet);
ingest reads folders and prints its report; --payer-map on ingest, score and serve;
score takes several --x12."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from contract.dataset import read_dataset
from denialrisk.cli import app
from interop.x12.payer_map import PAYER_MAP_ENV

runner = CliRunner()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ds = tmp_path_factory.mktemp("gen") / "ds"
    result = runner.invoke(app, ["generate", "--claims", "300", "--out", str(ds),
                                 "--format", "x12", "--start", "2026-01-01"])
    assert result.exit_code == 0, result.output
    return ds


def test_generate_x12_then_ingest_the_folder(generated: Path, tmp_path: Path) -> None:
    x12 = generated.with_name("ds-x12")
    assert sorted(x12.glob("claims_*_2026-01_01.837")) and sorted(x12.glob("remits_*.835"))
    truth = pd.read_parquet(x12 / "truth.parquet")
    assert truth.columns[0] == "claim_id" and any(c.startswith("oracle_") for c in truth)
    result = runner.invoke(app, ["ingest", "--claims", str(x12), "--remits", str(x12),
                                 "--out", str(tmp_path / "hist")])
    assert result.exit_code == 0, result.output
    assert "claims_read                300" in result.output
    assert "claims_invalid             0" in result.output
    assert "denial rate by month of service and payer" in result.output
    original, history = read_dataset(generated).claims, read_dataset(tmp_path / "hist").claims
    assert len(history) == len(original) and set(truth["claim_id"]) == set(history["claim_id"])
    # truth.parquet maps the generator's ids to the ids ingest gives (corrected claims are
    # events of their original's claim number)
    ids = dict(zip(truth["generator_claim_id"], truth["claim_id"]))
    joined = original.assign(claim_id=original["claim_id"].map(ids)).set_index(
        "claim_id").join(history.set_index("claim_id"), rsuffix="_h")
    assert (joined["denied"] == joined["denied_h"]).all()
    assert not [c for c in history.columns if c.startswith("oracle_")]
    report = json.loads((tmp_path / "hist" / "ingest_report.json").read_text())
    assert report["kept"] == 300 and (tmp_path / "hist" / "history" / "store.json").is_file()


def test_ingest_payer_map_maps_the_practice_ids(generated: Path, tmp_path: Path) -> None:
    x12 = generated.with_name("ds-x12")
    table = tmp_path / "payers.csv"
    table.write_text("source_payer_id,payer_id,note\nDRMCR01,MEDICARE,our name for it\n")
    result = runner.invoke(app, ["ingest", "--claims", str(x12), "--remits", str(x12),
                                 "--out", str(tmp_path / "hist"), "--payer-map", str(table)])
    assert result.exit_code == 0, result.output
    payers = set(read_dataset(tmp_path / "hist").claims["payer_id"])
    assert "MEDICARE" in payers and "DRMCA01" in payers  # unmapped ids are kept
    assert "payer ids not in the payer map (kept as is)" in result.output


def test_ingest_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", "--claims", str(tmp_path / "nope.837"),
                                 "--out", str(tmp_path / "h")])
    assert result.exit_code == 2 and "file not found" in result.output


def test_generate_unknown_profile_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "--claims", "10", "--out", str(tmp_path / "d"),
                                 "--profile", "no-such-practice"])
    assert result.exit_code == 2 and "profile" in result.output


def test_score_takes_several_x12_files_in_order(generated: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import denialrisk.commands.run_server as run_server
    from serving.offline import ScoreSummary

    def fake_score(path, output, *args, **kwargs):
        Path(output).write_text(f'{{"file": "{Path(path).name}"}}\n')
        return ScoreSummary(Path(output), 1, 0, 1, 0, 0.1)

    monkeypatch.setattr(run_server, "score_command", fake_score)
    files = sorted(generated.with_name("ds-x12").glob("*.837"))[:3][::-1]
    args = ["score", "--output", str(tmp_path / "out.jsonl")]
    for f in files:
        args += ["--x12", str(f)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    assert [json.loads(x)["file"] for x in lines] == [f.name for f in files]
    assert list(tmp_path.iterdir()) == [tmp_path / "out.jsonl"]


@pytest.fixture
def clean_payer_map_env() -> None:
    """use_payer_map sets the variable for the process: never let it leak to other tests."""
    before = os.environ.pop(PAYER_MAP_ENV, None)
    yield
    os.environ.pop(PAYER_MAP_ENV, None)
    if before is not None:
        os.environ[PAYER_MAP_ENV] = before


def test_payer_map_option_reaches_the_readers(tmp_path: Path, clean_payer_map_env) -> None:
    from denialrisk.commands.serving import use_payer_map
    from interop.x12.payer_map import map_payer

    table = tmp_path / "payers.csv"
    table.write_text("source_payer_id,payer_id\n87726,COA\n")
    use_payer_map(table)
    assert os.environ[PAYER_MAP_ENV] == str(table.resolve())
    assert map_payer("87726") == ("COA", True)
    del os.environ[PAYER_MAP_ENV]
    bad = tmp_path / "bad.csv"
    bad.write_text("source_payer_id,payer_id\n87726,\n")
    result = runner.invoke(app, ["score", "--x12", str(tmp_path / "x.837"),
                                 "--payer-map", str(bad)])
    assert result.exit_code == 2 and "row 2" in result.output
