"""A real `bentoml serve` subprocess on a free port, called over HTTP (httpx, SyncHTTPClient)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.builders import make_claim_dict
from tests.serving.conftest import API_KEY
from tests.serving.live import free_port, start_server, stop_server, wait_ready

__all__ = ["free_port", "start_server", "stop_server", "wait_ready"]  # benchmarks use them
pytestmark = pytest.mark.slow
PHI = ("MBR-PHI-9902", "1949-07-21", "1987654320")


@pytest.fixture(scope="module")
def server(live_server) -> Iterator[tuple[str, Path]]:
    """The session's live server (tests/serving/conftest.py) as (url, log)."""
    yield live_server.url, live_server.log


def phi_claim(**overrides) -> dict:
    return make_claim_dict(patient={"member_id": PHI[0], "birth_date": PHI[1], "sex": "M"},
                           provider={"rendering_npi": PHI[2], "credentialed_with_payer": True},
                           **overrides)


def test_predict_over_http(server, em_biopsy_without_25):
    url, _ = server
    auth = {"Authorization": f"Bearer {API_KEY}"}
    r = httpx.post(f"{url}/predict", json={"claim": em_biopsy_without_25}, headers=auth,
                   timeout=30)
    assert r.status_code == 200, r.text
    fix = r.json()["fixes"][0]
    assert (fix["action"], fix["line"], fix["value"]) == ("add_modifier", 1, "25")
    assert httpx.post(f"{url}/predict", json={"claim": em_biopsy_without_25}).status_code == 401
    assert httpx.get(f"{url}/docs.json").status_code == 401
    assert httpx.get(f"{url}/metadata", headers=auth).json()["payers"]["COA"]["fallback"]


def test_sync_http_client_with_token(server):
    import bentoml

    url, _ = server
    # BentoML's client-side encoder fails on a null nested object (prior_authorization:
    # null), so this claim carries one; plain HTTP clients send null fine.
    claim = make_claim_dict(payer_id="ZZTOP", prior_authorization={"number": "PA-1",
                                                                   "cpt_codes": ["96910"]})
    with bentoml.SyncHTTPClient(url, token=API_KEY, server_ready_timeout=30) as client:
        result = client.predict(claim=claim, explain=False)
    data = result if isinstance(result, dict) else result.model_dump()
    assert data["model"]["fallback"] is True and 0 <= data["denial_probability"] <= 1


def test_health_and_metrics_are_open(server):
    url, _ = server
    for path in ("/livez", "/readyz", "/healthz"):
        assert httpx.get(f"{url}{path}").status_code == 200
    metrics = httpx.get(f"{url}/metrics")
    assert metrics.status_code == 200 and "bentoml_service_request" in metrics.text


def test_errors_and_logs_without_phi(server):
    url, log = server
    auth = {"Authorization": f"Bearer {API_KEY}"}
    assert httpx.post(f"{url}/predict", json={"claim": phi_claim()}, headers=auth,
                      timeout=30).status_code == 200
    bad = phi_claim()
    bad["lines"][0]["date_of_service"] = "2026-03-09"  # after submission: whole-claim error
    r = httpx.post(f"{url}/predict", json={"claim": bad}, headers=auth, timeout=30)
    assert r.status_code == 400 and r.json()["detail"][0]["field"] == "claim"
    r = httpx.post(f"{url}/predict_batch", json={"claims": [phi_claim()] * 1001},
                   headers=auth, timeout=60)
    assert r.status_code == 413
    time.sleep(1.0)  # let the server flush its log lines
    text = log.read_text(errors="replace")
    assert "denialrisk.audit" in text or '"event":"prediction"' in text
    for value in PHI:
        assert value not in text


def test_server_refuses_to_start_without_a_key(serving_env, tmp_path):
    """The worker's __init__ raises; BentoML keeps the arbiter up but never gets ready.

    (`denialrisk serve` checks the key before spawning and exits with the message.)
    """
    env = {**serving_env, "DENIALRISK_API_KEY": ""}
    port, log = free_port(), tmp_path / "nokey.log"
    proc = start_server(env, port, log)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            if "DENIALRISK_API_KEY is not set" in log.read_text(errors="replace"):
                break
            time.sleep(0.5)
        assert "DENIALRISK_API_KEY is not set" in log.read_text(errors="replace")
        try:
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code
        except httpx.HTTPError:
            ready = None
        assert ready != 200
    finally:
        stop_server(proc)
