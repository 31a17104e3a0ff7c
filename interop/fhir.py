"""FHIR R4 professional Claim -> contract claim (for POST /predict_fhir).

The resource is first checked structurally with fhir.resources (R4B models: R4B did not
change Claim, Patient or Coverage), then mapped: item.productOrService (CPT/HCPCS),
item.modifier, quantity, net/unitPrice, servicedDate, diagnosisSequence, diagnosis ICD-10,
insurer / Coverage.payor -> payer (through the payer map), Coverage.subscriberId -> member
id, insurance.preAuthRef, the contained Patient (or US Core birthsex/birthDate extensions),
the NPI of careTeam/provider, created -> submission date. Every problem names the FHIR
element, e.g. "Claim.item[0].productOrService: no CPT coding", so the API can answer 422.
"""

from __future__ import annotations

import re
from typing import Any

from interop.x12.fhir_elements import (
    coded,
    collect_diagnoses,
    collect_items,
    demographics,
    fhir_path,
    focal_insurance,
    member_id,
    payer_identifier,
    rendering_npi,
)
from interop.x12.payer_map import PayerMap, map_payer
from interop.x12.results import UNCARRIED_FIELDS, ClaimResult, Issue
from interop.x12.validation import validate_contract

CONTRACT_TO_FHIR = {
    "claim_id": "Claim.identifier", "payer_id": "Claim.insurer",
    "submission_date": "Claim.created", "place_of_service": "Claim.item.locationCodeableConcept",
    "diagnoses": "Claim.diagnosis", "provider": "Claim.provider",
    "prior_authorization": "Claim.insurance.preAuthRef",
}
LINE_TO_FHIR = {
    "cpt": "productOrService", "modifiers": "modifier", "units": "quantity", "charge": "net",
    "dx_pointers": "diagnosisSequence", "date_of_service": "servicedDate",
}
PATIENT_TO_FHIR = {"member_id": "Coverage.subscriberId", "birth_date": "Patient.birthDate",
                   "sex": "Patient.gender"}


_INDEXED = re.compile(r"^(\w+)\[(\d+)\](?:\.(\w+))?")


def head_is(loc: tuple[Any, ...], name: str) -> bool:
    """True when the location starts at contract field `name`."""
    return bool(loc) and loc[0] == name


class FhirMappingError(ValueError):
    """The FHIR Claim is invalid or cannot be mapped; `issues` name the FHIR elements."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("; ".join(str(i) for i in issues))


def indexed_location(loc: tuple[Any, ...], message: str) -> tuple[Any, ...]:
    """The location with the list index a list-level validator put in its message
    (('diagnoses',), "diagnoses[1]: ..." -> ('diagnoses', 1))."""
    found = _INDEXED.match(message)
    if len(loc) == 1 and found and found.group(1) == loc[0]:
        return (loc[0], int(found.group(2)), *([found.group(3)] if found.group(3) else []))
    return loc


def fhir_element_for(loc: tuple[Any, ...], message: str) -> str:
    """The FHIR element a contract validation error points at."""
    loc = indexed_location(loc, message)
    if head_is(loc, "diagnoses") and len(loc) > 1:
        return f"Claim.diagnosis[{loc[1]}].diagnosisCodeableConcept"
    if not loc:
        return "Claim.item.servicedDate" if "date" in message else "Claim"
    head = str(loc[0])
    if head == "patient" and len(loc) > 1:
        return PATIENT_TO_FHIR.get(str(loc[1]), "Claim.patient")
    if head == "lines" and len(loc) > 2 and isinstance(loc[1], int):
        return f"Claim.item[{loc[1]}].{LINE_TO_FHIR.get(str(loc[2]), loc[2])}"
    return "Claim.item" if head == "lines" else CONTRACT_TO_FHIR.get(head, "Claim")


def structural_issues(resource: Any) -> list[Issue]:
    """FHIR R4 structure problems of the resource (via fhir.resources), as Issues."""
    from fhir.resources.R4B.claim import Claim as FhirClaim  # deferred: heavy import
    from pydantic import ValidationError

    if not isinstance(resource, dict) or resource.get("resourceType") != "Claim":
        return [Issue("Claim.resourceType", "expected a FHIR Claim resource")]
    try:
        FhirClaim.model_validate(resource)
    except ValidationError as exc:
        return [Issue(fhir_path(tuple(e["loc"])), str(e["msg"]))
                for e in exc.errors(include_url=False)]
    return []


def claim_identifier(resource: dict[str, Any]) -> str | None:
    """Claim id: the first Claim.identifier value, else the resource id."""
    for ident in resource.get("identifier") or []:
        if ident.get("value"):
            return str(ident["value"])
    return resource.get("id")


def place_of_service(resource: dict[str, Any]) -> tuple[str, list[str]]:
    """POS of the first item (locationCodeableConcept); office (11) assumed when absent."""
    for item in resource.get("item") or []:
        code = coded(item.get("locationCodeableConcept"), ("place", "6.50"))
        if code:
            return code, []
    return "11", ["place_of_service"]


def contract_draft(resource: dict[str, Any], payer_map: PayerMap | None
                   ) -> tuple[dict[str, Any], list[Issue], list[str], str | None, bool]:
    """(contract dict, mapping issues, assumed defaults, source payer id, payer mapped?)."""
    diagnoses, sequences, issues = collect_diagnoses(resource)
    lines, line_issues, assumed = collect_items(resource, sequences)
    issues += line_issues
    birth, sex, more = demographics(resource)
    member, more2 = member_id(resource)
    source, more3 = payer_identifier(resource)
    npi, more4 = rendering_npi(resource)
    issues += more + more2 + more3 + more4
    payer, mapped = map_payer(source or "", payer_map)
    pos, pos_assumed = place_of_service(resource)
    pre_auth = (focal_insurance(resource).get("preAuthRef") or [None])[0]
    created = str(resource.get("created") or "")[:10] or None
    draft = {
        "claim_id": claim_identifier(resource), "payer_id": payer, "submission_date": created,
        "place_of_service": pos, "patient": {"member_id": member, "birth_date": birth,
                                             "sex": sex},
        "provider": {"rendering_npi": npi}, "diagnoses": diagnoses, "lines": lines,
        "prior_authorization": {"number": pre_auth,
                                "cpt_codes": list(dict.fromkeys(ln["cpt"] for ln in lines))}
        if pre_auth else None,
    }
    assumed += pos_assumed + ["referral_on_file"]
    if pre_auth:
        assumed.append("prior_authorization.cpt_codes")
    return draft, issues, assumed, source, mapped


def fhir_claim_to_result(resource: Any, payer_map: PayerMap | None = None) -> ClaimResult:
    """The FHIR Claim as a ClaimResult (contract claim or issues); never raises."""
    problems = structural_issues(resource)
    if problems:
        claim_id = resource.get("id") if isinstance(resource, dict) else None
        return ClaimResult(claim_id=claim_id, errors=tuple(problems))
    draft, issues, assumed, source, mapped = contract_draft(resource, payer_map)
    claim, invalid = validate_contract(draft, fhir_element_for)
    seen = {i.segment for i in issues}
    errors = (*issues, *(i for i in invalid if i.segment not in seen))
    warnings = () if mapped or not source else (
        f"Claim.insurer: payer id {source!r} not in the payer map; kept as is (pooled model)",)
    return ClaimResult(
        claim_id=draft["claim_id"], claim=None if errors else claim, errors=errors,
        assumed_defaults=(*UNCARRIED_FIELDS, *dict.fromkeys(assumed)), warnings=warnings,
        source_payer_id=source, payer_mapped=mapped,
    )


def fhir_claim_to_contract(resource: dict[str, Any],
                           payer_map: PayerMap | None = None) -> dict[str, Any]:
    """Validated contract claim dict of a FHIR R4 Claim; FhirMappingError names the element."""
    result = fhir_claim_to_result(resource, payer_map)
    if not result.ok or result.claim is None:
        raise FhirMappingError(list(result.errors))
    return result.claim
