"""Model loading from the BentoML store: fallbacks, feature-version skew, missing pooled."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from denialrisk.commands.run_server import serve_command
from serving.config import AuthNotConfiguredError
from serving.modelset import ModelLoadError, describe, load_model_set

pytestmark = pytest.mark.slow


def copy_store(home: Path, tmp: Path, keep: tuple[str, ...]) -> Path:
    """A copy of the fixture store with only the named models."""
    target = tmp / "bentoml"
    (target / "models").mkdir(parents=True)
    for name in keep:
        shutil.copytree(home / "models" / name, target / "models" / name)
    return target


def test_store_loads_payer_and_pooled_models(bentoml_home):
    models = load_model_set(bentoml_home)
    assert set(models.models) == {"MCR", "pooled"}
    doc = describe(models)
    assert doc["payers"]["MCR"] == {"model": "denialrisk-MCR",
                                    "version": models.models["MCR"].version, "fallback": False}
    assert doc["payers"]["COC"]["fallback"] is True and "COC" in doc["fallback_payers"]


def test_feature_version_skew_refuses_to_load(bentoml_home, tmp_path):
    home = copy_store(bentoml_home, tmp_path, ("denialrisk-mcr", "denialrisk-pooled"))
    for bundle_json in (home / "models" / "denialrisk-mcr").glob("*/bundle.json"):
        data = json.loads(bundle_json.read_text())
        data["metadata"]["feature_version"] = "0-old"
        bundle_json.write_text(json.dumps(data))
    with pytest.raises(ModelLoadError, match="feature version '0-old'.*retrain"):
        load_model_set(home)


def test_missing_payer_model_falls_back_and_missing_pooled_fails(bentoml_home, tmp_path):
    only_pooled = load_model_set(copy_store(bentoml_home, tmp_path / "a",
                                            ("denialrisk-pooled",)))
    served, fallback = only_pooled.route("MCR")
    assert served.key == "pooled" and fallback
    assert "MCR" in describe(only_pooled)["fallback_payers"]
    with pytest.raises(ModelLoadError, match="no denialrisk-pooled"):
        load_model_set(copy_store(bentoml_home, tmp_path / "b", ("denialrisk-mcr",)))
    with pytest.raises(ModelLoadError, match="run `denialrisk train`"):
        load_model_set(tmp_path / "empty")


def test_serve_command_checks_the_key_before_spawning(serving_env, monkeypatch):
    monkeypatch.delenv("DENIALRISK_API_KEY")
    monkeypatch.setattr("denialrisk.commands.run_server.run_in_foreground",
                        lambda *a, **k: pytest.fail("spawned"))
    with pytest.raises(AuthNotConfiguredError):
        serve_command(port=3999)


def test_serve_command_env_and_argv(serving_env, monkeypatch, bentoml_home):
    seen = {}

    def fake_call(argv, env):
        seen.update(argv=argv, env=env)
        return 0

    monkeypatch.delenv("DENIALRISK_API_KEY")
    monkeypatch.setattr("denialrisk.commands.run_server.run_in_foreground", fake_call)
    assert serve_command(port=3999, insecure_dev=True, bentoml_home=bentoml_home) == 0
    assert seen["argv"][1:5] == ["serve", "serving.service:DenialRiskService", "--port", "3999"]
    assert seen["env"]["DENIALRISK_INSECURE_DEV"] == "1"
    assert seen["env"]["BENTOML_HOME"] == str(bentoml_home)
