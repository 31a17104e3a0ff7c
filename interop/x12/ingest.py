"""Learning from real history: join 837P claims with their 835 remits into a data set.

`ingest` reads the claims (parse_837p) and remits (parse_835), joins them on CLP01 =
CLM01, labels each matched claim (interop.x12.outcomes) and writes a data set in the
generator's shape (contract columns + denied, denial_carc, denial_category,
denied_lines; no oracle columns). Nothing is dropped silently: invalid claims, claims
without a remit, remits without a claim, refused remits and reversals are counted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from contract.dataset import write_dataset
from contract.frames import ClaimFrames, claims_to_frames
from interop.x12.claims837 import read_837p_file
from interop.x12.outcomes import Outcome, remit_outcome
from interop.x12.payer_map import PayerMap, load_payer_map
from interop.x12.remit835 import Remit, read_835
from reference.carc import load_carc_categories

MAX_REPORTED_ERRORS = 200
REVERSAL_STATUS = "22"


@dataclass
class IngestReport:
    """Counts of what ingest read, joined, refused and wrote (for the CLI summary)."""

    out: str = ""
    claim_files: int = 0
    remit_files: int = 0
    claims_read: int = 0
    claims_invalid: int = 0
    duplicate_claims: int = 0
    remits_read: int = 0
    remits_refused: int = 0
    reversals_skipped: int = 0
    duplicate_remits: int = 0
    matched: int = 0
    unmatched_claims: int = 0
    unmatched_remits: int = 0
    remits_for_invalid_claims: int = 0
    unmatched_services: int = 0
    denied: int = 0
    unmapped_payers: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        """Keep an error message (the first MAX_REPORTED_ERRORS of them)."""
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(message)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def read_claims(paths: list[Path], report: IngestReport,
                payer_map: PayerMap) -> tuple[dict[str, dict], set[str]]:
    """Valid contract claims by claim id (a later duplicate replaces an earlier one), and
    the ids of the claims that failed to parse or validate."""
    claims: dict[str, dict] = {}
    invalid: set[str] = set()
    for path in paths:
        report.claim_files += 1
        for result in read_837p_file(path, payer_map):
            if result.level != "claim":
                report.note(f"{Path(path).name}: {'; '.join(result.messages)}")
                continue
            report.claims_read += 1
            if not result.ok or result.claim is None:
                report.claims_invalid += 1
                invalid.add(result.claim_id or "")
                report.note(f"{Path(path).name} claim {result.claim_id}: "
                            + "; ".join(result.messages))
                continue
            if not result.payer_mapped:
                payer = result.claim["payer_id"]
                report.unmapped_payers[payer] = report.unmapped_payers.get(payer, 0) + 1
            report.duplicate_claims += result.claim["claim_id"] in claims
            claims[result.claim["claim_id"]] = result.claim
    return claims, invalid - set(claims)


def keep_remit(remit: Remit, name: str, report: IngestReport) -> bool:
    """False for remits that must not label a claim (structural issues, reversals)."""
    if remit.issues:
        report.remits_refused += 1
        report.note(f"{name} remit {remit.claim_id}: " + "; ".join(map(str, remit.issues)))
        return False
    if remit.status == REVERSAL_STATUS:
        report.reversals_skipped += 1
        return False
    return True


def read_remits(paths: list[Path], report: IngestReport) -> dict[str, Remit]:
    """Usable remits by CLP01 (a later remit for the same claim replaces an earlier one)."""
    remits: dict[str, Remit] = {}
    for path in paths:
        report.remit_files += 1
        parsed = read_835(Path(path).read_text(encoding="utf-8", errors="replace"))
        for issue in parsed.issues:
            report.note(f"{Path(path).name}: {issue}")
        for remit in parsed.remits:
            report.remits_read += 1
            if keep_remit(remit, Path(path).name, report):
                report.duplicate_remits += remit.claim_id in remits
                remits[remit.claim_id] = remit
    return remits


def outcome_frame(outcomes: list[Outcome]) -> pd.DataFrame:
    """The generator's outcome columns with its dtypes."""
    return pd.DataFrame({
        "denied": pd.array([o.denied for o in outcomes], dtype=bool),
        "denial_carc": pd.array([o.denial_carc for o in outcomes], dtype="string"),
        "denial_category": pd.array([o.denial_category for o in outcomes], dtype="string"),
        "denied_lines": pd.array([o.denied_lines for o in outcomes], dtype="string"),
    })


def labelled_frames(claims: list[dict], outcomes: list[Outcome]) -> ClaimFrames:
    """Claims frames of the matched claims with their outcome columns."""
    frames = claims_to_frames(claims)
    labels = outcome_frame(outcomes).set_index(frames.claims.index)
    return ClaimFrames(pd.concat([frames.claims, labels], axis=1), frames.lines)


def join_remits(claims: dict[str, dict], invalid: set[str], remits: dict[str, Remit],
                report: IngestReport) -> ClaimFrames:
    """Label every claim that has a remit; count what did not join."""
    table = load_carc_categories()
    matched, outcomes = [], []
    for claim_id, claim in claims.items():
        remit = remits.get(claim_id)
        if remit is None:
            report.unmatched_claims += 1
            continue
        outcome = remit_outcome(remit, claim["lines"], table)
        report.unmatched_services += outcome.unmatched_services
        matched.append(claim)
        outcomes.append(outcome)
    orphans = set(remits) - set(claims)
    report.remits_for_invalid_claims = len(orphans & invalid)
    report.unmatched_remits = len(orphans - invalid)
    report.matched, report.denied = len(matched), sum(o.denied for o in outcomes)
    return labelled_frames(matched, outcomes)


def ingest(claims_837: list[Path], remits_835: list[Path], out: Path,
           payer_map_path: Path | None = None) -> IngestReport:
    """Join 837P claims with 835 remits and write the labelled data set folder `out`."""
    report = IngestReport(out=str(out))
    claims, invalid = read_claims(list(claims_837), report, load_payer_map(payer_map_path))
    remits = read_remits(list(remits_835), report)
    frames = join_remits(claims, invalid, remits, report)
    write_dataset(frames, Path(out))
    return report
