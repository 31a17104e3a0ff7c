"""The BentoML service in process (to_asgi + TestClient): auth, errors, limits, logs."""

from __future__ import annotations

import logging

import pytest

from tests.builders import line, make_claim_dict
from tests.serving.conftest import API_KEY

pytestmark = pytest.mark.slow
PHI = ("MBR-PHI-4417", "1950-04-12", "1234567893")


def phi_claim(**overrides):
    return make_claim_dict(patient={"member_id": PHI[0], "birth_date": PHI[1], "sex": "F"},
                           provider={"rendering_npi": PHI[2], "credentialed_with_payer": True},
                           **overrides)


@pytest.mark.parametrize("path", ["/predict", "/predict_batch", "/metadata"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": API_KEY},
                                     {"Authorization": f"Basic {API_KEY}"}])
def test_missing_or_wrong_key_is_401(client, path, headers):
    body = {"claim": make_claim_dict()} if path == "/predict" else {"claims": []}
    assert client.post(path, json=body, headers=headers).status_code == 401


@pytest.mark.parametrize("path", ["/schema.json", "/metadata"])
def test_documents_need_the_key(client, auth, path):
    assert client.get(path).status_code == 401
    assert client.get(path, headers=auth).status_code == 200


@pytest.mark.parametrize("path", ["/docs.json", "/docs", "/"])
def test_integrator_docs_are_open_for_get_only(client, path):
    assert client.get(path).status_code == 200
    assert client.post(path, json={}).status_code == 401


@pytest.mark.parametrize("path", ["/livez", "/readyz", "/healthz"])
def test_health_is_open(client, path):
    assert client.get(path).status_code == 200


def test_predict_returns_the_contract(client, auth, em_biopsy_without_25):
    r = client.post("/predict", json={"claim": em_biopsy_without_25}, headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"claim_id", "payer_id", "model", "denial_probability", "risk_band",
                         "reasons", "explanation", "fixes"}
    assert body["model"] == {"name": "denialrisk-MCR", "version": body["model"]["version"],
                             "fallback": False}
    fix = body["fixes"][0]
    assert (fix["action"], fix["line"], fix["value"]) == ("add_modifier", 1, "25")
    assert fix["risk_after"] < body["denial_probability"]


def test_batch_keeps_order_and_flags_fallback(client, auth):
    claims = [make_claim_dict(claim_id="A", payer_id="NOPE"), make_claim_dict(claim_id="B")]
    r = client.post("/predict_batch", json={"claims": claims, "explain": False}, headers=auth)
    assert r.status_code == 200, r.text
    out = r.json()
    assert [p["claim_id"] for p in out] == ["A", "B"]
    assert [p["model"]["fallback"] for p in out] == [True, False]
    assert out[0]["explanation"] == [] and out[0]["fixes"] == []


@pytest.mark.parametrize("mutate, field", [
    (lambda c: c["lines"][0].update(cpt="ZZZZZ"), "claim.lines[0].cpt"),
    (lambda c: c["lines"][0].update(units=0), "claim.lines[0].units"),
    (lambda c: c["patient"].update(birth_date="1950-13-45"), "claim.patient.birth_date"),
    (lambda c: c.update(diagnoses=["L57"]), "claim.diagnoses"),
    (lambda c: c["lines"][1].update(modifiers=["9X9"]), "claim.lines[1].modifiers"),
    (lambda c: c.pop("lines"), "claim.lines"),
    (lambda c: c["lines"][0].update(date_of_service="2026-03-09"), "claim"),
])
def test_bad_input_is_400_with_field_path(client, auth, mutate, field):
    claim = phi_claim()
    mutate(claim)
    r = client.post("/predict", json={"claim": claim}, headers=auth)
    assert r.status_code in (400, 422), r.text
    detail = r.json()["detail"]
    assert any(d["field"] == field and d["message"] for d in detail), detail
    assert not any(v in r.text for v in PHI[:1])  # no echo of submitted identifiers


def test_malformed_json_is_400(client, auth):
    r = client.post("/predict", content=b'{"claim": ', headers={
        **auth, "content-type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["detail"][0]["message"]


def test_size_limits_are_413(client, auth):
    big = make_claim_dict()
    big["lines"] = [line(i, "11102", dx=[2]) for i in range(1, 52)]
    r = client.post("/predict", json={"claim": big}, headers=auth)
    assert r.status_code == 413 and r.json()["detail"][0]["field"] == "claim.lines"
    r = client.post("/predict_batch", json={"claims": [make_claim_dict()] * 1001,
                                            "explain": False}, headers=auth)
    assert r.status_code == 413 and "1000" in r.text


def test_metadata_lists_models_thresholds_and_fallbacks(client, auth):
    r = client.get("/metadata", headers=auth)
    assert r.status_code == 200
    meta = r.json()
    assert set(meta["models"]) == {"MCR", "pooled"}
    mcr = meta["models"]["MCR"]
    assert {"block", "warn", "block_precision", "warn_precision"} <= set(mcr["thresholds"])
    assert mcr["training_window"] and "auc" in mcr["test_metrics"] and mcr["version"]
    assert meta["payers"]["MCR"]["fallback"] is False
    assert set(meta["fallback_payers"]) == {"MCA", "MCD", "COA", "COB", "COC"}
    assert client.post("/metadata", json={}, headers=auth).json()["payers"] == meta["payers"]


def test_logs_have_audit_lines_and_no_phi(client, auth, caplog):
    caplog.set_level(logging.INFO)
    client.post("/predict", json={"claim": phi_claim(claim_id="AUD-1")}, headers=auth)
    bad = phi_claim()
    bad["patient"]["birth_date"] = "1950-13-45"
    client.post("/predict", json={"claim": bad}, headers=auth)
    late = phi_claim()
    late["lines"][0]["date_of_service"] = "2026-03-09"  # model-level error echoes the claim
    client.post("/predict", json={"claim": late}, headers=auth)
    audit = [r for r in caplog.records if r.name == "denialrisk.audit"]
    assert len(audit) == 1 and '"band"' in audit[0].getMessage()
    from serving.audit import BENTOML_EXCEPTION_LOGGER

    rejected = [r for r in caplog.records if r.name == BENTOML_EXCEPTION_LOGGER]
    assert len(rejected) == 2  # the two invalid claims: client errors, at WARNING
    assert {r.levelname for r in rejected} == {"WARNING"}
    assert all(r.exc_info is None and "failed validation" in r.getMessage() for r in rejected)
    assert "AUD-1" not in audit[0].getMessage()  # claim id is hashed
    for value in (*PHI, "1950-13-45"):
        assert value not in caplog.text


def test_service_refuses_to_start_without_a_key(serving_env, monkeypatch):
    from serving.config import AuthNotConfiguredError
    from serving.service import DenialRiskService

    monkeypatch.delenv("DENIALRISK_API_KEY")
    with pytest.raises(AuthNotConfiguredError, match="DENIALRISK_API_KEY"):
        DenialRiskService()
    monkeypatch.setenv("DENIALRISK_INSECURE_DEV", "1")
    service = DenialRiskService()
    assert service.metadata_document()["models"]["pooled"]["name"] == "denialrisk-pooled"


def test_middleware_is_open_only_in_insecure_dev_mode():
    import asyncio

    from serving.auth import BearerAuthMiddleware
    from serving.config import ServingSettings

    seen = []

    async def app(scope, receive, send):
        seen.append(scope["path"])

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": "/predict", "headers": []}
    open_mw = BearerAuthMiddleware(app, ServingSettings(api_key=None, insecure_dev=True))
    asyncio.run(open_mw(scope, None, send))
    assert seen == ["/predict"] and not sent
    closed = BearerAuthMiddleware(app, ServingSettings(api_key=None, insecure_dev=False))
    asyncio.run(closed(scope, None, send))  # no key and no dev flag: fail closed
    assert seen == ["/predict"] and sent[0]["status"] == 401
