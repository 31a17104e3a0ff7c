"""POST /predict_x12 (text/plain 837P) and POST /predict_fhir (FHIR R4 Claim JSON).

Plain Starlette routes mounted on the BentoML service, so the same bearer-auth and
client-error middleware cover them. Every claim of an interchange gets one result: the
contract response when it could be mapped and scored, else its errors naming the X12
segment / FHIR element. /predict_x12 answers a bare JSON list of those results in
interchange order, the shape of /predict_batch (shared/contract: "a list in the same
order"); /predict_fhir, one claim, answers one result. Nothing here raises a 500 for bad
input.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from interop.fhir import fhir_claim_to_result
from interop.x12.claims837 import parse_837p
from interop.x12.results import ClaimResult
from serving.scoring import Options, Predictor

MAX_X12_CLAIMS = 1000


def score_results(predictor: Predictor, results: list[ClaimResult],
                  options: Options) -> list[dict[str, Any]]:
    """One output item per result: mapped claims scored in one batch, the rest as errors."""
    ok = [r for r in results if r.ok and r.claim is not None]
    scored = iter(predictor.predict([r.claim for r in ok], options)) if ok else iter(())
    out = []
    for r in results:
        item = {k: v for k, v in r.to_dict().items() if k != "claim"}
        if r.ok and r.claim is not None:
            item["prediction"] = next(scored).model_dump(mode="json")
        out.append(item)
    return out


def claim_segment_count(text: str) -> int:
    """CLM segments of an interchange, counted without parsing (0 when not X12).

    The ISA segment is fixed-width: its 4th character is the element separator and its
    106th the segment terminator. Parsing costs ~5 ms per claim (pyx12), so an oversize
    interchange is refused on this count before any parsing.
    """
    text = text.lstrip()
    if not text.startswith("ISA") or len(text) < 106:
        return 0
    element, terminator = re.escape(text[3]), re.escape(text[105])
    return len(re.findall(terminator + r"\s*CLM" + element, text))


def too_many_claims(count: int) -> JSONResponse:
    """413 for an interchange with more claims than one request may carry."""
    return error_response(413, f"{count} claims in one interchange; the limit is "
                               f"{MAX_X12_CLAIMS}")


def current_predictor() -> tuple[Predictor, Options]:
    """The running service's predictor and default options (explanation and fixes on)."""
    import bentoml

    service = bentoml.get_current_service()
    return service.predictor, service.options(explain=True, fixes=True)


def error_response(status: int, message: str, issues: list[Any] | None = None) -> JSONResponse:
    """A 4xx body in pydantic's error shape, which the client-error middleware turns into
    the service's usual [{field, message}] detail (field = X12 segment / FHIR element)."""
    detail = [{"loc": [i.segment], "msg": i.reason} for i in issues or []]
    return JSONResponse({"error": message, "detail": detail}, status_code=status)


async def predict_x12(request: Request) -> JSONResponse:
    """Score every claim of one 837P interchange sent as the request body (text/plain);
    a list with one result per claim, in interchange order."""
    raw = await request.body()
    if not raw.strip():
        return error_response(400, "request body is empty: send one 837P interchange")
    text = raw.decode("utf-8", errors="replace")
    if (counted := claim_segment_count(text)) > MAX_X12_CLAIMS:
        return too_many_claims(counted)
    results = await run_in_threadpool(parse_837p, text)  # seconds: keep the loop free
    if len(results) > MAX_X12_CLAIMS:
        return too_many_claims(len(results))
    predictor, options = current_predictor()
    body = await run_in_threadpool(score_results, predictor, results, options)
    return JSONResponse(body)


async def predict_fhir(request: Request) -> JSONResponse:
    """Score one FHIR R4 Claim resource; 422 naming the element when it cannot be mapped."""
    try:
        resource = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return error_response(400, f"body is not JSON: {exc}")
    result = fhir_claim_to_result(resource)
    if not result.ok:
        return error_response(422, "FHIR Claim cannot be mapped to the claim contract",
                              list(result.errors))
    predictor, options = current_predictor()
    body = await run_in_threadpool(score_results, predictor, [result], options)
    return JSONResponse(body[0])
