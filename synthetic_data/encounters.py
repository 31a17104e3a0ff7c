"""Encounter mix: which kind of visit each claim is, and the dispatch to its line builders.

The mix depends on age (AKs, skin cancer and Mohs in seniors; warts, molluscum and acne
injections in children) and reproduces what a dermatology practice bills: about a third
E/M-only visits, then AK destruction, biopsies, excisions, Mohs and treatments (§7).
E/M-only visits may fall inside an earlier procedure's global period (history fields).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from synthetic_data import excisions as ex
from synthetic_data import lesions as le
from synthetic_data import treatments as tr
from synthetic_data.context import Ctx
from synthetic_data.dxpools import EM_DX, pick
from synthetic_data.em import em_block, optional_em
from synthetic_data.lines import Lines

Builder = Callable[[Ctx, np.ndarray], list[Lines]]

# name: (child, adult, senior) weights, builder, share of visits that also bill an E/M.
ENCOUNTERS: dict[str, tuple[tuple[float, float, float], Builder, float]] = {
    "ak_destruction": ((0.0, 0.03, 0.17), le.ak_destruction, 0.55),
    "biopsy": ((0.03, 0.12, 0.12), le.biopsies, 0.70),
    "biopsy_ak": ((0.0, 0.01, 0.05),
                  lambda c, x: le.biopsies(c, x) + le.ak_destruction(c, x, lesion=5), 0.70),
    "shave": ((0.01, 0.05, 0.04), le.shaves, 0.35),
    "excision_benign": ((0.03, 0.06, 0.03), lambda c, x: ex.excisions(c, x, False), 0.30),
    "excision_malignant": ((0.0, 0.02, 0.05), lambda c, x: ex.excisions(c, x, True), 0.25),
    "malignant_destruction": ((0.0, 0.005, 0.015), le.malignant_destruction, 0.40),
    "mohs": ((0.0, 0.02, 0.06), ex.mohs, 0.15),
    "warts": ((0.24, 0.06, 0.01), tr.warts, 0.30),
    "seborrheic_keratosis": ((0.0, 0.012, 0.025), tr.seborrheic_keratoses, 0.40),
    "skin_tags": ((0.0, 0.015, 0.015), tr.skin_tags, 0.30),
    "intralesional": ((0.11, 0.05, 0.01), tr.intralesional, 0.40),
    "phototherapy": ((0.04, 0.05, 0.03), tr.phototherapy, 0.08),
    "pdt": ((0.0, 0.004, 0.02), tr.pdt, 0.20),
    "biologic": ((0.0, 0.006, 0.002), tr.biologic_infusion, 0.50),
}
EM_ONLY = "em_only"
EM_ONLY_WEIGHTS = (0.46, 0.36, 0.21)
ENCOUNTER_NAMES: tuple[str, ...] = (EM_ONLY, *ENCOUNTERS)
SCREENING_SHARE = 0.015  # E/M-only visits coded as skin-cancer screening (Z12.83)
HISTORY_SHARE = 0.15  # E/M-only visits after an earlier global-period procedure


def sample_encounters(ctx: Ctx, age_band: np.ndarray) -> np.ndarray:
    """Encounter type index (into ENCOUNTER_NAMES) per claim, conditional on age band."""
    weights = np.array([EM_ONLY_WEIGHTS] + [w for w, _, _ in ENCOUNTERS.values()]).T
    cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    u = ctx.rng.random(len(age_band))
    return np.minimum((u[:, None] > cum[age_band]).sum(axis=1), len(ENCOUNTER_NAMES) - 1)


def sample_history(ctx: Ctx, encounter: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """days_since_related_global_procedure and related_global_days (NaN when none)."""
    n = len(encounter)
    has = (encounter == 0) & ctx.chance(HISTORY_SHARE, n)
    glob = np.where(ctx.chance(0.75, n), 10.0, 90.0)
    days = np.ceil(ctx.rng.random(n) * 3 * glob)
    return np.where(has, days, np.nan), np.where(has, glob, np.nan)


def em_only(ctx: Ctx, claims: np.ndarray, in_global: np.ndarray) -> list[Lines]:
    """E/M-only visits; inside a global period they carry 24 unless the coder forgets."""
    n, rng = len(claims), ctx.rng
    dx = pick(rng, EM_DX, n)
    dx = np.where(ctx.chance(SCREENING_SHARE, n), "Z12.83", dx).astype(object)
    dx2 = np.where(ctx.chance(0.35, n), pick(rng, EM_DX, n), None)
    dx2 = np.where(dx2 == dx, None, dx2)
    forgot = ctx.error("global_unmodified", n)
    mod = np.where(in_global & ~forgot, "24", None).astype(object)
    return [em_block(ctx, claims, dx, dx2, mod)]


def build_encounters(ctx: Ctx, encounter: np.ndarray,
                     in_global: np.ndarray) -> list[Lines]:
    """Line blocks for every claim, each encounter type built for all its claims at once."""
    claims = np.flatnonzero(encounter == 0)
    blocks = em_only(ctx, claims, in_global[claims])
    for i, (_, builder, em_rate) in enumerate(ENCOUNTERS.values(), start=1):
        claims = np.flatnonzero(encounter == i)
        if len(claims) == 0:
            continue
        blocks += builder(ctx, claims)
        blocks.append(optional_em(ctx, claims, em_rate, pick(ctx.rng, EM_DX, len(claims))))
    return blocks
