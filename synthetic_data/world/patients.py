"""The practice's patients: payer, age, sex, member ids (with dependants), conditions,
and when each was last seen before the simulation (new vs established, CPT: not seen by
the practice's physicians of the same specialty in 3 years).

Conditions drive the visits a patient makes (synthetic_data/world/timeline.py): actinic
damage and skin-cancer history in seniors, warts and acne in children, psoriasis/eczema
at every age (some on phototherapy or a buy-and-bill biologic), benign growths, and a few
patients who want cosmetic work. All columns are drawn at once for a block of patients.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic_data.profiles.model import PracticeProfile

AGE_CHILD, AGE_ADULT, AGE_SENIOR = 0, 1, 2
NEVER_SEEN = -100_000  # last_seen of a patient new to the practice
ESTABLISHED_DAYS = 3 * 365  # CPT new patient: no professional service in 3 years
_MBI_LETTERS = np.frombuffer(b"ACDEFGHJKMNPQRTUVWXY", dtype=np.uint8)
_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
# Condition prevalence by age band (child, adult, senior).
CONDITIONS: dict[str, tuple[float, float, float]] = {
    "actinic": (0.0, 0.10, 0.48),
    "cancer": (0.0, 0.07, 0.32),
    "inflammatory": (0.16, 0.13, 0.09),
    "acne": (0.30, 0.08, 0.0),
    "warts": (0.28, 0.04, 0.01),
    "benign": (0.05, 0.30, 0.45),
    "cosmetic": (0.0, 0.05, 0.02),
    "keloid_alopecia": (0.03, 0.05, 0.02),
}
PHOTOTHERAPY_SHARE = 0.25  # of inflammatory patients
BIOLOGIC_SHARE = 0.08  # of adult inflammatory patients (buy-and-bill, office administered)


@dataclass
class Patients:
    """Aligned columns, one row per patient of a block."""

    payer: np.ndarray  # index into profile.payers
    band: np.ndarray
    age0: np.ndarray  # age (years) at the window start
    birth: np.ndarray  # datetime64[D]
    sex: np.ndarray
    member_id: np.ndarray
    subscriber_id: np.ndarray
    relationship: np.ndarray  # 837P SBR02/PAT01: 18 self, 01 spouse, 19 child
    conditions: dict[str, np.ndarray]
    last_seen: np.ndarray  # day (window start = 0) of the last visit before the simulation
    arrives: np.ndarray  # first day the patient can be seen in the simulation

    def __len__(self) -> int:
        return len(self.payer)


def random_ids(rng: np.random.Generator, n: int, shape: str) -> np.ndarray:
    """n random identifiers following a shape ('D' digit, 'N' non-zero digit, 'L' MBI
    letter, anything else literal), as an object array of str."""
    if n == 0:
        return np.zeros(0, dtype=object)
    cols = []
    for ch in shape:
        if ch == "D":
            cols.append(rng.choice(_DIGITS, n))
        elif ch == "N":
            cols.append(rng.choice(_DIGITS[1:], n))
        elif ch == "L":
            cols.append(rng.choice(_MBI_LETTERS, n))
        else:
            cols.append(np.full(n, ord(ch), dtype=np.uint8))
    raw = np.ascontiguousarray(np.stack(cols, axis=1).astype(np.uint8))
    return raw.view(f"S{len(shape)}").ravel().astype(str).astype(object)


def sample_ages(rng: np.random.Generator, band: np.ndarray) -> np.ndarray:
    """Age in years within each band (children 1-17, adults 18-64, seniors 65-99)."""
    n = len(band)
    child = rng.uniform(1, 18, n)
    adult = np.clip(18 + rng.beta(2.2, 1.6, n) * 47, 18, 64.99)
    senior = np.clip(65 + rng.gamma(2.0, 5.5, n), 65, 99.5)
    return np.select([band == AGE_CHILD, band == AGE_ADULT], [child, adult], senior)


def member_identity(rng: np.random.Generator, profile: PracticeProfile, payer: np.ndarray,
                    band: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """member_id, subscriber_id and relationship per patient. Commercial plans issue one
    id per subscriber with a person suffix (01 subscriber, 02 spouse, 03+ children, whose
    claims name the parent as subscriber); Medicare and Medicaid cover each person."""
    n = len(payer)
    base = np.empty(n, dtype=object)
    commercial = np.zeros(n, dtype=bool)
    for i, p in enumerate(profile.payers):
        mask = payer == i
        base[mask] = random_ids(rng, int(mask.sum()), p.member_id_shape)
        commercial[mask] = p.archetype.startswith("commercial")
    child = commercial & (band == AGE_CHILD)
    spouse = commercial & (band != AGE_CHILD) & (rng.random(n) < 0.15)
    suffix = np.where(child, "0" + rng.integers(3, 6, n).astype(str).astype(object),
                      np.where(spouse, "02", "01")).astype(object)
    member = np.where(commercial, base + suffix, base).astype(object)
    subscriber = np.where(commercial, base + "01", base).astype(object)
    relationship = np.where(child, "19", np.where(spouse, "01", "18")).astype(object)
    return member, subscriber, relationship


def sample_conditions(rng: np.random.Generator, band: np.ndarray) -> dict[str, np.ndarray]:
    """Conditions per patient (booleans), by age band; phototherapy and biologic
    candidates are subsets of the inflammatory patients."""
    n = len(band)
    out = {name: rng.random(n) < np.asarray(rates)[band] for name, rates in CONDITIONS.items()}
    out["phototherapy"] = out["inflammatory"] & (rng.random(n) < PHOTOTHERAPY_SHARE)
    out["biologic"] = (out["inflammatory"] & (band != AGE_CHILD)
                       & (rng.random(n) < BIOLOGIC_SHARE))
    return out


def sample_patients(rng: np.random.Generator, profile: PracticeProfile, n: int,
                    sim_start: int, span: int, start: np.datetime64) -> Patients:
    """A block of n patients. About 70% were seen before the simulation starts (last
    visit up to 4 years earlier: established unless older than 3 years); the others
    arrive at a uniform day of the simulated period."""
    shares = np.array([p.share for p in profile.payers])
    payer = rng.choice(len(shares), n, p=shares / shares.sum())
    cum = np.cumsum([p.age_mix for p in profile.payers], axis=1)
    band = (rng.random(n)[:, None] > cum[payer]).sum(axis=1).clip(0, 2)
    age0 = sample_ages(rng, band)
    birth = start - np.round(age0 * 365.25).astype("timedelta64[D]")
    sex = rng.choice(np.array(["F", "M", "U"], dtype=object), n, p=[0.53, 0.466, 0.004])
    member, subscriber, relationship = member_identity(rng, profile, payer, band)
    seen_before = rng.random(n) < 0.70
    last_seen = np.where(seen_before, sim_start - rng.integers(1, 4 * 365, n), NEVER_SEEN)
    arrives = np.where(seen_before, sim_start, rng.integers(sim_start, span + 1, n))
    return Patients(payer=payer, band=band, age0=age0, birth=birth, sex=sex,
                    member_id=member, subscriber_id=subscriber, relationship=relationship,
                    conditions=sample_conditions(rng, band), last_seen=last_seen,
                    arrives=arrives)
