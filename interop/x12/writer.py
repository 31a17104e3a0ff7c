"""Writing synthetic claims and outcomes as X12: write_837p, write_835, write_x12_files.

write_x12_files splits a data set into numbered interchanges of at most `batch` claims
(claims_00001.837 + remits_00001.835, ...), the shape a clearinghouse archive has, so
`denialrisk ingest` can be exercised end to end on generated data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contract.frames import ClaimFrames
from interop.x12.envelope import Parties
from interop.x12.payer_map import PayerMap, load_payer_map
from interop.x12.writer835 import OUTCOME_COLUMNS, write_835
from interop.x12.writer837 import write_837p

__all__ = ["X12Files", "slice_frames", "write_835", "write_837p", "write_x12_files"]


@dataclass(frozen=True)
class X12Files:
    """The files one write_x12_files call produced."""

    claims: list[Path]
    remits: list[Path]


def slice_frames(frames: ClaimFrames, start: int, stop: int) -> ClaimFrames:
    """Claims start..stop (by position) and their lines."""
    claims = frames.claims.iloc[start:stop]
    lines = frames.lines[frames.lines["claim_id"].isin(claims["claim_id"])]
    return ClaimFrames(claims, lines)


def write_x12_files(frames: ClaimFrames, out_dir: Path, batch: int = 5000,
                    parties: Parties | None = None,
                    payer_map: PayerMap | None = None) -> X12Files:
    """Numbered .837 files (and .835 files when frames carry outcomes) in out_dir."""
    if batch < 1:
        raise ValueError("batch must be at least 1 claim")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    payer_map = payer_map or load_payer_map()
    with_outcomes = all(c in frames.claims for c in OUTCOME_COLUMNS)
    written = X12Files([], [])
    for number, start in enumerate(range(0, len(frames.claims), batch), start=1):
        part = slice_frames(frames, start, start + batch)
        path = out / f"claims_{number:05d}.837"
        path.write_text(write_837p(part, number, parties, payer_map), encoding="ascii")
        written.claims.append(path)
        if with_outcomes:
            path = out / f"remits_{number:05d}.835"
            path.write_text(write_835(part, number, parties), encoding="ascii")
            written.remits.append(path)
    return written
