"""BentoML 1.4 service: POST /predict, /predict_batch, /predict_x12, /predict_fhir, GET /metadata.

Serve with `denialrisk serve` or `bentoml serve serving.service:DenialRiskService`. Models
load in __init__ (serve time) from the BentoML store; importing this module loads nothing.
Health, readiness and metrics (/livez, /readyz, /healthz, /metrics) stay open; everything
else needs `Authorization: Bearer $DENIALRISK_API_KEY`, and without a key the service
refuses to start unless DENIALRISK_INSECURE_DEV=1. No shap import here: explanations use
LightGBM's pred_contrib. Concurrent /predict and /predict_batch calls go through one
micro-batcher (serving/batcher.py): scored together, one scoring call at a time.
"""

import logging
import time
from typing import Annotated, Any

import bentoml
from pydantic import Field, StrictBool, TypeAdapter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from contract.schema import Claim
from reference.icd10 import normalize_icd10
from serving.audit import install_log_hygiene
from serving.auth import BearerAuthMiddleware
from serving.batcher import MicroBatcher
from serving.bento import ServedStores, served_stores
from serving.config import SERVICE_NAME, ServingSettings, check_auth_configured
from serving.docs_routes import OpenAPIDocumentMiddleware
from serving.errors import ClientErrorMiddleware, RequestTooLarge, install_size_log_filter
from serving.interchange import predict_fhir, predict_x12
from serving.modelset import describe
from serving.schemas import ScoredClaim
from serving.scoring import Options, Predictor, load_predictor

MAX_BATCH_CLAIMS = 1000  # schema limit; ServingSettings.max_batch_claims may lower it
SCORED_LIST = TypeAdapter(list[ScoredClaim])


def json_response(body: bytes) -> Response:
    """A 200 JSON answer from bytes pydantic serialised in one pass (BentoML's own output
    path dumps the models to Python objects, then to JSON: ~2x the cost for big batches).
    The OpenAPI schema still comes from the methods' return annotations."""
    return Response(body, media_type="application/json")


def log_started(predictor: Predictor, stores: ServedStores) -> None:
    """One INFO line: which models from which store, the CMS tables' folder."""
    logger = logging.getLogger("denialrisk.service")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    tags = ", ".join(m.tag for _, m in sorted(predictor.models.models.items()))
    logger.info("loaded %s from %s/models; CMS tables from %s", tags, stores.home,
                stores.cms_dir)


def check_sizes(claims: list[Claim], settings: ServingSettings) -> None:
    """413 when a request has more claims, or a claim more lines, than configured."""
    if len(claims) > settings.max_batch_claims:
        raise RequestTooLarge(f"{len(claims)} claims in one request; the limit is "
                              f"{settings.max_batch_claims} (split the batch)")
    for i, claim in enumerate(claims):
        if len(claim.lines) > settings.max_lines_per_claim:
            raise RequestTooLarge(f"claims[{i}].lines: {len(claim.lines)} lines; the limit "
                                  f"is {settings.max_lines_per_claim} per claim")


@bentoml.service(name=SERVICE_NAME, traffic={"timeout": 120})
class DenialRiskService:
    """Denial-risk scoring with explanations and verified fixes."""

    def __init__(self) -> None:
        self.settings = ServingSettings()
        check_auth_configured(self.settings)
        install_log_hygiene()
        install_size_log_filter()
        stores = served_stores(DenialRiskService.bento, self.settings)  # a Bento's own
        self.predictor: Predictor = load_predictor(stores.home, stores.cms_dir, stores.tags,
                                                   self.settings.history_path())
        log_started(self.predictor, stores)
        self.batcher = MicroBatcher(self.predictor.predict, self.settings.micro_batch_claims)
        normalize_icd10("L82.1")  # reads the ICD-10-CM code set now, not in the 1st request
        self.started = time.time()

    def options(self, explain: bool, fixes: bool) -> Options:
        return Options(explain=explain, fixes=fixes, max_factors=self.settings.max_factors,
                       max_fixes=self.settings.max_fixes)

    @bentoml.api
    async def predict(self, claim: Claim, explain: StrictBool = True,
                      fixes: StrictBool = True) -> ScoredClaim:
        """Denial probability, risk band, reasons, explanation and fixes of one claim."""
        check_sizes([claim], self.settings)
        pred = (await self.batcher.submit([claim], self.options(explain, fixes)))[0]
        return json_response(pred.model_dump_json().encode())

    @bentoml.api
    async def predict_batch(
        self,
        claims: Annotated[list[Claim], Field(max_length=MAX_BATCH_CLAIMS)],
        explain: StrictBool = True,
        fixes: StrictBool = True,
    ) -> list[ScoredClaim]:
        """Predictions of many claims, in request order (vectorised per payer model)."""
        check_sizes(claims, self.settings)
        preds = await self.batcher.submit(claims, self.options(explain, fixes))
        return json_response(SCORED_LIST.dump_json(preds))

    def metadata_document(self) -> dict[str, Any]:
        """Loaded models per payer, versions, windows, test metrics, thresholds, fallbacks."""
        return {"service": SERVICE_NAME, "started_at": self.started,
                "limits": {"max_batch_claims": self.settings.max_batch_claims,
                           "max_lines_per_claim": self.settings.max_lines_per_claim},
                **describe(self.predictor.models)}

    @bentoml.api(route="/metadata")
    def metadata(self) -> dict[str, Any]:
        """POST /metadata (for BentoML clients); same document as GET /metadata."""
        return self.metadata_document()


async def metadata_get(request: Request) -> JSONResponse:
    """GET /metadata (BentoML API routes are POST only)."""
    service = bentoml.get_current_service()
    return JSONResponse(service.metadata_document())


DenialRiskService.mount_asgi_app(
    Starlette(routes=[Route("/metadata", metadata_get, methods=["GET"]),
                      Route("/predict_x12", predict_x12, methods=["POST"]),
                      Route("/predict_fhir", predict_fhir, methods=["POST"])]), path="/")
DenialRiskService.add_asgi_middleware(BearerAuthMiddleware)  # outermost: 401 before anything
DenialRiskService.add_asgi_middleware(ClientErrorMiddleware)
DenialRiskService.add_asgi_middleware(OpenAPIDocumentMiddleware,
                                      spec_source=lambda: DenialRiskService.openapi_spec.asdict())
