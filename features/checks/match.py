"""Which diagnosis describes a line's lesion: side and site agreement, alternatives.

Shared by the laterality and pointer checks. The one rule they share (shared/domain §11):
a diagnosis on the claim may replace a line's pointer only if it describes the same
lesion: its site covers the lesion's site and, where both encode a side, the side is the
lesion's side. A left-side diagnosis on a left lesion is correct coding, so nothing here
ever offers a diagnosis of the other side.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from features.checks.context import Ctx
from features.checks.dxfacts import SITE_BITS
from reference.vocab import SITES

# A lesion recorded on the "face" may be any part of it (ICD-10-CM "other parts of face",
# nose, lip, ear, eyelid all agree with it); every other site is itself. [-1] = no site.
FACE_PARTS = ("face", "nose", "lips", "ears", "eyelids")
SITE_BIT = np.array([sum(SITE_BITS[p] for p in FACE_PARTS) if s == "face" else SITE_BITS[s]
                     for s in SITES] + [0], dtype=np.int32)


def sided(side: np.ndarray) -> np.ndarray:
    """The side code is left (1) or right (2)."""
    return (side == 1) | (side == 2)


def cached(fn: Callable[[Ctx], np.ndarray]) -> Callable[[Ctx], np.ndarray]:
    """Compute a per-batch array once per context (several checks read it)."""
    @functools.wraps(fn)
    def wrapper(ctx: Ctx) -> np.ndarray:
        if fn.__name__ not in ctx._cache:
            ctx._cache[fn.__name__] = fn(ctx)
        return ctx._cache[fn.__name__]
    return wrapper


@cached
def lesion_bits(ctx: Ctx) -> np.ndarray:
    """Site bit of each line's lesion (0 when the line has no lesion site)."""
    return SITE_BIT[ctx.site]


@cached
def site_agrees(ctx: Ctx) -> np.ndarray:
    """(n_lines, 4): the pointed diagnosis encodes no site, or one covering the lesion's."""
    bits = ctx.dx.sites[ctx.ptr_dx]
    lesion = lesion_bits(ctx)[:, None]
    return (bits == 0) | (lesion == 0) | ((bits & lesion) != 0)


@cached
def pointed_side(ctx: Ctx) -> np.ndarray:
    """The side the line's pointed diagnoses agree on (1/2), 0 when none or they differ.
    Only diagnoses of the lesion's site count."""
    sides = np.where(site_agrees(ctx), ctx.dx.side[ctx.ptr_dx], 0)
    left, right = (sides == 1).any(1), (sides == 2).any(1)
    return np.where(left & ~right, 1, np.where(right & ~left, 2, 0)).astype(np.int8)


@cached
def known_side(ctx: Ctx) -> np.ndarray:
    """The lesion's side as the claim states it: lesion.laterality, else the side
    modifier, else the pointed diagnoses' side (0 unknown)."""
    mod = np.where(sided(ctx.mod_side), ctx.mod_side, 0)
    side = np.where(ctx.side > 0, ctx.side, mod)
    return np.where(side > 0, side, pointed_side(ctx)).astype(np.int8)


def alternative_dx(ctx: Ctx, pos: np.ndarray, bits: np.ndarray, side: np.ndarray,
                   strict_side: bool, siteless: bool = False) -> np.ndarray:
    """For lines `pos`, the first diagnosis on their claim that supports the line's family
    (outright or with symptoms), covers site bits `bits` (0 = any site; `siteless`: a
    diagnosis encoding no site is fine too) and is on `side` (0 = any; strict: the
    diagnosis must encode that side; else it may encode none). Returns positions in
    ctx.dx (ctx.dx.none when there is none)."""
    if len(pos) == 0:
        return np.zeros(0, dtype=np.int64)
    cand = ctx.claim_dx[ctx.ix.claim_pos[pos]]  # (k, 13)
    fam = ctx.family_idx[pos][:, None]
    ok = (cand != ctx.dx.none) & (ctx.dx.support[cand, fam] | ctx.dx.conditional[cand, fam])
    want = bits[:, None]
    cand_bits = ctx.dx.sites[cand]
    ok &= (want == 0) | ((cand_bits & want) != 0) | (siteless & (cand_bits == 0))
    cand_side, want_side = ctx.dx.side[cand], side[:, None]
    if strict_side:
        ok &= (want_side == 0) | (cand_side == want_side)
    else:
        ok &= (want_side == 0) | ~sided(cand_side) | (cand_side == want_side)
    first = np.argmax(ok, axis=1)
    return np.where(ok.any(axis=1), cand[np.arange(len(pos)), first], ctx.dx.none)


def first_true(mask: np.ndarray) -> np.ndarray:
    """Column of the first True per row of a (k, m) mask (0 when none)."""
    return np.argmax(mask, axis=1)
