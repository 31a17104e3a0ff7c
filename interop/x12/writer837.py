"""Contract claims -> 837P (005010X222A1): write_837p(frames) -> str.

One interchange, one functional group, one transaction per submission date (BHT04 is
the submission date the reader takes back). Each claim gets its own subscriber HL under one
billing provider; when the frames carry a `relationship` column and the patient is not
the subscriber, a patient HL (2000C: PAT, NM1*QC, the patient's DMG) follows, the member
id staying the subscriber's. What the 837P carries round-trips through parse_837p: ids
(CLM01 per numbering.py), CLM05-3 frequency + REF*F8, payer (via the payer map), dates,
POS, member id, DMG, NPI, REF*G1 prior auth, REF*9F + NM1*DN referral, HI, SV1
codes/modifiers/charges/units/pointers, DTP*472 and drug lines (LIN*N4 NDC, CTP quantity).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import pandas as pd

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
from interop.x12.numbering import Numbering
from interop.x12.payer_map import PayerMap, load_payer_map, source_payer_id

VERSION_837P = "005010X222A1"
REFERRING_NPI = "1003000126"
# PAT01 / SBR02 individual relationship codes; words a generator may use map onto them.
RELATIONSHIPS = {"self": "18", "spouse": "01", "child": "19", "dependent": "19",
                 "other": "G8"}


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


def relationship_code(value: Any) -> str:
    """X12 relationship code of a `relationship` value (code or word; self when missing)."""
    text = "" if value is None or value is pd.NA else str(value).strip()
    return RELATIONSHIPS.get(text.lower(), text) or "18"


def subscriber_segments(claim: dict[str, Any], hl: int, payer_map: PayerMap,
                        relationship: str) -> list[str]:
    """Subscriber HL (2000B), subscriber (2010BA; DMG when the subscriber is the patient),
    payer (2010BB), then for a dependant the patient HL (2000C/2010CA, with its DMG)."""
    payer, patient = claim["payer_id"], claim["patient"]
    self_ = relationship == "18"
    dmg = segment("DMG", "D8", d8(patient["birth_date"]), patient["sex"])
    out = [
        segment("HL", hl, 1, "22", 0 if self_ else 1),
        segment("SBR", "P", "18" if self_ else "", "", "", "", "", "", "",
                FILING_INDICATORS.get(payer, "CI")),
        segment("NM1", "IL", "1", "SUBSCRIBER" if not self_ else "PATIENT", "SYNTHETIC", "",
                "", "", "MI", patient["member_id"]),
        segment("N3", "1 PATIENT STREET"),
        segment("N4", "ANYTOWN", "NY", "100010001"),
        *([dmg] if self_ else []),
        segment("NM1", "PR", "2", PAYER_NAMES.get(payer, payer), "", "", "", "", "PI",
                source_payer_id(payer, payer_map)),
    ]
    if not self_:
        out += [segment("HL", hl + 1, hl, "23", 0), segment("PAT", relationship),
                segment("NM1", "QC", "1", "PATIENT", "SYNTHETIC"),
                segment("N3", "1 PATIENT STREET"),
                segment("N4", "ANYTOWN", "NY", "100010001"), dmg]
    return out


def diagnosis_segment(diagnoses: list[str]) -> str:
    """HI with ABK (principal) then ABF codes, dots removed as X12 requires."""
    codes = [c.replace(".", "") for c in diagnoses[:12]]
    return segment("HI", *(f"{'ABK' if i == 0 else 'ABF'}:{c}" for i, c in enumerate(codes)))


def drug_segments(line: dict[str, Any]) -> list[str]:
    """2410 drug identification: LIN*<>*N4*<NDC> and CTP04 quantity / CTP05 unit."""
    if not line.get("ndc"):
        return []
    out = [segment("LIN", "", "N4", line["ndc"])]
    if line.get("drug_quantity"):
        unit, _, amount = str(line["drug_quantity"]).partition(" ")
        out.append(segment("CTP", "", "", "", amount, unit))
    return out


def line_segments(line: dict[str, Any], position: int) -> list[str]:
    """LX, SV1 (HC:code:modifiers, charge, UN, units, pointers), DTP*472, REF*6R, LIN/CTP."""
    procedure = ":".join(["HC", line["cpt"], *line["modifiers"][:4]])
    pointers = ":".join(str(p) for p in line["dx_pointers"][:4])
    return [
        segment("LX", position),
        segment("SV1", procedure, money(line["charge"]), "UN", line["units"], "", "",
                pointers),
        segment("DTP", "472", "D8", d8(line["date_of_service"])),
        segment("REF", "6R", line["line"]),
        *drug_segments(line),
    ]


def reference_segments(claim: dict[str, Any], numbering: Numbering) -> list[str]:
    """2300 REF*9F referral, REF*G1 prior authorization, REF*F8 original claim number."""
    out = []
    if claim.get("referral_on_file"):
        out.append(segment("REF", "9F", f"RF{numbering.clm01(claim['claim_id'])}"[:50]))
    if claim.get("prior_authorization"):
        out.append(segment("REF", "G1", claim["prior_authorization"]["number"]))
    if claim.get("claim_frequency") in ("7", "8") and claim.get("original_claim_id"):
        out.append(segment("REF", "F8", numbering.pcn(claim["original_claim_id"])))
    return out


def claim_segments(claim: dict[str, Any], numbering: Numbering) -> list[str]:
    """CLM (2300, CLM05-3 frequency), REFs, HI, referring (2310A) and rendering (2310B)
    providers and the service lines (2400)."""
    lines = sorted(claim["lines"], key=lambda ln: ln["line"])
    total = sum(float(ln["charge"]) for ln in lines)
    frequency = claim.get("claim_frequency") or "1"
    out = [segment("CLM", numbering.clm01(claim["claim_id"]), money(total), "", "",
                   f"{claim['place_of_service']}:B:{frequency}", "Y", "A", "Y", "Y"),
           *reference_segments(claim, numbering), diagnosis_segment(claim["diagnoses"])]
    if claim.get("referral_on_file"):
        out.append(segment("NM1", "DN", "1", "PHYSICIAN", "REFERRING", "", "", "", "XX",
                           REFERRING_NPI))
    out.append(segment("NM1", "82", "1", "PROVIDER", "RENDERING", "", "", "", "XX",
                       claim["provider"]["rendering_npi"]))
    for position, line in enumerate(lines, start=1):
        out.extend(line_segments(line, position))
    return out


def claims_transaction(claims: list[dict[str, Any]], control: int, parties: Parties,
                       payer_map: PayerMap, numbering: Numbering,
                       relationships: dict[str, str]) -> str:
    """One 837P transaction for claims submitted on the same date."""
    body = header_segments(claims[0]["submission_date"], control, parties)
    hl = 2
    for claim in claims:
        relationship = relationships.get(claim["claim_id"], "18")
        body.extend(subscriber_segments(claim, hl, payer_map, relationship))
        body.extend(claim_segments(claim, numbering))
        hl += 1 if relationship == "18" else 2
    return transaction("837", control, VERSION_837P, body)


def group_by_date(claims: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Claims grouped by submission date, dates in order, claims in input order."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim in claims:
        groups[str(claim["submission_date"])].append(claim)
    return [groups[key] for key in sorted(groups)]


def relationships_of(frames: ClaimFrames) -> dict[str, str]:
    """claim_id -> X12 relationship code, from a `relationship` column when present."""
    if "relationship" not in frames.claims:
        return {}
    codes = frames.claims["relationship"].astype(object).map(relationship_code)
    return dict(zip(frames.claims["claim_id"].astype(str), codes))


def write_837p(frames: ClaimFrames, control: int = 1, parties: Parties | None = None,
               payer_map: PayerMap | None = None, when: datetime | None = None,
               numbering: Numbering | None = None) -> str:
    """An 837P interchange holding every claim of frames (outcome columns are ignored)."""
    parties, payer_map = parties or Parties(), payer_map or load_payer_map()
    numbering = numbering or Numbering.of(frames.claims)
    claims = [c for c in frames_to_claims(frames) if c["lines"]]
    relationships = relationships_of(frames)
    transactions = [claims_transaction(group, i, parties, payer_map, numbering, relationships)
                    for i, group in enumerate(group_by_date(claims), start=1)]
    return interchange("HC", VERSION_837P, transactions, control, parties,
                       when or latest_submission(claims))


def latest_submission(claims: list[dict[str, Any]]) -> datetime:
    """Noon of the latest submission date: a deterministic ISA/GS date for a batch."""
    latest = max((str(c["submission_date"]) for c in claims), default="2026-01-01")
    return datetime.fromisoformat(latest[:10]).replace(hour=12)
