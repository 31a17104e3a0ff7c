"""Payer mapping: clearinghouse payer ids (837P NM1*PR NM109, FHIR insurer) -> our ids.

The table is a CSV kept with the code (payer_map.csv: source_payer_id, payer_id, note),
overridable by a path argument or DENIALRISK_PAYER_MAP, because every practice's
clearinghouse uses its own payer ids. An unmapped payer keeps its id (the serving layer
scores it with the pooled model) and is flagged; the first row of each of our payers is
the id the writer puts on a synthetic 837P.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_PAYER_MAP = Path(__file__).with_name("payer_map.csv")
PAYER_MAP_ENV = "DENIALRISK_PAYER_MAP"


class PayerMapError(ValueError):
    """The payer map file is missing or malformed; the message names the file and row."""


@dataclass(frozen=True)
class PayerMap:
    """Lookup source id -> our payer id, and our payer id -> the id the writer uses."""

    to_ours: dict[str, str]
    canonical: dict[str, str]


def payer_map_path(path: Path | str | None = None) -> Path:
    """The payer map file: the argument, else $DENIALRISK_PAYER_MAP, else the packaged CSV."""
    chosen = path or os.environ.get(PAYER_MAP_ENV) or DEFAULT_PAYER_MAP
    return Path(chosen)


def normalize_payer_key(value: str) -> str:
    """Case- and whitespace-insensitive key for payer ids."""
    return "".join(value.split()).upper()


@lru_cache(maxsize=8)
def read_payer_map(path: Path) -> PayerMap:
    """Parse one payer map CSV (cached per resolved path)."""
    try:
        with Path(path).open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise PayerMapError(f"cannot read payer map {path}: {exc.strerror or exc}") from exc
    to_ours: dict[str, str] = {}
    canonical: dict[str, str] = {}
    for i, row in enumerate(rows, start=2):
        source = normalize_payer_key(row.get("source_payer_id") or "")
        ours = (row.get("payer_id") or "").strip()
        if not source or not ours:
            raise PayerMapError(f"{path} row {i}: source_payer_id and payer_id are required")
        to_ours[source] = ours
        canonical.setdefault(ours, (row.get("source_payer_id") or "").strip())
    return PayerMap(to_ours, canonical)


def load_payer_map(path: Path | str | None = None) -> PayerMap:
    """The payer map in force (see payer_map_path)."""
    return read_payer_map(payer_map_path(path).resolve())


def map_payer(source_id: str, payer_map: PayerMap | None = None) -> tuple[str, bool]:
    """(our payer id, mapped?) for a source payer id; unmapped ids come back stripped."""
    table = payer_map or load_payer_map()
    ours = table.to_ours.get(normalize_payer_key(source_id))
    return (ours, True) if ours else (source_id.strip(), False)


def source_payer_id(payer_id: str, payer_map: PayerMap | None = None) -> str:
    """The id to write on an 837P for one of our payers (itself when not in the table)."""
    table = payer_map or load_payer_map()
    return table.canonical.get(payer_id, payer_id)
