"""One settings class for every CLI option default (env prefix DENIALRISK_).

Reading settings does no work on import: call `get_settings()` where a value is needed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = PROJECT_ROOT.parent / "shared"


class Settings(BaseSettings):
    """Defaults for every `denialrisk` command; override with DENIALRISK_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="DENIALRISK_", extra="ignore")

    # reference material (read at run time, never committed)
    cms_dir: Path = Field(SHARED_DIR / "cms", description="Folder of the CMS NCCI/MPFS extracts.")
    carc_dir: Path = Field(SHARED_DIR / "carc", description="Folder of the X12 CARC/RARC lists.")
    contract_dir: Path = Field(SHARED_DIR / "contract", description="Claim contract + examples.")

    # generator
    work_dir: Path = Field(PROJECT_ROOT / "work", description="Where generated data lives.")
    claims: int = Field(300_000, ge=1, description="Number of claims to generate.")
    seed: int = Field(20260101, description="Random seed; same seed gives an identical file.")
    start: date = Field(date(2025, 1, 1), description="First date of service.")
    end: date = Field(date(2026, 6, 30), description="Last date of service.")
    drift: bool = Field(True, description="Apply the dated payer rule change (COA modifier 25).")
    drift_date: date = Field(date(2026, 4, 1), description="Date the COA rule change starts.")
    error_scale: float = Field(
        1.0, ge=0.0, le=5.0, description="Multiplier on all coder/front-desk error rates."
    )
    chunk_size: int = Field(250_000, ge=1000, description="Claims generated per chunk.")

    def data_path(self) -> Path:
        """Default location of the generated data set."""
        return self.work_dir / "claims"


def get_settings() -> Settings:
    """Build settings from the environment (no caching: tests set env vars freely)."""
    return Settings()
