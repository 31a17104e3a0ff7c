"""Where the public X12 sample files live (read at run time, never copied into the repo).

Default: ../shared/x12 next to the repository; override with an argument or
DENIALRISK_X12_DIR.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from interop.x12.reader import read_interchange

X12_DIR_ENV = "DENIALRISK_X12_DIR"
DEFAULT_X12_DIR = Path(__file__).resolve().parents[3] / "shared" / "x12"
SAMPLE_SUFFIXES = (".837", ".835", ".txt", ".edi", ".x12")


def x12_samples_dir(path: Path | str | None = None) -> Path:
    """The sample folder: the argument, else $DENIALRISK_X12_DIR, else ../shared/x12."""
    return Path(path or os.environ.get(X12_DIR_ENV) or DEFAULT_X12_DIR)


def sample_files(path: Path | str | None = None) -> list[Path]:
    """The X12 files of the sample folder (documentation such as SOURCES.md excluded)."""
    folder = x12_samples_dir(path)
    return sorted(p for p in folder.glob("*") if p.is_file() and p.suffix in SAMPLE_SUFFIXES)


def sniff_kind(path: Path) -> str:
    """'837', '835' or '' from the first ST segment in the file's first 2 kB (cheap: for
    telling the files of a folder apart without reading them)."""
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(2048).decode("ascii", errors="replace")
    except OSError:
        return ""
    found = re.search(r"(?:^|[~\n'])\s*ST([^A-Za-z0-9\s])(83[57])\1", head)
    return found.group(2) if found else ""


def x12_files(folder: Path, kind: str) -> list[Path]:
    """The files under folder (recursive, sorted) whose first transaction is `kind`."""
    return sorted(p for p in Path(folder).rglob("*") if p.is_file() and sniff_kind(p) == kind)


def transaction_kind(path: Path) -> str:
    """'837' or '835' from the file's ST01 (so a sample is routed by content, not name)."""
    interchange = read_interchange(path.read_text(encoding="utf-8", errors="replace"))
    return interchange.transactions[0].kind if interchange.transactions else "unknown"
