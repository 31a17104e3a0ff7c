"""ICD-10-CM codes the practice's coders pick from the chart's truth: a lesion's kind
(pathology), site and side, or the problem an E/M addresses.

ICD-10-CM encodes site for skin neoplasms and nevi, and side for ears, eyelids and limbs
(C44.612 BCC right upper limb / C44.619 left; D22.61 / D22.62; C43.61 / C43.62; D03.61 /
D03.62, ...; shared/domain §11). Every code here is a billable FY2026 code whose site and
side agree with reference.icd10.dx_site_side (tests/unit/test_world_diagnoses.py).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from reference.vocab import SITES
from synthetic_data.arrays import isin, lookup, reindexed

SIDED_SITES: tuple[str, ...] = ("ears", "eyelids", "arms", "hands", "legs", "feet")
NEOPLASM_KINDS: tuple[str, ...] = ("bcc", "scc", "melanoma", "melanoma_in_situ",
                                   "scc_in_situ", "nevus", "benign_neoplasm")
MALIGNANT_KINDS: tuple[str, ...] = ("bcc", "scc", "melanoma", "melanoma_in_situ",
                                    "scc_in_situ")
# kind -> site -> code, or (right, left, unspecified side) for sided sites.
_Entry = str | tuple[str, str, str]
_LIMBS = {
    "bcc": (("C44.612", "C44.619", "C44.611"), ("C44.712", "C44.719", "C44.711")),
    "scc": (("C44.622", "C44.629", "C44.621"), ("C44.722", "C44.729", "C44.721")),
    "melanoma": (("C43.61", "C43.62", "C43.60"), ("C43.71", "C43.72", "C43.70")),
    "melanoma_in_situ": (("D03.61", "D03.62", "D03.60"), ("D03.71", "D03.72", "D03.70")),
    "scc_in_situ": (("D04.61", "D04.62", "D04.60"), ("D04.71", "D04.72", "D04.70")),
    "nevus": (("D22.61", "D22.62", "D22.60"), ("D22.71", "D22.72", "D22.70")),
    "benign_neoplasm": (("D23.61", "D23.62", "D23.60"), ("D23.71", "D23.72", "D23.70")),
}
_HEAD: dict[str, dict[str, _Entry]] = {
    "bcc": {"eyelids": ("C44.1121", "C44.1191", "C44.111"),
            "ears": ("C44.212", "C44.219", "C44.211"), "nose": "C44.311", "face": "C44.319",
            "lips": "C44.01", "scalp": "C44.41", "neck": "C44.41", "trunk": "C44.519"},
    "scc": {"eyelids": ("C44.1221", "C44.1291", "C44.121"),
            "ears": ("C44.222", "C44.229", "C44.221"), "nose": "C44.321", "face": "C44.329",
            "lips": "C44.02", "scalp": "C44.42", "neck": "C44.42", "trunk": "C44.529"},
    "melanoma": {"eyelids": ("C43.111", "C43.121", "C43.10"),
                 "ears": ("C43.21", "C43.22", "C43.20"), "nose": "C43.31", "face": "C43.39",
                 "lips": "C43.0", "scalp": "C43.4", "neck": "C43.4", "trunk": "C43.59"},
    "melanoma_in_situ": {"eyelids": ("D03.111", "D03.121", "D03.10"),
                         "ears": ("D03.21", "D03.22", "D03.20"), "nose": "D03.39",
                         "face": "D03.39", "lips": "D03.0", "scalp": "D03.4",
                         "neck": "D03.4", "trunk": "D03.59"},
    "scc_in_situ": {"eyelids": ("D04.111", "D04.121", "D04.10"),
                    "ears": ("D04.21", "D04.22", "D04.20"), "nose": "D04.39",
                    "face": "D04.39", "lips": "D04.0", "scalp": "D04.4", "neck": "D04.4",
                    "trunk": "D04.5"},
    "nevus": {"eyelids": ("D22.111", "D22.121", "D22.10"),
              "ears": ("D22.21", "D22.22", "D22.20"), "nose": "D22.39", "face": "D22.39",
              "lips": "D22.0", "scalp": "D22.4", "neck": "D22.4", "trunk": "D22.5"},
    "benign_neoplasm": {"eyelids": ("D23.111", "D23.121", "D23.10"),
                        "ears": ("D23.21", "D23.22", "D23.20"), "nose": "D23.39",
                        "face": "D23.39", "lips": "D23.0", "scalp": "D23.4",
                        "neck": "D23.4", "trunk": "D23.5"},
}
# Lesion kinds whose code carries no site.
SITELESS: dict[str, str] = {
    "seborrheic_keratosis": "L82.1", "inflamed_sk": "L82.0", "cyst": "L72.0",
    "pilar_cyst": "L72.11", "uncertain": "D48.5", "pending": "D49.2", "actinic": "L57.0",
    "wart": "B07.8", "plantar_wart": "B07.0", "molluscum": "B08.1", "tag": "L91.8",
    "keloid": "L91.0", "genital_wart": "A63.0",
}
# Problems an E/M addresses (no lesion): code, weight.
EM_PROBLEMS: tuple[tuple[str, float], ...] = (
    ("L30.9", 0.16), ("L21.9", 0.07), ("L71.9", 0.08), ("L70.0", 0.09), ("L20.9", 0.09),
    ("L40.0", 0.09), ("L60.0", 0.03), ("B35.1", 0.04), ("L29.9", 0.05), ("L73.2", 0.02),
    ("Z85.828", 0.10), ("L57.0", 0.06), ("L82.0", 0.03), ("D22.5", 0.03), ("L63.9", 0.02),
    ("L50.1", 0.02), ("L81.4", 0.02),
)
SCREENING = "Z12.83"
AFTERCARE = "Z48.817"  # surgical aftercare following surgery on the skin
DEHISCENCE = "T81.31XA"
WOUND_INFECTION = "T81.41XA"
ABSCESS: tuple[str, ...] = ("L02.212", "L02.213", "L02.414", "L02.91", "L72.3")


def _entries() -> list[tuple[str, str, str, str]]:
    """(kind, site, side, code) rows of the neoplasm table; side right/left/unspecified
    for sided sites, '' otherwise."""
    rows = []
    for kind, head in _HEAD.items():
        arm, leg = _LIMBS[kind]
        table: dict[str, _Entry] = {**head, "arms": arm, "hands": arm, "legs": leg,
                                    "feet": leg}
        for site, entry in table.items():
            if isinstance(entry, tuple):
                rows += [(kind, site, s, c) for s, c in zip(("right", "left", "unspecified"),
                                                             entry)]
            else:
                rows += [(kind, site, "", entry)]
    return rows


@lru_cache(maxsize=1)
def neoplasm_table() -> pd.Series:
    """Code by 'kind|site|side' for the neoplasm kinds (side '' for unsided sites)."""
    rows = _entries()
    index = pd.Index(["|".join(r[:3]) for r in rows], dtype=object)
    return pd.Series([r[3] for r in rows], index=index, dtype=object)


def lesion_dx(kind: np.ndarray, site: np.ndarray, side: np.ndarray) -> np.ndarray:
    """The ICD-10-CM code of each lesion from its kind, site and side ('right', 'left',
    'unspecified'; ignored for unsided sites). Sites a kind has no code for (genitalia
    neoplasms) fall back to the trunk code; siteless kinds use SITELESS."""
    kind = np.asarray(kind, dtype=object)
    site = np.where(isin(site, SITES) & (site != "genitalia"), site, "trunk")
    sided = isin(site, SIDED_SITES)
    key_side = np.where(sided, np.where(isin(side, ("right", "left")), side,
                                        "unspecified"), "")
    table = neoplasm_table()
    keys = kind + "|" + site.astype(object) + "|" + key_side.astype(object)
    found = reindexed(table, keys, None)
    siteless = lookup(SITELESS, kind)
    return np.where(pd.isna(found), siteless, found)


def other_side(side: np.ndarray) -> np.ndarray:
    """left <-> right (anything else unchanged): a wrong-side diagnosis slip."""
    return np.where(side == "left", "right", np.where(side == "right", "left", side))


def pick(rng: np.random.Generator, pool, n: int, weights=None) -> np.ndarray:
    """n draws from a pool of strings (optionally weighted), as an object array."""
    p = None if weights is None else np.asarray(weights, dtype=float) / np.sum(weights)
    return np.asarray(pool, dtype=object)[rng.choice(len(pool), n, p=p)]


def em_problems(rng: np.random.Generator, n: int) -> np.ndarray:
    """The problem each of n E/M visits addresses (when no lesion or treatment does)."""
    codes, weights = zip(*EM_PROBLEMS)
    return pick(rng, codes, n, weights)
