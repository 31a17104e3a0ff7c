"""Writing a data set as a practice's X12 history: write_837p, write_835, write_x12_files.

write_x12_files writes the batch files a clearinghouse archive holds: claims by payer and
month of submission (claims_<payer>_<YYYY-MM>_<n>.837), remits by payer and month of
remittance (remits_<payer>_<YYYY-MM>_<n>.835), each file at most `batch` claims, and,
for generated data, truth.parquet: the ground truth columns (oracle_*, hidden_*,
denial_rule) keyed by the claim id ingest will give each claim back (numbering.py; the
generator's own id beside it as generator_claim_id). Evaluation only: ingest never reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from contract.frames import ClaimFrames
from contract.outcome import TRUTH_COLUMNS, TRUTH_PREFIXES
from interop.x12.envelope import Parties
from interop.x12.numbering import Numbering
from interop.x12.payer_map import PayerMap, load_payer_map
from interop.x12.writer835 import OUTCOME_COLUMNS, PAYMENT_LAG_DAYS, write_835
from interop.x12.writer837 import write_837p

__all__ = ["X12Files", "slice_frames", "write_835", "write_837p", "write_x12_files"]
TRUTH_FILE = "truth.parquet"


@dataclass(frozen=True)
class X12Files:
    """The files one write_x12_files call produced (truth None without ground truth)."""

    claims: list[Path]
    remits: list[Path]
    truth: Path | None = None


def slice_frames(frames: ClaimFrames, start: int, stop: int) -> ClaimFrames:
    """Claims start..stop (by position) and their lines."""
    claims = frames.claims.iloc[start:stop]
    lines = frames.lines[frames.lines["claim_id"].isin(claims["claim_id"])]
    return ClaimFrames(claims, lines)


def batches(frames: ClaimFrames, month: pd.Series,
            batch: int) -> Iterator[tuple[str, str, int, ClaimFrames]]:
    """(payer, month, part, frames) for every payer-month, at most `batch` claims each."""
    claims = frames.claims.assign(_month=month.to_numpy())
    order = claims.sort_values(["payer_id", "_month", "submission_date"], kind="stable")
    part = order.groupby(["payer_id", "_month"]).cumcount() // batch + 1
    keys = list(zip(order["payer_id"].astype(str), order["_month"].astype(str), part))
    label = pd.Series(range(len(order)), index=order["claim_id"].to_numpy())
    starts = [i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]]
    line_block = frames.lines["claim_id"].map(label)
    owner = pd.Series(range(len(starts)), index=starts).reindex(range(len(keys))).ffill()
    line_groups = dict(tuple(frames.lines.groupby(
        owner.to_numpy()[line_block.to_numpy(dtype="int64")], sort=False)))
    bounds = [*starts, len(keys)]
    for i, start in enumerate(starts):
        chunk = order.iloc[start:bounds[i + 1]].drop(columns="_month")
        payer, when, number = keys[start]
        lines = line_groups.get(float(i), frames.lines.iloc[0:0])
        yield payer, when, int(number), ClaimFrames(chunk, lines)


def truth_frame(frames: ClaimFrames, numbering: Numbering) -> pd.DataFrame | None:
    """Ground-truth columns keyed by the claim id ingest gives back (None if none)."""
    cols = [c for c in frames.claims
            if c.startswith(TRUTH_PREFIXES) or c in TRUTH_COLUMNS]
    if not cols:
        return None
    ids = numbering.ingest_ids(frames.claims)
    out = frames.claims[["claim_id", *cols]].rename(columns={"claim_id": "generator_claim_id"})
    out.insert(0, "claim_id", out["generator_claim_id"].astype(str).map(ids).astype("string"))
    return out.reset_index(drop=True)


def write_x12_files(frames: ClaimFrames, out_dir: Path, batch: int = 5000,
                    parties: Parties | None = None, payer_map: PayerMap | None = None,
                    reuse_claim_numbers: bool = True) -> X12Files:
    """837P files (and 835 files and truth.parquet when frames carry them) in out_dir."""
    if batch < 1:
        raise ValueError("batch must be at least 1 claim")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    payer_map = payer_map or load_payer_map()
    numbering = Numbering.of(frames.claims, reuse=reuse_claim_numbers)
    submitted = pd.to_datetime(frames.claims["submission_date"])
    written = X12Files([], [])
    for number, (payer, month, part, chunk) in enumerate(
            batches(frames, submitted.dt.strftime("%Y-%m"), batch), start=1):
        path = out / f"claims_{payer}_{month}_{part:02d}.837"
        path.write_text(write_837p(chunk, number, parties, payer_map, numbering=numbering),
                        encoding="ascii")
        written.claims.append(path)
    if all(c in frames.claims for c in OUTCOME_COLUMNS):
        paid = (submitted + pd.Timedelta(days=PAYMENT_LAG_DAYS)).dt.strftime("%Y-%m")
        for number, (payer, month, part, chunk) in enumerate(
                batches(frames, paid, batch), start=1):
            path = out / f"remits_{payer}_{month}_{part:02d}.835"
            path.write_text(write_835(chunk, number, parties, numbering=numbering),
                            encoding="ascii")
            written.remits.append(path)
    truth = truth_frame(frames, numbering)
    if truth is not None:
        truth.to_parquet(out / TRUTH_FILE, index=False)
    return X12Files(written.claims, written.remits,
                    out / TRUTH_FILE if truth is not None else None)
