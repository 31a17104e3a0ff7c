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
    assert httpx.get(f"{url}/schema.json").status_code == 401
    assert httpx.get(f"{url}/metadata", headers=auth).json()["payers"]["COA"]["fallback"]


def varied_claims(n: int) -> list[dict]:
    """Claims that differ in payer, id and the E/M modifier (different risks and fixes)."""
    payers = ["MCR", "MCA", "MCD", "COA", "COB", "COC", "ZZTOP"]
    out = []
    for i in range(n):
        claim = make_claim_dict(claim_id=f"CONC-{i}", payer_id=payers[i % len(payers)])
        if i % 2:
            claim["lines"][0]["modifiers"] = ["25"]
        out.append(claim)
    return out


def rounded(value: object) -> object:
    """The JSON value with every float rounded to 9 decimals."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def test_concurrent_requests_are_batched_without_mixing_answers(server):
    """Requests arriving together are scored in shared calls (audit `batch` > 1), and each
    answer is exactly the answer the same claim gets alone."""
    import re
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    url, log = server
    auth = {"Authorization": f"Bearer {API_KEY}"}
    claims = varied_claims(24)
    with httpx.Client(base_url=url, headers=auth, timeout=60) as http:
        alone = [http.post("/predict", json={"claim": c}).json() for c in claims]
    barrier = Barrier(len(claims))

    def post(claim: dict) -> dict:
        with httpx.Client(base_url=url, headers=auth, timeout=60) as http:
            barrier.wait()
            return http.post("/predict", json={"claim": claim}).json()

    with ThreadPoolExecutor(len(claims)) as pool:
        together = list(pool.map(post, claims))
    assert rounded(together) == rounded(alone)  # SHAP sums may differ in the last bits
    time.sleep(0.5)  # let the server flush its log
    sizes = [int(n) for n in re.findall(r'"event":"prediction".*?"batch":(\d+)',
                                        log.read_text())]
    assert max(sizes) > 1


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
