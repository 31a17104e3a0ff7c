"""Diagnosis and site pools the encounter builders draw from (all from features/linkage.py).

Malignant diagnoses follow the lesion site (C44.311 nose, C44.41 scalp/neck, C44.612 arm,
...), so a Mohs claim on the nose carries a nose carcinoma. Pools are tuples; `pick`
draws from them for whole columns at once.
"""

from __future__ import annotations

import numpy as np

from reference import linkage as lk
from synthetic_data.codebook import site_index

SUN_SITES = ("face", "scalp", "ears", "nose", "hands", "arms", "neck", "lips")
SUN_WEIGHTS = (0.30, 0.18, 0.10, 0.10, 0.14, 0.12, 0.04, 0.02)
BODY_SITES = ("trunk", "arms", "legs", "neck", "face", "scalp")
BODY_WEIGHTS = (0.42, 0.18, 0.16, 0.08, 0.10, 0.06)
MOHS_SITES = ("face", "nose", "ears", "scalp", "eyelids", "lips", "neck", "hands",
              "trunk", "arms", "legs")
MOHS_WEIGHTS = (0.26, 0.20, 0.09, 0.08, 0.03, 0.04, 0.06, 0.05, 0.08, 0.06, 0.05)
WART_SITES = ("hands", "feet", "face", "arms", "legs", "genitalia")
WART_WEIGHTS = (0.40, 0.30, 0.08, 0.08, 0.08, 0.06)
TAG_SITES = ("neck", "trunk", "eyelids", "genitalia")
TAG_WEIGHTS = (0.50, 0.30, 0.12, 0.08)

# Malignant diagnoses by lesion site (index = vocab.SITES order), BCC first.
MALIGNANT_BY_SITE: dict[str, tuple[str, ...]] = {
    "face": ("C44.311", "C44.321", "C43.39"), "nose": ("C44.311", "C44.321"),
    "scalp": ("C44.41", "C44.42"), "neck": ("C44.41", "C44.42"),
    "ears": ("C44.211",), "eyelids": ("C44.1121",), "lips": ("C44.311",),
    "hands": ("C44.612", "C44.622"), "arms": ("C44.612", "C44.622", "C43.61"),
    "feet": ("C44.712", "C44.722"), "legs": ("C44.712", "C44.722"),
    "genitalia": ("C44.529",), "trunk": ("C44.519", "C44.529", "C43.59"),
}
BIOPSY_DX = ("D49.2", "D49.2", "D49.2", "L98.9", "D48.5", "D22.5", "D22.61", "L82.0")
EM_DX = (*lk.EM_ONLY_DX, *lk.PSORIASIS_ECZEMA_DX, "L57.0", "L82.0", "D22.5")
BENIGN_EXCISION_DX = (*lk.NEVUS_DX, *lk.BENIGN_NEOPLASM_DX, *lk.CYST_DX, *lk.CYST_DX, "D48.5")
SHAVE_DX = (*lk.NEVUS_DX, "D23.5", "L82.0", "D48.5", "L82.1")
PHOTO_DX = ("L40.0", "L40.0", "L40.0", "L40.8", "L20.9", "L20.89")
INTRALESIONAL_DX = ("L91.0", "L91.0", "L70.0", "L63.9", "L40.0")


def pick(rng: np.random.Generator, pool: tuple[str, ...], n: int,
         weights: tuple[float, ...] | None = None) -> np.ndarray:
    """n draws from a pool of strings (optionally weighted), as an object array."""
    p = None if weights is None else np.asarray(weights) / np.sum(weights)
    return np.asarray(pool, dtype=object)[rng.choice(len(pool), n, p=p)]


def malignant_dx(rng: np.random.Generator, sites: np.ndarray) -> np.ndarray:
    """A site-consistent skin cancer diagnosis per lesion (BCC twice as likely as SCC)."""
    from reference.vocab import SITES

    width = max(len(v) for v in MALIGNANT_BY_SITE.values())
    table = np.empty((len(SITES), width), dtype=object)
    lengths = np.zeros(len(SITES), dtype=int)
    for i, s in enumerate(SITES):
        codes = MALIGNANT_BY_SITE[s]
        lengths[i] = len(codes)
        table[i] = [codes[min(j, len(codes) - 1)] for j in range(width)]
    idx = site_index(sites)
    u = rng.random(len(sites)) ** 1.6  # skew towards the first (BCC) entries
    return table[idx, (u * lengths[idx]).astype(int)]
