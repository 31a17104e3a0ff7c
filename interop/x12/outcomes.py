"""From an 835 remit to the labels the generator writes: denied, denial_carc,
denial_category, denied_lines.

A CARC is a denial when it is in carc_categories.csv (CARC -> our reason category);
contractual write-downs (CO-45, CO-42, CO-253, CO-A2) and patient shares (PR-1/2/3) are
not. A claim is denied when CLP02 = 4 or a denial CARC sits on the claim or a line.
denied_lines are the lines whose SVC carries a denial CARC; a claim-level denial with no
line-level one marks every line, as the generator does for claim-level reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interop.x12.remit835 import Adjustment, Remit, ServiceRemit
from reference.carc import load_carc_categories

DENIED_STATUS = "4"


@dataclass(frozen=True)
class Outcome:
    """The outcome columns of one claim, as the generator writes them."""

    denied: bool
    denial_carc: str | None
    denial_category: str | None
    denied_lines: str
    unmatched_services: int = 0


def denials(adjustments: list[Adjustment], table: dict[str, str]) -> list[Adjustment]:
    """The adjustments whose CARC is a denial reason."""
    return [a for a in adjustments if a.carc in table]


def service_codes(service: ServiceRemit) -> set[str]:
    """Codes a service may match on: the adjudicated and the submitted procedure."""
    return {c for c in (service.procedure, service.submitted_procedure) if c}


def match_services(remit: Remit, lines: list[dict[str, Any]]) -> list[int | None]:
    """837 line number of each SVC: by REF*6R = line number, else by code, else position."""
    numbers = [int(ln["line"]) for ln in lines]
    used: set[int] = set()
    out: list[int | None] = []
    for i, service in enumerate(remit.services):
        ref = int(service.line_ref) if service.line_ref.isdecimal() else None
        found = ref if ref in numbers and ref not in used else None
        found = found or next((int(ln["line"]) for ln in lines if int(ln["line"]) not in used
                               and ln["cpt"] in service_codes(service)), None)
        if found is None and len(remit.services) == len(lines) and numbers[i] not in used:
            found = numbers[i]
        if found is not None:
            used.add(found)
        out.append(found)
    return out


def primary_denial(remit: Remit, table: dict[str, str]) -> Adjustment | None:
    """The reason a claim is labelled with: claim-level first, else the largest line one."""
    claim_level = denials(remit.adjustments, table)
    if claim_level:
        return claim_level[0]
    line_level = [a for s in remit.services for a in denials(s.adjustments, table)]
    return max(line_level, key=lambda a: a.amount or 0.0, default=None)


def fallback_code(remit: Remit) -> str | None:
    """For CLP02 = 4 without a known denial CARC: the first adjustment that is not a
    patient share (labelled denied with no category)."""
    return next((a.code for a in remit.all_adjustments if a.group != "PR"), None)


def remit_outcome(remit: Remit, lines: list[dict[str, Any]],
                  table: dict[str, str] | None = None) -> Outcome:
    """Outcome columns of one claim (its contract lines) from its remit."""
    table = table if table is not None else load_carc_categories()
    matched = match_services(remit, lines)
    denied_numbers = sorted({n for s, n in zip(remit.services, matched)
                             if n is not None and denials(s.adjustments, table)})
    reason = primary_denial(remit, table)
    denied = remit.status == DENIED_STATUS or reason is not None
    if denied and not denied_numbers:
        denied_numbers = sorted(int(ln["line"]) for ln in lines)
    return Outcome(
        denied=denied,
        denial_carc=reason.code if reason else (fallback_code(remit) if denied else None),
        denial_category=table[reason.carc] if reason else None,
        denied_lines=" ".join(map(str, denied_numbers)) if denied else "",
        unmatched_services=sum(n is None for n in matched),
    )
