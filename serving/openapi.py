"""The service's OpenAPI document (/docs.json), completed so it describes what is served.

BentoML generates the document from the API signatures but (checked with schemathesis
4.32 against BentoML 1.4.40):
- labels it OpenAPI 3.0.2 although the component schemas are pydantic v2 JSON Schema
  (`{"type": "null"}` unions, numeric `exclusiveMinimum`): that is OpenAPI 3.1, and a 3.0
  reader cannot generate a claim from it;
- declares error bodies with `detail` as a string (ours are [{field, message}]), no 401
  or 413, no bearer security scheme, and no required request bodies;
- types /predict's response inline without the nulls (`base_value`) it really returns;
- omits the mounted routes (GET /metadata, /predict_x12, /predict_fhir);
- says "version None" and carries BentoML's own readme (Slack and GitHub links).

`complete_spec` fixes those on a copy of BentoML's dict (info: denialrisk, the package
version, our description); serving/docs_routes.py serves it at GET /docs.json and holds
requests to it. tests/serving/test_fuzz.py runs schemathesis against the served document.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from serving.docs_page import document_info

OPEN_OPERATIONS: frozenset[str] = frozenset({"/livez", "/readyz", "/healthz", "/metrics"})
SCHEMA_REF = "#/components/schemas/{}"
JSON = "application/json"

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object", "title": "ClientError", "required": ["error"],
    "properties": {
        "error": {"type": "string", "description": "What went wrong, in plain words."},
        "detail": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}},
            "description": "One entry per invalid field (X12 segment / FHIR element)."},
    },
}
METADATA_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": True,
    "required": ["service", "limits", "models", "payers", "fallback_payers"],
    "properties": {"service": {"type": "string"}, "limits": {"type": "object"},
                   "models": {"type": "object"}, "payers": {"type": "object"},
                   "fallback_payers": {"type": "array", "items": {"type": "string"}}},
}
RESULT_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["ok", "errors"],
    "properties": {
        "claim_id": {"type": ["string", "null"]}, "level": {"type": "string"},
        "ok": {"type": "boolean"}, "errors": {"type": "array", "items": {"type": "string"}},
        "assumed_defaults": {"type": "array", "items": {"type": "string"}},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "source_payer_id": {"type": ["string", "null"]},
        "payer_mapped": {"type": ["boolean", "null"]},
        "prediction": {"$ref": SCHEMA_REF.format("ScoredClaim")},
    },
}
FHIR_CLAIM_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": True,
    "required": ["resourceType", "status", "type", "use", "patient", "created", "provider",
                 "priority", "insurance", "item"],
    "properties": {"resourceType": {"const": "Claim"},
                   "insurance": {"type": "array", "minItems": 1},
                   "item": {"type": "array", "minItems": 1}},
    "description": "A FHIR R4 professional Claim resource (cardinalities of R4 Claim; "
                   "422 names the element that cannot be mapped to the claim contract).",
}
X12_BODY_SCHEMA: dict[str, Any] = {
    "type": "string", "pattern": "\\S",
    "description": "One 837P interchange (ISA...IEA), as sent to the clearinghouse."}
EXAMPLE_CLAIM: dict[str, Any] = {
    "claim_id": "EX-1", "payer_id": "MCR", "submission_date": "2026-03-02",
    "place_of_service": "11",
    "patient": {"member_id": "EXAMPLE-MEMBER", "birth_date": "1950-04-12", "sex": "F"},
    "provider": {"rendering_npi": "1234567893", "credentialed_with_payer": True},
    "diagnoses": ["L57.0", "D48.5"],
    "lines": [
        {"line": 1, "cpt": "99213", "modifiers": ["25"], "units": 1, "charge": 125.0,
         "dx_pointers": [1], "date_of_service": "2026-02-27"},
        {"line": 2, "cpt": "11102", "modifiers": [], "units": 1, "charge": 110.0,
         "dx_pointers": [2], "date_of_service": "2026-02-27",
         "lesion": {"count": 1, "site": "arms", "size_cm": 0.6}},
    ],
    "documentation": {"separate_em_note": True, "symptoms_documented": True},
}
EXAMPLE_REQUESTS: dict[str, dict[str, Any]] = {
    "denialrisk__predict": {"claim": EXAMPLE_CLAIM, "explain": True, "fixes": True},
    "denialrisk__predict_batch": {"claims": [EXAMPLE_CLAIM], "explain": False, "fixes": False},
}
ERRORS: dict[str, str] = {
    "400": "Invalid request: the field paths and what is wrong with them",
    "401": "Missing or wrong API key (send Authorization: Bearer <key>)",
    "413": "Too many claims, lines per claim, or bytes in one request",
    "415": "A Content-Type the operation does not take (see its request body)",
    "422": "The FHIR Claim cannot be mapped to the claim contract",
    "500": "Unexpected server error (a bug: please report it)",
}


def error_response(code: str) -> dict[str, Any]:
    """One declared error response with the ClientError body."""
    return {"description": ERRORS[code],
            "content": {JSON: {"schema": {"$ref": SCHEMA_REF.format("ClientError")}}}}


def json_body(schema: dict[str, Any], *media: str) -> dict[str, Any]:
    """A required request body of the given media types (default JSON)."""
    return {"required": True, "content": {m: {"schema": schema} for m in media or (JSON,)}}


def ok_response(schema: dict[str, Any], description: str = "Successful Response") -> dict:
    """A 200 JSON response."""
    return {"description": description, "content": {JSON: {"schema": schema}}}


def secured(operation: dict[str, Any], method: str, extra: tuple[str, ...] = ()) -> dict:
    """An API operation with the bearer requirement and the service's error responses."""
    body_codes = ("400", "413", "415") if method == "post" else ()
    codes = (*body_codes, "401", *extra, "500")
    responses = {"200": operation["responses"]["200"]}
    responses.update({code: error_response(code) for code in codes})
    return {**operation, "responses": responses, "security": [{"bearerAuth": []}]}


def mounted_paths() -> dict[str, dict[str, Any]]:
    """Operations of the Starlette routes mounted on the service (serving.interchange)."""
    scored = {"$ref": SCHEMA_REF.format("ScoredClaimResult")}
    return {
        "/metadata": {"get": {
            "description": "Loaded models per payer, versions, windows, metrics, fallbacks.",
            "operationId": "denialrisk__metadata_get", "tags": ["Service APIs"],
            "responses": {"200": ok_response({"$ref": SCHEMA_REF.format("Metadata")})}}},
        "/predict_x12": {"post": {
            "description": "Score every claim of one 837P interchange (the request body); "
                           "answers a list, one item per claim in interchange order.",
            "operationId": "denialrisk__predict_x12", "tags": ["Service APIs"],
            "requestBody": json_body(X12_BODY_SCHEMA, "text/plain", "application/edi-x12"),
            "responses": {"200": ok_response(
                {"type": "array", "items": scored},
                "One result per claim of the interchange, in interchange order (the same "
                "list shape as /predict_batch): `prediction` when the claim was mapped "
                "and scored, else `errors` naming the X12 segment")}}},
        "/predict_fhir": {"post": {
            "description": "Score one FHIR R4 Claim resource.",
            "operationId": "denialrisk__predict_fhir", "tags": ["Service APIs"],
            "requestBody": json_body(FHIR_CLAIM_SCHEMA, JSON, "application/fhir+json"),
            "responses": {"200": ok_response(scored)}}},
    }


def typed_response(operation: dict[str, Any], components: dict[str, Any]) -> None:
    """Point an inline `<Model>IODescriptor` 200 schema at the component `<Model>`.

    BentoML's inline copy drops `null` from optional fields (base_value), so responses
    that legitimately carry null would not match it.
    """
    content = operation["responses"]["200"].get("content", {}).get(JSON, {})
    title = str(content.get("schema", {}).get("title", ""))
    name = title.removesuffix("IODescriptor")
    if title.endswith("IODescriptor") and name in components:
        content["schema"] = {"$ref": SCHEMA_REF.format(name)}


def request_example(operation_id: str) -> Any:
    """The example request body of an operation (FHIR: serving/examples/fhir-claim.json,
    the one the README's curl example sends), or None."""
    if operation_id == "denialrisk__predict_fhir":
        return json.loads((Path(__file__).with_name("examples") / "fhir-claim.json")
                          .read_text())
    return EXAMPLE_REQUESTS.get(operation_id)


def require_body(operation: dict[str, Any]) -> None:
    """Mark a JSON body required when its schema has required fields (BentoML never does);
    attach the example request of the operation, if any."""
    media = operation.get("requestBody", {}).get("content", {}).get(JSON)
    if media is None:
        return
    if media.get("schema", {}).get("required"):
        operation["requestBody"]["required"] = True
    example = request_example(operation.get("operationId", ""))
    if example is not None:
        media["example"] = example


def complete_paths(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every path: health open, API operations secured, bodies required, mounts added."""
    components = spec["components"]["schemas"]
    paths: dict[str, dict[str, Any]] = {}
    served = [(path, method, op) for source in (spec["paths"], mounted_paths())
              for path, item in source.items() for method, op in item.items()]
    for path, method, operation in served:
        if path in OPEN_OPERATIONS:
            paths.setdefault(path, {})[method] = {**operation, "security": []}
            continue
        typed_response(operation, components)
        require_body(operation)
        extra = ("422",) if path == "/predict_fhir" else ()
        paths.setdefault(path, {})[method] = secured(operation, method, extra)
    return paths


def complete_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """BentoML's OpenAPI dict -> the document of the service as served (see module doc)."""
    out = json.loads(json.dumps(spec))  # a copy with string status codes (BentoML: ints)
    out["openapi"] = "3.1.0"
    out["info"] = document_info()
    schemas = out.setdefault("components", {}).setdefault("schemas", {})
    for name in ("InvalidArgument", "NotFound", "InternalServerError"):
        schemas.pop(name, None)
    schemas.update({"ClientError": ERROR_SCHEMA, "Metadata": METADATA_SCHEMA,
                    "ScoredClaimResult": RESULT_SCHEMA})
    out["components"]["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer",
                       "description": "The service's DENIALRISK_API_KEY."}}
    out["paths"] = complete_paths(out)
    out["security"] = [{"bearerAuth": []}]
    return out
