"""Result types shared by the X12 and FHIR claim readers.

A reader never raises on bad input: every claim comes back as a ClaimResult that holds
either a validated contract claim or the issues (segment/element + reason) that stopped
it, so one bad claim never hides the good ones in the same file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from reference.vocab import DOCUMENTATION_FIELDS

Level = Literal["claim", "transaction", "interchange"]

# Contract fields an 837P / FHIR Claim does not carry: they default to unknown (None).
UNCARRIED_FIELDS: tuple[str, ...] = (
    "provider.credentialed_with_payer",
    "eligibility.verified",
    "eligibility.coverage_active",
    "cosmetic_intake",
    *(f"documentation.{name}" for name in DOCUMENTATION_FIELDS),
    # history: filled from the practice's history store (interop/history.py), not the 837P
    "history.days_since_related_global_procedure",
    "history.related_global_days",
    "history.related_procedure_code",
    "history.sessions_this_year",
    "history.established_patient",
    "history.days_since_last_visit",
    "history.prior_denials_same_code",
    "history.lines_billed_before",
    "lines[].lesion",
)


@dataclass(frozen=True)
class Issue:
    """One problem, named by where it sits (X12 segment or FHIR element) and why."""

    segment: str
    reason: str

    def __str__(self) -> str:
        return f"{self.segment}: {self.reason}"


@dataclass(frozen=True)
class ClaimResult:
    """One claim read from X12/FHIR: the contract dict when valid, else its issues.

    `level` says what the result stands for: a claim, or a whole transaction/interchange
    that could not be read (then claim_id is None or the transaction control number).
    """

    claim_id: str | None
    claim: dict[str, Any] | None = None
    errors: tuple[Issue, ...] = ()
    assumed_defaults: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    source_payer_id: str | None = None
    payer_mapped: bool | None = None
    level: Level = "claim"
    original_reference: str | None = None  # REF*F8: the payer's number of the original

    @property
    def ok(self) -> bool:
        """True when the claim validated against the contract and nothing blocks it."""
        return self.claim is not None and not self.errors

    @property
    def messages(self) -> list[str]:
        """The errors as 'SEGMENT: reason' strings (for logs, CLI and API bodies)."""
        return [str(issue) for issue in self.errors]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the API and the CLI."""
        return {
            "claim_id": self.claim_id, "level": self.level, "ok": self.ok,
            "claim": self.claim, "errors": self.messages,
            "assumed_defaults": list(self.assumed_defaults),
            "warnings": list(self.warnings), "source_payer_id": self.source_payer_id,
            "payer_mapped": self.payer_mapped, "original_reference": self.original_reference,
        }


def interchange_error(segment: str, reason: str, level: Level = "interchange",
                      claim_id: str | None = None) -> ClaimResult:
    """A result standing for input that could not be read at all (or a whole transaction)."""
    return ClaimResult(claim_id=claim_id, errors=(Issue(segment, reason),), level=level)


def valid_claims(results: list[ClaimResult]) -> list[dict[str, Any]]:
    """The contract dicts of the results that validated (what a scorer can score)."""
    return [r.claim for r in results if r.ok and r.claim is not None]
