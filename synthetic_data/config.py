"""Generator configuration: practice profile, size, seed, date range, quiet rule changes.

`GeneratorConfig` is the one object every generation function receives; anything left
None comes from the practice profile (synthetic_data/profiles). `from_settings` maps a
settings object (CLI flags and DENIALRISK_* env applied; duck-typed, settings/ is not
imported) onto it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from synthetic_data.profiles import PROFILES, get_profile
from synthetic_data.profiles.model import PracticeProfile

DEFAULT_CMS_DIR = Path(__file__).resolve().parents[2] / "shared" / "cms"
SETTING_FIELDS = ("claims", "seed", "start", "end", "drift", "drift_date", "error_scale",
                  "chunk_size", "cms_dir")


class GeneratorConfig(BaseModel):
    """Everything one generation run depends on; same config -> same data set.

    claims/start/end default to the profile's; `drift` switches the profile's quiet
    payer rule changes (the outcome only: claims stay the same); `drift_date` moves the
    profile's first quiet change; `error_scale` multiplies the practice's error rates;
    `chunk_size` bounds the claims adjudicated at once and never changes the output."""

    model_config = ConfigDict(frozen=True)

    profile: str = "demo"
    claims: int | None = Field(None, ge=1)
    seed: int = 20260101
    start: date | None = None
    end: date | None = None
    drift: bool = True
    drift_date: date | None = None
    error_scale: float = Field(1.0, ge=0.0, le=5.0)
    chunk_size: int = Field(250_000, ge=1)
    cms_dir: Path = DEFAULT_CMS_DIR

    @model_validator(mode="after")
    def _valid(self) -> GeneratorConfig:
        """Refuse an unknown profile and an empty date range."""
        if self.profile not in PROFILES:
            raise ValueError(f"unknown profile {self.profile!r} (known: "
                             f"{', '.join(sorted(PROFILES))})")
        if self.window_end < self.window_start:
            raise ValueError(f"end {self.window_end} is before start {self.window_start}")
        return self

    @property
    def practice(self) -> PracticeProfile:
        """The profile with drift_date applied to its first quiet rule change."""
        base = get_profile(self.profile)
        if self.drift_date is None:
            return base
        payers = list(base.payers)
        for i, payer in enumerate(payers):
            quiet = [k for k, c in enumerate(payer.changes) if c.quiet]
            if quiet:
                changes = list(payer.changes)
                changes[quiet[0]] = changes[quiet[0]].model_copy(
                    update={"effective": self.drift_date})
                payers[i] = payer.model_copy(update={"changes": tuple(changes)})
                break
        return base.model_copy(update={"payers": tuple(payers)})

    @property
    def n_claims(self) -> int:
        return self.claims if self.claims is not None else get_profile(self.profile).claims

    @property
    def window_start(self) -> date:
        return self.start if self.start is not None else get_profile(self.profile).start

    @property
    def window_end(self) -> date:
        return self.end if self.end is not None else get_profile(self.profile).end

    @classmethod
    def from_settings(cls, settings: Any) -> GeneratorConfig:
        """A config from a settings object. The demo profile takes every value as given
        (the CLI's defaults are the demo's); another profile takes only the values set
        explicitly (pydantic's model_fields_set), so its own window and volume apply."""
        profile = getattr(settings, "profile", None) or "demo"
        explicit = getattr(settings, "model_fields_set", None)
        values = {}
        for name in SETTING_FIELDS:
            if not hasattr(settings, name):
                continue
            if profile != "demo" and explicit is not None and name not in explicit:
                continue
            values[name] = getattr(settings, name)
        return cls(profile=profile, **values)
