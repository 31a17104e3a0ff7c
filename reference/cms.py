"""Loader for the real CMS extracts in shared/cms (read at run time, never copied into git).

NCCI PTP pairs with modifier indicator, MUE units with MAI, and MPFS global days. Each
table keeps the release it came from so explanations can cite it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from reference.codes import load_code_table

PTP_FILE = "ncci_ptp_practitioner_2024q3_derm_pairs.csv"
PTP_ANY_FILE = "ncci_ptp_practitioner_2024q3_derm_any_active.csv.gz"
MUE_FILE = "ncci_mue_practitioner_2024q3_derm.csv"
MPFS_FILE = "mpfs_pprrvu2025_oct_rvu25d_derm.csv"

PTP_RELEASE = "NCCI PTP practitioner 2024Q3"
MUE_RELEASE = "NCCI MUE practitioner 2024Q3"
MPFS_RELEASE = "MPFS CY2025 RVU25D"


class CmsDataError(RuntimeError):
    """A CMS extract is missing or malformed; the message names the file."""


@dataclass(frozen=True, eq=False)
class CmsTables:
    """Active NCCI PTP pairs, MUE limits and MPFS global days for dermatology codes."""

    ptp: pd.DataFrame  # column_1, column_2, modifier_indicator (int)
    mue: pd.DataFrame  # index code; mue_units (int), mue_mai (int)
    global_days: pd.Series  # index code -> '000' | '010' | '090' | 'ZZZ' | 'XXX'
    releases: dict[str, str] = field(default_factory=dict)
    ptp_lookup: dict[tuple[str, str], int] = field(default_factory=dict)

    def ptp_indicator(self, column_1: str, column_2: str) -> int | None:
        """Modifier indicator of the active edit column_1/column_2, or None when no edit."""
        return self.ptp_lookup.get((column_1, column_2))


def _read_csv(path: Path, usecols: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise CmsDataError(f"CMS file not found: {path} (set DENIALRISK_CMS_DIR)")
    try:
        return pd.read_csv(path, dtype=str, usecols=usecols, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise CmsDataError(f"CMS file {path} is malformed: {exc}") from exc


def read_ptp(cms_dir: Path) -> pd.DataFrame:
    """Active PTP edits (deletion date 9999-12-31) among the codes we know: the pairs of
    two dermatology codes, plus the pairs of a dermatology code with another code of the
    curated code table (14000-14061 adjacent tissue transfer includes the excision, 10060
    incision and drainage, 96372 injections) from the same release's wider extract."""
    cols = ["column_1", "column_2", "deletion_date", "modifier_indicator"]
    frame = pd.concat([_read_csv(cms_dir / PTP_FILE, cols),
                       known_code_pairs(_read_csv(cms_dir / PTP_ANY_FILE, cols))])
    frame = frame[frame["deletion_date"] == "9999-12-31"].drop(columns="deletion_date")
    frame = frame[frame["modifier_indicator"].isin(["0", "1"])]
    frame = frame.astype({"modifier_indicator": "int8"})
    return frame.drop_duplicates(["column_1", "column_2"]).reset_index(drop=True)


def known_code_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows whose two codes are both in the curated code table (the wider extract
    holds every pair touching a dermatology code: 318k rows, mostly codes we never see)."""
    known = load_code_table().frame.index
    return frame[frame["column_1"].isin(known) & frame["column_2"].isin(known)]


def read_mue(cms_dir: Path) -> pd.DataFrame:
    """MUE units per date of service and the MUE adjudication indicator (MAI)."""
    frame = _read_csv(cms_dir / MUE_FILE, ["hcpcs_code", "mue_units", "mue_mai"])
    frame = frame.rename(columns={"hcpcs_code": "code"}).drop_duplicates("code")
    return frame.astype({"mue_units": "int16", "mue_mai": "int8"}).set_index("code")


def read_global_days(cms_dir: Path) -> pd.Series:
    """MPFS global surgery indicator per code (rows without a modifier)."""
    frame = _read_csv(cms_dir / MPFS_FILE, ["HCPCS", "MOD", "GLOB DAYS"])
    frame = frame[frame["MOD"] == ""].drop_duplicates("HCPCS")
    return frame.set_index("HCPCS")["GLOB DAYS"].rename("global_days")


@lru_cache(maxsize=4)
def load_cms_tables(cms_dir: Path) -> CmsTables:
    """Read the three CMS extracts once per process and directory."""
    cms_dir = Path(cms_dir)
    ptp = read_ptp(cms_dir)
    lookup = dict(zip(zip(ptp["column_1"], ptp["column_2"]), ptp["modifier_indicator"].tolist()))
    return CmsTables(
        ptp=ptp,
        ptp_lookup=lookup,
        mue=read_mue(cms_dir),
        global_days=read_global_days(cms_dir),
        releases={"ptp": PTP_RELEASE, "mue": MUE_RELEASE, "mpfs": MPFS_RELEASE},
    )
