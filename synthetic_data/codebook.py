"""CPT code choice from site and size, as a coder picks it, plus charges from the MPFS.

Excision, shave and malignant-destruction codes are site group x diameter; Mohs first
stages are 17311 (head/neck/hands/feet/genitalia) or 17313 (trunk/arms/legs); repairs
are class x repair site group x length (CPT descriptors, shared/domain §1). Lookups are
numpy table reads over whole columns.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from reference.vocab import SITES

SITE_INDEX = {s: i for i, s in enumerate(SITES)}
# Lesion site group of excisions, shaves and malignant destructions:
# 0 trunk/arms/legs, 1 scalp/neck/hands/feet/genitalia, 2 face/ears/eyelids/nose/lips.
LESION_GROUP = np.array([2, 1, 1, 2, 2, 2, 2, 1, 1, 1, 0, 0, 0])
# Repair groups: intermediate 0 scalp/trunk/limbs, 1 neck/hands/feet/genitalia, 2 face.
INTERMEDIATE_GROUP = np.array([2, 0, 1, 2, 2, 2, 2, 1, 1, 1, 0, 0, 0])
# Complex: 0 trunk, 1 scalp/arms/legs, 2 face/neck/hands/feet/genitalia, 3 eyelids/nose/ears/lips
COMPLEX_GROUP = np.array([2, 1, 2, 3, 3, 3, 3, 2, 2, 2, 0, 1, 1])

EXCISION_SIZE_BINS = np.array([0.55, 1.05, 2.05, 3.05, 4.05])
EXCISION_SIZE_OFFSET = np.array([0, 1, 2, 3, 4, 6])
SHAVE_SIZE_BINS = np.array([0.55, 1.05, 2.05])
BASE_CODES = {
    "excision_benign": np.array([11400, 11420, 11440]),
    "excision_malignant": np.array([11600, 11620, 11640]),
    "destruction_malignant": np.array([17260, 17270, 17280]),
    "shave": np.array([11300, 11305, 11310]),
}
INTERMEDIATE_CODES = np.array([
    [12031, 12032, 12034, 12035, 12035],
    [12041, 12042, 12044, 12045, 12045],
    [12051, 12052, 12053, 12054, 12055],
])
INTERMEDIATE_BINS = np.array([
    [2.55, 7.55, 12.55, 20.05], [2.55, 7.55, 12.55, 20.05], [2.55, 5.05, 7.55, 12.55],
])
COMPLEX_CODES = np.array([[13100, 13101, 13102], [13120, 13121, 13122],
                          [13131, 13132, 13133], [13151, 13152, 13153]])
# Codes the practice bills that the MPFS extract lacks: typical charge per unit (USD).
EXTRA_CHARGES = {"11200": 120.0, "11201": 35.0, "96567": 210.0, "96900": 60.0,
                 "J3301": 6.0, "J3358": 28.0, "J7308": 1250.0}
CHARGE_MARKUP = 1.9  # practice charge master over the Medicare non-facility amount


def as_codes(numbers: np.ndarray) -> np.ndarray:
    """Integer CPT numbers to code strings (object array)."""
    return np.asarray(numbers).astype(str).astype(object)


def site_index(sites: np.ndarray) -> np.ndarray:
    """Site names to indexes into vocab.SITES."""
    return pd.Index(SITES).get_indexer(sites)


def lesion_code(family: str, sites: np.ndarray, size_cm: np.ndarray) -> np.ndarray:
    """Excision / shave / malignant-destruction code from site and (excised) diameter."""
    group = LESION_GROUP[site_index(sites)]
    base = BASE_CODES[family][group]
    if family == "shave":
        return as_codes(base + np.digitize(size_cm, SHAVE_SIZE_BINS))
    return as_codes(base + EXCISION_SIZE_OFFSET[np.digitize(size_cm, EXCISION_SIZE_BINS)])


def mohs_codes(sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mohs first-stage and additional-stage codes by site (17311/+17312 or 17313/+17314)."""
    trunk_limbs = LESION_GROUP[site_index(sites)] == 0
    first = np.where(trunk_limbs, "17313", "17311").astype(object)
    extra = np.where(trunk_limbs, "17314", "17312").astype(object)
    return first, extra


def intermediate_repair_code(sites: np.ndarray, length_cm: np.ndarray) -> np.ndarray:
    """Intermediate (layered) repair code by repair site group and summed length."""
    group = INTERMEDIATE_GROUP[site_index(sites)]
    col = (length_cm[:, None] > INTERMEDIATE_BINS[group]).sum(axis=1)
    return as_codes(INTERMEDIATE_CODES[group, col])


def complex_repair_codes(
    sites: np.ndarray, length_cm: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Complex repair primary code, its add-on code and add-on units (each extra 5 cm)."""
    group = COMPLEX_GROUP[site_index(sites)]
    primary = COMPLEX_CODES[group, (length_cm > 2.55).astype(int)]
    addon_units = np.ceil(np.maximum(length_cm - 7.5, 0) / 5.0).astype(int)
    return as_codes(primary), as_codes(COMPLEX_CODES[group, 2]), addon_units


def simple_repair_code(sites: np.ndarray, length_cm: np.ndarray) -> np.ndarray:
    """Simple repair code (12001/12002 body, 12011/12013 face) by length."""
    face = INTERMEDIATE_GROUP[site_index(sites)] == 2
    longer = length_cm > 2.55
    return as_codes(np.where(face, np.where(longer, 12013, 12011),
                             np.where(longer, 12002, 12001)))


@lru_cache(maxsize=4)
def fee_schedule(cms_dir: Path) -> pd.Series:
    """Charge per unit by code: MPFS non-facility amount x markup, plus EXTRA_CHARGES."""
    path = Path(cms_dir) / "mpfs_pprrvu2025_oct_rvu25d_derm.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False,
                        usecols=["HCPCS", "MOD", "NON-FACILITY TOTAL", "CONV FACTOR"])
    frame = frame[frame["MOD"] == ""].drop_duplicates("HCPCS").set_index("HCPCS")
    amount = (frame["NON-FACILITY TOTAL"].astype(float) * frame["CONV FACTOR"].astype(float))
    fees = (amount * CHARGE_MARKUP).round(2)
    return pd.concat([fees, pd.Series(EXTRA_CHARGES)]).groupby(level=0).first()


def line_charges(rng: np.random.Generator, cpt: np.ndarray, units: np.ndarray,
                 cms_dir: Path) -> np.ndarray:
    """Billed charge per line: fee x units with a small per-line rounding jitter."""
    fees = fee_schedule(cms_dir).reindex(pd.Index(cpt)).fillna(100.0).to_numpy()
    jitter = rng.choice(np.array([0.95, 1.0, 1.0, 1.05]), len(cpt))
    return np.round(fees * units * jitter, 0)
