"""What an 835 says about each claim of a data set: amounts, CAS and RARCs per line.

The data set's outcome columns decide (contract/outcome.py). Line outcome columns are used
as they are when present (line_adjustments "CO-45:35.00 PR-1:80.00", line_rarcs,
line_paid, line_allowed); otherwise they are synthesised the way payers answer:
- a denied line: one CAS with the denial (denial_carc, else the category's CARC) for the
  whole charge, paid 0, the denial's RARCs (denial_rarc) as LQ*HE;
- a paid line: allowed 80% of the charge (CO-45 writes off the rest), then the patient's
  share: the whole allowed amount to the deductible (PR-1, $0 paid) for about a third of
  January-March visits of payers with deductibles (not Medicaid), else 20% coinsurance
  (PR-2) with commercial and Medicare payers; the payer pays the rest;
- a claim denied for a claim-level reason (eligibility, timely filing, credentialing)
  on every line: a claim-level CAS for the total and no service lines.
Choices are a hash of the claim id, so a data set always gives the same files.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reference.vocab import CATEGORY_CARC

ALLOWED_SHARE = 0.8
COINSURANCE = 0.2
DEDUCTIBLE_SHARE = 35  # percent of January-March visits that meet the deductible
NO_PATIENT_SHARE = frozenset({"MCD"})
CLAIM_LEVEL_CATEGORIES = frozenset({"eligibility", "timely_filing", "credentialing"})
Cas = tuple[str, str, float]  # group, CARC, amount


@dataclass
class LineRemit:
    """One SVC loop to write."""

    line: dict[str, Any]
    paid: float
    allowed: float
    adjustments: list[Cas] = field(default_factory=list)
    rarcs: list[str] = field(default_factory=list)


@dataclass
class ClaimRemit:
    """One CLP loop to write (services empty for a claim-level decision)."""

    status: str
    charge: float
    paid: float
    patient_share: float
    adjustments: list[Cas] = field(default_factory=list)
    rarcs: list[str] = field(default_factory=list)
    services: list[LineRemit] = field(default_factory=list)


def value(row: dict[str, Any], name: str) -> Any:
    """A column's value (None when the column is absent or the value missing)."""
    found = row.get(name)
    return None if found is None or (pd.api.types.is_scalar(found) and pd.isna(found)) \
        else found


def split_code(code: str) -> tuple[str, str]:
    """('CO', '4') from 'CO-4'; a bare CARC is taken as contractual (CO)."""
    group, _, carc = code.partition("-")
    return (group, carc) if carc else ("CO", group)


def parse_adjustments(text: str | None) -> list[Cas]:
    """'CO-45:35.00 PR-1:80.00' -> [('CO', '45', 35.0), ('PR', '1', 80.0)]."""
    out = []
    for item in (text or "").split():
        code, _, amount = item.partition(":")
        out.append((*split_code(code), float(amount or 0)))
    return out


def bucket(claim_id: str) -> int:
    """A stable 0-99 number of a claim id (the synthesised choices hang on it)."""
    return zlib.crc32(str(claim_id).encode()) % 100


def paid_line(line: dict[str, Any], claim: dict[str, Any], deductible: bool) -> LineRemit:
    """Allowed, write-down, patient share and payment of an allowed line."""
    cents = round(float(line["charge"]) * 100)
    allowed = round(cents * ALLOWED_SHARE)
    cas: list[Cas] = [("CO", "45", (cents - allowed) / 100)] if cents > allowed else []
    share = 0
    if claim["payer_id"] not in NO_PATIENT_SHARE and allowed:
        share = allowed if deductible else round(allowed * COINSURANCE)
        cas.append(("PR", "1" if deductible else "2", share / 100))
    return LineRemit(line, (allowed - share) / 100, allowed / 100, cas)


def denied_line(line: dict[str, Any], code: str, rarcs: list[str]) -> LineRemit:
    """A line refused with `code` for its whole charge."""
    group, carc = split_code(code)
    return LineRemit(line, 0.0, 0.0, [(group, carc, float(line["charge"]))], list(rarcs))


def given_line(line: dict[str, Any], row: dict[str, Any]) -> LineRemit:
    """A line from the data set's own line outcome columns."""
    cas = parse_adjustments(value(row, "line_adjustments"))
    charge = float(line["charge"])
    paid = value(row, "line_paid")
    paid = charge - sum(a for _, _, a in cas) if paid is None else float(paid)
    allowed = value(row, "line_allowed")
    allowed = charge - sum(a for g, _, a in cas if g != "PR") if allowed is None else allowed
    return LineRemit(line, round(paid, 2), round(float(allowed), 2), cas,
                     (value(row, "line_rarcs") or "").split())


def denial_code(outcome: dict[str, Any]) -> str:
    """The denial CARC to write: the data set's, else its category's, else CO-16."""
    return (value(outcome, "denial_carc")
            or CATEGORY_CARC.get(value(outcome, "denial_category") or "", "CO-16"))


def plan_claim(claim: dict[str, Any], outcome: dict[str, Any],
               line_rows: dict[int, dict[str, Any]]) -> ClaimRemit:
    """The 835 answer to one contract claim given its outcome row and line rows."""
    lines = sorted(claim["lines"], key=lambda ln: ln["line"])
    denied = bool(value(outcome, "denied"))
    numbers = {int(n) for n in (value(outcome, "denied_lines") or "").split()}
    numbers = numbers or ({ln["line"] for ln in lines} if denied else set())
    code, rarcs = denial_code(outcome), (value(outcome, "denial_rarc") or "").split()
    charge = round(sum(float(ln["charge"]) for ln in lines), 2)
    if (denied and numbers >= {ln["line"] for ln in lines}
            and value(outcome, "denial_category") in CLAIM_LEVEL_CATEGORIES):
        return ClaimRemit("4", charge, 0.0, 0.0, [(*split_code(code), charge)], rarcs)
    first_month = min(pd.Timestamp(ln["date_of_service"]).month for ln in lines)
    deductible = first_month <= 3 and bucket(claim["claim_id"]) < DEDUCTIBLE_SHARE
    services = []
    for ln in lines:
        row = line_rows.get(ln["line"], {})
        if value(row, "line_adjustments") is not None:
            services.append(given_line(ln, row))
        elif ln["line"] in numbers:
            services.append(denied_line(ln, code, rarcs))
        else:
            services.append(paid_line(ln, claim, deductible))
    paid = round(sum(s.paid for s in services), 2)
    share = round(sum(a for s in services for g, _, a in s.adjustments if g == "PR"), 2)
    status = value(outcome, "claim_status") or ("4" if denied and paid == 0 and not share
                                                else "1")
    return ClaimRemit(status, charge, paid, share, services=services)
