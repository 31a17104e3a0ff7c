"""FHIR R4 Claim -> contract claim; invalid resources name the FHIR element."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from interop.fhir import FhirMappingError, fhir_claim_to_contract, fhir_claim_to_result

CPT = "http://www.ama-assn.org/go/cpt"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"


def concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


FHIR_CLAIM: dict[str, Any] = {
    "resourceType": "Claim", "id": "claim-1",
    "identifier": [{"system": "urn:practice:claims", "value": "F-0001"}],
    "status": "active", "use": "claim", "created": "2026-03-02",
    "type": concept("http://terminology.hl7.org/CodeSystem/claim-type", "professional"),
    "priority": concept("http://terminology.hl7.org/CodeSystem/processpriority", "normal"),
    "patient": {"reference": "#pat"},
    "insurer": {"identifier": {"system": "urn:clearinghouse:payer", "value": "DRMCA01"}},
    "provider": {"identifier": {"system": "http://hl7.org/fhir/sid/us-npi",
                                "value": "1234567893"}},
    "contained": [
        {"resourceType": "Patient", "id": "pat", "birthDate": "1951-04-12",
         "gender": "female"},
        {"resourceType": "Coverage", "id": "cov", "status": "active",
         "subscriberId": "W123456789", "beneficiary": {"reference": "#pat"},
         "payor": [{"identifier": {"value": "DRMCA01"}}]},
    ],
    "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": "#cov"},
                   "preAuthRef": ["PA-7781"]}],
    "diagnosis": [
        {"sequence": 1, "diagnosisCodeableConcept": concept(ICD10, "L57.0")},
        {"sequence": 2, "diagnosisCodeableConcept": concept(ICD10, "C44311")},
    ],
    "item": [
        {"sequence": 1, "productOrService": concept(CPT, "99213"),
         "modifier": [concept(CPT, "25")], "servicedDate": "2026-02-27",
         "quantity": {"value": 1}, "net": {"value": 125.0, "currency": "USD"},
         "diagnosisSequence": [1],
         "locationCodeableConcept": concept(
             "https://www.cms.gov/Medicare/Coding/place-of-service-codes/"
             "Place_of_Service_Code_Set", "11")},
        {"sequence": 2, "productOrService": concept(CPT, "17000"),
         "servicedDate": "2026-02-27", "quantity": {"value": 2},
         "unitPrice": {"value": 95.0}, "diagnosisSequence": [2, 1]},
    ],
}


def test_valid_claim_maps_to_contract() -> None:
    claim = fhir_claim_to_contract(FHIR_CLAIM)
    assert claim["claim_id"] == "F-0001" and claim["payer_id"] == "MCA"
    assert claim["submission_date"] == "2026-03-02" and claim["place_of_service"] == "11"
    assert claim["patient"] == {"member_id": "W123456789", "birth_date": "1951-04-12",
                                "sex": "F"}
    assert claim["provider"]["rendering_npi"] == "1234567893"
    assert claim["diagnoses"] == ["L57.0", "C44.311"]
    assert claim["prior_authorization"] == {"number": "PA-7781",
                                            "cpt_codes": ["99213", "17000"]}
    first, second = claim["lines"]
    assert (first["cpt"], first["modifiers"], first["charge"]) == ("99213", ["25"], 125.0)
    assert (second["units"], second["charge"], second["dx_pointers"]) == (2, 190.0, [2, 1])
    assert claim["documentation"]["symptoms_documented"] is None


def test_result_lists_assumed_defaults_and_unmapped_payer() -> None:
    resource = copy.deepcopy(FHIR_CLAIM)
    resource["insurer"] = {"identifier": {"value": "87726"}}
    result = fhir_claim_to_result(resource)
    assert result.ok and result.claim["payer_id"] == "87726"
    assert result.payer_mapped is False and "not in the payer map" in result.warnings[0]
    assert {"referral_on_file", "eligibility.verified"} <= set(result.assumed_defaults)


def test_demographics_from_us_core_extensions() -> None:
    resource = copy.deepcopy(FHIR_CLAIM)
    resource["contained"] = resource["contained"][1:]
    resource["extension"] = [
        {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex",
         "valueCode": "M"},
        {"url": "http://example.org/fhir/StructureDefinition/patient-birthDate",
         "valueDate": "1960-01-31"}]
    claim = fhir_claim_to_contract(resource)
    assert claim["patient"]["sex"] == "M" and claim["patient"]["birth_date"] == "1960-01-31"


def test_missing_cpt_coding_names_the_item() -> None:
    resource = copy.deepcopy(FHIR_CLAIM)
    resource["item"][0]["productOrService"] = {"text": "office visit"}
    with pytest.raises(FhirMappingError) as caught:
        fhir_claim_to_contract(resource)
    assert str(caught.value).startswith("Claim.item[0].productOrService: no CPT coding")
    assert caught.value.issues[0].segment == "Claim.item[0].productOrService"


@pytest.mark.parametrize(("path", "value", "element"), [
    (("item", 1, "productOrService"), concept(CPT, "8707"), "Claim.item[1].productOrService"),
    (("diagnosis", 1, "diagnosisCodeableConcept"), concept(ICD10, "L57"),
     "Claim.diagnosis[1].diagnosisCodeableConcept"),
    (("item", 0, "diagnosisSequence"), [9], "Claim.item[0].diagnosisSequence"),
    (("provider",), {"display": "Dr X"}, "Claim.provider"),
    (("priority",), None, "Claim.priority"),
])
def test_invalid_elements_are_named(path: tuple, value: Any, element: str) -> None:
    resource = copy.deepcopy(FHIR_CLAIM)
    target = resource
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    result = fhir_claim_to_result(resource)
    assert not result.ok and result.errors[0].segment == element, result.messages


def test_not_a_claim_is_refused() -> None:
    with pytest.raises(FhirMappingError, match="Claim.resourceType"):
        fhir_claim_to_contract({"resourceType": "Patient"})
