"""Claim events of one partition: naming, duplicates, remit matching, original links.

shared/domain §11: a replacement (CLM05-3 = 7) or void (8) is a new event in the history,
never an overwrite of the original, and often reuses the original's CLM01. So events are
told apart and named here:
- an exact re-send (same CLM01, frequency, submission date, member, first date of service,
  lines and charge) is one event, counted as a duplicate;
- events sharing a CLM01 are ordered by submission date; the first keeps CLM01 as its
  claim id, later ones get CLM01 + "-F<frequency>" (then "-2", "-3" ...);
- a remit (CLP01 = CLM01) whose CLM01 names one event labels it; among several events it
  goes, in this order, to the event that already owns its CLP07, then narrows by CLP09
  frequency, REF*F8, submission on or before the remittance date and first date of
  service, and prefers an event reopened by a reversal, then one not yet adjudicated;
- each event keeps its newest adjudication; reversals (CLP02 = 22) never label, they
  are counted, and superseded adjudications too;
- a replacement or void links to its original: the event whose remit carried the payer
  claim number in its REF*F8, else the previous event with the same CLM01.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from interop.x12.outcomes import REVERSAL_STATUS

DUPLICATE_KEYS = ["clm01", "claim_frequency", "submission_date", "member_id", "dos_min",
                  "n_lines", "total_charge", "f8"]
EMPTY_ASSIGNED = pd.DataFrame({"rseq": pd.Series(dtype="int64"),
                               "event_id": pd.Series(dtype="string")})


@dataclass
class Events:
    """A partition's events (claims with event_id, original_claim_id, label_rseq), the
    remit -> event assignment, replacements whose original lies elsewhere, counts."""

    claims: pd.DataFrame
    assigned: pd.DataFrame
    unresolved: pd.DataFrame
    counts: Counter = field(default_factory=Counter)


def name_events(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims sorted by (CLM01, submission date, read order) with their event_id."""
    out = claims.sort_values(["clm01", "submission_date", "seq"]).reset_index(drop=True)
    rank = out.groupby("clm01").cumcount()
    base = out["clm01"] + "-F" + out["claim_frequency"].fillna("1")
    later = rank > 0
    number = out[later].groupby(base[later]).cumcount() + 1
    suffix = pd.Series("", index=out.index, dtype="string")
    suffix[later] = number.map(lambda n: "" if n == 1 else f"-{n}").astype("string")
    out["event_id"] = out["clm01"].where(~later, base + suffix).astype("string")
    out["rank"] = rank
    return out


@dataclass
class MatchState:
    """What earlier remits of one CLM01 group decided."""

    owner: dict[str, str] = field(default_factory=dict)
    adjudicated: set[str] = field(default_factory=set)
    reopened: set[str] = field(default_factory=set)


def same(a: object, b: object) -> bool:
    """a == b for values that are both present (NA never matches)."""
    return bool(pd.notna(a) and pd.notna(b) and a == b)


def narrowing_tests(remit: dict, state: MatchState) -> list:
    """Predicates on a candidate event, strongest first (see the module docstring)."""
    when = remit["remitted_on"]
    owner = state.owner.get(remit["pcn"]) if pd.notna(remit["pcn"]) else None
    return [
        lambda e: same(owner, e["event_id"]),
        lambda e: same(remit["frequency"], e["claim_frequency"]),
        lambda e: same(remit["f8"], e["f8"]),
        lambda e: pd.isna(when) or e["submission_date"] <= when,
        lambda e: same(remit["service_from"], e["dos_min"]),
    ]


def pick_event(remit: dict, events: list[dict], state: MatchState) -> str:
    """The event one remit of a shared CLM01 answers; updates the state."""
    candidates = events
    for test in narrowing_tests(remit, state):
        narrowed = [e for e in candidates if test(e)]
        candidates = narrowed or candidates
    ids = [e["event_id"] for e in candidates]
    reopened = [i for i in ids if i in state.reopened]
    fresh = [i for i in ids if i not in state.adjudicated]
    chosen = (reopened or fresh or ids[-1:])[0]
    if pd.notna(remit["pcn"]):
        state.owner.setdefault(remit["pcn"], chosen)
    if remit["status"] == REVERSAL_STATUS:
        state.reopened.add(chosen)
    else:
        state.adjudicated.add(chosen)
        state.reopened.discard(chosen)
    return chosen


def records_by(frame: pd.DataFrame, key: str) -> dict[object, list[dict]]:
    """The frame's rows as records grouped by `key`, groups in order of first appearance
    and rows in frame order (one to_dict for the frame: per-group to_dict cost ~5 ms a
    group, most of an ingest's time)."""
    out: dict[object, list[dict]] = {}
    for record in frame.to_dict("records"):
        out.setdefault(record[key], []).append(record)
    return out


def assign_shared(events: pd.DataFrame, remits: pd.DataFrame) -> pd.DataFrame:
    """Remit -> event for CLM01s shared by several events (Python, per group)."""
    rows = []
    groups = records_by(events[events["clm01"].isin(remits["clp01"].unique())], "clm01")
    ordered = remits.sort_values(["remitted_on", "rseq"], na_position="first")
    for clp01, group in records_by(ordered, "clp01").items():
        state = MatchState()
        for remit in group:
            rows.append((remit["rseq"], pick_event(remit, groups[clp01], state)))
    return pd.DataFrame(rows, columns=["rseq", "event_id"]).astype(EMPTY_ASSIGNED.dtypes)


def assign_remits(events: pd.DataFrame, remits: pd.DataFrame) -> pd.DataFrame:
    """(rseq, event_id) for every remit whose CLP01 names an event of the partition."""
    sizes = events.groupby("clm01").size()
    single = remits[remits["clp01"].isin(sizes[sizes == 1].index)]
    one = single[["rseq", "clp01"]].merge(events[["clm01", "event_id"]], left_on="clp01",
                                          right_on="clm01")[["rseq", "event_id"]]
    shared = remits[remits["clp01"].isin(sizes[sizes > 1].index)]
    parts = [EMPTY_ASSIGNED, one.astype(EMPTY_ASSIGNED.dtypes)]
    if len(shared):
        parts.append(assign_shared(events, shared))
    return pd.concat(parts, ignore_index=True)


def choose_labels(assigned: pd.DataFrame, remits: pd.DataFrame, counts: Counter) -> pd.Series:
    """event_id -> rseq of its newest adjudication (reversals never label)."""
    rows = assigned.merge(remits[["rseq", "status", "remitted_on"]], on="rseq")
    counts["reversals"] += int((rows["status"] == REVERSAL_STATUS).sum())
    adjudications = rows[rows["status"] != REVERSAL_STATUS]
    newest = adjudications.sort_values(["remitted_on", "rseq"], na_position="first")
    newest = newest.drop_duplicates("event_id", keep="last")
    counts["superseded_adjudications"] += len(adjudications) - len(newest)
    return newest.set_index("event_id")["rseq"]


def link_originals(events: pd.DataFrame, assigned: pd.DataFrame,
                   remits: pd.DataFrame) -> pd.Series:
    """original_claim_id of replacements and voids found in this partition (else NA)."""
    owners = assigned.merge(remits[["rseq", "pcn"]], on="rseq").dropna(subset=["pcn"])
    owner = owners.drop_duplicates("pcn").set_index("pcn")["event_id"]
    by_reference = events["f8"].map(owner)
    previous = events.groupby("clm01")["event_id"].shift(1)
    linked = by_reference.where(by_reference.notna() & (by_reference != events["event_id"]),
                                previous)
    corrected = events["claim_frequency"].isin(["7", "8"])
    return linked.where(corrected).astype("string")


def build_events(claims: pd.DataFrame, remits: pd.DataFrame) -> Events:
    """Name, dedupe, match and link the events of one partition (module docstring)."""
    counts: Counter = Counter()
    duplicated = claims.duplicated(DUPLICATE_KEYS)
    counts["duplicate_claims"] = int(duplicated.sum())
    events = name_events(claims[~duplicated])
    assigned = assign_remits(events, remits)
    labels = choose_labels(assigned, remits, counts)
    events["label_rseq"] = events["event_id"].map(labels).astype("Int64")
    events["original_claim_id"] = link_originals(events, assigned, remits)
    corrected = events["claim_frequency"].isin(["7", "8"])
    lost = corrected & events["original_claim_id"].isna()
    unresolved = events.loc[lost & events["f8"].notna(), ["event_id", "f8"]]
    counts["events_linked"] = int((corrected & ~lost).sum())
    counts.update(events["claim_frequency"].map(
        {"1": "events_original", "7": "events_replacement", "8": "events_void"}).value_counts()
        .to_dict())
    return Events(events, assigned, unresolved.reset_index(drop=True), counts)
