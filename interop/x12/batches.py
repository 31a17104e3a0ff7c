"""One X12 file -> the rows ingest spools: claim events or remits, plus what was refused.

A transaction with a wrong SE count or control number is read with a warning (every
segment is there); one cut short (no SE) refuses its claims and remits.

An 837P file becomes contract frames (contract/frames.py columns) with the keys that tell
claim events apart and match them to remits (CLM01, CLM05-3 frequency, REF*F8, first date
of service, total charge), the claims that could not become contract claims (with a coarse
rejection reason) and the codes outside the reference tables. An 835 file becomes remit
and service rows (interop/x12/outcomes.py) and the remits refused for structural issues.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from contract.frames import (
    CLAIM_TYPES,
    LINE_TYPES,
    MOD_COLS,
    ClaimFrames,
    flatten_claims,
    transpose,
    typed_frame,
)
from contract.typed import date_array, float_array, string_array
from interop.x12.claims837 import read_837p_file
from interop.x12.outcomes import REMIT_COLUMNS, SERVICE_COLUMNS, remit_row, service_rows
from interop.x12.payer_map import PayerMap
from interop.x12.reader import is_truncation
from interop.x12.remit835 import read_835
from interop.x12.results import ClaimResult, Issue
from reference.codes import load_code_table
from reference.modifiers import MODIFIERS

EVENT_KEYS: dict[str, str] = {
    "seq": "int64", "clm01": "string", "f8": "string", "dos_min": "datetime64[ns]",
    "total_charge": "float64", "n_lines": "int64",
}
REMIT_TYPES: dict[str, str] = {
    "rseq": "int64", "clp01": "string", "status": "string", "pcn": "string", "f8": "string",
    "frequency": "string", "source_payer_id": "string", "remitted_on": "datetime64[ns]",
    "service_from": "datetime64[ns]", "charge": "float64", "paid": "float64",
    "patient_responsibility": "float64", "claim_adjustments": "string",
    "claim_rarcs": "string", "claim_denial": "string", "fallback_code": "string",
    "n_services": "int64",
}
SERVICE_TYPES: dict[str, str] = {
    "rseq": "int64", "svc": "int64", "line_ref": "Int64", "code": "string",
    "allowed": "float64", "paid": "float64", "adjustments": "string", "rarcs": "string",
    "denial": "string", "denial_amount": "float64",
}
# First matching (segment, words in the reason) names a rejected claim's reason.
REJECTION_REASONS: tuple[tuple[str, str, str], ...] = (
    ("SE", "no SE trailer", "truncated_transaction"), ("SE", "", "envelope"),
    ("IEA", "", "envelope"), ("ST", "", "envelope"),
    ("HI", "ICD-9", "icd9_diagnosis"), ("HI", "", "diagnosis"),
    ("SV1", "no service lines", "no_lines"), ("SV1", "has no SV1", "no_lines"),
    ("SV1", "modifier", "malformed_modifier"), ("SV1", "CPT/HCPCS", "malformed_code"),
    ("SV1", "qualifier", "malformed_code"), ("SV1", "", "service_line"),
    ("DTP*472", "", "impossible_dates"), ("BHT", "", "submission_date"),
    ("DMG", "", "patient_demographics"), ("NM1*IL", "", "member_id"),
    ("NM1*PR", "", "payer"), ("NM1*82", "", "rendering_npi"),
    ("CLM", "date", "impossible_dates"), ("CLM", "frequency", "claim_frequency"),
)


def rejection_reason(issues: tuple[Issue, ...]) -> str:
    """A coarse reason for a refused claim, from its first issue (counted by ingest)."""
    if not issues:
        return "unknown"
    first = issues[0]
    for segment, words, reason in REJECTION_REASONS:
        if first.segment == segment and words in first.reason:
            return reason
    return f"other_{first.segment.lower()}"


@dataclass
class ClaimBatch:
    """The claims of one 837P file: valid events, refusals, notes, codes seen."""

    frames: ClaimFrames
    results: int = 0
    rejected: Counter = field(default_factory=Counter)
    invalid_ids: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    unmapped_payers: Counter = field(default_factory=Counter)
    unknown_codes: Counter = field(default_factory=Counter)
    unknown_modifiers: Counter = field(default_factory=Counter)
    dropped_drug_fields: int = 0
    envelope_warnings: int = 0


def temporary_id(seq: int) -> str:
    """The claim id an event carries until ingest names it (CLM01 may repeat in a file)."""
    return f"#{seq}"


def event_frames(results: list[ClaimResult], first_seq: int) -> ClaimFrames:
    """Contract frames of valid claims keyed by temporary ids, with EVENT_KEYS columns."""
    seqs = range(first_seq, first_seq + len(results))
    claims = [r.claim for r in results]
    claim_cols, line_cols = flatten_claims(claims, [temporary_id(s) for s in seqs])
    claim_cols.update(
        seq=np.arange(first_seq, first_seq + len(results), dtype=np.int64),
        clm01=string_array([c["claim_id"] for c in claims]),
        f8=string_array([r.original_reference for r in results]),
        dos_min=date_array([min(ln["date_of_service"] for ln in c["lines"]) for c in claims]),
        total_charge=np.array([sum(ln["charge"] for ln in c["lines"]) for c in claims],
                              dtype=np.float64),
        n_lines=np.array([len(c["lines"]) for c in claims], dtype=np.int64))
    types = {**CLAIM_TYPES, **dict.fromkeys(EVENT_KEYS, lambda built: built)}
    return ClaimFrames(typed_frame(claim_cols, types), typed_frame(line_cols, LINE_TYPES))


def note_codes(batch: ClaimBatch) -> None:
    """Count codes and modifiers outside the reference tables (kept, only flagged)."""
    lines = batch.frames.lines
    codes = lines["cpt"][~lines["cpt"].isin(load_code_table().codes)]
    batch.unknown_codes.update(codes.value_counts().to_dict())
    mods = pd.concat([lines[c] for c in MOD_COLS]).dropna()
    batch.unknown_modifiers.update(mods[~mods.isin(MODIFIERS)].value_counts().to_dict())


def read_claim_batch(path: Path, payer_map: PayerMap, first_seq: int) -> ClaimBatch:
    """Read one 837P file into a ClaimBatch (claim seq numbers start at first_seq)."""
    ok: list[ClaimResult] = []
    batch = ClaimBatch(frames=event_frames([], first_seq))
    for result in read_837p_file(path, payer_map, fast=True, lenient=True):
        if result.level != "claim":
            batch.messages.append(f"{path.name}: {'; '.join(result.messages)}")
        elif result.ok and result.claim is not None:
            ok.append(result)
            batch.dropped_drug_fields += sum(w.startswith(("LIN*N4", "CTP"))
                                             for w in result.warnings)
            batch.envelope_warnings += any(w.startswith("SE:") for w in result.warnings)
            if not result.payer_mapped:
                batch.unmapped_payers[result.claim["payer_id"]] += 1
        else:
            batch.rejected[rejection_reason(result.errors)] += 1
            batch.invalid_ids.append(result.claim_id or "")
            batch.messages.append(f"{path.name} claim {result.claim_id}: "
                                  + "; ".join(result.messages))
    batch.results = len(ok) + sum(batch.rejected.values())
    batch.frames = event_frames(ok, first_seq)
    note_codes(batch)
    return batch


@dataclass
class RemitBatch:
    """The remits of one 835 file as rows, and what was refused."""

    remits: pd.DataFrame
    services: pd.DataFrame
    read: int = 0
    refused: int = 0
    envelope_warnings: int = 0
    messages: list[str] = field(default_factory=list)


ARRAYS: dict[str, Callable[[Sequence[Any]], Any]] = {
    "string": string_array, "datetime64[ns]": date_array, "float64": float_array,
    "int64": lambda v: np.asarray(v, dtype=np.int64),
    "Int64": lambda v: pd.array(list(v), dtype="Int64"),
}


def typed(rows: list[tuple], columns: tuple[str, ...], types: dict[str, str]) -> pd.DataFrame:
    """Rows (tuples in `columns` order) as a frame with explicit dtypes (an empty file
    keeps the schema)."""
    values = transpose(rows, columns)
    return pd.DataFrame({c: ARRAYS[types[c]](values[c]) for c in columns}, copy=False)


def read_remit_batch(path: Path, first_rseq: int) -> RemitBatch:
    """Read one 835 file into remit and service rows (rseq numbers from first_rseq)."""
    parsed = read_835(path.read_text(encoding="utf-8", errors="replace"), fast=True)
    batch = RemitBatch(pd.DataFrame(), pd.DataFrame(),
                       messages=[f"{path.name}: {issue}" for issue in parsed.issues])
    remits, services = [], []
    for remit in parsed.remits:
        batch.read += 1
        if remit.issues:
            batch.messages.append(f"{path.name} remit {remit.claim_id}: "
                                  + "; ".join(map(str, remit.issues)))
        if any(map(is_truncation, remit.issues)):
            batch.refused += 1
            continue
        batch.envelope_warnings += bool(remit.issues)
        rseq = first_rseq + batch.read - 1
        remits.append(remit_row(remit, rseq))
        services.extend(service_rows(remit, rseq))
    batch.remits = typed(remits, REMIT_COLUMNS, REMIT_TYPES)
    batch.services = typed(services, SERVICE_COLUMNS, SERVICE_TYPES)
    return batch
