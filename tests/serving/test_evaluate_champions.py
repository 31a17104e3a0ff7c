"""`denialrisk evaluate --champions` scores each payer with the model the server loads:
the fixture store holds MCR's champion and the pooled one, so every other payer is
evaluated on the pooled model, as served (the latest bundles may hold a payer model the
gate held back)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from contract.dataset import write_dataset
from denialrisk.cli import app
from synthetic_data.config import GeneratorConfig
from synthetic_data.generate import generate_frames


def test_evaluate_champions_scores_payers_as_served(bentoml_home, tmp_path):
    data = write_dataset(generate_frames(GeneratorConfig(claims=4_000, seed=3)),
                         tmp_path / "claims")
    out = tmp_path / "evaluation.json"
    result = CliRunner().invoke(app, [
        "evaluate", "--champions", "--bentoml-home", str(bentoml_home), "--data", str(data),
        "--models-dir", str(tmp_path / "no-bundles"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    payers = json.loads(out.read_text())["payers"]
    assert payers["MCR"]["model_kind"] == "payer"
    assert {p["model_kind"] for name, p in payers.items() if name != "MCR"} == {"pooled"}
    assert payers["MCR"]["model"]["auc"] > 0.8
