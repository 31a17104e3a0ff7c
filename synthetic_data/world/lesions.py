"""Lesion truth: where a lesion is (site, side), how big it is, what the pathology says,
and the biopsy technique used. Drawn for whole columns of lesions at once.

Sun-exposed sites for actinic keratoses and keratinocyte cancers, the body for nevi and
cysts, hands/feet for warts; side left/right for paired sites (ICD-10-CM encodes it for
ears, eyelids and limbs), midline for nose and lips. Pathology depends on the patient's
skin-cancer risk (shared/domain §4: D49.2 until the report, D48.5 only when the
pathologist calls it uncertain).
"""

from __future__ import annotations

import numpy as np

from synthetic_data.arrays import isin, lookup
from synthetic_data.world.diagnoses import SIDED_SITES, pick

SUN_SITES = ("face", "scalp", "ears", "nose", "hands", "arms", "neck", "lips", "eyelids")
SUN_WEIGHTS = (0.30, 0.17, 0.09, 0.10, 0.12, 0.13, 0.05, 0.02, 0.02)
BODY_SITES = ("trunk", "arms", "legs", "neck", "face", "scalp", "feet", "hands")
BODY_WEIGHTS = (0.40, 0.17, 0.17, 0.07, 0.10, 0.04, 0.02, 0.03)
CANCER_SITES = SUN_SITES + ("trunk", "legs")
CANCER_WEIGHTS = (0.22, 0.08, 0.07, 0.12, 0.05, 0.09, 0.05, 0.02, 0.02, 0.18, 0.10)
WART_SITES = ("hands", "feet", "face", "arms", "legs", "genitalia")
WART_WEIGHTS = (0.42, 0.32, 0.07, 0.08, 0.08, 0.03)
TAG_SITES = ("neck", "trunk", "eyelids", "genitalia")
TAG_WEIGHTS = (0.52, 0.30, 0.12, 0.06)
# Biopsy pathology by patient risk: kind, P(low risk), P(skin-cancer history).
PATHOLOGY: tuple[tuple[str, float, float], ...] = (
    ("bcc", 0.07, 0.23), ("scc", 0.03, 0.11), ("scc_in_situ", 0.02, 0.05),
    ("melanoma", 0.004, 0.015), ("melanoma_in_situ", 0.008, 0.02),
    ("nevus", 0.36, 0.17), ("benign_neoplasm", 0.10, 0.05),
    ("seborrheic_keratosis", 0.13, 0.10), ("inflamed_sk", 0.10, 0.08),
    ("uncertain", 0.05, 0.05), ("actinic", 0.078, 0.11),
)
TECHNIQUES = ("tangential", "punch", "incisional")
TECHNIQUE_WEIGHTS = (0.62, 0.33, 0.05)
# Narrowest clinical margin (cm) taken around each kind when excised.
MARGIN_CM: dict[str, tuple[float, float]] = {
    "bcc": (0.3, 0.5), "scc": (0.4, 0.6), "scc_in_situ": (0.2, 0.4), "melanoma": (1.0, 1.0),
    "melanoma_in_situ": (0.5, 0.5), "nevus": (0.1, 0.2), "benign_neoplasm": (0.1, 0.2),
    "cyst": (0.1, 0.2), "uncertain": (0.2, 0.3),
}


def sides(rng: np.random.Generator, site: np.ndarray) -> np.ndarray:
    """left/right for paired sites and the face (cheek, temple), midline for nose and
    lips, and a mix for scalp, neck and trunk (no side in their ICD-10-CM codes)."""
    n = len(site)
    lr = np.where(rng.random(n) < 0.5, "left", "right").astype(object)
    paired = isin(site, SIDED_SITES + ("face",))
    middle = isin(site, ("nose", "lips", "genitalia"))
    mixed = np.where(rng.random(n) < 0.3, "midline", lr)
    return np.where(paired, lr, np.where(middle, "midline", mixed)).astype(object)


def diameters(rng: np.random.Generator, n: int, median: float, low: float,
              high: float) -> np.ndarray:
    """Lesion diameters (cm, one decimal) from a log-normal around `median`."""
    return np.round(np.clip(rng.lognormal(np.log(median), 0.45, n), low, high), 1)


def counts(rng: np.random.Generator, n: int, median: float, high: int) -> np.ndarray:
    """Lesion counts per visit, log-normal around `median`, 1..high."""
    return np.clip(np.rint(rng.lognormal(np.log(median), 0.8, n)), 1, high).astype(np.int64)


def sample_sites(rng: np.random.Generator, n: int, kind: str) -> np.ndarray:
    """Sites of n lesions of a clinical context: sun, body, cancer, wart or tag."""
    pools = {"sun": (SUN_SITES, SUN_WEIGHTS), "body": (BODY_SITES, BODY_WEIGHTS),
             "cancer": (CANCER_SITES, CANCER_WEIGHTS), "wart": (WART_SITES, WART_WEIGHTS),
             "tag": (TAG_SITES, TAG_WEIGHTS)}
    pool, weights = pools[kind]
    return pick(rng, pool, n, weights)


def pathology(rng: np.random.Generator, high_risk: np.ndarray) -> np.ndarray:
    """Pathology kind of each biopsied lesion, by the patient's risk."""
    kinds = np.array([k for k, _, _ in PATHOLOGY], dtype=object)
    table = np.array([[lo for _, lo, _ in PATHOLOGY], [hi for _, _, hi in PATHOLOGY]])
    cum = np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(high_risk))
    idx = (u[:, None] > cum[high_risk.astype(int)]).sum(axis=1)
    return kinds[np.minimum(idx, len(kinds) - 1)]


def margins(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    """Narrowest margin (cm) around each excised lesion of these kinds."""
    low = lookup({k: v[0] for k, v in MARGIN_CM.items()}, kind, 0.2, dtype=float)
    high = lookup({k: v[1] for k, v in MARGIN_CM.items()}, kind, 0.2, dtype=float)
    return np.round(low + (high - low) * rng.random(len(kind)), 1)


def techniques(rng: np.random.Generator, n: int) -> np.ndarray:
    """Biopsy technique per lesion (index into TECHNIQUES)."""
    return rng.choice(len(TECHNIQUES), n, p=TECHNIQUE_WEIGHTS)
