"""A practice's history store: each patient's earlier claim lines, without PHI in clear.

Global periods, frequency limits (phototherapy sessions per year), new vs established
patient and repeated denials are facts about a patient's EARLIER claims at the practice
(shared/domain §11), which no single 837P carries. Ingest builds this store from every
claim it read and fills the history columns of the data set with it (fill_history);
serving looks a claim's history up in it when the caller sends none (HistoryStore.lookup).

What is stored, one row per claim line: the patient key, the date of service, the
procedure code, its global days (reference/codes, MPFS), whether the payer denied it
(NA when no remit was read) and the day the claim was submitted (a line billed again on a
later claim is a duplicate unless the later claim replaces the first). Beside them, one
row per claim with a remit: payer, rendering NPI, submission date, denied and the payer's
CARC (contract/outcome.PROVIDER_OUTCOME_COLUMNS), from which serving reads each provider's
credentialing standing with each payer up to the last ingest. The patient key
is the first 8 bytes of SHA-256(salt | member id | birth date) as a signed 64-bit
integer: the birth date tells apart dependants who share the subscriber's member id, and
the salt is random per store, so the key cannot be looked up in a table of hashed member
ids. No member id, name or birth date is stored. Files: <folder>/lines.parquet,
<folder>/outcomes.parquet and <folder>/store.json (version, salt, row count, date
range). Facts: interop/history_facts.py.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames, fields
from contract.outcome import PROVIDER_OUTCOME_COLUMNS, has_provider_outcomes
from interop.history_facts import (
    HISTORY_COLUMNS,
    PatientRows,
    Views,
    claim_facts,
    day_number,
    history_facts,
    make_views,
)
from reference.codes import load_code_table

STORE_VERSION = 3  # 3: outcomes.parquet; 2: submission_date per row
READABLE_VERSIONS = (2, 3)  # a version 2 store has no outcomes (standing from training)
LINES_FILE = "lines.parquet"
OUTCOMES_FILE = "outcomes.parquet"
META_FILE = "store.json"
ROW_COLUMNS = ["patient", "date_of_service", "cpt", "global_days", "denied",
               "submission_date"]
GLOBAL_DAYS = {"010": 10, "090": 90, "000": 0}


class HistoryStoreError(RuntimeError):
    """The store folder is missing, of another version or unreadable."""


def new_salt() -> str:
    """A random per-store salt (hex)."""
    return secrets.token_hex(16)


def patient_key(member_id: Any, birth_date: Any, salt: str) -> int:
    """The store's key of one patient (see the module docstring)."""
    born = "" if birth_date is None or pd.isna(birth_date) else str(pd.Timestamp(birth_date).date())
    text = f"{salt}|{str(member_id or '').strip().upper()}|{born}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big", signed=True)


def patient_keys(member_ids: pd.Series, birth_dates: pd.Series, salt: str) -> np.ndarray:
    """patient_key of every row, hashing each distinct (member id, birth date) once."""
    pairs = pd.DataFrame({"m": member_ids.to_numpy(), "b": birth_dates.to_numpy()})
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(pairs))
    keys = np.array([patient_key(m, b, salt) for m, b in uniques], dtype=np.int64)
    return keys[codes]


def families(cpt: pd.Series) -> pd.Series:
    """Code family (reference/codes), the code itself for a code outside the table."""
    return cpt.map(load_code_table().frame["family"]).fillna(cpt).astype("string")


def store_rows(frames: ClaimFrames, salt: str) -> pd.DataFrame:
    """ROW_COLUMNS for the lines of frames (line_denied read when present)."""
    claims, lines = frames.claims, frames.lines
    pos = pd.Index(claims["claim_id"].to_numpy()).get_indexer(lines["claim_id"].to_numpy())
    if (pos < 0).any():
        raise ValueError("store_rows: lines of claims the frames do not hold")
    keys = patient_keys(claims["member_id"], claims["birth_date"], salt)
    sent = pd.to_datetime(claims["submission_date"]).to_numpy("datetime64[ns]")
    denied = lines.get("line_denied", pd.NA)
    out = pd.DataFrame({
        "patient": keys[pos].astype(np.int64),
        "date_of_service": lines["date_of_service"].to_numpy(),
        "cpt": lines["cpt"].astype("string").to_numpy(),
        "global_days": lines["cpt"].map(load_code_table().frame["global_days"])
        .map(GLOBAL_DAYS).astype("Int16").to_numpy(),
    })
    out["denied"] = pd.Series(denied, index=lines.index).astype("boolean").to_numpy()
    out["submission_date"] = sent[pos]
    return out.astype(empty_rows().dtypes.to_dict())


def empty_rows() -> pd.DataFrame:
    """No store rows, with the ROW_COLUMNS dtypes."""
    return pd.DataFrame({"patient": pd.Series(dtype="int64"),
                         "date_of_service": pd.Series(dtype="datetime64[ns]"),
                         "cpt": pd.Series(dtype="string"),
                         "global_days": pd.Series(dtype="Int16"),
                         "denied": pd.Series(dtype="boolean"),
                         "submission_date": pd.Series(dtype="datetime64[ns]")})


def outcome_rows(claims: pd.DataFrame) -> pd.DataFrame:
    """PROVIDER_OUTCOME_COLUMNS of the claims a remit answered (none without outcomes)."""
    if not has_provider_outcomes(claims):
        return empty_outcomes()
    rows = claims.loc[claims["denied"].notna().to_numpy(), list(PROVIDER_OUTCOME_COLUMNS)]
    return rows.astype(empty_outcomes().dtypes.to_dict()).reset_index(drop=True)


def empty_outcomes() -> pd.DataFrame:
    """No outcome rows, with their dtypes."""
    return pd.DataFrame({"payer_id": pd.Series(dtype="string"),
                         "rendering_npi": pd.Series(dtype="string"),
                         "submission_date": pd.Series(dtype="datetime64[ns]"),
                         "denied": pd.Series(dtype="boolean"),
                         "denial_carc": pd.Series(dtype="string")})


def denied_codes(denied: pd.Series) -> np.ndarray:
    """1 denied, 0 paid, -1 unknown (no remit), from a nullable boolean column."""
    known = denied.notna().to_numpy()
    values = denied.fillna(False).to_numpy(dtype=bool).astype(np.int64)
    return np.where(known, values, -1)


@dataclass
class HistoryStore:
    """Store rows (ROW_COLUMNS), the salt their patient keys were made with, and the
    claims' outcomes (outcome_rows)."""

    salt: str
    rows: pd.DataFrame = field(repr=False)
    version: int = STORE_VERSION
    outcomes: pd.DataFrame = field(default_factory=empty_outcomes, repr=False)

    @classmethod
    def from_rows(cls, parts: list[pd.DataFrame], salt: str,
                  outcomes: list[pd.DataFrame] | None = None) -> HistoryStore:
        """A store from row frames (as store_rows makes them), sorted by patient and date,
        and outcome frames (as outcome_rows makes them)."""
        rows = pd.concat([empty_rows(), *parts], ignore_index=True)
        rows = rows.sort_values(["patient", "date_of_service", "cpt"], kind="stable")
        answered = pd.concat([empty_outcomes(), *(outcomes or [])], ignore_index=True)
        return cls(salt, rows.reset_index(drop=True), outcomes=answered)

    @cached_property
    def code_names(self) -> pd.Index:
        """The codes of the store, sorted (a code's id is its position)."""
        return pd.Index(np.unique(self.rows["cpt"].dropna().to_numpy(str)))

    @cached_property
    def family_names(self) -> pd.Index:
        """The code families of the store, sorted (a family's id is its position)."""
        return pd.Index(np.unique(families(pd.Series(self.code_names, dtype="string"))
                                  .to_numpy(str)))

    def code_ids(self, cpt: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """(code id, family id) of codes; -1 for one the store never saw."""
        family = families(cpt.astype("string")).to_numpy(str)
        return (self.code_names.get_indexer(cpt.to_numpy(str)),
                self.family_names.get_indexer(family))

    @cached_property
    def coded(self) -> pd.DataFrame:
        """The rows with integer code and family ids (what the views group by)."""
        code, family = self.code_ids(self.rows["cpt"])
        return pd.DataFrame({"patient": self.rows["patient"].to_numpy(np.int64),
                             "date_of_service": self.rows["date_of_service"].to_numpy(),
                             "cpt": code.astype(np.int32), "family": family.astype(np.int32),
                             "global_days": self.rows["global_days"].to_numpy(),
                             "denied": self.rows["denied"].to_numpy(),
                             "submission_date": self.rows["submission_date"].to_numpy()})

    @cached_property
    def views(self) -> Views:
        return make_views(self.coded, self.code_names.to_numpy())

    @cached_property
    def arrays(self) -> dict[str, np.ndarray]:
        """The rows as numpy arrays for single-claim lookups (built on the first one)."""
        coded = self.coded
        return {"patient": coded["patient"].to_numpy(np.int64),
                "days": coded["date_of_service"].to_numpy("datetime64[D]").astype(np.int64),
                "cpt": self.code_names.to_numpy(object)[coded["cpt"].to_numpy()],
                "family": self.family_names.to_numpy(object)[coded["family"].to_numpy()],
                "global_days": self.rows["global_days"].fillna(-1).to_numpy(np.int64),
                "denied": denied_codes(self.rows["denied"]),
                "submitted": self.rows["submission_date"].to_numpy("datetime64[D]")
                .astype(np.int64)}

    def patient_rows(self, key: int) -> PatientRows:
        """The store rows of one patient key (the rows are sorted by patient)."""
        a = self.arrays
        lo, hi = np.searchsorted(a["patient"], key, "left"), np.searchsorted(
            a["patient"], key, "right")
        return PatientRows(*(a[k][lo:hi].tolist() for k in
                             ("days", "cpt", "family", "global_days", "denied",
                                          "submitted")))

    def lookup(self, claim: Mapping[str, Any] | Any) -> dict[str, Any]:
        """History facts of one contract claim (dict or Claim) from its patient's rows."""
        c = fields(claim)
        patient = fields(c.get("patient"))
        lines = [fields(ln) for ln in c.get("lines") or []]
        codes = {str(ln["cpt"]).upper() for ln in lines}
        table = load_code_table().frame["family"]
        fams = {table.get(code, code) for code in codes}
        rows = self.patient_rows(patient_key(patient.get("member_id"),
                                             patient.get("birth_date"), self.salt))
        services = [(day_number(ln["date_of_service"]), str(ln["cpt"]).upper())
                    for ln in lines]
        day = min(d for d, _ in services)
        return claim_facts(day, codes, fams, rows, services,
                           day_number(c["submission_date"]))

    def save(self, folder: Path) -> Path:
        """Write lines.parquet and store.json into folder."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.rows[ROW_COLUMNS].to_parquet(folder / LINES_FILE, index=False)
        self.outcomes.to_parquet(folder / OUTCOMES_FILE, index=False)
        dates = self.rows["date_of_service"]
        meta = {"version": self.version, "salt": self.salt, "rows": len(self.rows),
                "claims_answered": len(self.outcomes),
                "first_date": None if dates.empty else str(dates.min().date()),
                "last_date": None if dates.empty else str(dates.max().date()),
                "patient_key": "sha256(salt|member_id|birth_date)[:8] as int64"}
        (folder / META_FILE).write_text(json.dumps(meta, indent=1) + "\n")
        return folder

    @classmethod
    def load(cls, folder: Path) -> HistoryStore:
        """Read a store written by save (refuses a version it cannot read; a version 2 store
        has no outcomes: the models keep the standing learned in training)."""
        folder = Path(folder)
        try:
            meta = json.loads((folder / META_FILE).read_text())
            if meta.get("version") not in READABLE_VERSIONS:
                raise HistoryStoreError(f"{folder}: store version {meta.get('version')} is "
                                        f"not {STORE_VERSION}; re-run ingest")
            rows = pd.read_parquet(folder / LINES_FILE)
            outcomes = (pd.read_parquet(folder / OUTCOMES_FILE) if meta["version"] >= 3
                        else empty_outcomes())
        except (OSError, ValueError) as exc:
            raise HistoryStoreError(f"cannot read history store {folder}: {exc}") from exc
        return cls(str(meta["salt"]), rows, int(meta["version"]), outcomes)


def build_store(frames: ClaimFrames, salt: str | None = None) -> HistoryStore:
    """A store from claims frames (line_denied in the lines when outcomes are known)."""
    salt = salt or new_salt()
    return HistoryStore.from_rows([store_rows(frames, salt)], salt,
                                  [outcome_rows(frames.claims)])


def needs_history(claims: pd.DataFrame) -> pd.Series:
    """Claims whose caller sent no history at all (every history column empty)."""
    present = [c for c in HISTORY_COLUMNS if c in claims]
    if not present:
        return pd.Series(True, index=claims.index)
    return claims[present].isna().all(axis=1)


def fill_history(frames: ClaimFrames, store: HistoryStore) -> ClaimFrames:
    """frames with the history columns of every claim that carries none filled from the
    store (claims that carry any history keep theirs)."""
    claims = frames.claims.copy()
    todo = claims[needs_history(claims)]
    if todo.empty:
        return ClaimFrames(claims, frames.lines)
    keys = pd.DataFrame({"key": todo["claim_id"].to_numpy(), "patient": patient_keys(
        todo["member_id"], todo["birth_date"], store.salt)}).astype(
        {"key": claims["claim_id"].dtype})
    lines = frames.lines[frames.lines["claim_id"].isin(todo["claim_id"])]
    dos = pd.to_datetime(lines["date_of_service"]).astype("datetime64[ns]")
    keys["day"] = keys["key"].map(dos.groupby(lines["claim_id"]).min())
    keys["submitted"] = pd.to_datetime(todo["submission_date"]).to_numpy("datetime64[ns]")
    code, family = store.code_ids(lines["cpt"])
    codes = pd.DataFrame({"key": lines["claim_id"].to_numpy(), "cpt": code.astype(np.int32),
                          "family": family.astype(np.int32),
                          "date_of_service": dos.to_numpy()}).astype(
        {"key": claims["claim_id"].dtype})
    facts = history_facts(keys, codes, store.views)
    where = claims.index[needs_history(claims)]
    for col in HISTORY_COLUMNS:
        values = claims.loc[where, "claim_id"].map(facts[col])
        claims[col] = claims[col].astype(facts[col].dtype) if col in claims else pd.Series(
            pd.NA, index=claims.index, dtype=facts[col].dtype)
        claims.loc[where, col] = values.to_numpy()
    return ClaimFrames(claims, frames.lines)
