"""Audit lines and PHI hygiene for logs.

One audit line per scored claim on logger `denialrisk.audit`: an unsalted sha256 prefix of
the claim id (joins with the claim system without exposing it), payer, model name and
version, probability, band, latency and the number of claims scored in the same call. The
lines of one scoring call go out as one log record (one JSON line per claim): a record per
claim cost ~45 us in the logging machinery, ~12% of a 1,000-claim batch. Member id, birth
date, names and NPI are never passed to a logger. `install_log_hygiene` strips pydantic
ValidationErrors from BentoML's exception logging: their text echoes submitted values.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from functools import lru_cache

from contract.schema import Prediction

AUDIT_LOGGER = "denialrisk.audit"
BENTOML_EXCEPTION_LOGGER = "bentoml._internal.server.http_app"


def claim_hash(claim_id: str) -> str:
    """First 16 hex digits of sha256(claim_id)."""
    return hashlib.sha256(claim_id.encode()).hexdigest()[:16]


@lru_cache(maxsize=256)
def json_text(value: str | bool) -> str:
    """JSON of a payer id, model name/version or flag (few distinct values: cached)."""
    return json.dumps(value)


def audit_line(pred: Prediction, latency_ms: float, batch_size: int) -> str:
    """The JSON audit record of one prediction (no PHI: ids hashed, no patient fields).

    Written as text from cached JSON pieces: json.dumps of a dict per claim was ~5% of
    a 1,000-claim batch. tests/unit/test_audit.py parses the lines back."""
    model = pred.model
    return (f'{{"event":"prediction","claim":"{claim_hash(pred.claim_id)}",'
            f'"payer":{json_text(pred.payer_id)},"model":{json_text(model.name)},'
            f'"model_version":{json_text(model.version)},'
            f'"fallback":{json_text(model.fallback)},'
            f'"probability":{round(pred.denial_probability, 4)!r},'
            f'"band":{json_text(pred.risk_band)},"latency_ms":{round(latency_ms, 2)!r},'
            f'"batch":{batch_size}}}')


def audit_predictions(preds: Sequence[Prediction], latency_ms: float) -> None:
    """Write one audit line per prediction (latency = the whole call's), all in one record."""
    logger = logging.getLogger(AUDIT_LOGGER)
    if not preds or not logger.isEnabledFor(logging.INFO):
        return
    logger.info("\n".join(audit_line(pred, latency_ms, len(preds)) for pred in preds))


class DropValidationDetails(logging.Filter):
    """Keep the 'Exception on /predict' line of a request that failed validation, at
    WARNING (a client error, not the server's), without the traceback: its text echoes
    submitted values."""

    def filter(self, record: logging.LogRecord) -> bool:
        from pydantic import ValidationError

        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, ValidationError):
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = f"{record.msg} (request failed validation: {exc.error_count()} " \
                         "error(s); details returned to the client, not logged)"
        return True


def install_log_hygiene() -> None:
    """Attach the filter once to BentoML's exception logger; make audit lines visible."""
    logger = logging.getLogger(BENTOML_EXCEPTION_LOGGER)
    if not any(isinstance(f, DropValidationDetails) for f in logger.filters):
        logger.addFilter(DropValidationDetails())
    audit = logging.getLogger(AUDIT_LOGGER)
    if audit.level == logging.NOTSET:
        audit.setLevel(logging.INFO)
