"""Visits that follow from what happened: the treatment of a malignant biopsy, and after
surgery a re-excision for positive margins, an unplanned return for a complication, or a
routine post-op visit the practice bills by mistake.

Treatment follows the lesion (shared/domain §5, Anthem CG-SURG-90 / AUC): Mohs mostly on
the head, neck, hands and feet, excision or ED&C on the trunk and limbs, wide excision
for melanoma; some patients are treated elsewhere. Re-excision for positive margins comes
7-20 days after the excision, inside its 010 global (58); complications 4-9 days after
surgery (78); routine post-op visits 5-12 days after an 010 procedure, 10-40 after a 090.
"""

from __future__ import annotations

import numpy as np

from synthetic_data.arrays import isin
from synthetic_data.world.context import WorldCtx
from synthetic_data.world.diagnoses import MALIGNANT_KINDS
from synthetic_data.world.lesions import diameters
from synthetic_data.world.timeline import (
    KINDS,
    RELATION_COMPLICATION,
    RELATION_POSTOP,
    RELATION_STAGED,
    K,
    Visits,
    new_visits,
)

HEAD_SITES = ("face", "nose", "ears", "eyelids", "lips", "scalp", "neck", "hands", "feet")
TREATED_HERE = 0.92
# (kinds, head/neck/hands/feet?) -> treatment weights over TREATMENTS.
TREATMENTS = ("mohs", "att", "excision_malignant", "edc")
TREATMENT_WEIGHTS: dict[tuple[str, bool], tuple[float, float, float, float]] = {
    ("keratinocyte", True): (0.68, 0.10, 0.17, 0.05),
    ("keratinocyte", False): (0.10, 0.0, 0.55, 0.35),
    ("in_situ", True): (0.30, 0.0, 0.40, 0.30),
    ("in_situ", False): (0.05, 0.0, 0.45, 0.50),
    ("melanoma", True): (0.0, 0.0, 1.0, 0.0),
    ("melanoma", False): (0.0, 0.0, 1.0, 0.0),
    ("melanoma_in_situ", True): (0.25, 0.0, 0.75, 0.0),
    ("melanoma_in_situ", False): (0.0, 0.0, 1.0, 0.0),
}
KIND_GROUP = {"bcc": "keratinocyte", "scc": "keratinocyte", "scc_in_situ": "in_situ",
              "melanoma": "melanoma", "melanoma_in_situ": "melanoma_in_situ"}
COMPLICATION_RATE = {"excision_malignant": 0.025, "reexcision": 0.02, "mohs": 0.02,
                     "att": 0.03, "benign_removal": 0.015, "edc": 0.01}
POSITIVE_MARGINS = {"melanoma": 0.15}
POSITIVE_MARGINS_DEFAULT = 0.08


def choose_treatment(rng: np.random.Generator, kind: np.ndarray,
                     site: np.ndarray) -> np.ndarray:
    """Treatment (index into TREATMENTS) of each malignant lesion by kind and site."""
    head = isin(site, HEAD_SITES)
    out = np.zeros(len(kind), dtype=np.int64)
    u = rng.random(len(kind))
    for (group, on_head), weights in TREATMENT_WEIGHTS.items():
        kinds = [k for k, g in KIND_GROUP.items() if g == group]
        mask = isin(kind, kinds) & (head == on_head)
        out[mask] = (u[mask, None] > np.cumsum(weights)[None, :]).sum(axis=1).clip(0, 3)
    return out


def treatment_visits(ctx: WorldCtx, visits: Visits) -> Visits:
    """One treatment visit 2-6 weeks after each malignant biopsy treated here."""
    truth = {k: np.concatenate([t[k] for t in ctx.biopsied]) for k in ctx.biopsied[0]} \
        if ctx.biopsied else None
    if truth is None:
        return new_visits(np.zeros(0, np.int64), np.zeros(0, np.int64), 0)
    rng = ctx.rng
    keep = isin(truth["kind"], MALIGNANT_KINDS) & (rng.random(len(truth["kind"]))
                                                      < TREATED_HERE)
    t = {k: v[keep] for k, v in truth.items()}
    treatment = np.asarray(TREATMENTS)[choose_treatment(rng, t["kind"], t["site"])]
    kind = np.array([K[name] for name in treatment], dtype=np.int64)
    day = visits["day"][t["visit"]] + rng.integers(14, 46, len(kind))
    return new_visits(visits["patient"][t["visit"]], day, kind, parent=t["visit"],
                      f_site=t["site"], f_side=t["side"], f_kind=t["kind"],
                      f_size=np.maximum(t["size"], diameters(rng, len(kind), 0.9, 0.3, 3.5)))


def _follow(visits: Visits, parents: np.ndarray, day: np.ndarray, kind: int,
            relation: int, size: np.ndarray) -> Visits:
    """Follow-up visits of `parents` carrying their lesion."""
    return new_visits(visits["patient"][parents], day, kind, parent=parents,
                      relation=relation, f_site=visits["f_site"][parents],
                      f_side=visits["f_side"][parents], f_kind=visits["f_kind"][parents],
                      f_size=size)


def surgery_followups(ctx: WorldCtx, visits: Visits, offset: int) -> list[Visits]:
    """Re-excisions, complications and billed routine post-op visits after the surgical
    visits of `visits` (parent positions shifted by `offset` into the combined table)."""
    rng, kind = ctx.rng, visits["kind"]
    surgical = np.isin(kind, [K[k] for k in COMPLICATION_RATE]) & ~np.isnan(
        visits["f_excised"])
    cut = np.flatnonzero(surgical)
    rate_of_kind = np.zeros(len(KINDS))
    for name, value in COMPLICATION_RATE.items():
        rate_of_kind[K[name]] = value
    rate = rate_of_kind[kind[cut]]
    margins = np.where(visits["f_kind"][cut] == "melanoma", POSITIVE_MARGINS["melanoma"],
                       POSITIVE_MARGINS_DEFAULT)
    staged = cut[(kind[cut] == K["excision_malignant"]) & (rng.random(len(cut)) < margins)]
    compl = cut[rng.random(len(cut)) < rate]
    post = cut[ctx.err("bill_routine_postop", len(cut))]
    late = np.where(kind[post] == K["att"], rng.integers(10, 41, len(post)),
                    rng.integers(5, 13, len(post)))
    out = [
        _follow(visits, staged, visits["day"][staged] + rng.integers(7, 21, len(staged)),
                K["reexcision"], RELATION_STAGED, visits["f_excised"][staged]),
        _follow(visits, compl, visits["day"][compl] + rng.integers(4, 10, len(compl)),
                K["complication"], RELATION_COMPLICATION, visits["f_size"][compl]),
        _follow(visits, post, visits["day"][post] + late, K["postop"], RELATION_POSTOP,
                visits["f_size"][post]),
    ]
    for part in out:
        part["parent"] = part["parent"] + offset
    return out

