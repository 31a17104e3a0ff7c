"""Generation entry points: blocks of patients until the config's claim count, then one
data set (claim ids in submission order), and writing it.

Each block has its own random stream (seed, block index); the claim count is reached by
whole blocks, the last one cut after its earliest patients' claims, so the output is a
function of the config alone (chunk_size never changes it). The claims frame carries the
contract columns, subscriber_id / relationship, the outcome (contract/outcome.py),
denial_rule, oracle_* and hidden_* ground truth; the lines frame the contract lines and
their 835 amounts. `oracle_p_denied` keeps the old column name for the claim-only
oracle (oracle_p_visible: the best any model of the claim can do).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from contract.dataset import DatasetError, write_dataset
from contract.frames import ClaimFrames, coerce_claims, coerce_lines
from reference.cms import load_cms_tables
from reference.vocab import CATEGORIES
from synthetic_data.block import run_block
from synthetic_data.config import GeneratorConfig

__all__ = ["GenerationResult", "GeneratorConfig", "generate_frames", "generate_to_path",
           "truth_frame"]


@dataclass(frozen=True)
class GenerationResult:
    """What a generation run produced, for the CLI summary."""

    n_claims: int
    n_lines: int
    seconds: float
    denial_rate: float


def iter_blocks(config: GeneratorConfig) -> Iterator[ClaimFrames]:
    """Blocks in order until they hold at least config.n_claims claims."""
    cms = load_cms_tables(config.cms_dir)
    total, block = 0, 0
    while total < config.n_claims:
        part = run_block(config, cms, block)
        part.claims["_block"] = block
        total += len(part.claims)
        block += 1
        yield part


def cut_last_block(part: ClaimFrames, keep: int) -> ClaimFrames:
    """The first `keep` claim events of a block in patient order (a patient's later
    events go first: their history stays consistent)."""
    claims = part.claims.sort_values(["_patient", "submission_date", "_key"], kind="stable")
    claims = claims.iloc[:keep]
    lines = part.lines[part.lines["claim_id"].isin(claims["claim_id"])]
    return ClaimFrames(claims, lines)


def number_claims(claims: pd.DataFrame, lines: pd.DataFrame) -> ClaimFrames:
    """Claim ids C-0000001.. in submission order; lines and original_claim_id follow."""
    claims = claims.sort_values(["submission_date", "_block", "_patient", "_key"],
                                kind="stable").reset_index(drop=True)
    width = max(7, len(str(len(claims))))
    new = ("C-" + pd.Series(np.arange(1, len(claims) + 1)).astype(str).str.zfill(width)
           ).to_numpy(dtype=object)
    mapping = pd.Series(new, index=pd.Index(claims["claim_id"].to_numpy(dtype=object),
                                            dtype=object))
    original = claims["original_claim_id"].to_numpy(dtype=object, na_value=None)
    claims["original_claim_id"] = np.where(
        pd.notna(original), mapping.reindex(pd.Index(original, dtype=object)).to_numpy(
            dtype=object), None)
    line_pos = mapping.index.get_indexer(pd.Index(lines["claim_id"].to_numpy(dtype=object),
                                                  dtype=object))
    lines = lines.assign(claim_id=new[line_pos], _order=line_pos)
    lines = lines.sort_values(["_order", "line"], kind="stable").drop(columns="_order")
    claims["claim_id"] = new
    return ClaimFrames(claims, lines.reset_index(drop=True))


def finish(parts: list[ClaimFrames], config: GeneratorConfig) -> ClaimFrames:
    """Cut to the claim count, number the claims, drop internal columns, coerce dtypes."""
    before = sum(len(p.claims) for p in parts[:-1])
    parts[-1] = cut_last_block(parts[-1], config.n_claims - before)
    claims = pd.concat([p.claims for p in parts], ignore_index=True)
    lines = pd.concat([p.lines for p in parts], ignore_index=True)
    frames = number_claims(claims, lines)
    claims = frames.claims.drop(columns=[c for c in frames.claims if c.startswith("_")])
    claims = claims.assign(oracle_p_denied=claims["oracle_p_visible"], hidden_drift=config.drift,
                           hidden_error_scale=config.error_scale,
                           hidden_profile=config.profile)
    lines = frames.lines.drop(columns=[c for c in frames.lines if c.startswith("_")])
    return ClaimFrames(coerce_claims(claims), coerce_lines(lines))


def generate_frames(config: GeneratorConfig, progress: bool = False) -> ClaimFrames:
    """All claims of the config, with outcome, oracle and hidden columns, in memory.
    progress=True prints a progress line per block to stderr."""
    parts, started, done = [], time.perf_counter(), 0
    for part in iter_blocks(config):
        parts.append(part)
        done = min(config.n_claims, done + len(part.claims))
        if progress:
            print(f"\rgenerating {done:,}/{config.n_claims:,} claims "
                  f"({time.perf_counter() - started:.0f}s)", end="", file=sys.stderr,
                  flush=True)
    if progress:
        print(file=sys.stderr)
    return finish(parts, config)


def truth_frame(frames: ClaimFrames) -> pd.DataFrame:
    """The ground truth beside X12 files: claim_id, payer_id, oracle columns (full and
    claim-only, per category) and denial_rule."""
    cols = ["claim_id", "payer_id", "oracle_p", "oracle_p_visible",
            *[f"oracle_p_{c}" for c in CATEGORIES],
            *[f"oracle_p_visible_{c}" for c in CATEGORIES], "denial_rule"]
    return frames.claims[[c for c in cols if c in frames.claims]].copy()


def check_writable(path: Path) -> None:
    """Fail fast (before generating) when the data set folder cannot be written."""
    parent = Path(path).parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe.", dir=parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise DatasetError(f"cannot write data set to {path}: {exc.strerror or exc}") from exc


def generate_to_path(config: GeneratorConfig, path: Path,
                     progress: bool = False) -> GenerationResult:
    """Generate the data set and write it atomically to `path` (a folder)."""
    started = time.perf_counter()
    check_writable(path)
    frames = generate_frames(config, progress=progress)
    write_dataset(frames, Path(path))
    return GenerationResult(
        n_claims=len(frames.claims), n_lines=len(frames.lines),
        seconds=time.perf_counter() - started,
        denial_rate=float(frames.claims["denied"].mean()) if len(frames.claims) else 0.0,
    )
