"""Pure parsers of single 837P segments (dates, HI diagnoses, SV1 service lines).

Each returns the contract values it could read and the Issues it found, so the claim
assembler can report every problem of a claim at once rather than the first one.
"""

from __future__ import annotations

from typing import Any

from interop.x12.reader import Seg, Transaction
from interop.x12.results import Issue

ICD10_QUALIFIERS = {"ABK": 0, "ABF": 1}  # principal first, then other diagnoses
ICD9_QUALIFIERS = {"BK", "BF"}
PROCEDURE_QUALIFIERS = {"HC"}  # HCPCS/CPT; others (ER, IV, WK, N4) are not contract codes


def x12_date(value: str) -> str | None:
    """ISO date of an X12 date (CCYYMMDD, YYMMDD, or the start of a CCYYMMDD-CCYYMMDD range)."""
    text = value.split("-")[0].strip()
    if not text.isascii():
        return None
    if len(text) == 6 and text.isdecimal():
        text = "20" + text
    if len(text) != 8 or not text.isdecimal():
        return None
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def dtp_date(seg: Seg) -> str | None:
    """Date of a DTP segment (D8 or RD8: the first day of the range)."""
    return x12_date(seg.el(3))


def transaction_submission_date(tx: Transaction) -> str | None:
    """Submission date: BHT04, else GS04, else ISA09 (the date the file was created)."""
    bht = next((s for s in tx.segments if s.id == "BHT"), None)
    for raw in (bht.el(4) if bht else "", tx.group_date, tx.interchange_date):
        found = x12_date(raw) if raw else None
        if found:
            return found
    return None


def parse_hi(seg: Seg) -> tuple[list[tuple[int, str]], list[Issue]]:
    """(rank, ICD-10 code) pairs of one HI segment; ICD-9 qualifiers are issues."""
    codes: list[tuple[int, str]] = []
    issues: list[Issue] = []
    for n in range(1, min(12, len(seg.elements)) + 1):
        parts = seg.comps(n) + [""]
        qualifier, code = parts[0].upper(), parts[1]
        if qualifier in ICD9_QUALIFIERS:
            issue = Issue("HI", f"ICD-9 qualifier {qualifier} not supported")
            if issue not in issues:
                issues.append(issue)
        elif qualifier in ICD10_QUALIFIERS and not code:
            issues.append(Issue("HI", f"HI{n:02d}: qualifier {qualifier} without a code"))
        elif qualifier in ICD10_QUALIFIERS:
            codes.append((ICD10_QUALIFIERS[qualifier], code.upper()))
    return codes, issues


def parse_number(value: str) -> float | None:
    """A decimal X12 number, or None when absent or not a number."""
    try:
        return float(value)
    except ValueError:
        return None


def parse_units(value: str) -> int | float | None:
    """SV104 quantity: an int when whole (1.00 -> 1), else the float (rejected later)."""
    number = parse_number(value) if value else 1.0
    if number is None:
        return None
    return int(number) if number.is_integer() else number


def parse_pointers(seg: Seg) -> tuple[list[int], list[Issue]]:
    """SV107 diagnosis pointers (1-based into the claim's HI codes)."""
    raw = [p for p in seg.comps(7) if p]
    if not all(p.isdecimal() for p in raw):
        return [], [Issue("SV1", f"SV107 diagnosis pointers {seg.el(7)!r} are not numbers")]
    return [int(p) for p in raw], []


def parse_sv1(seg: Seg, number: int) -> tuple[dict[str, Any], list[Issue]]:
    """Contract line fields of an SV1 (code, modifiers, charge, units, pointers)."""
    issues: list[Issue] = []
    parts = seg.procedure(1) + ["", ""]
    qualifier, code = parts[0].upper(), parts[1].upper()
    if qualifier not in PROCEDURE_QUALIFIERS:
        issues.append(Issue("SV1", f"line {number}: procedure qualifier {qualifier!r} "
                                   "not supported (HC expected)"))
    charge, units = parse_number(seg.el(2)), parse_units(seg.el(4))
    if charge is None:
        issues.append(Issue("SV1", f"line {number}: SV102 charge {seg.el(2)!r} is not a number"))
    if units is None:
        issues.append(Issue("SV1", f"line {number}: SV104 units {seg.el(4)!r} is not a number"))
    pointers, more = parse_pointers(seg)
    line = {
        "line": number, "cpt": code,
        "modifiers": [m.upper() for m in parts[2:6] if m],
        "units": units, "charge": charge, "dx_pointers": pointers,
    }
    return line, issues + more
