"""Empty frames that fix the columns and dtypes of ingest's spooled and written tables."""

from __future__ import annotations

import pandas as pd

from contract.frames import CLAIM_COLUMNS, LINE_COLUMNS
from contract.outcome import CLAIM_OUTCOME_COLUMNS, LINE_OUTCOME_COLUMNS
from interop.x12.batches import (
    REMIT_TYPES,
    SERVICE_TYPES,
    event_frames,
    typed,
)
from interop.x12.outcomes import REMIT_COLUMNS, SERVICE_COLUMNS

CLAIM_OUTCOME_TYPES: dict[str, str] = {
    "denied": "bool", "denial_carc": "string", "denial_rarc": "string",
    "denial_category": "string", "denied_lines": "string", "claim_status": "string",
    "payer_claim_number": "string", "paid_amount": "float64",
    "patient_responsibility": "float64",
}
LINE_OUTCOME_TYPES: dict[str, str] = {
    "line_allowed": "float64", "line_paid": "float64", "line_adjustments": "string",
    "line_rarcs": "string", "line_denied": "bool",
}


def spool_templates() -> dict[str, pd.DataFrame]:
    """Claim events (contract columns + event keys), their lines, remits, services."""
    events = event_frames([], 0)
    return {"claims": events.claims, "lines": events.lines,
            "remits": typed([], REMIT_COLUMNS, REMIT_TYPES),
            "services": typed([], SERVICE_COLUMNS, SERVICE_TYPES)}


def dataset_templates() -> dict[str, pd.DataFrame]:
    """The written data set: contract columns then outcome columns (contract/outcome.py)."""
    events = event_frames([], 0)
    claims = events.claims[CLAIM_COLUMNS].assign(
        **{c: pd.Series(dtype=CLAIM_OUTCOME_TYPES[c]) for c in CLAIM_OUTCOME_COLUMNS})
    lines = events.lines[LINE_COLUMNS].assign(
        **{c: pd.Series(dtype=LINE_OUTCOME_TYPES[c]) for c in LINE_OUTCOME_COLUMNS})
    return {"claims": claims, "lines": lines}
