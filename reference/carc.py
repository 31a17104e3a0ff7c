"""CARC -> reason category: which claim adjustment reason codes are denials, and of what kind.

The table (data/carc_categories.csv: carc, category, note) maps X12 CARCs to the contract's
reason categories; contractual write-downs (CO-45, CO-42, CO-253) and patient shares
(PR-1/2/3) are deliberately absent: an allowed line is paid, not denied (shared/domain
§11). A practice may point DENIALRISK_CARC_CATEGORIES at its own table.
"""

from __future__ import annotations

import csv
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from reference.vocab import CATEGORIES

DEFAULT_CARC_TABLE = Path(str(resources.files("reference.data").joinpath("carc_categories.csv")))
CARC_TABLE_ENV = "DENIALRISK_CARC_CATEGORIES"


class CarcTableError(ValueError):
    """The CARC -> category table is unreadable or names an unknown category."""


@lru_cache(maxsize=8)
def read_carc_table(path: Path) -> dict[str, str]:
    """CARC -> category from one CSV (columns carc, category, note)."""
    try:
        with Path(path).open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise CarcTableError(f"cannot read CARC table {path}: {exc.strerror or exc}") from exc
    table = {}
    for i, row in enumerate(rows, start=2):
        carc, category = (row.get("carc") or "").strip().upper(), (row.get("category") or "")
        if category.strip() not in CATEGORIES:
            raise CarcTableError(f"{path} row {i}: unknown category {category!r}")
        table[carc] = category.strip()
    return table


def load_carc_categories(path: Path | str | None = None) -> dict[str, str]:
    """The CARC table in force: argument, else $DENIALRISK_CARC_CATEGORIES, else ours."""
    chosen = path or os.environ.get(CARC_TABLE_ENV) or DEFAULT_CARC_TABLE
    return read_carc_table(Path(chosen).resolve())


# A rendering provider not enrolled with the payer on the date of service: B7 (provider
# not certified/eligible to be paid for this service on this date), 185 (rendering
# provider not eligible to perform the service), 208 (NPI not matched). The rest of the
# credentialing category (170 provider type, 8 specialty, 183/184 referring/ordering)
# denies a service for who performed it, not a provider's enrolment (shared/domain §11).
ENROLMENT_CARCS: frozenset[str] = frozenset({"B7", "185", "208"})


def carc_of(grouped: object) -> str:
    """The CARC of a grouped code as an 835 sends it ("CO-185" -> "185"; "B7" -> "B7";
    a missing value, None / NaN / NA, -> "")."""
    if not isinstance(grouped, str):
        return ""
    text = grouped.strip().upper()
    return text.split("-", 1)[1] if "-" in text else text
