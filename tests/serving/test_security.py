"""Security of the real server: keys on every route, size limits, nothing sensitive logged.

Extends test_api.py (in process: 401 variants on /predict, /predict_batch, /metadata;
413 for 1001 claims and 51 lines) and test_http_server.py (health open, one PHI claim):
here every route the served document declares plus the undocumented ones answer 401
without or with a wrong key (GET of the integrators' docs is open: test_docs.py),
bodies over max_body_mb (the live server runs with 4 MB)
get 413 whether they declare a Content-Length or arrive chunked, an 837P with more than
1000 claims gets 413 (counted before the slow X12 parse), and after PHI-carrying claims
on all four scoring routes (valid and invalid) the server log holds no member id, birth
date, NPI or key.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.builders import make_claim_dict
from tests.serving.conftest import API_KEY, MAX_BODY_MB
from tests.serving.live import LogWatch, leaked, log_text
from tests.x12.test_fhir import FHIR_CLAIM

pytestmark = pytest.mark.slow
AUTH = {"Authorization": f"Bearer {API_KEY}"}
WRONG_KEYS = ("Bearer wrong-key-5551234", f"Bearer {API_KEY[:-1]}", f"Bearer {API_KEY}x",
              f"Basic {API_KEY}", API_KEY, "Bearer")
UNDOCUMENTED = (("GET", "/schema.json"), ("POST", "/docs.json"), ("POST", "/"),
                ("PUT", "/docs"), ("GET", "/static_content/index.css"),
                ("GET", "/no-such-route"), ("DELETE", "/predict"))
HEALTH = ("/livez", "/readyz", "/healthz", "/metrics")
POSTS = ("/predict", "/predict_batch", "/predict_x12", "/predict_fhir", "/metadata")
PHI = {"member_id": "MBR-SEC-77120", "birth_date": "1944-02-29", "npi": "1669473308"}
FUTURE_BIRTH = "2099-02-28"  # rejected by the contract; pydantic's error text would echo it


@pytest.fixture(scope="module")
def http(live_server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def watch(live_server) -> LogWatch:
    """Everything sensitive this module sends (keys, PHI), watched in the server log."""
    keys = [API_KEY, *(k.split()[-1] for k in WRONG_KEYS if len(k.split()) > 1)]
    return LogWatch(live_server.log, secrets=[*keys, *PHI.values(), FUTURE_BIRTH])


def routes(http: httpx.Client) -> list[tuple[str, str]]:
    """Every (method, path) of the served document that is not a health probe, plus the
    undocumented routes."""
    doc = http.get("/docs.json").json()  # open: the API's shape, no PHI
    documented = [(m.upper(), p) for p, item in doc["paths"].items() for m in item
                  if p not in HEALTH]
    assert len(documented) >= 6  # metadata GET+POST, predict, batch, x12, fhir
    return [*documented, *UNDOCUMENTED]


def test_every_route_needs_the_key(http, watch):
    for method, path in routes(http):
        for headers in ({}, *({"Authorization": k} for k in WRONG_KEYS)):
            r = http.request(method, path, headers=headers, json={})
            assert r.status_code == 401, (method, path, headers, r.status_code)
            assert r.headers["www-authenticate"].startswith("Bearer")
            assert "error" in r.json() and API_KEY not in r.text
    for path in HEALTH:
        assert http.get(path).status_code == 200


def test_metrics_are_open_but_hold_no_secrets(http, watch):
    http.post("/predict", json={"claim": phi_claim()}, headers=AUTH).raise_for_status()
    text = http.get("/metrics").text
    assert "bentoml_service_request" in text
    assert not leaked(text, [API_KEY, *PHI.values()])


def oversize_body(limit_bytes: int) -> bytes:
    """A JSON-looking body one KiB over the limit."""
    return b'{"claim": "' + b"x" * (limit_bytes + 1024) + b'"}'


@pytest.mark.parametrize("path", POSTS)
def test_body_over_the_limit_is_413_declared_or_chunked(http, live_server, path):
    limit, offset = MAX_BODY_MB * 1024 * 1024, live_server.log.stat().st_size
    body = oversize_body(limit)
    headers = {**AUTH, "Content-Type": "text/plain" if path == "/predict_x12"
               else "application/json"}
    declared = http.post(path, content=body, headers=headers)
    assert declared.status_code == 413 and str(limit) in declared.json()["error"]
    chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))
    chunked = http.post(path, content=chunks, headers=headers)  # Transfer-Encoding: chunked
    assert chunked.status_code == 413, chunked.text
    assert str(limit) in chunked.json()["error"]
    assert "Traceback" not in log_text(live_server.log, offset)  # a client error, quietly


def test_a_small_chunked_body_still_works(http, em_biopsy_without_25):
    body = httpx.Request("POST", "/", json={"claim": em_biopsy_without_25}).read()
    r = http.post("/predict", content=iter([body[:100], body[100:]]),
                  headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 200, r.text


def test_an_837_with_too_many_claims_is_413_before_parsing(http):
    from contract.frames import claims_to_frames
    from interop.x12.writer import write_837p
    from serving.interchange import claim_segment_count

    claims = [make_claim_dict(claim_id=f"BIG-{i}") for i in range(1001)]
    x12 = write_837p(claims_to_frames(claims))
    assert claim_segment_count(x12) == claim_segment_count(x12.replace("~\n", "~")) == 1001
    assert claim_segment_count("CLM*garbage~") == 0
    r = http.post("/predict_x12", content=x12, headers={**AUTH, "Content-Type": "text/plain"})
    assert r.status_code == 413 and "1001 claims" in r.json()["error"]


def phi_claim(**overrides: Any) -> dict[str, Any]:
    return make_claim_dict(
        patient={"member_id": PHI["member_id"], "birth_date": PHI["birth_date"], "sex": "F"},
        provider={"rendering_npi": PHI["npi"], "credentialed_with_payer": True}, **overrides)


def phi_fhir(valid: bool) -> dict[str, Any]:
    resource = copy.deepcopy(FHIR_CLAIM)
    resource["contained"][0]["birthDate"] = PHI["birth_date"]
    resource["contained"][1]["subscriberId"] = PHI["member_id"]
    resource["provider"]["identifier"]["value"] = PHI["npi"]
    if not valid:
        del resource["item"][0]["productOrService"]
    return resource


def phi_requests() -> list[tuple[str, dict[str, Any]]]:
    """(path, httpx kwargs) of valid and invalid PHI-carrying requests on every route."""
    from contract.frames import claims_to_frames
    from interop.x12.writer import write_837p

    late = phi_claim()
    late["lines"][0]["date_of_service"] = "2026-03-09"  # after submission: model-level error
    bad_code = phi_claim()
    bad_code["lines"][0]["cpt"] = "ZZZZZ"
    bad_birth = phi_claim()
    bad_birth["patient"]["birth_date"] = FUTURE_BIRTH
    x12 = write_837p(claims_to_frames([phi_claim(claim_id="SEC-X12")]))
    return [("/predict", {"json": {"claim": phi_claim()}}),
            ("/predict", {"json": {"claim": late}}),
            ("/predict", {"json": {"claim": bad_code, "explain": False}}),
            ("/predict", {"json": {"claim": bad_birth}}),
            ("/predict_batch", {"json": {"claims": [phi_claim(), late]}}),
            ("/predict_x12", {"content": x12}),
            ("/predict_x12", {"content": x12.replace("*HC:", "*XX:")}),
            ("/predict_fhir", {"json": phi_fhir(valid=True)}),
            ("/predict_fhir", {"json": phi_fhir(valid=False)})]


def test_no_phi_or_key_in_the_log(http, watch, live_server):
    statuses = set()
    for path, kwargs in phi_requests():
        statuses.add(http.post(path, headers=AUTH, **kwargs).status_code)
    assert statuses >= {200, 400, 422}  # valid and invalid requests both went through
    text = wait_for_audit(live_server.log, watch.start)
    assert '"event":"prediction"' in text
    assert not watch.all_leaks()


def wait_for_audit(log: Path, offset: int, tries: int = 20) -> str:
    """The log since `offset` once it holds an audit line (lines land asynchronously)."""
    text = ""
    for _ in range(tries):
        text = log_text(log, offset)
        if '"event":"prediction"' in text:
            break
        time.sleep(0.25)
    return text


def test_the_log_scan_finds_leaks_but_not_timestamps(tmp_path):
    log = tmp_path / "server.log"
    log.write_text("2026-11-28T15:24:02+0000 [INFO] started\n")
    watch = LogWatch(log, secrets=["secret-key-123"])
    watch.record(["MBR-LEAK-0001", "1950-04-12", "2026-11-28", "0", "latency_ms"])
    with log.open("a") as f:
        f.write('2026-11-28T15:24:03+0000 [INFO] {"latency_ms":2.0}\n'
                "2026-11-28T15:24:04+0000 [ERROR] bad input MBR-LEAK-0001 born 1950-04-12\n")
    assert watch.new_leaks() == ["1950-04-12", "MBR-LEAK-0001"]
    assert watch.new_leaks() == []  # only what was written since the previous call
    with log.open("a") as f:
        f.write("Authorization: Bearer secret-key-123\n")
    assert watch.all_leaks() == ["1950-04-12", "MBR-LEAK-0001", "secret-key-123"]
