"""Data set outcomes -> 835 (005010X221A1): write_835(frames) -> str.

One transaction per payer (an 835 comes from one payer). Each claim's answer is planned
by remit_plan (the data set's outcome columns, line outcome columns when present): CLP02
status (1 processed, 4 denied), CLP04 paid, CLP05 patient responsibility, CLP07 payer
claim number, CLP09 frequency, a claim-level CAS (+ MOA remarks) or SVC loops with their
CAS (every adjustment: denials, CO-45 write-downs, PR deductible/coinsurance), REF*6R (the
837P line), AMT*B6 allowed and LQ*HE RARCs; REF*F8 names the original of a replacement.
Amounts balance (SVC02 - CAS = SVC03; CLP03 - CAS = CLP04; BPR02 sums the payments) so
strict 835 validators accept the file.
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
from interop.x12.numbering import Numbering
from interop.x12.remit_plan import Cas, ClaimRemit, LineRemit, plan_claim

VERSION_835 = "005010X221A1"
PAYMENT_LAG_DAYS = 14
OUTCOME_COLUMNS = ("denied", "denial_carc", "denial_category", "denied_lines")
CAS_TRIPLETS = 6


def cas_segments(adjustments: list[Cas]) -> list[str]:
    """CAS segments: one per group code, up to six (CARC, amount) pairs each."""
    groups: dict[str, list[Cas]] = defaultdict(list)
    for adj in adjustments:
        groups[adj[0]].append(adj)
    out = []
    for group, items in groups.items():
        for start in range(0, len(items), CAS_TRIPLETS):
            pairs = [v for _, carc, amount in items[start:start + CAS_TRIPLETS]
                     for v in (carc, money(amount), "")]
            out.append(segment("CAS", group, *pairs))
    return out


def service_segments(s: LineRemit) -> list[str]:
    """SVC loop (2110) of one line."""
    line = s.line
    procedure = ":".join(["HC", line["cpt"], *line["modifiers"][:4]])
    out = [segment("SVC", procedure, money(line["charge"]), money(s.paid), "", line["units"]),
           segment("DTM", "472", d8(line["date_of_service"])),
           *cas_segments(s.adjustments),
           segment("REF", "6R", line["line"]),
           segment("AMT", "B6", money(s.allowed))]
    return out + [segment("LQ", "HE", code) for code in s.rarcs]


def claim_segments(claim: dict[str, Any], plan: ClaimRemit, numbering: Numbering) -> list[str]:
    """CLP loop (2100) of one claim and its services."""
    cid, first = claim["claim_id"], min(str(ln["date_of_service"]) for ln in claim["lines"])
    out = [segment("CLP", numbering.clm01(cid), plan.status, money(plan.charge),
                   money(plan.paid), money(plan.patient_share),
                   FILING_INDICATORS.get(claim["payer_id"], "CI"), numbering.pcn(cid),
                   claim["place_of_service"], claim.get("claim_frequency") or "1"),
           *cas_segments(plan.adjustments),
           segment("NM1", "QC", "1", "PATIENT", "SYNTHETIC", "", "", "", "MI",
                   claim["patient"]["member_id"])]
    if plan.rarcs:
        out.append(segment("MOA", "", "", *plan.rarcs[:5]))
    original = claim.get("original_claim_id")
    if original:
        out.append(segment("REF", "F8", numbering.pcn(original)))
    out.append(segment("DTM", "232", d8(first)))
    for service in plan.services:
        out.extend(service_segments(service))
    return out


def payer_header(payer: str, total: float, paid_on: date, control: int,
                 parties: Parties) -> list[str]:
    """BPR, TRN, DTM*405, payer (1000A) and payee (1000B) of one payer's 835."""
    method = ("I", "C", "CHK") if total > 0 else ("H", "C", "NON")
    return [
        segment("BPR", method[0], money(total), method[1], method[2], *[""] * 11,
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


def paid_date(claims: list[dict[str, Any]]) -> date:
    """The remittance date of a batch: PAYMENT_LAG_DAYS after its latest submission."""
    latest = max(str(c["submission_date"]) for c in claims)
    return date.fromisoformat(latest[:10]) + timedelta(days=PAYMENT_LAG_DAYS)


def payer_transaction(payer: str, claims: list[dict[str, Any]], plans: dict[str, ClaimRemit],
                      control: int, parties: Parties, numbering: Numbering) -> str:
    """One 835 transaction for the claims of one payer."""
    body, total = [segment("LX", 1)], 0.0
    for claim in claims:
        plan = plans[claim["claim_id"]]
        body.extend(claim_segments(claim, plan, numbering))
        total += plan.paid
    header = payer_header(payer, round(total, 2), paid_date(claims), control, parties)
    return transaction("835", control, VERSION_835, header + body)


def plans_of(frames: ClaimFrames, claims: list[dict[str, Any]]) -> dict[str, ClaimRemit]:
    """claim_id -> the planned answer, from the outcome columns (and line outcomes)."""
    missing = [c for c in OUTCOME_COLUMNS if c not in frames.claims]
    if missing:
        raise ValueError(f"write_835 needs the outcome columns; missing {missing}")
    outcomes = frames.claims.set_index("claim_id", drop=False).to_dict("index")
    extra = [c for c in frames.lines if c.startswith("line_")]
    lines: dict[str, dict[int, dict]] = defaultdict(dict)
    if extra:
        for row in frames.lines[["claim_id", "line", *extra]].to_dict("records"):
            lines[row["claim_id"]][int(row["line"])] = row
    return {c["claim_id"]: plan_claim(c, outcomes[c["claim_id"]], lines[c["claim_id"]])
            for c in claims}


def write_835(frames: ClaimFrames, control: int = 1, parties: Parties | None = None,
              when: datetime | None = None, numbering: Numbering | None = None) -> str:
    """An 835 interchange with the outcome of every claim of frames (one ST per payer)."""
    parties = parties or Parties()
    claims = [c for c in frames_to_claims(frames) if c["lines"]]
    numbering = numbering or Numbering.of(frames.claims)
    plans = plans_of(frames, claims)
    by_payer: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim in claims:
        by_payer[claim["payer_id"]].append(claim)
    transactions = [payer_transaction(payer, by_payer[payer], plans, i, parties, numbering)
                    for i, payer in enumerate(sorted(by_payer), start=1)]
    moment = when or datetime.combine(max((paid_date(cs) for cs in by_payer.values()),
                                          default=date(2026, 1, 1)), datetime.min.time())
    return interchange("HP", VERSION_835, transactions, control, parties,
                       pd.Timestamp(moment).to_pydatetime().replace(hour=12))
