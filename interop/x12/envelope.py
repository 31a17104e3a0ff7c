"""Writing X12: segments, ISA/GS/ST envelopes and the fixed synthetic parties.

The writer produces TR3-shaped 5010 interchanges (delimiters * : ~, one segment per
line) for synthetic data only; names and addresses are placeholders because the claim
contract carries none (and must not: they would be PHI).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

SEGMENT_END = "~\n"


@dataclass(frozen=True)
class Parties:
    """Submitter, receiver and practice identifiers written on every interchange."""

    sender_id: str = "DENIALRISK"
    receiver_id: str = "CLEARINGHOUSE"
    practice_name: str = "DENIALRISK DERMATOLOGY"
    billing_npi: str = "1234567893"
    tax_id: str = "123456789"
    usage: str = "T"


PAYER_NAMES = {
    "MCR": "MEDICARE PART B", "MCA": "MEDICARE ADVANTAGE PLAN", "MCD": "STATE MEDICAID",
    "COA": "NATIONAL COMMERCIAL PPO", "COB": "REGIONAL COMMERCIAL HMO",
    "COC": "SMALL COMMERCIAL PAYER",
}
# SBR09 / CLP06 claim filing indicator per payer archetype (shared/domain section 10).
FILING_INDICATORS = {"MCR": "MB", "MCA": "16", "MCD": "MC", "COA": "12", "COB": "HM",
                     "COC": "CI"}


def segment(*elements: object) -> str:
    """One segment: elements joined by '*', trailing empty elements dropped."""
    values = ["" if e is None else str(e) for e in elements]
    while values and values[-1] == "":
        values.pop()
    return "*".join(values) + SEGMENT_END


def money(value: float) -> str:
    """An X12 decimal amount: at most 2 decimals, no trailing zeros (125.50 -> 125.5)."""
    text = f"{round(float(value), 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def d8(value: date | str) -> str:
    """CCYYMMDD of a date or ISO date string."""
    return str(value)[:10].replace("-", "")


def transaction(kind: str, control: int, version: str, body: list[str]) -> str:
    """ST + body + SE with the segment count the SE must carry (ST and SE included).

    ST03 is written for the 837P only: the 835 TR3 marks it not used (GS08 carries it).
    """
    number = f"{control:04d}"
    st03 = version if kind == "837" else ""
    return (segment("ST", kind, number, st03) + "".join(body)
            + segment("SE", len(body) + 2, number))


def interchange(functional_id: str, version: str, transactions: list[str], control: int,
                parties: Parties, when: datetime) -> str:
    """ISA/GS/.../GE/IEA around already-built transactions (one functional group)."""
    isa = segment(
        "ISA", "00", " " * 10, "00", " " * 10, "ZZ", parties.sender_id.ljust(15)[:15],
        "ZZ", parties.receiver_id.ljust(15)[:15], when.strftime("%y%m%d"),
        when.strftime("%H%M"), "^", "00501", f"{control:09d}", "0", parties.usage, ":",
    )
    gs = segment("GS", functional_id, parties.sender_id, parties.receiver_id,
                 when.strftime("%Y%m%d"), when.strftime("%H%M"), control, "X", version)
    trailer = segment("GE", len(transactions), control) + segment(
        "IEA", 1, f"{control:09d}")
    return isa + gs + "".join(transactions) + trailer
