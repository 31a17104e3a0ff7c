"""What an 835 remit says, as flat rows: which adjustments are denials, and the
line-independent facts of each CLP (claim) and SVC (service) loop.

Paid is not denied (shared/domain §11): contractual write-downs and the patient's share
(contract/outcome.NOT_DENIAL_CARCS: CO-45, CO-42, CO-253, CO-A2, PR-1/2/3) leave a line
allowed even at $0 paid, and so do a few payment adjustments that reduce rather than refuse
(PAYMENT_ADJUSTMENT_CARCS). Any other CARC in group CO, PR or OA is a denial, whether or
not our category table knows it: the payer's own code is kept as sent ("CO-16", RARC
"M119") and mapped to a category beside it (None when the table has no category for it).
Reversals (CR group, CLP02 = 22) are never denials.

remit_row / service_rows turn a parsed Remit into tuples in REMIT_COLUMNS /
SERVICE_COLUMNS order, so ingest can spool them columnar and label claims vectorised
(interop/x12/labels.py, which also labels a single remit: remit_outcome).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from contract.outcome import NOT_DENIAL_CARCS
from interop.x12.remit835 import Adjustment, Remit, ServiceRemit

DENIED_STATUS = "4"
REVERSAL_STATUS = "22"
DENIAL_GROUPS = frozenset({"CO", "PR", "OA"})
# Adjustments that reduce an allowed payment without refusing the service: 23 (prior
# payer's adjudication, COB), 24 (covered under a capitation agreement: a capitated HMO or
# Medicare Advantage member's service is paid through the capitation, not refused), 59
# (multiple/concurrent procedure reduction), 94 (processed in excess of charges), 131
# (negotiated discount), 144 (incentive), 237 (legislated penalty, e.g. MIPS). Counted as
# payment adjustments, never as denials.
PAYMENT_ADJUSTMENT_CARCS = frozenset({"23", "24", "59", "94", "131", "144", "237"})

REMIT_COLUMNS: tuple[str, ...] = (
    "rseq", "clp01", "status", "pcn", "f8", "frequency", "source_payer_id", "remitted_on",
    "service_from", "charge", "paid", "patient_responsibility", "claim_adjustments",
    "claim_rarcs", "claim_denial", "fallback_code", "n_services",
)
SERVICE_COLUMNS: tuple[str, ...] = (
    "rseq", "svc", "line_ref", "code", "allowed", "paid", "adjustments", "rarcs",
    "denial", "denial_amount",
)


def is_denial(adjustment: Adjustment) -> bool:
    """True for a CAS that refuses the service (see the module docstring)."""
    return (adjustment.group in DENIAL_GROUPS
            and adjustment.carc not in NOT_DENIAL_CARCS
            and adjustment.carc not in PAYMENT_ADJUSTMENT_CARCS)


def adjustments_text(adjustments: Iterable[Adjustment]) -> str:
    """'CO-45:35.00 PR-1:80.00': every CAS as GROUP-CARC:amount, in file order."""
    return " ".join(f"{a.code}:{(a.amount or 0.0):.2f}" for a in adjustments)


def service_allowed(service: ServiceRemit) -> float | None:
    """Allowed amount: AMT*B6 when sent, else the charge less every non-patient CAS."""
    if service.allowed is not None:
        return service.allowed
    if service.charge is None:
        return None
    reduced = sum(a.amount or 0.0 for a in service.adjustments if a.group != "PR")
    return round(service.charge - reduced, 2)


def largest_denial(adjustments: list[Adjustment]) -> Adjustment | None:
    """The denial CAS with the largest amount (the first on ties), or None."""
    found = [a for a in adjustments if is_denial(a)]
    return max(found, key=lambda a: a.amount or 0.0, default=None)


def fallback_code(remit: Remit) -> str | None:
    """For CLP02 = 4 without a denial CARC: the first adjustment that is not the patient's
    share (the claim is denied; its category stays unknown)."""
    return next((a.code for a in remit.all_adjustments if a.group != "PR"), None)


def first_service_date(remit: Remit) -> str | None:
    """The claim's first date of service: DTM*232, else the earliest SVC DTM*472."""
    dates = [s.service_date for s in remit.services if s.service_date]
    return remit.service_from or min(dates, default=None)


def remit_row(remit: Remit, rseq: int) -> tuple[Any, ...]:
    """One CLP loop in REMIT_COLUMNS order (claim-level denial: the first denial CAS)."""
    claim_denial = next((a for a in remit.adjustments if is_denial(a)), None)
    return (
        rseq, remit.claim_id, remit.status, remit.payer_claim_id or None,
        remit.original_reference or None, remit.frequency or None, remit.payer_id or None,
        remit.remitted_on, first_service_date(remit), remit.charge, remit.paid,
        remit.patient_responsibility, adjustments_text(remit.adjustments),
        " ".join(dict.fromkeys(remit.remarks)), claim_denial.code if claim_denial else None,
        fallback_code(remit), len(remit.services),
    )


def service_rows(remit: Remit, rseq: int) -> list[tuple[Any, ...]]:
    """The SVC loops of a remit in SERVICE_COLUMNS order; `code` is the submitted code
    (SVC06) when the payer adjudicated a different one, as the 837P line carries it."""
    rows = []
    for i, s in enumerate(remit.services):
        denial = largest_denial(s.adjustments)
        rows.append((
            rseq, i, int(s.line_ref) if s.line_ref.isdecimal() else None,
            s.submitted_procedure or s.procedure, service_allowed(s), s.paid,
            adjustments_text(s.adjustments), " ".join(dict.fromkeys(s.remarks)),
            denial.code if denial else None, denial.amount if denial else None,
        ))
    return rows

