"""What ingest read, joined, refused, labelled and wrote: IngestReport and its text form.

The CLI prints report.lines(); <out>/ingest_report.json holds report.to_dict(). Scalar
counts print as `name value` (names padded to 26 characters; `claims_read` and
`claims_invalid` keep the lines earlier versions printed), then sections: rejections by
reason, denials by category and by payer CARC, the denial rate per payer per month of
service, codes outside the reference tables, unmapped payers, the first errors.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

MAX_REPORTED_ERRORS = 200
SHOWN_ERRORS = 20
SHOWN_CODES = 15
NO_CATEGORY = "(no category)"
COUNTS: tuple[str, ...] = (
    "claim_files", "remit_files", "partitions", "claims_read", "claims_invalid",
    "duplicate_claims", "events_original", "events_replacement", "events_void",
    "events_linked", "events_unlinked", "remits_read", "remits_refused", "reversals",
    "superseded_adjudications", "matched", "unmatched_claims", "unmatched_remits",
    "remits_for_invalid_claims", "unmatched_services", "kept", "denied",
    "dropped_drug_fields", "envelope_warnings", "history_rows", "history_patients",
)


@dataclass
class IngestReport:
    """Counts of one ingest run (see COUNTS for the scalar ones) and its breakdowns."""

    out: str = ""
    claim_files: int = 0
    remit_files: int = 0
    partitions: int = 0
    claims_read: int = 0
    claims_invalid: int = 0
    duplicate_claims: int = 0
    events_original: int = 0
    events_replacement: int = 0
    events_void: int = 0
    events_linked: int = 0
    events_unlinked: int = 0
    remits_read: int = 0
    remits_refused: int = 0
    reversals: int = 0
    superseded_adjudications: int = 0
    matched: int = 0
    unmatched_claims: int = 0
    unmatched_remits: int = 0
    remits_for_invalid_claims: int = 0
    unmatched_services: int = 0
    kept: int = 0
    denied: int = 0
    dropped_drug_fields: int = 0
    envelope_warnings: int = 0
    history_rows: int = 0
    history_patients: int = 0
    seconds: float = 0.0
    rejected: dict[str, int] = field(default_factory=dict)
    denials_by_category: dict[str, int] = field(default_factory=dict)
    denials_by_carc: dict[str, int] = field(default_factory=dict)
    denial_rate_by_payer_month: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    unknown_codes: dict[str, int] = field(default_factory=dict)
    unknown_modifiers: dict[str, int] = field(default_factory=dict)
    unmapped_payers: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        """Keep an error message (the first MAX_REPORTED_ERRORS of them)."""
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(message)

    def add(self, counts: Counter | dict[str, int]) -> None:
        """Add scalar counts by name."""
        for name, value in counts.items():
            setattr(self, name, getattr(self, name) + int(value))

    def merge(self, name: str, counts: Counter | dict[str, int]) -> None:
        """Add counts into one of the dict breakdowns."""
        target = getattr(self, name)
        for key, value in counts.items():
            target[str(key)] = target.get(str(key), 0) + int(value)

    def note_labels(self, labelled: pd.DataFrame) -> None:
        """Count denials by category and CARC, and claims/denials per payer and month
        (labelled: payer_id, month, denied, denial_carc, denial_category)."""
        denied = labelled[labelled["denied"]]
        self.merge("denials_by_category",
                   denied["denial_category"].fillna(NO_CATEGORY).value_counts().to_dict())
        self.merge("denials_by_carc", denied["denial_carc"].fillna("(none)").value_counts()
                   .to_dict())
        table = labelled.groupby(["payer_id", "month"])["denied"].agg(["size", "sum"])
        for (payer, month), row in table.iterrows():
            cell = self.denial_rate_by_payer_month.setdefault(str(payer), {}).setdefault(
                str(month), [0, 0])
            cell[0] += int(row["size"])
            cell[1] += int(row["sum"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    def lines(self) -> list[str]:
        """The report as printed by `denialrisk ingest`."""
        out = [f"{name:26s} {getattr(self, name)}" for name in COUNTS
               if getattr(self, name) or name in ("claims_read", "claims_invalid")]
        out.append(f"{'seconds':26s} {self.seconds:.1f}")
        out += section("rejected by reason", self.rejected)
        out += section("denials by category", self.denials_by_category)
        out += section("denials by payer CARC", self.denials_by_carc, SHOWN_CODES)
        out += rate_table(self.denial_rate_by_payer_month)
        out += section("codes outside the reference tables (kept)", self.unknown_codes,
                       SHOWN_CODES)
        out += section("modifiers outside the reference table (kept)", self.unknown_modifiers,
                       SHOWN_CODES)
        out += section("payer ids not in the payer map (kept as is)", self.unmapped_payers)
        if self.errors:
            out.append(f"first errors ({len(self.errors)} kept):")
            out += [f"  {m}" for m in self.errors[:SHOWN_ERRORS]]
        return out


def section(title: str, counts: dict[str, int], limit: int | None = None) -> list[str]:
    """'title:' and one '  key  count' line per entry, largest first."""
    if not counts:
        return []
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ranked[:limit] if limit else ranked
    more = [f"  ... {len(ranked) - len(shown)} more"] if len(shown) < len(ranked) else []
    return [f"{title}:"] + [f"  {k:24s} {v}" for k, v in shown] + more


def rate_cell(cell: list[int] | None) -> str:
    """'  9.5% 12/126' (rate, denied/claims) or '-' for no claims."""
    if not cell:
        return f"{'-':>17s}"
    return f"{cell[1] / cell[0]:>6.1%} {f'{cell[1]}/{cell[0]}':>10s}"


def rate_table(rates: dict[str, dict[str, list[int]]]) -> list[str]:
    """Denial rate per month of service (rows) and payer (columns), with counts."""
    if not rates:
        return []
    payers = sorted(rates)
    months = sorted({m for per in rates.values() for m in per})
    out = ["denial rate by month of service and payer (rate, denied/claims):",
           f"  {'month':8s}" + "".join(f"{p:>17s}" for p in payers)]
    for month in months:
        out.append(f"  {month:8s}" + "".join(rate_cell(rates[p].get(month)) for p in payers))
    return out
