"""The practice's rendering providers: NPIs, types, Mohs surgeons, start dates, payer
enrolment dates, and who renders each visit.

NPIs carry a valid check digit (Luhn over the 80840 prefix, per CMS). A provider renders
visits from the day they start; a payer pays them from their enrolment effective date
(absent = enrolled before the window): visits between the two are billed anyway, which is
the credentialing gap payers deny (CO-185 / CO-B7, shared/domain §11).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from synthetic_data.profiles.model import PracticeProfile

ALWAYS = -10**6  # enrolment / start day of a provider enrolled before the window


def luhn_npi(base9: int) -> str:
    """A valid 10-digit NPI from 9 digits (Luhn over the 80840 prefix, per CMS)."""
    digits = [int(d) for d in f"80840{base9:09d}"]
    total = 0
    for i, d in enumerate(reversed(digits)):
        total += sum(divmod(d * 2, 10)) if i % 2 == 0 else d
    return f"{base9:09d}{(10 - total % 10) % 10}"


def npi_is_valid(npi: str) -> bool:
    """Check digit test of a 10-digit NPI."""
    return len(npi) == 10 and npi.isdigit() and luhn_npi(int(npi[:9])) == npi


def day_of(value: date | None, start: date) -> int:
    """Day number of a date relative to the window start (ALWAYS for None)."""
    return ALWAYS if value is None else (value - start).days


@dataclass(frozen=True)
class Providers:
    """Provider columns (one row per provider) and the enrolment matrix."""

    npi: np.ndarray
    nonphysician: np.ndarray  # NP / PA
    mohs: np.ndarray
    starts: np.ndarray  # day the provider starts rendering
    weight: np.ndarray
    enrolled: np.ndarray  # (providers x payers) first enrolled day

    def __len__(self) -> int:
        return len(self.npi)


def build_providers(profile: PracticeProfile) -> Providers:
    """The profile's providers as arrays (days relative to the profile's window start)."""
    start, payers = profile.start, profile.payer_ids
    provs = profile.providers
    return Providers(
        npi=np.array([luhn_npi(p.npi_base) for p in provs], dtype=object),
        nonphysician=np.array([p.kind in ("NP", "PA") for p in provs]),
        mohs=np.array([p.mohs_surgeon for p in provs]),
        starts=np.array([day_of(p.starts, start) for p in provs], dtype=np.int64),
        weight=np.array([p.weight for p in provs], dtype=np.float64),
        enrolled=np.array([[day_of(p.enrolled.get(pid, p.starts), start) for pid in payers]
                           for p in provs], dtype=np.int64),
    )


def assign_providers(rng: np.random.Generator, provs: Providers, days: np.ndarray,
                     mohs_only: np.ndarray) -> np.ndarray:
    """Rendering provider per visit: any provider active that day, by weight; Mohs
    visits go to the Mohs surgeons only."""
    active = provs.starts[None, :] <= days[:, None]
    allowed = active & np.where(mohs_only[:, None], provs.mohs[None, :], True)
    weights = np.where(allowed, provs.weight[None, :], 0.0)
    weights[weights.sum(axis=1) == 0] = provs.weight  # nobody active yet: anyone
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(days)) * cum[:, -1]
    return (u[:, None] >= cum).sum(axis=1).clip(0, len(provs) - 1)
