"""Medicare Physician Fee Schedule amounts per code (non-facility), for charges and the
allowed amounts of remits.

The MPFS extract in shared/cms (CY2025 RVU25D) gives NON-FACILITY TOTAL RVUs x CONV
FACTOR for the codes it holds. Codes outside it (J-codes priced by ASP, and the curated
real codes of data/derm_codes.csv) get a typical CY2025 amount recorded here; these are
approximations for synthetic remits, marked as such, not a fee schedule to bill from.
Data and lookups only.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from reference.cms import MPFS_FILE, CmsDataError

# Approximate CY2025 Medicare non-facility amounts (USD per unit) of codes the extract
# lacks; drugs per HCPCS unit at about ASP + 6%.
TYPICAL_AMOUNTS: dict[str, float] = {
    "10060": 125.0, "10061": 220.0, "10180": 255.0, "11200": 120.0, "11201": 30.0,
    "14040": 880.0, "14041": 1090.0, "14060": 990.0, "14061": 1250.0, "15780": 1100.0,
    "17360": 200.0, "96365": 65.0, "96372": 15.0, "96567": 150.0, "96900": 22.0,
    "G2211": 16.0, "J3301": 1.7, "J7308": 265.0, "J3358": 24.0, "J3245": 140.0,
    "J2357": 45.0, "J0135": 1400.0,
}
DEFAULT_AMOUNT = 100.0  # a well-formed code nobody priced


@lru_cache(maxsize=4)
def mpfs_amounts(cms_dir: Path) -> pd.Series:
    """Amount per unit by code: MPFS non-facility total x conversion factor (codes of the
    extract), then TYPICAL_AMOUNTS for the rest."""
    path = Path(cms_dir) / MPFS_FILE
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False,
                            usecols=["HCPCS", "MOD", "NON-FACILITY TOTAL", "CONV FACTOR"])
    except (OSError, ValueError) as exc:
        raise CmsDataError(f"cannot read MPFS file {path}: {exc}") from exc
    frame = frame[frame["MOD"] == ""].drop_duplicates("HCPCS").set_index("HCPCS")
    amount = (frame["NON-FACILITY TOTAL"].astype(float)
              * frame["CONV FACTOR"].astype(float)).round(2)
    extra = pd.Series(TYPICAL_AMOUNTS, dtype=float)
    return pd.concat([amount[amount > 0], extra[~extra.index.isin(amount.index[amount > 0])]])
