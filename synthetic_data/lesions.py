"""Lesion procedures: AK destruction, biopsies (+88305), shaves, malignant destruction.

Each builder takes the claim positions of one encounter type and returns line blocks
coded as a careful coder would (shared/domain §1), with the coding errors of
synthetic_data.config.ErrorRates drawn in where they naturally occur (17000 x n units,
17004 with 17000, two biopsy primaries, an orphan 17003). Lesion ids group the lines of
one lesion so the coding pass can tell distinct lesions (XS) from the same one.
"""

from __future__ import annotations

import numpy as np

from synthetic_data.codebook import lesion_code
from synthetic_data.context import Ctx
from synthetic_data.dxpools import (
    BIOPSY_DX,
    BODY_SITES,
    BODY_WEIGHTS,
    SHAVE_DX,
    SUN_SITES,
    SUN_WEIGHTS,
    malignant_dx,
    pick,
)
from synthetic_data.lines import ORDER_ADDON, ORDER_PATH, ORDER_PROC, Lines, make_block

BIOPSY_PRIMARY = np.array(["11102", "11104", "11106"], dtype=object)  # tangential<punch<incisional
BIOPSY_ADDON = np.array(["11103", "11105", "11107"], dtype=object)
MAX_BIOPSIES = 4


def sizes(rng: np.random.Generator, n: int, median: float, low: float, high: float) -> np.ndarray:
    """Lesion diameters (cm, one decimal) from a log-normal around `median`."""
    return np.round(np.clip(rng.lognormal(np.log(median), 0.45, n), low, high), 1)


def ak_destruction(ctx: Ctx, claims: np.ndarray, lesion: int = 1) -> list[Lines]:
    """17000 (+17003 x lesions 2-14) or 17004 for >=15 AKs, with the classic unit errors."""
    n, rng = len(claims), ctx.rng
    k = np.clip(np.rint(rng.lognormal(np.log(5), 0.8, n)), 1, 40).astype(int)
    site = pick(rng, SUN_SITES, n, SUN_WEIGHTS)
    many = k >= 15
    over = ctx.error("units_over_mue", n) & (k >= 2)  # 17000 x k, or 17003 x 14+
    mi0 = ctx.error("mi0_pair", n) & many & ~over  # 17004 billed with 17000
    orphan = ctx.error("orphan_addon", n) & (k >= 2) & ~many & ~over
    use_17004 = many & ~over
    first_units = np.where(over & ~many, k, 1)
    first_units[orphan] = 0
    add_units = np.where(use_17004 | (over & ~many), 0, k - 1)
    add_units[orphan] = k[orphan]
    first_count = np.where(use_17004 | (over & ~many), k, 1)
    blocks = [
        make_block(claims, np.where(use_17004, "17004", "17000"), order=ORDER_PROC,
                   units=first_units, dx="L57.0", site=site, count=first_count, lesion=lesion),
        make_block(claims, "17003", order=ORDER_ADDON, units=add_units, dx="L57.0",
                   site=site, count=np.maximum(add_units, 1), lesion=lesion),
        make_block(claims[mi0], "17000", order=ORDER_ADDON, dx="L57.0", site=site[mi0],
                   count=1, lesion=lesion),
    ]
    return blocks


def _biopsy_lesions(ctx: Ctx, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per claim: lesion count k and per-lesion technique/site/dx, highest technique first."""
    rng = ctx.rng
    k = rng.choice([1, 2, 3, 4], n, p=[0.55, 0.28, 0.12, 0.05])
    tech = rng.choice(3, (n, MAX_BIOPSIES), p=[0.62, 0.33, 0.05])
    tech = np.where(np.arange(MAX_BIOPSIES) < k[:, None], tech, -1)
    tech = -np.sort(-tech, axis=1)
    site = pick(rng, BODY_SITES + SUN_SITES, n * MAX_BIOPSIES).reshape(n, MAX_BIOPSIES)
    dx = pick(rng, BIOPSY_DX, n * MAX_BIOPSIES).reshape(n, MAX_BIOPSIES)
    cancer = rng.random((n, MAX_BIOPSIES)) < 0.15
    dx = np.where(cancer, malignant_dx(rng, site.ravel()).reshape(n, MAX_BIOPSIES), dx)
    return k, tech, site, dx


def biopsies(ctx: Ctx, claims: np.ndarray, lesion0: int = 0,
             path_rate: float = 0.5) -> list[Lines]:
    """One primary biopsy (highest technique), add-ons for every other lesion, 88305."""
    n = len(claims)
    k, tech, site, dx = _biopsy_lesions(ctx, n)
    rows = np.arange(n)
    primary = BIOPSY_PRIMARY[tech[:, 0]]
    all_tangential = (tech[:, 1:] <= 0).all(axis=1) & (tech[:, 0] == 0)
    over = ctx.error("units_over_mue", n) & (k >= 2) & all_tangential  # 11102 x k
    blocks = [make_block(claims, primary, order=ORDER_PROC, units=np.where(over, k, 1),
                         dx=dx[:, 0], site=site[:, 0], count=np.where(over, k, 1),
                         lesion=lesion0)]
    two_primaries = ctx.error("mi0_pair", n) & (tech[:, 0] > 0)
    for t in range(3):
        is_t = (tech[:, 1:] == t)
        units = np.where(over, 0, is_t.sum(axis=1))
        first = is_t.argmax(axis=1) + 1
        second = np.minimum(first + 1, MAX_BIOPSIES - 1)
        dx2 = np.where((units >= 2), dx[rows, second], None)
        cpt = np.where(two_primaries & (t == 0), "11102", BIOPSY_ADDON[t])
        blocks.append(make_block(claims, cpt, order=ORDER_ADDON, units=units,
                                 dx=dx[rows, first], dx2=dx2, site=site[rows, first],
                                 count=np.maximum(units, 1), lesion=lesion0 + first))
    path = ctx.chance(path_rate, n)
    blocks.append(make_block(claims[path], "88305", order=ORDER_PATH, units=k[path],
                             dx=dx[path, 0], dx2=np.where(k[path] >= 2, dx[path, 1], None),
                             lesion=-1))
    return blocks


def shaves(ctx: Ctx, claims: np.ndarray, lesion0: int = 0) -> list[Lines]:
    """Shave removals (11300-11313): one line per lesion, code by site group and size."""
    n, rng = len(claims), ctx.rng
    k = rng.choice([1, 2, 3], n, p=[0.70, 0.22, 0.08])
    blocks = []
    for j in range(3):
        sel = claims[k > j]
        m = len(sel)
        site = pick(rng, BODY_SITES, m, BODY_WEIGHTS)
        size = sizes(rng, m, 0.6, 0.2, 3.0)
        blocks.append(make_block(sel, lesion_code("shave", site, size), order=ORDER_PROC,
                                 dx=pick(rng, SHAVE_DX, m), site=site, size_cm=size,
                                 count=1, lesion=lesion0 + j))
    return blocks


def malignant_destruction(ctx: Ctx, claims: np.ndarray, lesion: int = 0) -> list[Lines]:
    """ED&C / destruction of a superficial skin cancer (17260-17286 by site and size)."""
    n, rng = len(claims), ctx.rng
    site = pick(rng, BODY_SITES, n, BODY_WEIGHTS)
    size = sizes(rng, n, 0.9, 0.3, 4.5)
    dx = malignant_dx(rng, site)
    return [make_block(claims, lesion_code("destruction_malignant", site, size),
                       order=ORDER_PROC, dx=dx, site=site, size_cm=size, count=1,
                       lesion=lesion)]
