"""Generated outcomes -> 835 (005010X221A1): write_835(frames) -> str.

One transaction per payer (an 835 comes from one payer). Denied lines carry
CAS*<group>*<carc>*<full charge> and pay 0; paid lines get a CO-45 contractual
write-down of 20% (not a denial) and pay the rest. A claim whose every line is denied has
CLP02 = 4, otherwise 1. Amounts balance (SVC02 - CAS = SVC03; CLP03/04 and BPR02 sum them)
so strict 835 validators accept the file; REF*6R echoes the 837P line number.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
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
from reference.vocab import CATEGORY_CARC

VERSION_835 = "005010X221A1"
ALLOWED_SHARE = 0.8
PAYMENT_LAG_DAYS = 14
OUTCOME_COLUMNS = ("denied", "denial_carc", "denial_category", "denied_lines")


def split_carc(code: str) -> tuple[str, str]:
    """('CO', '4') from 'CO-4'; a bare CARC is taken as contractual (CO)."""
    group, _, carc = code.partition("-")
    return (group, carc) if carc else ("CO", group)


def claim_decisions(frames: ClaimFrames) -> dict[str, tuple[str, set[int]]]:
    """claim_id -> (denial Group-CARC, denied line numbers) for each denied claim."""
    missing = [c for c in OUTCOME_COLUMNS if c not in frames.claims]
    if missing:
        raise ValueError(f"write_835 needs the outcome columns; missing {missing}")
    out: dict[str, tuple[str, set[int]]] = {}
    for row in frames.claims[["claim_id", *OUTCOME_COLUMNS]].itertuples(index=False):
        if not bool(row.denied):
            continue
        category = None if pd.isna(row.denial_category) else str(row.denial_category)
        carc = row.denial_carc if not pd.isna(row.denial_carc) else None
        carc = carc or CATEGORY_CARC.get(category or "", "CO-16")
        lines = "" if pd.isna(row.denied_lines) else str(row.denied_lines)
        out[str(row.claim_id)] = (str(carc), {int(n) for n in lines.split()})
    return out


def service_segments(line: dict[str, Any], denial: str | None) -> tuple[list[str], int, int]:
    """SVC loop of one line and its (charge, paid) in cents."""
    cents = round(float(line["charge"]) * 100)
    procedure = ":".join(["HC", line["cpt"], *line["modifiers"][:4]])
    group, carc = split_carc(denial) if denial else ("CO", "45")
    paid = 0 if denial else round(cents * ALLOWED_SHARE)
    out = [segment("SVC", procedure, money(cents / 100), money(paid / 100), "",
                   line["units"]),
           segment("DTM", "472", d8(line["date_of_service"]))]
    if denial or cents - paid > 0:  # a denial is stated even on a zero charge
        out.append(segment("CAS", group, carc, money((cents - paid) / 100)))
    out.append(segment("REF", "6R", line["line"]))
    if not denial:
        out.append(segment("AMT", "B6", money(paid / 100)))
    return out, cents, paid


def remit_segments(claim: dict[str, Any], decision: tuple[str, set[int]] | None,
                   number: int) -> tuple[list[str], int]:
    """CLP loop of one claim (patient, services) and its paid amount in cents."""
    carc, denied_lines = decision or ("", set())
    if decision and not denied_lines:  # a claim-level denial: every line is denied
        denied_lines = {ln["line"] for ln in claim["lines"]}
    services, charge, paid = [], 0, 0
    for line in sorted(claim["lines"], key=lambda ln: ln["line"]):
        denial = carc if line["line"] in denied_lines else None
        segs, line_charge, line_paid = service_segments(line, denial)
        services.extend(segs)
        charge, paid = charge + line_charge, paid + line_paid
    all_denied = decision is not None and paid == 0 and bool(denied_lines)
    clp = segment("CLP", claim["claim_id"], "4" if all_denied else "1", money(charge / 100),
                  money(paid / 100), 0, FILING_INDICATORS.get(claim["payer_id"], "CI"),
                  f"PCN{number:09d}", claim["place_of_service"], "1")
    patient = segment("NM1", "QC", "1", "PATIENT", "SYNTHETIC", "", "", "", "MI",
                      claim["patient"]["member_id"])
    return [clp, patient, *services], paid


def payer_header(payer: str, total: int, paid_on: date, control: int,
                 parties: Parties) -> list[str]:
    """BPR, TRN, DTM*405, payer (1000A) and payee (1000B) of one payer's 835."""
    method = ("I", "C", "CHK") if total > 0 else ("H", "C", "NON")
    return [
        segment("BPR", method[0], money(total / 100), method[1], method[2], *[""] * 11,
                d8(paid_on)),
        segment("TRN", "1", f"EFT{control:09d}", f"1{parties.tax_id}"),
        segment("DTM", "405", d8(paid_on)),
        segment("N1", "PR", PAYER_NAMES.get(payer, payer)),
        segment("N3", "1 PAYER PLAZA"),
        segment("N4", "ANYTOWN", "NY", "100010001"),
        segment("PER", "BL", "PROVIDER SERVICES", "TE", "5555550199"),
        segment("N1", "PE", parties.practice_name, "XX", parties.billing_npi),
        segment("REF", "TJ", parties.tax_id),
    ]


def payer_transaction(payer: str, claims: list[dict[str, Any]], decisions: dict,
                      control: int, parties: Parties) -> str:
    """One 835 transaction for the claims of one payer."""
    body, total = [segment("LX", 1)], 0
    for number, claim in enumerate(claims, start=1):
        segs, paid = remit_segments(claim, decisions.get(claim["claim_id"]), number)
        body.extend(segs)
        total += paid
    latest = max(str(c["submission_date"]) for c in claims)
    paid_on = date.fromisoformat(latest[:10]) + timedelta(days=PAYMENT_LAG_DAYS)
    return transaction("835", control, VERSION_835,
                       payer_header(payer, total, paid_on, control, parties) + body)


def write_835(frames: ClaimFrames, control: int = 1, parties: Parties | None = None,
              when: datetime | None = None) -> str:
    """An 835 interchange with the outcome of every claim of frames (one ST per payer)."""
    parties = parties or Parties()
    decisions = claim_decisions(frames)
    by_payer: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim in frames_to_claims(frames):
        if claim["lines"]:
            by_payer[claim["payer_id"]].append(claim)
    transactions = [payer_transaction(payer, by_payer[payer], decisions, i, parties)
                    for i, payer in enumerate(sorted(by_payer), start=1)]
    latest = max((d8(c["submission_date"]) for cs in by_payer.values() for c in cs),
                 default="20260101")
    moment = when or datetime.strptime(latest, "%Y%m%d").replace(hour=12)
    return interchange("HP", VERSION_835, transactions, control, parties, moment)
