"""What every world builder receives: the random stream of the block, the profile, the
habits scaled by GeneratorConfig.error_scale, the patients and providers, and the dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reference.families import PHOTOTHERAPY_CODES
from synthetic_data.profiles.model import Habits, PracticeProfile
from synthetic_data.world.patients import Patients
from synthetic_data.world.providers import Providers

PHOTO_CODES = tuple(c for c in PHOTOTHERAPY_CODES if c != "96913")  # no Goeckerman course
PHOTO_WEIGHTS = (0.35, 0.20, 0.05, 0.24, 0.11, 0.05)
# Habits that are behaviour, not errors: error_scale leaves them alone.
BEHAVIOUR_HABITS = frozenset({"em_with_procedure", "em_with_mohs", "corrected_share",
                              "correction_right", "telehealth_share"})


@dataclass
class WorldCtx:
    """Random source, profile and population of one block of patients."""

    rng: np.random.Generator
    profile: PracticeProfile
    patients: Patients
    providers: Providers
    start: np.datetime64  # window start (day 0)
    span: int  # last day of the window
    sim_start: int  # first simulated day (negative: warm-up)
    error_scale: float = 1.0
    archetype_of_payer: np.ndarray = field(init=False)
    photo_code: np.ndarray = field(init=False)  # each patient's phototherapy modality
    biopsied: list[dict] = field(default_factory=list)  # lesion truth of biopsies

    def __post_init__(self) -> None:
        self.archetype_of_payer = np.array([p.archetype for p in self.profile.payers],
                                           dtype=object)
        codes = np.array(PHOTO_CODES, dtype=object)
        self.photo_code = codes[self.rng.choice(len(codes), len(self.patients),
                                                p=PHOTO_WEIGHTS)]

    @property
    def habits(self) -> Habits:
        return self.profile.habits

    def rate(self, name: str) -> float:
        """A habit's rate (errors scaled by error_scale, capped at 1)."""
        value = getattr(self.habits, name)
        return value if name in BEHAVIOUR_HABITS else min(1.0, value * self.error_scale)

    def err(self, name: str, n: int) -> np.ndarray:
        """n draws of a habit at its (scaled) rate."""
        return self.rng.random(n) < self.rate(name)

    def chance(self, p: float | np.ndarray, n: int) -> np.ndarray:
        """n Bernoulli draws with probability p (scalar or per-row array)."""
        return self.rng.random(n) < p

    def archetype(self, patient: np.ndarray) -> np.ndarray:
        """The payer archetype of each patient."""
        return self.archetype_of_payer[self.patients.payer[patient]]
