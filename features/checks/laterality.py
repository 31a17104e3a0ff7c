"""Laterality and site: the diagnosis a line points to, its side modifier and its lesion
must describe the same place (ICD-10-CM FY2026 descriptions; shared/domain §2, §11).

Fixes never re-point a line to a diagnosis of the other side: a left-side diagnosis on a
left lesion is correct coding. A wrong pointer is replaced only by a diagnosis on the
claim that describes the lesion (its site and side); otherwise the coder corrects the
diagnosis from the chart.
"""

from __future__ import annotations

import numpy as np

from features.checks.context import SIDES, Ctx
from features.checks.dxfacts import SITE_BITS, lesion_code, sided_code
from features.checks.findings import Hits, empty_hits, hits
from features.checks.match import (
    alternative_dx,
    cached,
    first_true,
    known_side,
    lesion_bits,
    pointed_side,
    sided,
    site_agrees,
)
from reference.vocab import SITES

PAIRED_SITES = ("arms", "legs", "hands", "feet", "ears", "eyelids")
NON_LESION_FAMILIES = ("em", "em_addon", "drug", "pathology", "phototherapy", "injection")
MIRROR: dict[str, str] = {
    "LT": "RT", "E1": "E3", "E2": "E4", "FA": "F5", "F1": "F6", "F2": "F7", "F3": "F8",
    "F4": "F9", "TA": "T5", "T1": "T6", "T2": "T7", "T3": "T8", "T4": "T9"}
MIRROR.update({v: k for k, v in list(MIRROR.items())})
SINGULAR = {"arms": "arm", "legs": "leg", "hands": "hand", "feet": "foot", "ears": "ear",
            "eyelids": "eyelid"}
PAIRED = np.array([s in PAIRED_SITES for s in SITES] + [False])  # [-1]: no site
EYELID_MODIFIER = {(1, 1): "E1", (1, 2): "E2", (2, 1): "E3", (2, 2): "E4"}  # (side, lid)
PAIRED_BITS = sum(SITE_BITS[s] for s in PAIRED_SITES)
DX_SITE_NAMES = {SITE_BITS["arms"] | SITE_BITS["hands"]: "upper limb",
                 SITE_BITS["legs"] | SITE_BITS["feet"]: "lower limb"}
"""Names of the paired sites a sided ICD-10-CM code encodes (D22.62: left upper limb)."""


def check_laterality(ctx: Ctx) -> list[Hits]:
    """All laterality/site findings of the batch."""
    if not (ctx.site >= 0).any() and not (ctx.mod_side > 0).any() and not (ctx.side > 0).any() \
            and not dx_paired_site(ctx).any():
        return [empty_hits(r) for r in (
            "dx_side_mismatch", "side_modifier_mismatch", "dx_site_mismatch",
            "side_modifier_missing", "dx_side_unspecified")]
    return [dx_side_mismatch(ctx), side_modifier_mismatch(ctx), dx_site_mismatch(ctx),
            side_modifier_missing(ctx), dx_side_unspecified(ctx)]


def joined_codes(ctx: Ctx, pos: np.ndarray, wrong: np.ndarray) -> np.ndarray:
    """For lines pos, their pointed diagnoses flagged in `wrong` (n_lines, 4), joined with
    ',' (a link fix replaces every pointer that contradicts the lesion)."""
    codes = ctx.dx.codes[ctx.ptr_dx[pos]]
    return np.array([",".join(dict.fromkeys(c[w])) for c, w in zip(codes, wrong[pos])],
                    dtype=object)


def side_names(side: np.ndarray) -> np.ndarray:
    return np.array(SIDES, dtype=object)[side]


def dx_side_mismatch(ctx: Ctx) -> Hits:
    """A pointed diagnosis of the other side than lesion.laterality (same site)."""
    if not (ctx.side > 0).any():
        return empty_hits("dx_side_mismatch")
    dx_side = ctx.dx.side[ctx.ptr_dx]
    lesion = ctx.side[:, None]
    wrong = (lesion > 0) & sided(dx_side) & (dx_side != lesion) & site_agrees(ctx)
    pos = np.flatnonzero(wrong.any(axis=1))
    bad = ctx.ptr_dx[pos, first_true(wrong[pos])]
    bits = np.where(lesion_bits(ctx)[pos] > 0, lesion_bits(ctx)[pos], ctx.dx.sites[bad])
    alt = alternative_dx(ctx, pos, bits, ctx.side[pos], strict_side=True)
    variant, value = claim_or_own_code(ctx, alt, ctx.dx_code(bad), bits, ctx.side[pos])
    return hits("dx_side_mismatch", pos, variant=variant, value=value,
                old=joined_codes(ctx, pos, wrong),
                dx=ctx.dx_code(bad), dx_side=side_names(ctx.dx.side[bad]),
                side=side_names(ctx.side[pos]))


def side_modifier_mismatch(ctx: Ctx) -> Hits:
    """A side modifier contradicting lesion.laterality (or, without one, the side of the
    diagnoses the line points to): replace it by the same modifier of the other side."""
    mods = ctx.mod_side
    if not (mods > 0).any():
        return empty_hits("side_modifier_mismatch")
    reference = np.where(ctx.side > 0, ctx.side, pointed_side(ctx))
    fire = sided(mods) & (reference > 0) & (mods != reference)
    pos = np.flatnonzero(fire)
    old = ctx.side_mod[pos]
    return hits("side_modifier_mismatch", pos, variant=np.where(ctx.side[pos] > 0, 0, 1),
                value=np.array([MIRROR.get(m) for m in old], dtype=object), old=old,
                side=side_names(reference[pos]), dx=ctx.dx_code(ctx.ptr_dx[pos, 0]))


def dx_site_mismatch(ctx: Ctx) -> Hits:
    """A pointed diagnosis whose site does not cover lesion.site (C44.519 trunk on an arm
    lesion): link the diagnosis on the claim that describes the lesion, if any."""
    wrong = ~site_agrees(ctx)
    if not wrong.any():
        return empty_hits("dx_site_mismatch")
    pos = np.flatnonzero(wrong.any(axis=1))
    bad = ctx.ptr_dx[pos, first_true(wrong[pos])]
    side = known_side(ctx)[pos]
    alt = alternative_dx(ctx, pos, lesion_bits(ctx)[pos], side, strict_side=False)
    variant, value = claim_or_own_code(ctx, alt, ctx.dx_code(bad), lesion_bits(ctx)[pos], side)
    return hits("dx_site_mismatch", pos, variant=variant, value=value,
                old=joined_codes(ctx, pos, wrong),
                dx=ctx.dx_code(bad), site=np.array(SITES, dtype=object)[ctx.site[pos]])


def claim_or_own_code(ctx: Ctx, alt: np.ndarray, codes: np.ndarray, bits: np.ndarray,
                      side: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(variant, value) per line of a site/side mismatch: 0 with the claim's diagnosis
    that fits the lesion (`alt`), else 2 with the code of the pointed code's kind for the
    lesion's own site and side (dxfacts.lesion_code), else 1 (check the chart)."""
    found = alt != ctx.dx.none
    own = np.array([None if f else lesion_code(str(c), int(b), int(d))
                    for c, b, d, f in zip(codes, bits, side, found)], dtype=object)
    variant = np.where(found, 0, np.where([o is None for o in own], 1, 2))
    return variant, np.where(found, ctx.dx_code(alt), own)


def dx_side_unspecified(ctx: Ctx) -> Hits:
    """A pointed diagnosis of unspecified side (C44.621) for a lesion whose side the claim
    states (lesion.laterality or a side modifier): code the side (C44.622/C44.629). A
    warning: payers differ in denying unspecified laterality."""
    side = np.where(ctx.side > 0, ctx.side, np.where(sided(ctx.mod_side), ctx.mod_side, 0))
    unspecified = (ctx.dx.side[ctx.ptr_dx] == 3) & site_agrees(ctx) & (side[:, None] > 0)
    if not unspecified.any():
        return empty_hits("dx_side_unspecified")
    pos = np.flatnonzero(unspecified.any(axis=1))
    old = ctx.dx_code(ctx.ptr_dx[pos, first_true(unspecified[pos])])
    names = side_names(side[pos])
    value = np.array([sided_code(c, s) for c, s in zip(old, names)], dtype=object)
    return hits("dx_side_unspecified", pos, variant=np.where(value == None, 1, 0),  # noqa: E711
                value=value, old=old, dx=old, side=names)


@cached
def dx_paired_site(ctx: Ctx) -> np.ndarray:
    """Site bits of each line without a lesion record whose pointed sided diagnoses place
    it on a paired site (D22.62 left upper limb, C44.212 right ear), else 0: an 837P
    states a lesion's side and site only in its diagnosis (ICD-10-CM laterality)."""
    ptr = ctx.ptr_dx
    bits = np.where(np.isin(ctx.dx.side[ptr], (1, 2)), ctx.dx.sites[ptr], 0)
    bits = np.bitwise_or.reduce(bits, axis=1) if bits.size else np.zeros(len(ptr), np.int32)
    return np.where((ctx.site < 0) & (bits != 0) & ((bits & ~PAIRED_BITS) == 0), bits, 0)


def site_texts(ctx: Ctx, pos: np.ndarray, dx_bits: np.ndarray) -> np.ndarray:
    """The site a finding names: the lesion record's, else the one its diagnosis encodes."""
    record = [SINGULAR.get(s, s) for s in SITES]
    names = [record[s] if s >= 0 else DX_SITE_NAMES.get(int(b)) or next(
        SINGULAR[p] for p in PAIRED_SITES if int(b) & SITE_BITS[p])
        for s, b in zip(ctx.site[pos], dx_bits[pos])]
    return np.array(names, dtype=object)


def side_modifier_missing(ctx: Ctx) -> Hits:
    """A lesion procedure on a paired site with a known side and no side modifier: add
    RT/LT (E1-E4 on an eyelid whose diagnosis names the upper or lower lid). The site and
    side come from the lesion record, or on a line without one (every 837P line) from the
    pointed diagnosis. A warning: payers differ in requiring it."""
    dx_bits = dx_paired_site(ctx)
    located = (PAIRED[ctx.site] & ~np.isnan(ctx.count)) | (dx_bits != 0)
    if not located.any():
        return empty_hits("side_modifier_missing")
    side = np.where(ctx.side > 0, ctx.side, pointed_side(ctx))
    n_mods = (ctx.ix.mod_codes >= 0).sum(axis=1)
    fire = (located & (side > 0) & (ctx.mod_side == 0)
            & ~ctx.ix.has("50") & (n_mods < 4) & ~ctx.ix.in_family(*NON_LESION_FAMILIES))
    pos = np.flatnonzero(fire)
    lids = np.where(ctx.dx.side[ctx.ptr_dx[pos]] > 0, ctx.dx.lid[ctx.ptr_dx[pos]], 0).max(
        axis=1, initial=0) if len(pos) else np.zeros(0, dtype=np.int8)
    eyelid = (ctx.site[pos] == SITES.index("eyelids")) | (dx_bits[pos] == SITE_BITS["eyelids"])
    value = [EYELID_MODIFIER[(int(s), int(lid))] if e and lid else ("LT" if s == 1 else "RT")
             for s, lid, e in zip(side[pos], lids, eyelid)]
    return hits("side_modifier_missing", pos, value=np.array(value, dtype=object),
                side=side_names(side[pos]), site=site_texts(ctx, pos, dx_bits))
