"""The numbers a data set's claims carry in X12, and the ids ingest will give them back.

CLM01 (= CLP01) is the claim id, except that with `reuse` a replacement or void keeps its
original's CLM01, as practice systems usually do (shared/domain §11); ingest then names it
CLM01 + "-F7" (events.name_events), so ingest_ids says which id each claim gets back.
The payer claim number (CLP07, and REF*F8 of a replacement) is the data set's
payer_claim_number when it has one, else "P" + claim id.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from interop.x12.events import name_events

CORRECTED = ("7", "8")
MAX_CHAIN = 20  # replacements of replacements followed back at most this far


def default_pcn(claim_id: str) -> str:
    """The payer claim number written when the data set has none."""
    return f"P{claim_id}"


def root_originals(claims: pd.DataFrame) -> pd.Series:
    """claim_id -> the first claim of its chain of replacements (itself when none)."""
    ids = claims["claim_id"].astype(str)
    parent = pd.Series(claims.get("original_claim_id", pd.Series(pd.NA, index=claims.index))
                       .to_numpy(), index=ids.to_numpy())
    corrected = claims.get("claim_frequency", pd.Series("1", index=claims.index)).isin(CORRECTED)
    parent = parent.where(corrected.to_numpy() & parent.isin(ids).to_numpy())
    root = pd.Series(ids.to_numpy(), index=ids.to_numpy())
    for _ in range(MAX_CHAIN):
        step = parent.reindex(root.to_numpy())
        if step.isna().all():
            break
        root = root.where(step.isna().to_numpy(), step.to_numpy())
    return root


@dataclass(frozen=True)
class Numbering:
    """CLM01 and payer claim number per claim id."""

    clm01s: dict[str, str]
    pcns: dict[str, str]

    @classmethod
    def of(cls, claims: pd.DataFrame, reuse: bool = False) -> Numbering:
        """Numbers for a claims frame (see the module docstring)."""
        clm01s = root_originals(claims).to_dict() if reuse else {}
        pcns = {}
        if "payer_claim_number" in claims:
            given = claims[["claim_id", "payer_claim_number"]].dropna()
            pcns = dict(zip(given["claim_id"].astype(str), given["payer_claim_number"]))
        return cls(clm01s, pcns)

    def clm01(self, claim_id: str) -> str:
        return self.clm01s.get(claim_id, claim_id)

    def pcn(self, claim_id: str) -> str:
        return self.pcns.get(claim_id) or default_pcn(claim_id)

    def ingest_ids(self, claims: pd.DataFrame) -> pd.Series:
        """claim_id -> the claim id ingest gives the claim read back from these files."""
        frame = pd.DataFrame({
            "claim_id": claims["claim_id"].astype(str).to_numpy(),
            "clm01": claims["claim_id"].astype(str).map(self.clm01).astype("string").to_numpy(),
            "claim_frequency": claims.get("claim_frequency", pd.Series("1", index=claims.index))
            .fillna("1").astype("string").to_numpy(),
            "submission_date": pd.to_datetime(claims["submission_date"]).to_numpy(),
            "seq": range(len(claims)),
        })
        named = name_events(frame)
        return pd.Series(named["event_id"].to_numpy(), index=named["claim_id"].to_numpy())
