"""Non-excisional treatments: warts, SKs, skin tags, injections, phototherapy, PDT, biologics.

Warts/SKs are 17110 (1-14) or 17111 (>=15) once per session; tags 11200 (+11201 per 10
more); intralesional 11900 (<=7 lesions) / 11901 with J3301 per 10 mg; a phototherapy
course is one line per session date (three a week); PDT is 96567 + J7308; IV
ustekinumab J3358 is billed in 1 mg units. Cosmetic-looking visits carry L82.1/L91.8.
"""

from __future__ import annotations

import numpy as np

from synthetic_data.context import Ctx
from synthetic_data.dxpools import (
    INTRALESIONAL_DX,
    PHOTO_DX,
    SUN_SITES,
    SUN_WEIGHTS,
    TAG_SITES,
    TAG_WEIGHTS,
    WART_SITES,
    WART_WEIGHTS,
    pick,
)
from synthetic_data.lines import ORDER_ADDON, ORDER_DRUG, ORDER_PROC, Lines, make_block

PHOTO_CODES = ("96900", "96910", "96912", "96920", "96921", "96922")
PHOTO_WEIGHTS = (0.35, 0.20, 0.05, 0.24, 0.11, 0.05)
WART_DX = ("B07.0", "B07.8", "B07.9", "B08.1")
WART_DX_WEIGHTS = (0.30, 0.35, 0.15, 0.20)


def counts(rng: np.random.Generator, n: int, median: float, high: int) -> np.ndarray:
    """Lesion counts per visit, log-normal around `median`, 1..high."""
    return np.clip(np.rint(rng.lognormal(np.log(median), 0.8, n)), 1, high).astype(int)


def benign_destruction(ctx: Ctx, claims: np.ndarray, dx: np.ndarray, sites: np.ndarray,
                       median: float, lesion: int = 0) -> list[Lines]:
    """17110 / 17111 once per session; the per-lesion-units error breaks the MUE of 1."""
    k = counts(ctx.rng, len(claims), median, 30)
    over = ctx.error("units_over_mue", len(claims)) & (k >= 2) & (k < 15)
    return [make_block(claims, np.where(k >= 15, "17111", "17110"), order=ORDER_PROC,
                       units=np.where(over, k, 1), dx=dx, site=sites, count=k, lesion=lesion)]


def warts(ctx: Ctx, claims: np.ndarray) -> list[Lines]:
    """Common/plantar warts and molluscum destroyed by cryotherapy."""
    n = len(claims)
    dx = pick(ctx.rng, WART_DX, n, WART_DX_WEIGHTS)
    return benign_destruction(ctx, claims, dx, pick(ctx.rng, WART_SITES, n, WART_WEIGHTS), 3)


def seborrheic_keratoses(ctx: Ctx, claims: np.ndarray) -> list[Lines]:
    """SK destruction: irritated (L82.0, covered) or plain (L82.1, reads cosmetic)."""
    n = len(claims)
    dx = np.where(ctx.chance(0.5, n), "L82.1", "L82.0").astype(object)
    return benign_destruction(ctx, claims, dx, pick(ctx.rng, SUN_SITES, n, SUN_WEIGHTS), 3)


def skin_tags(ctx: Ctx, claims: np.ndarray) -> list[Lines]:
    """11200 for up to 15 tags, +11201 per additional 10 (L91.8)."""
    n = len(claims)
    k = counts(ctx.rng, n, 6, 40)
    site = pick(ctx.rng, TAG_SITES, n, TAG_WEIGHTS)
    extra = np.ceil(np.maximum(k - 15, 0) / 10).astype(int)
    return [
        make_block(claims, "11200", order=ORDER_PROC, dx="L91.8", site=site,
                   count=np.minimum(k, 15), lesion=0),
        make_block(claims, "11201", order=ORDER_ADDON, units=extra, dx="L91.8", site=site,
                   count=np.maximum(k - 15, 1), lesion=0),
    ]


def intralesional(ctx: Ctx, claims: np.ndarray) -> list[Lines]:
    """11900 (<=7 lesions) / 11901 (>7) once per session, with J3301 per 10 mg."""
    n, rng = len(claims), ctx.rng
    k = counts(rng, n, 3, 15)
    dx = pick(rng, INTRALESIONAL_DX, n)
    over = ctx.error("units_over_mue", n) & (k >= 2) & (k <= 7)
    return [
        make_block(claims, np.where(k > 7, "11901", "11900"), order=ORDER_PROC,
                   units=np.where(over, k, 1), dx=dx, count=k,
                   site=pick(rng, ("face", "trunk", "scalp", "ears"), n), lesion=0),
        make_block(claims, "J3301", order=ORDER_DRUG, units=rng.integers(1, 5, n), dx=dx),
    ]


def phototherapy(ctx: Ctx, claims: np.ndarray) -> list[Lines]:
    """A course billed per session date (three a week), one modality per course."""
    n, rng = len(claims), ctx.rng
    sessions = np.clip(np.rint(rng.lognormal(np.log(8), 0.5, n)), 1, 24).astype(int)
    code = pick(rng, PHOTO_CODES, n, PHOTO_WEIGHTS)
    dx = pick(rng, PHOTO_DX, n)
    rows = np.repeat(np.arange(n), sessions)
    starts = np.repeat(np.cumsum(sessions) - sessions, sessions)
    session = np.arange(len(rows)) - starts
    return [make_block(claims[rows], code[rows], order=ORDER_PROC, dx=dx[rows],
                       day=(session * 7) // 3)]


def pdt(ctx: Ctx, claims: np.ndarray) -> list[Lines]:
    """Photodynamic therapy of AKs: 96567 with the aminolevulinic acid J7308."""
    site = pick(ctx.rng, ("face", "scalp"), len(claims))
    return [
        make_block(claims, "96567", order=ORDER_PROC, dx="L57.0", site=site,
                   count=counts(ctx.rng, len(claims), 8, 40), lesion=0),
        make_block(claims, "J7308", order=ORDER_DRUG, dx="L57.0"),
    ]


def biologic_infusion(ctx: Ctx, claims: np.ndarray) -> list[Lines]:
    """IV ustekinumab J3358 (1 mg units; weight-based 260/390/520 mg) for psoriasis."""
    units = ctx.rng.choice([260, 390, 520], len(claims), p=[0.3, 0.45, 0.25])
    return [make_block(claims, "J3358", order=ORDER_DRUG, units=units, dx="L40.0")]
