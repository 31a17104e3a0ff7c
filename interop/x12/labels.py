"""Label claim events from their remits, vectorised: the outcome columns of
contract/outcome.py for claims and their lines.

Input: each labelled event's remit (REMIT_COLUMNS), the remit's services
(SERVICE_COLUMNS) and the event's lines. Services pair with lines by REF*6R line number,
else by procedure code (the k-th SVC of a code takes the k-th line of that code), else by
position when the counts left over agree. A claim is denied when it carries a claim-level
denial CAS, a service does, or CLP02 = 4; its denial_carc is the claim-level denial, else
the service denial with the largest amount (its LQ*HE RARCs become denial_rarc), else the
first non-patient adjustment. A denied claim whose denial sits on no line of its own
(claim-level, or on an SVC that pairs with no line) has every line denied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from contract.outcome import CLAIM_OUTCOME_COLUMNS, LINE_OUTCOME_COLUMNS
from interop.x12.outcomes import (
    DENIED_STATUS,
    REMIT_COLUMNS,
    SERVICE_COLUMNS,
    remit_row,
    service_rows,
)
from reference.carc import load_carc_categories

KEY = "claim_id"


@dataclass
class Labels:
    """Outcome columns of claims (index claim_id) and lines (claim_id, line), and the
    number of services that paired with no line."""

    claims: pd.DataFrame
    lines: pd.DataFrame
    unmatched_services: int


def pair_services(svc: pd.DataFrame, lines: pd.DataFrame) -> pd.Series:
    """Line number of each service (index sid), NA when it pairs with none."""
    lines = lines[[KEY, "line", "cpt"]].copy()
    found: list[pd.DataFrame] = []

    def take(pairs: pd.DataFrame) -> None:
        pairs = pairs.merge(svc[["sid", KEY]], on="sid").drop_duplicates([KEY, "line"])
        found.append(pairs[["sid", KEY, "line"]])

    def left() -> tuple[pd.DataFrame, pd.DataFrame]:
        done = pd.concat(found) if found else pd.DataFrame(columns=["sid", KEY, "line"])
        s = svc[~svc["sid"].isin(done["sid"])]
        used = pd.MultiIndex.from_frame(done[[KEY, "line"]].astype({"line": "int64"}))
        keys = pd.MultiIndex.from_frame(lines[[KEY, "line"]].astype({"line": "int64"}))
        return s, lines[~keys.isin(used)]

    by_ref = svc[svc["line_ref"].notna()].astype({"line_ref": "int64"})
    take(by_ref.merge(lines.astype({"line": "int64"}), left_on=[KEY, "line_ref"],
                      right_on=[KEY, "line"])[["sid", "line"]].drop_duplicates("sid"))
    s, rest = left()
    s = s.assign(k=s.groupby([KEY, "code"]).cumcount())
    rest = rest.assign(k=rest.groupby([KEY, "cpt"]).cumcount())
    take(s.merge(rest, left_on=[KEY, "code", "k"], right_on=[KEY, "cpt", "k"])[["sid", "line"]])
    s, rest = left()
    same = s.groupby(KEY).size().eq(rest.groupby(KEY).size()).loc[lambda x: x].index
    s, rest = s[s[KEY].isin(same)], rest[rest[KEY].isin(same)]
    s = s.assign(j=s.groupby(KEY).cumcount())
    rest = rest.assign(j=rest.groupby(KEY).cumcount())
    take(s.merge(rest, on=[KEY, "j"])[["sid", "line"]])
    out = pd.concat(found).set_index("sid")["line"]
    return out.reindex(svc["sid"]).astype("Int64")


def service_denials(svc: pd.DataFrame) -> pd.DataFrame:
    """Per claim, the service denial with the largest amount: its code and RARCs."""
    denied = svc[svc["denial"].notna()].sort_values(
        [KEY, "denial_amount", "svc"], ascending=[True, False, True])
    first = denied.drop_duplicates(KEY).set_index(KEY)
    return first[["denial", "rarcs"]]


def claim_outcomes(rem: pd.DataFrame, svc: pd.DataFrame,
                   table: dict[str, str]) -> pd.DataFrame:
    """CLAIM_OUTCOME_COLUMNS (without denied_lines) per claim, index claim_id."""
    rem = rem.set_index(KEY)
    by_svc = service_denials(svc).reindex(rem.index)
    claim_level = rem["claim_denial"].notna()
    carc = rem["claim_denial"].fillna(by_svc["denial"])
    denied = carc.notna() | (rem["status"] == DENIED_STATUS)
    carc = carc.where(carc.notna() | ~denied, rem["fallback_code"])
    rarc = rem["claim_rarcs"].where(claim_level, by_svc["rarcs"]).where(denied, "")
    category = carc.astype("string").str.replace(r"^[A-Z]{2}-", "", regex=True).map(table)
    return pd.DataFrame({
        "denied": denied.astype(bool), "denial_carc": carc.astype("string"),
        "denial_rarc": rarc.fillna("").astype("string"),
        "denial_category": category.astype("string"),
        "claim_status": rem["status"].astype("string"),
        "payer_claim_number": rem["pcn"].astype("string"),
        "paid_amount": rem["paid"].astype("float64"),
        "patient_responsibility": rem["patient_responsibility"].astype("float64"),
        "claim_level": claim_level,
    }, index=rem.index)


def line_outcomes(lines: pd.DataFrame, svc: pd.DataFrame, denied: pd.Series,
                  claim_level: pd.Series) -> pd.DataFrame:
    """LINE_OUTCOME_COLUMNS per line; a denied claim with no denied line of its own (or a
    claim-level denial) has every line denied."""
    paired = svc[svc["line"].notna()].astype({"line": "int64"})
    cols = {"allowed": "line_allowed", "paid": "line_paid", "adjustments": "line_adjustments",
            "rarcs": "line_rarcs"}
    out = lines[[KEY, "line"]].astype({"line": "int64"}).merge(
        paired[[KEY, "line", "denial", *cols]], on=[KEY, "line"], how="left").rename(
        columns=cols)
    own = out["denial"].notna()
    has_own = own.groupby(out[KEY]).transform("any")
    claim_denied = out[KEY].map(denied).fillna(False).astype(bool)
    claim_wide = out[KEY].map(claim_level).fillna(False).astype(bool)
    everything = claim_denied & (~has_own.astype(bool) | claim_wide)
    out["line_denied"] = (own | everything).astype(bool)
    for col in ("line_allowed", "line_paid"):
        out[col] = out[col].astype("float64")
    for col in ("line_adjustments", "line_rarcs"):
        out[col] = out[col].astype("string")
    return out[[KEY, "line", *LINE_OUTCOME_COLUMNS]]


def denied_lines_text(lines: pd.DataFrame, index: pd.Index) -> pd.Series:
    """'2 3': the denied line numbers of each claim ('' for none)."""
    hit = lines[lines["line_denied"]].sort_values([KEY, "line"])
    text = hit.groupby(KEY)["line"].agg(lambda s: " ".join(map(str, s)))
    return text.reindex(index).fillna("").astype("string")


def label_claims(matched: pd.DataFrame, remits: pd.DataFrame, services: pd.DataFrame,
                 lines: pd.DataFrame, table: dict[str, str] | None = None) -> Labels:
    """Outcome columns of every event in `matched` (claim_id, rseq); `lines` holds at
    least those events' (claim_id, line, cpt)."""
    table = table if table is not None else load_carc_categories()
    rem = matched[[KEY, "rseq"]].merge(remits, on="rseq", how="left")
    svc = matched[[KEY, "rseq"]].merge(services, on="rseq")
    svc = svc.reset_index(drop=True).assign(sid=lambda f: f.index)
    svc["line"] = pair_services(svc, lines[lines[KEY].isin(matched[KEY])]).to_numpy()
    claims = claim_outcomes(rem, svc, table)
    lines_out = line_outcomes(lines[lines[KEY].isin(claims.index)], svc,
                              claims["denied"], claims["claim_level"])
    claims["denied_lines"] = denied_lines_text(lines_out, claims.index)
    return Labels(claims[list(CLAIM_OUTCOME_COLUMNS)], lines_out,
                  int(svc["line"].isna().sum()))


@dataclass(frozen=True)
class Outcome:
    """The outcome of one claim (contract/outcome.py columns) and of its lines."""

    denied: bool
    denial_carc: str | None
    denial_rarc: str
    denial_category: str | None
    denied_lines: str
    claim_status: str
    payer_claim_number: str | None
    lines: pd.DataFrame
    unmatched_services: int = 0


def label_one(remit: tuple[Any, ...], services: list[tuple[Any, ...]],
              lines: list[dict[str, Any]], table: dict[str, str] | None = None) -> Outcome:
    """label_claims on one remit row and its service rows against one claim's lines."""
    remits = pd.DataFrame([remit], columns=list(REMIT_COLUMNS))
    svc = pd.DataFrame(services, columns=list(SERVICE_COLUMNS)).astype({"line_ref": "Int64"})
    frame = pd.DataFrame({KEY: "claim", "line": [int(ln["line"]) for ln in lines],
                          "cpt": [ln["cpt"] for ln in lines]})
    matched = pd.DataFrame({KEY: ["claim"], "rseq": [remit[0]]})
    out = label_claims(matched, remits, svc, frame, table)
    row = out.claims.iloc[0]
    na = pd.isna
    return Outcome(
        denied=bool(row["denied"]), denial_carc=None if na(row["denial_carc"]) else
        row["denial_carc"], denial_rarc=str(row["denial_rarc"]),
        denial_category=None if na(row["denial_category"]) else row["denial_category"],
        denied_lines=str(row["denied_lines"]), claim_status=str(row["claim_status"]),
        payer_claim_number=None if na(row["payer_claim_number"]) else
        row["payer_claim_number"], lines=out.lines, unmatched_services=out.unmatched_services)


def remit_outcome(remit: Any, lines: list[dict[str, Any]],
                  table: dict[str, str] | None = None) -> Outcome:
    """Outcome of one parsed Remit against its claim lines ({'line', 'cpt'} dicts)."""
    return label_one(remit_row(remit, 0), service_rows(remit, 0), lines, table)
