"""The real `bentoml serve` under faults: MLflow unreachable (serving needs only the BentoML
store) and a corrupted model file (the worker names it and the server never gets ready)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx
import pytest

from serving.scoring import load_predictor
from tests.builders import make_claim_dict
from tests.faults.helpers import copy_store, truncate, version_dir
from tests.serving.conftest import API_KEY
from tests.serving.test_http_server import free_port, start_server, stop_server, wait_ready

pytestmark = pytest.mark.slow
AUTH = {"Authorization": f"Bearer {API_KEY}"}


def unreachable_mlflow(tmp: Path) -> dict[str, str]:
    """Tracking settings that point nowhere: a closed loopback port, a sqlite file in a
    folder that cannot exist (its parent is a regular file), an uncreatable mlflow_dir."""
    blocker = tmp / "not-a-folder"
    blocker.write_text("x")
    return {"MLFLOW_TRACKING_URI": f"http://127.0.0.1:{free_port()}",
            "DENIALRISK_TRACKING_URI": f"sqlite:///{blocker}/mlflow.db",
            "DENIALRISK_MLFLOW_DIR": str(blocker / "mlflow")}


def test_serving_never_imports_mlflow(serving_env, bentoml_home, monkeypatch, tmp_path):
    """With mlflow unimportable and the tracking store unreachable, models load and score."""
    for key, value in unreachable_mlflow(tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setitem(sys.modules, "mlflow", None)  # `import mlflow` now raises
    with pytest.raises(ImportError):
        import mlflow  # noqa: F401
    from settings import get_settings

    predictor = load_predictor(bentoml_home, get_settings().cms_dir)
    [pred] = predictor.predict([make_claim_dict(payer_id="MCR")])
    assert pred.model.name == "denialrisk-MCR" and not pred.model.fallback


def test_http_predict_works_with_mlflow_unreachable(serving_env, tmp_path):
    env = {**serving_env, **unreachable_mlflow(tmp_path), "OMP_NUM_THREADS": "1"}
    port, log = free_port(), tmp_path / "server.log"
    proc = start_server(env, port, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc)
        for payer, name, fallback in (("MCR", "denialrisk-MCR", False),
                                      ("COA", "denialrisk-pooled", True)):
            r = httpx.post(f"{url}/predict", json={"claim": make_claim_dict(payer_id=payer)},
                           headers=AUTH, timeout=60)
            assert r.status_code == 200, r.text
            assert (r.json()["model"]["name"], r.json()["model"]["fallback"]) == (name,
                                                                                  fallback)
        meta = httpx.get(f"{url}/metadata", headers=AUTH, timeout=30).json()
        assert set(meta["models"]) == {"MCR", "pooled"}
    finally:
        stop_server(proc)


def test_bentoml_serve_names_the_corrupted_file_and_never_gets_ready(serving_env,
                                                                     bentoml_home, tmp_path):
    """Plain `bentoml serve` (no CLI pre-check): the worker's start-up error names the file.

    BentoML keeps its arbiter up and restarts the failing worker, so the process does not
    exit by itself; `denialrisk serve` checks the store first and exits 2 (other test)."""
    home = copy_store(bentoml_home, tmp_path / "store")
    path = truncate(version_dir(home, "denialrisk-mcr") / "binary.txt", 0.5)
    env = {**serving_env, "BENTOML_HOME": str(home), "DENIALRISK_BENTOML_HOME": str(home)}
    port, log = free_port(), tmp_path / "corrupt.log"
    proc = start_server(env, port, log)
    expected = f"model bundle file corrupted: {path}"
    try:
        deadline = time.monotonic() + 120
        while (time.monotonic() < deadline and proc.poll() is None
               and expected not in log.read_text(errors="replace")):
            time.sleep(0.5)
        assert expected in log.read_text(errors="replace")
        try:
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code
        except httpx.HTTPError:
            ready = None
        assert ready != 200
    finally:
        stop_server(proc)
