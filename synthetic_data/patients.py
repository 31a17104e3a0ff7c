"""Claim headers: payer, patient age/sex/birth date, member id, provider NPI, service date.

All functions draw whole columns at once from a numpy Generator; nothing loops per claim.
Ages follow the payer (Medicare mostly 65+, Medicaid younger, commercial 18-64) because
the encounter mix, and so the denial drivers, follow age.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from reference.vocab import PAYERS
from synthetic_data.payers import AGE_BANDS, PAYER_MIX

AGE_CHILD, AGE_ADULT, AGE_SENIOR = 0, 1, 2
N_PROVIDERS = 14
_MBI_LETTERS = np.frombuffer(b"ACDEFGHJKMNPQRTUVWXY", dtype=np.uint8)
_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
# Member-id shape per payer: 'D' digit, 'L' MBI letter, 'N' non-zero digit, else literal.
MEMBER_ID_SHAPE: dict[str, str] = {
    "MCR": "NLDLDLDLLDD", "MCA": "NLDLDLDLLDD", "MCD": "DDDDDDDDDDD",
    "COA": "WDDDDDDDDD", "COB": "XJBDDDDDDDDD", "COC": "CDDDDDDDD",
}


def sample_payers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Payer index (into vocab.PAYERS) per claim, drawn from the payer mix."""
    weights = np.array([PAYER_MIX[p] for p in PAYERS])
    return rng.choice(len(PAYERS), size=n, p=weights / weights.sum())


def sample_age_bands(rng: np.random.Generator, payer: np.ndarray) -> np.ndarray:
    """Age band (child/adult/senior) per claim, conditional on the payer."""
    cum = np.cumsum([AGE_BANDS[p] for p in PAYERS], axis=1)
    u = rng.random(len(payer))
    return (u[:, None] > cum[payer]).sum(axis=1).clip(0, 2)


def sample_ages(rng: np.random.Generator, band: np.ndarray) -> np.ndarray:
    """Age in years within each band (children 2-17, adults 18-64, seniors 65-99)."""
    n = len(band)
    child = rng.integers(2, 18, n)
    adult = np.clip(18 + rng.beta(2.2, 1.6, n) * 47, 18, 64.99).astype(int)
    senior = np.clip(65 + rng.gamma(2.0, 5.5, n), 65, 99).astype(int)
    return np.select([band == AGE_CHILD, band == AGE_ADULT], [child, adult], senior)


def sample_service_dates(rng: np.random.Generator, n: int, start, end) -> np.ndarray:
    """Weekday dates of service spread uniformly over [start, end] (datetime64[D])."""
    first, last = np.datetime64(start, "D"), np.datetime64(end, "D")
    span = int((last - first).astype(int)) + 1
    days = first + rng.integers(0, span, n).astype("timedelta64[D]")
    weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    shift = np.select([weekday == 5, weekday == 6], [-1, 1], 0).astype("timedelta64[D]")
    moved = days + shift
    return np.where((moved < first) | (moved > last), days, moved)


def birth_dates(rng: np.random.Generator, dos: np.ndarray, ages: np.ndarray) -> np.ndarray:
    """Birth dates giving each patient the drawn age on the date of service."""
    offset = (ages * 365.25 + rng.integers(1, 365, len(ages))).astype("timedelta64[D]")
    return dos - offset


def random_ids(rng: np.random.Generator, n: int, shape: str) -> np.ndarray:
    """n random identifiers following a shape string (see MEMBER_ID_SHAPE)."""
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


def member_ids(rng: np.random.Generator, payer: np.ndarray) -> np.ndarray:
    """Member id per claim in its payer's format (MBI for Medicare, W-number, ...)."""
    out = np.empty(len(payer), dtype=object)
    for i, p in enumerate(PAYERS):
        mask = payer == i
        out[mask] = random_ids(rng, int(mask.sum()), MEMBER_ID_SHAPE[p])
    return out


def luhn_npi(base9: int) -> str:
    """A valid 10-digit NPI from 9 digits (Luhn over the 80840 prefix, per CMS)."""
    digits = [int(d) for d in f"80840{base9:09d}"]
    total = 0
    for i, d in enumerate(reversed(digits)):
        total += sum(divmod(d * 2, 10)) if i % 2 == 0 else d
    return f"{base9:09d}{(10 - total % 10) % 10}"


@lru_cache(maxsize=1)
def provider_npis() -> np.ndarray:
    """The practice's rendering providers (fixed NPIs, physicians and NP/PAs)."""
    return np.array([luhn_npi(123456780 + 7919 * i) for i in range(N_PROVIDERS)], dtype=object)


def sample_headers(rng: np.random.Generator, n: int, start, end) -> pd.DataFrame:
    """Claim header columns (payer, demographics, provider, service date) for n claims."""
    payer = sample_payers(rng, n)
    band = sample_age_bands(rng, payer)
    ages = sample_ages(rng, band)
    dos = sample_service_dates(rng, n, start, end)
    sex = rng.choice(np.array(["F", "M", "U"], dtype=object), n, p=[0.53, 0.465, 0.005])
    pos = rng.choice(np.array(["11", "22", "24"], dtype=object), n, p=[0.96, 0.03, 0.01])
    return pd.DataFrame({
        "payer_idx": payer, "payer_id": np.array(PAYERS, dtype=object)[payer],
        "age_band": band, "age": ages, "dos": dos, "birth_date": birth_dates(rng, dos, ages),
        "sex": sex, "place_of_service": pos, "member_id": member_ids(rng, payer),
        "rendering_npi": provider_npis()[rng.integers(0, N_PROVIDERS, n)],
    })
