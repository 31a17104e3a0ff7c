"""Damaged, outdated and missing models: refuse with a message naming the file or version,
or fall back to the pooled model (flagged) when a payer simply has no model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from denialrisk.cli import app
from features.build import FEATURE_VERSION
from serving.modelset import describe, load_model_set
from serving.scoring import Predictor
from tests.builders import make_claim_dict
from tests.faults.helpers import (
    REPO,
    cli_env,
    copy_store,
    overwrite_middle,
    run_cli,
    truncate,
    version_dir,
)
from tests.serving.test_http_server import free_port

pytestmark = pytest.mark.slow

# Loads each store given on the command line in a fresh interpreter and prints the error:
# a damaged LightGBM file can abort the process, which must not take pytest with it.
LOADER = """
import json, sys
from serving.modelset import ModelLoadError, load_model_set
for home in sys.argv[1:]:
    try:
        load_model_set(home)
        error = None
    except ModelLoadError as exc:
        error = str(exc)
    print(json.dumps({"home": home, "error": error}), flush=True)
"""

DAMAGE = {  # case -> (model folder, file, how it is damaged)
    "binary_truncated": ("denialrisk-mcr", "binary.txt", lambda p: truncate(p, 0.5)),
    "binary_end_cut": ("denialrisk-mcr", "binary.txt", lambda p: truncate(p, 0.999)),
    "reasons_truncated": ("denialrisk-pooled", "reasons.txt", lambda p: truncate(p, 0.9)),
    "binary_overwritten": ("denialrisk-mcr", "binary.txt", overwrite_middle),
    "binary_not_a_model": ("denialrisk-mcr", "binary.txt", lambda p: p.write_text("junk\n")),
    "binary_missing": ("denialrisk-pooled", "binary.txt", lambda p: p.unlink()),
    "bundle_json_truncated": ("denialrisk-mcr", "bundle.json", lambda p: truncate(p, 0.5)),
    "state_truncated": ("denialrisk-pooled", "feature_state.json", lambda p: truncate(p, 0.3)),
    "model_yaml_garbage": ("denialrisk-mcr", "model.yaml",
                           lambda p: p.write_text("labels: [unclosed\n")),
    "model_yaml_empty": ("denialrisk-pooled", "model.yaml", lambda p: p.write_text("")),
}


def damaged_store(home: Path, target: Path, case: str) -> Path:
    """A copy of the store with one file damaged as DAMAGE[case] says; returns the file."""
    model, name, damage = DAMAGE[case]
    copy_store(home, target)
    path = version_dir(target, model) / name
    damage(path)
    return path


def test_every_damaged_file_is_named_and_nothing_crashes(bentoml_home, tmp_path):
    homes, files = [], {}
    for case in DAMAGE:
        files[case] = damaged_store(bentoml_home, tmp_path / case, case)
        homes.append(str(tmp_path / case))
    proc = subprocess.run([sys.executable, "-c", LOADER, str(bentoml_home), *homes],
                          cwd=REPO, capture_output=True, text=True, errors="replace",
                          timeout=600)
    assert proc.returncode == 0, f"loader died ({proc.returncode}): {proc.stderr[-2000:]}"
    results = {Path(r["home"]).name: r["error"] for r in map(json.loads,
                                                             proc.stdout.splitlines())}
    assert results.pop(bentoml_home.name) is None  # the undamaged store loads
    for case, path in files.items():
        assert results[case] is not None, f"{case}: damaged store loaded"
        assert str(path) in results[case], f"{case}: {results[case]}"
        assert "corrupted" in results[case] or "missing" in results[case]


def test_serve_refuses_to_start_naming_the_corrupted_file(bentoml_home, serving_env, tmp_path):
    path = damaged_store(bentoml_home, tmp_path / "store", "binary_truncated")
    code, output = run_cli(["serve", "--port", str(free_port()), "--bentoml-home",
                            str(tmp_path / "store")], cli_env(**serving_env),
                           tmp_path / "serve.log", timeout=300)
    assert code == 2, output
    assert f"model bundle file corrupted: {path}" in output
    assert "Traceback" not in output


def old_feature_version_store(home: Path, target: Path) -> Path:
    """A store whose MCR bundle says it was built with feature version '1'."""
    copy_store(home, target)
    bundle_json = version_dir(target, "denialrisk-mcr") / "bundle.json"
    data = json.loads(bundle_json.read_text())
    data["metadata"]["feature_version"] = "1"
    bundle_json.write_text(json.dumps(data))
    return bundle_json.parent


@pytest.mark.parametrize("command", ["serve", "score"])
def test_older_feature_version_refuses_and_says_which(bentoml_home, serving_env, tmp_path,
                                                      monkeypatch, command):
    assert FEATURE_VERSION != "1"
    folder = old_feature_version_store(bentoml_home, tmp_path / "store")
    monkeypatch.setattr("denialrisk.commands.run_server.run_in_foreground",
                        lambda *a, **k: pytest.fail("server spawned"))
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(make_claim_dict()) + "\n")
    extra = ["--input", str(src), "--output", str(tmp_path / "o.jsonl")] \
        if command == "score" else []
    result = CliRunner().invoke(app, [command, "--bentoml-home", str(tmp_path / "store"),
                                      *extra])
    assert result.exit_code == 2, result.output
    assert (f"{folder} was built with feature version '1' but the code has feature "
            f"version '{FEATURE_VERSION}'") in " ".join(result.output.split())
    assert not (tmp_path / "o.jsonl").exists()


def test_missing_payer_model_is_scored_by_pooled_and_flagged(bentoml_home, cms, tmp_path):
    claim = make_claim_dict(payer_id="MCR")
    full = Predictor(load_model_set(bentoml_home), cms).predict([claim])[0]
    assert (full.model.name, full.model.fallback) == ("denialrisk-MCR", False)
    only_pooled = load_model_set(copy_store(bentoml_home, tmp_path / "s",
                                            keep=("denialrisk-pooled",)))
    pred = Predictor(only_pooled, cms).predict([claim])[0]
    assert (pred.model.name, pred.model.fallback) == ("denialrisk-pooled", True)
    assert 0.0 <= pred.denial_probability <= 1.0 and pred.explanation
    doc = describe(only_pooled)
    assert doc["payers"]["MCR"] == {"model": "denialrisk-pooled",
                                    "version": only_pooled.pooled.version, "fallback": True}
    assert "MCR" in doc["fallback_payers"]
