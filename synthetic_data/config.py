"""Generator configuration: size, seed, date range, drift switch, error rates, payer tables.

`GeneratorConfig` is the one object every generator function receives. Its defaults hold
the practice's coder/front-desk error rates (`ErrorRates`) and the payers' hidden
enforcement table (synthetic_data.payers); `from_settings` maps CLI/env Settings onto it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, model_validator

from synthetic_data.payers import default_enforcement

if TYPE_CHECKING:  # pragma: no cover - typing only
    from settings import Settings

DEFAULT_CMS_DIR = Path(__file__).resolve().parents[2] / "shared" / "cms"


class ErrorRates(BaseModel):
    """Per-opportunity probability of each coder / front-desk error at error_scale 1.

    Each rate applies only where the error is possible (missing_25 only on an E/M billed
    with a procedure, units_over_mue only on unit-bearing codes, ...). Values are set so
    the generated denial rates land in the shared/domain §10 target ranges.
    """

    model_config = ConfigDict(frozen=True)

    missing_25: float = 0.04  # E/M with a minor procedure billed without 25
    no_separate_em_note: float = 0.16  # 25 billed but the E/M note is not separate
    bypass_59_not_x: float = 0.30  # 59 used where XS describes the distinct lesion
    bypass_missing: float = 0.05  # distinct-lesion pair billed with no bypass modifier
    bypass_no_distinct: float = 0.06  # bypass modifier without naming the other lesion
    same_lesion_unbundled: float = 0.02  # biopsy of the excised lesion billed too
    mi0_pair: float = 0.010  # never-together pair (17004 + 17000, two biopsy primaries)
    orphan_addon: float = 0.006  # add-on billed without its primary
    units_over_mue: float = 0.02  # per-lesion units on a per-session code
    dx_pointer: float = 0.006  # a procedure line points at the wrong diagnosis
    dx_wrong_code: float = 0.005  # a diagnosis that does not support the procedure
    no_symptoms_doc: float = 0.15  # benign removal without documented symptoms
    no_size_doc: float = 0.03  # size-coded lesion procedure without size documentation
    no_site_doc: float = 0.02
    no_margins_doc: float = 0.06  # excision without margins documented
    no_pathology: float = 0.12  # malignant excision / Mohs without the path report
    no_necessity_note: float = 0.08  # Mohs / phototherapy / biologic
    no_prior_treatment: float = 0.10  # phototherapy / biologic step therapy not documented
    no_prior_auth: float = 0.06  # PA-required service without an auth on file
    pa_wrong_code: float = 0.03  # auth on file lists a different code
    no_referral: float = 0.035  # HMO member without a referral on file
    late_submission: float = 0.030  # share of claims in the long submission-lag tail
    eligibility_unverified: float = 0.12  # eligibility not checked before the visit
    coverage_lapsed: float = 0.006  # checked, lapsed, billed anyway
    uncredentialed: float = 0.004  # provider known not credentialed, billed anyway
    credential_unknown: float = 0.04  # credentialing status not recorded
    global_unmodified: float = 0.25  # E/M inside a global billed without 24


class GeneratorConfig(BaseModel):
    """Everything one generation run depends on; same config + seed -> same data set."""

    model_config = ConfigDict(frozen=True)

    claims: int = Field(300_000, ge=1)
    seed: int = 20260101
    start: date = date(2025, 1, 1)
    end: date = date(2026, 6, 30)
    drift: bool = True
    drift_date: date = date(2026, 4, 1)
    error_scale: float = Field(1.0, ge=0.0, le=5.0)
    chunk_size: int = Field(250_000, ge=1)
    cms_dir: Path = DEFAULT_CMS_DIR
    errors: ErrorRates = Field(default_factory=ErrorRates)
    enforcement: dict[str, dict[str, float]] = Field(default_factory=default_enforcement)

    @model_validator(mode="after")
    def _dates_in_order(self) -> GeneratorConfig:
        """Refuse an empty date range."""
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @classmethod
    def from_settings(cls, settings: Settings) -> GeneratorConfig:
        """Build a config from Settings (CLI flags and DENIALRISK_* env already applied)."""
        return cls(
            claims=settings.claims, seed=settings.seed, start=settings.start,
            end=settings.end, drift=settings.drift, drift_date=settings.drift_date,
            error_scale=settings.error_scale, chunk_size=settings.chunk_size,
            cms_dir=settings.cms_dir,
        )

    def error_rate(self, name: str) -> float:
        """The named error rate scaled by error_scale, capped at 1."""
        return min(1.0, getattr(self.errors, name) * self.error_scale)
