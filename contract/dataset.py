"""Reading and writing a claims data set: a folder with claims.parquet and lines.parquet.

Writes go to a temporary sibling folder that is renamed into place only when both files
are complete, so a crash or a full disk never leaves a data set that looks finished.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from contract.frames import ClaimFrames, coerce_claims, coerce_lines

CLAIMS_FILE = "claims.parquet"
LINES_FILE = "lines.parquet"
COMPLETE_MARKER = "_COMPLETE"


class DatasetError(RuntimeError):
    """The data set folder is missing, incomplete or unreadable; the message names it."""


def write_dataset(frames: ClaimFrames, path: Path) -> Path:
    """Write frames atomically to `path` (a folder); replaces an existing data set."""
    path = Path(path)
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=parent))
    except OSError as exc:
        raise DatasetError(f"cannot write data set to {path}: {exc.strerror or exc}") from exc
    try:
        frames.claims.to_parquet(tmp / CLAIMS_FILE, index=False)
        frames.lines.to_parquet(tmp / LINES_FILE, index=False)
        (tmp / COMPLETE_MARKER).write_text(f"{len(frames.claims)} claims\n")
        if path.exists():
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        os.replace(tmp, path)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DatasetError(f"cannot write data set to {path}: {exc.strerror or exc}") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def read_dataset(path: Path, columns_claims: list[str] | None = None) -> ClaimFrames:
    """Read a data set folder written by write_dataset (refuses incomplete ones)."""
    path = Path(path)
    if not (path / COMPLETE_MARKER).is_file():
        raise DatasetError(f"{path} is not a complete data set (no {COMPLETE_MARKER} marker)")
    try:
        claims = pd.read_parquet(path / CLAIMS_FILE, columns=columns_claims)
        lines = pd.read_parquet(path / LINES_FILE)
    except (OSError, ValueError) as exc:
        raise DatasetError(f"cannot read data set {path}: {exc}") from exc
    return ClaimFrames(coerce_claims(claims), coerce_lines(lines))
