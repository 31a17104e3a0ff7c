"""Generation entry points: chunked synthesis + adjudication, and writing the data set.

Each chunk has its own random streams seeded from (seed, chunk index), so the output
depends only on the config, never on chunking order or worker count. The claims frame
carries the contract columns, the outcome (denied, denial_carc, denial_category,
denied_lines) and the oracle_p_* ground truth; the lines frame the contract lines.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from contract.dataset import DatasetError, write_dataset
from contract.frames import ClaimFrames
from reference.cms import load_cms_tables
from synthetic_data.adjudicate import adjudicate
from synthetic_data.config import ErrorRates, GeneratorConfig
from synthetic_data.context import Ctx
from synthetic_data.synthesize import synthesize

__all__ = ["ErrorRates", "GenerationResult", "GeneratorConfig", "generate_frames",
           "generate_to_path", "generate_chunk"]

SYNTHESIS_STREAM, ADJUDICATION_STREAM = 0, 1


@dataclass(frozen=True)
class GenerationResult:
    """What a generation run produced, for the CLI summary."""

    n_claims: int
    n_lines: int
    seconds: float
    denial_rate: float


def chunk_bounds(config: GeneratorConfig) -> list[tuple[int, int]]:
    """(first claim offset, size) of every chunk."""
    step = config.chunk_size
    return [(start, min(step, config.claims - start)) for start in range(0, config.claims, step)]


def chunk_rng(config: GeneratorConfig, chunk: int, stream: int) -> np.random.Generator:
    """The random stream `stream` of chunk `chunk`, from (seed, chunk, stream)."""
    return np.random.default_rng([config.seed, chunk, stream])


def generate_chunk(config: GeneratorConfig, chunk: int, first: int, size: int) -> ClaimFrames:
    """Synthesize and adjudicate one chunk; outcome/oracle columns join the claims."""
    cms = load_cms_tables(config.cms_dir)
    width = max(7, len(str(config.claims)))
    ctx = Ctx(rng=chunk_rng(config, chunk, SYNTHESIS_STREAM), config=config)
    frames = synthesize(ctx, size, first, width, cms)
    outcome = adjudicate(frames, config, chunk_rng(config, chunk, ADJUDICATION_STREAM))
    return ClaimFrames(pd.concat([frames.claims, outcome], axis=1), frames.lines)


def iter_chunks(config: GeneratorConfig) -> Iterator[ClaimFrames]:
    """Generated chunks in order."""
    for i, (first, size) in enumerate(chunk_bounds(config)):
        yield generate_chunk(config, i, first, size)


def concat_frames(parts: list[ClaimFrames]) -> ClaimFrames:
    """One ClaimFrames from chunk frames (fresh RangeIndex on both frames)."""
    if len(parts) == 1:
        return parts[0]
    return ClaimFrames(pd.concat([p.claims for p in parts], ignore_index=True),
                       pd.concat([p.lines for p in parts], ignore_index=True))


def generate_frames(config: GeneratorConfig, progress: bool = False) -> ClaimFrames:
    """All claims of the config, with outcome and oracle columns, in memory."""
    if not progress:
        return concat_frames(list(iter_chunks(config)))
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    parts = []
    columns = (TextColumn("generating"), BarColumn(), TextColumn("{task.completed:,}/"
               "{task.total:,} claims"), TimeElapsedColumn())
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task("generate", total=config.claims)
        for part in iter_chunks(config):
            parts.append(part)
            bar.advance(task, len(part))
    return concat_frames(parts)


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
