"""POST /predict_x12 and /predict_fhir through the in-process ASGI app (auth, errors, scores)."""

from __future__ import annotations

import copy

from contract.frames import claims_to_frames
from interop.x12.samples import x12_samples_dir
from interop.x12.writer import write_837p
from tests.builders import make_claim_dict
from tests.x12.test_fhir import FHIR_CLAIM


def test_predict_x12_scores_mapped_claims_and_reports_the_rest(client, auth):
    ours = write_837p(claims_to_frames([make_claim_dict(claim_id="X-1"),
                                        make_claim_dict(claim_id="X-2", payer_id="COA")]))
    response = client.post("/predict_x12", content=ours,
                           headers={**auth, "Content-Type": "text/plain"})
    assert response.status_code == 200, response.text
    results = response.json()
    assert isinstance(results, list)  # the /predict_batch shape: one item per claim, in order
    assert [r["claim_id"] for r in results] == ["X-1", "X-2"]
    assert all(0 <= r["prediction"]["denial_probability"] <= 1 for r in results)
    assert "documentation.symptoms_documented" in results[0]["assumed_defaults"]
    sample = (x12_samples_dir() / "837p_lfh_demo_example1.837").read_text()
    bad = client.post("/predict_x12", content=sample, headers=auth).json()
    assert bad and all(not r["ok"] and "prediction" not in r for r in bad)
    assert any("ICD-9" in e for r in bad for e in r["errors"])


def test_predict_x12_garbled_is_not_a_server_error(client, auth):
    response = client.post("/predict_x12", content=b"ISA*00*\xff\xfe garbage~SE*", headers=auth)
    assert response.status_code == 200
    assert response.json()[0]["ok"] is False


def test_predict_fhir_valid_and_invalid(client, auth):
    response = client.post("/predict_fhir", json=FHIR_CLAIM, headers=auth)
    assert response.status_code == 200, response.text
    assert response.json()["prediction"]["claim_id"] == "F-0001"
    broken = copy.deepcopy(FHIR_CLAIM)
    del broken["item"][0]["productOrService"]
    response = client.post("/predict_fhir", json=broken, headers=auth)
    assert response.status_code == 422, response.text
    fields = [d["field"] for d in response.json()["detail"]]
    assert "Claim.item[0].productOrService" in fields
    assert client.post("/predict_fhir", content=b"{not json", headers=auth).status_code == 400


def test_interchange_routes_need_the_key(client):
    assert client.post("/predict_x12", content="ISA*").status_code == 401
    assert client.post("/predict_fhir", json=FHIR_CLAIM).status_code == 401
