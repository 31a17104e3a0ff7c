"""The server's environment: no BentoML usage statistics (tests and users stay offline)."""

from __future__ import annotations

from denialrisk.commands.run_server import serve_env, server_threads
from serving.config import ServingSettings


def test_server_env_turns_bentoml_usage_tracking_off(monkeypatch, tmp_path):
    monkeypatch.delenv("BENTOML_DO_NOT_TRACK", raising=False)
    env = serve_env(ServingSettings(bentoml_home=tmp_path), insecure_dev=False, threads=1)
    assert env["BENTOML_DO_NOT_TRACK"] == "True"
    assert env["BENTOML_HOME"] == str(tmp_path)
    assert "DENIALRISK_INSECURE_DEV" not in env


def test_server_env_keeps_an_explicit_tracking_choice(monkeypatch, tmp_path):
    monkeypatch.setenv("BENTOML_DO_NOT_TRACK", "False")
    env = serve_env(ServingSettings(bentoml_home=tmp_path), insecure_dev=True, threads=2)
    assert env["BENTOML_DO_NOT_TRACK"] == "False"
    assert env["DENIALRISK_INSECURE_DEV"] == "1" and env["OMP_NUM_THREADS"] in {"2", "1"}


def test_server_threads_use_every_core(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert server_threads() == 2
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert server_threads() == 1


def test_server_env_sets_worker_processes_and_keeps_other_overrides(monkeypatch, tmp_path):
    import json

    monkeypatch.setenv("BENTOML_CONFIG_OVERRIDES", '{"api_server": {"timeout": 60}}')
    env = serve_env(ServingSettings(bentoml_home=tmp_path), False, threads=1, workers=2)
    overrides = json.loads(env["BENTOML_CONFIG_OVERRIDES"])
    assert overrides["services"]["denialrisk"]["workers"] == 2
    assert overrides["api_server"] == {"timeout": 60}


def test_server_threads_share_the_cores_among_workers(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    assert [server_threads(w) for w in (1, 2, 3, 4, 8)] == [4, 2, 1, 1, 1]
