"""Contract claims -> 837P (005010X222A1): write_837p(frames) -> str.

One interchange, one functional group, one transaction per submission date (BHT04 is
the submission date the reader takes back). Each claim gets its own subscriber HL (the
subscriber is the patient) under one billing provider. What the 837P carries round-trips
through parse_837p: ids, payer (via the payer map), dates, POS, member id, DMG, NPI,
REF*G1, HI, SV1 codes/modifiers/charges/units/pointers and DTP*472.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from contract.frames import ClaimFrames, frames_to_claims
from interop.x12.envelope import (
    FILING_INDICATORS,
    PAYER_NAMES,
    Parties,
    d8,
    interchange,
    money,
    segment,
    transaction,
)
from interop.x12.payer_map import PayerMap, load_payer_map, source_payer_id

VERSION_837P = "005010X222A1"


def header_segments(submitted: str, reference: int, parties: Parties) -> list[str]:
    """BHT, submitter (1000A), receiver (1000B) and billing provider (2000A/2010AA)."""
    return [
        segment("BHT", "0019", "00", f"DR{reference:07d}", d8(submitted), "1200", "CH"),
        segment("NM1", "41", "2", parties.practice_name, "", "", "", "", "46",
                parties.sender_id),
        segment("PER", "IC", "BILLING OFFICE", "TE", "5555550100"),
        segment("NM1", "40", "2", "CLEARINGHOUSE", "", "", "", "", "46",
                parties.receiver_id),
        segment("HL", 1, "", "20", 1),
        segment("NM1", "85", "2", parties.practice_name, "", "", "", "", "XX",
                parties.billing_npi),
        segment("N3", "100 MAIN STREET"),
        segment("N4", "ANYTOWN", "NY", "100010001"),
        segment("REF", "EI", parties.tax_id),
    ]


def subscriber_segments(claim: dict[str, Any], hl: int, payer_map: PayerMap) -> list[str]:
    """Subscriber HL (2000B), subscriber (2010BA, with DMG) and payer (2010BB)."""
    payer, patient = claim["payer_id"], claim["patient"]
    return [
        segment("HL", hl, 1, "22", 0),
        segment("SBR", "P", "18", "", "", "", "", "", "", FILING_INDICATORS.get(payer, "CI")),
        segment("NM1", "IL", "1", "PATIENT", "SYNTHETIC", "", "", "", "MI",
                patient["member_id"]),
        segment("N3", "1 PATIENT STREET"),
        segment("N4", "ANYTOWN", "NY", "100010001"),
        segment("DMG", "D8", d8(patient["birth_date"]), patient["sex"]),
        segment("NM1", "PR", "2", PAYER_NAMES.get(payer, payer), "", "", "", "", "PI",
                source_payer_id(payer, payer_map)),
    ]


def diagnosis_segment(diagnoses: list[str]) -> str:
    """HI with ABK (principal) then ABF codes, dots removed as X12 requires."""
    codes = [c.replace(".", "") for c in diagnoses[:12]]
    return segment("HI", *(f"{'ABK' if i == 0 else 'ABF'}:{c}" for i, c in enumerate(codes)))


def line_segments(line: dict[str, Any], position: int) -> list[str]:
    """LX, SV1 (HC:code:modifiers, charge, UN, units, pointers), DTP*472 and REF*6R."""
    procedure = ":".join(["HC", line["cpt"], *line["modifiers"][:4]])
    pointers = ":".join(str(p) for p in line["dx_pointers"][:4])
    return [
        segment("LX", position),
        segment("SV1", procedure, money(line["charge"]), "UN", line["units"], "", "",
                pointers),
        segment("DTP", "472", "D8", d8(line["date_of_service"])),
        segment("REF", "6R", line["line"]),
    ]


def claim_segments(claim: dict[str, Any]) -> list[str]:
    """CLM (2300), REF*G1, HI, rendering provider (2310B) and the service lines (2400)."""
    lines = sorted(claim["lines"], key=lambda ln: ln["line"])
    total = sum(float(ln["charge"]) for ln in lines)
    out = [segment("CLM", claim["claim_id"], money(total), "", "",
                   f"{claim['place_of_service']}:B:1", "Y", "A", "Y", "Y")]
    if claim.get("prior_authorization"):
        out.append(segment("REF", "G1", claim["prior_authorization"]["number"]))
    out.append(diagnosis_segment(claim["diagnoses"]))
    out.append(segment("NM1", "82", "1", "PROVIDER", "RENDERING", "", "", "", "XX",
                       claim["provider"]["rendering_npi"]))
    for position, line in enumerate(lines, start=1):
        out.extend(line_segments(line, position))
    return out


def claims_transaction(claims: list[dict[str, Any]], control: int, parties: Parties,
                       payer_map: PayerMap) -> str:
    """One 837P transaction for claims submitted on the same date."""
    body = header_segments(claims[0]["submission_date"], control, parties)
    for hl, claim in enumerate(claims, start=2):
        body.extend(subscriber_segments(claim, hl, payer_map))
        body.extend(claim_segments(claim))
    return transaction("837", control, VERSION_837P, body)


def group_by_date(claims: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Claims grouped by submission date, dates in order, claims in input order."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim in claims:
        groups[str(claim["submission_date"])].append(claim)
    return [groups[key] for key in sorted(groups)]


def write_837p(frames: ClaimFrames, control: int = 1, parties: Parties | None = None,
               payer_map: PayerMap | None = None, when: datetime | None = None) -> str:
    """An 837P interchange holding every claim of frames (outcome columns are ignored)."""
    parties, payer_map = parties or Parties(), payer_map or load_payer_map()
    claims = [c for c in frames_to_claims(frames) if c["lines"]]
    transactions = [claims_transaction(group, i, parties, payer_map)
                    for i, group in enumerate(group_by_date(claims), start=1)]
    return interchange("HC", VERSION_837P, transactions, control, parties,
                       when or latest_submission(claims))


def latest_submission(claims: list[dict[str, Any]]) -> datetime:
    """Noon of the latest submission date: a deterministic ISA/GS date for a batch."""
    latest = max((str(c["submission_date"]) for c in claims), default="2026-01-01")
    return datetime.fromisoformat(latest[:10]).replace(hour=12)
