"""One spool partition -> labelled data set rows, history store rows and report counts.

A partition holds every claim event and remit whose CLM01/CLP01 hashes to it. Events are
named, deduplicated, matched and linked (events.py), labelled from their newest
adjudication (labels.py), and turned into: the data set rows of labelled events (contract
columns, claim_id = event id, outcome columns), the history rows of every event (labelled
or not: an unanswered claim is still an earlier visit), the payer claim numbers a REF*F8
of another partition may point at, and the replacements whose original lies elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from contract.frames import CLAIM_COLUMNS, LINE_COLUMNS, ClaimFrames
from contract.outcome import CLAIM_OUTCOME_COLUMNS, LINE_OUTCOME_COLUMNS
from interop.history import store_rows
from interop.x12.events import build_events
from interop.x12.ingest_report import IngestReport
from interop.x12.labels import label_claims

ORDER_COLUMN = "seq"


@dataclass
class Assembled:
    """What one partition contributes to the data set, the store and the links."""

    frames: ClaimFrames
    store_rows: pd.DataFrame
    owners: dict[str, str] = field(default_factory=dict)
    unresolved: dict[str, str] = field(default_factory=dict)


def rename_lines(lines: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Lines of kept events, their temporary ids replaced by event ids."""
    ids = events.set_index("claim_id")["event_id"]
    kept = lines[lines["claim_id"].isin(ids.index)].copy()
    kept["claim_id"] = kept["claim_id"].map(ids).astype("string")
    return kept


def dataset_rows(events: pd.DataFrame, lines: pd.DataFrame, labels) -> ClaimFrames:
    """Contract + outcome columns of the labelled events, in read order."""
    claims = events[events["label_rseq"].notna()].sort_values(ORDER_COLUMN)
    claims = claims[CLAIM_COLUMNS].join(labels.claims, on="claim_id")
    keep = lines[lines["claim_id"].isin(claims["claim_id"])]
    keep = keep[LINE_COLUMNS].merge(labels.lines, on=["claim_id", "line"], how="left")
    order = pd.Series(range(len(claims)), index=claims["claim_id"].to_numpy())
    keep = keep.assign(_o=keep["claim_id"].map(order)).sort_values(["_o", "line"])
    return ClaimFrames(claims[[*CLAIM_COLUMNS, *CLAIM_OUTCOME_COLUMNS]].reset_index(drop=True),
                       keep[[*LINE_COLUMNS, *LINE_OUTCOME_COLUMNS]].reset_index(drop=True))


def note_counts(report: IngestReport, events, remits: pd.DataFrame, labelled: int,
                invalid: set[str]) -> None:
    """Event, match and remit counts of one partition."""
    report.add(events.counts)
    unmatched = remits[~remits["rseq"].isin(events.assigned["rseq"])]
    for_invalid = int(unmatched["clp01"].isin(invalid).sum())
    report.add({"matched": labelled, "unmatched_claims": len(events.claims) - labelled,
                "remits_for_invalid_claims": for_invalid,
                "unmatched_remits": len(unmatched) - for_invalid})


def assemble_partition(claims: pd.DataFrame, lines: pd.DataFrame, remits: pd.DataFrame,
                       services: pd.DataFrame, report: IngestReport, invalid: set[str],
                       references: set[str], salt: str) -> Assembled:
    """Label one partition (see the module docstring); counts go into the report."""
    events = build_events(claims, remits)
    named = events.claims
    lines = rename_lines(lines, named)
    named = named.assign(claim_id=named["event_id"])
    labelled = named[named["label_rseq"].notna()]
    matched = labelled[["claim_id", "label_rseq"]].rename(columns={"label_rseq": "rseq"})
    labels = label_claims(matched.astype({"rseq": "int64"}), remits, services,
                          lines[["claim_id", "line", "cpt"]])
    labels.lines = labels.lines.astype({"line": lines["line"].dtype,
                                        "claim_id": lines["claim_id"].dtype})
    note_counts(report, events, remits, len(labelled), invalid)
    report.add({"unmatched_services": labels.unmatched_services,
                "denied": int(labels.claims["denied"].sum())})
    report.note_labels(labels.claims.join(labelled.set_index("claim_id")[
        ["payer_id", "dos_min"]]).assign(month=lambda f: f["dos_min"].dt.strftime("%Y-%m")))
    history_lines = lines.merge(labels.lines[["claim_id", "line", "line_denied"]],
                                on=["claim_id", "line"], how="left")
    rows = store_rows(ClaimFrames(named, history_lines), salt)
    pcns = events.assigned.merge(remits[["rseq", "pcn"]], on="rseq")
    pcns = pcns[pcns["pcn"].isin(references)].drop_duplicates("pcn")
    return Assembled(dataset_rows(named, lines, labels), rows,
                     dict(zip(pcns["pcn"], pcns["event_id"])),
                     dict(zip(events.unresolved["event_id"], events.unresolved["f8"])))
