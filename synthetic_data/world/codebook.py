"""CPT/HCPCS codes that describe the work, as a careful coder picks them, over whole columns.

Excision, shave and malignant-destruction codes from site group x diameter (excisions:
the excised diameter, lesion + 2 x narrowest margin) read from reference/families' CPT
descriptor facts; Mohs first stage by site; repairs by class, repair site group and
summed length (CPT 12031-12057, 13100-13153 descriptors); drugs with their NDC and unit.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from reference.families import (
    EXCISION_BANDS,
    FAMILY_BASES,
    SHAVE_BANDS,
    SITE_GROUP_ORDER,
    site_group_of,
)
from reference.vocab import SITES
from synthetic_data.arrays import object_index, reindexed

SITE_INDEX = pd.Index(SITES, dtype=object)
LESION_GROUP = np.array([SITE_GROUP_ORDER.index(site_group_of(s)) for s in SITES] + [0])
# Repair site groups (CPT): intermediate 0 scalp/axillae/trunk/extremities, 1 neck/hands/
# feet/external genitalia, 2 face/ears/eyelids/nose/lips/mucous membranes; complex 0 trunk,
# 1 scalp/arms/legs, 2 forehead/cheeks/chin/mouth/neck/axillae/genitalia/hands/feet,
# 3 eyelids/nose/ears/lips (index = vocab.SITES order).
INTERMEDIATE_GROUP = np.array([2, 0, 1, 2, 2, 2, 2, 1, 1, 1, 0, 0, 0, 0])
COMPLEX_GROUP = np.array([2, 1, 2, 3, 3, 3, 3, 2, 2, 2, 0, 1, 1, 0])
INTERMEDIATE_CODES = np.array([
    [12031, 12032, 12034, 12035, 12036, 12037],
    [12041, 12042, 12044, 12045, 12046, 12047],
    [12051, 12052, 12053, 12054, 12055, 12056],
])
INTERMEDIATE_BINS = np.array([  # upper lengths (cm) of the first five codes of each row
    [2.5, 7.5, 12.5, 20.0, 30.0], [2.5, 7.5, 12.5, 20.0, 30.0], [2.5, 5.0, 7.5, 12.5, 20.0],
])
COMPLEX_CODES = np.array([[13100, 13101, 13102], [13120, 13121, 13122],
                          [13131, 13132, 13133], [13151, 13152, 13153]])
SIMPLE_REPAIR = {"body": (12001, 12002), "face": (12011, 12013)}  # <=2.5 cm, 2.6-7.5 cm
# Adjacent tissue transfer (090): trunk 14000, scalp/arms/legs 14020, forehead/cheeks/
# chin/mouth/neck/axillae/genitalia/hands/feet 14040, eyelids/nose/ears/lips 14060;
# <=10 sq cm, then 10.1-30 sq cm (+1).
ATT_BASE = np.array([14040, 14020, 14040, 14060, 14060, 14060, 14060, 14040, 14040, 14040,
                     14000, 14020, 14020, 14000])
# Drugs the practice buys and bills: HCPCS unit, NDC (11 digits, 5-4-2) of the package it
# stocks, NDC unit; illustrative package codes of the right shape.
DRUGS: dict[str, tuple[str, str]] = {
    "J3301": ("00003029305", "ML"),  # triamcinolone acetonide 10 mg/mL (per 10 mg)
    "J7308": ("67308010101", "UN"),  # aminolevulinic acid 20% topical (354 mg unit)
    "J3358": ("57894005427", "ML"),  # ustekinumab IV 130 mg/26 mL (per 1 mg)
    "J3245": ("47335017795", "ML"),  # tildrakizumab 100 mg/mL (per 1 mg)
    "J2357": ("50242004062", "UN"),  # omalizumab 150 mg vial (per 5 mg)
    "J0135": ("00074433902", "UN"),  # adalimumab 20 mg (per 20 mg)
}


def as_codes(numbers: np.ndarray) -> np.ndarray:
    """Integer CPT numbers to code strings (object array)."""
    return np.asarray(numbers).astype(np.int64).astype(str).astype(object)


def site_index(sites: np.ndarray) -> np.ndarray:
    """Site names to indexes into vocab.SITES (len(SITES) for missing/unknown)."""
    idx = SITE_INDEX.get_indexer(object_index(sites))
    return np.where(idx < 0, len(SITES), idx)


def size_offset(family: str, size_cm: np.ndarray) -> np.ndarray:
    """Code offset of the diameter band (CPT descriptors) each size falls in."""
    bands = SHAVE_BANDS if family == "shave" else EXCISION_BANDS
    highs = np.array([high for _, _, high in bands])
    offsets = np.array([offset for offset, _, _ in bands])
    rounded = np.round(np.nan_to_num(size_cm, nan=0.1), 1)
    return offsets[np.minimum(np.searchsorted(highs, rounded - 1e-9), len(bands) - 1)]


def lesion_codes(family: str, sites: np.ndarray, size_cm: np.ndarray) -> np.ndarray:
    """Excision / shave / malignant-destruction code per lesion from site and diameter
    (vectorised reference.families.lesion_code)."""
    base = np.array(FAMILY_BASES[family])[LESION_GROUP[site_index(sites)]]
    return as_codes(base + size_offset(family, size_cm))


def mohs_codes(sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mohs first-stage and additional-stage codes by site (17311/+17312 head, neck,
    hands, feet, genitalia; 17313/+17314 trunk, arms, legs)."""
    trunk_limbs = LESION_GROUP[site_index(sites)] == 0
    return (np.where(trunk_limbs, "17313", "17311").astype(object),
            np.where(trunk_limbs, "17314", "17312").astype(object))


def intermediate_repair_codes(sites: np.ndarray, length_cm: np.ndarray) -> np.ndarray:
    """Intermediate (layered) repair code by repair site group and summed length."""
    group = INTERMEDIATE_GROUP[site_index(sites)]
    col = (np.round(length_cm, 1)[:, None] > INTERMEDIATE_BINS[group]).sum(axis=1)
    return as_codes(INTERMEDIATE_CODES[group, col])


def complex_repair_codes(sites: np.ndarray, length_cm: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Complex repair primary (1.1-2.5 / 2.6-7.5 cm), its add-on and add-on units (each
    additional 5 cm past 7.5)."""
    group = COMPLEX_GROUP[site_index(sites)]
    primary = COMPLEX_CODES[group, (np.round(length_cm, 1) > 2.5).astype(int)]
    units = np.ceil(np.maximum(np.round(length_cm, 1) - 7.5, 0) / 5.0).astype(np.int64)
    return as_codes(primary), as_codes(COMPLEX_CODES[group, 2]), units


def simple_repair_codes(sites: np.ndarray, length_cm: np.ndarray) -> np.ndarray:
    """Simple repair (12001/12002 scalp-trunk-limbs, 12011/12013 face) by length."""
    face = INTERMEDIATE_GROUP[site_index(sites)] == 2
    longer = np.round(length_cm, 1) > 2.5
    body, facial = SIMPLE_REPAIR["body"], SIMPLE_REPAIR["face"]
    return as_codes(np.where(face, np.where(longer, facial[1], facial[0]),
                             np.where(longer, body[1], body[0])))


def att_codes(sites: np.ndarray, defect_sq_cm: np.ndarray) -> np.ndarray:
    """Adjacent tissue transfer code by site and defect area (<=10 / 10.1-30 sq cm)."""
    return as_codes(ATT_BASE[site_index(sites)] + (defect_sq_cm > 10).astype(int))


@lru_cache(maxsize=1)
def drug_table() -> pd.DataFrame:
    """code -> ndc, unit (the NDC unit of measure of the 837P CTP segment)."""
    return pd.DataFrame.from_dict(DRUGS, orient="index", columns=["ndc", "unit"])


def drug_ndc(codes: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """NDC and drug quantity ('UN 4') per drug line (None for non-drug codes)."""
    table = drug_table()
    ndc = reindexed(table["ndc"], codes, None)
    qty = (reindexed(table["unit"], codes, "") + " "
           + np.asarray(units).astype(str).astype(object))
    known = pd.notna(ndc)
    return np.where(known, ndc, None), np.where(known, qty, None)
