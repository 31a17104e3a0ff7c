"""NCCI procedure-to-procedure pairs and the 59/X{EPSU} bypass modifiers (NCCI PTP
practitioner edits with their modifier indicator; NCCI Policy Manual ch. I; CMS CR 8863;
shared/domain §2-§3).

Modifier indicator 0: never payable together. Indicator 1: payable with an
NCCI-associated modifier only when the services are distinct (a different lesion or
site); the same lesion's column-2 service is bundled. 59 and an X{EPSU} never share a
line, and XS says "separate structure" more precisely than 59. Findings sit on the
column-2 line. Pairs whose lines another check recodes are left to that check.
"""

from __future__ import annotations

import numpy as np

from features.billing_rules import ptp_codes, ptp_matrix
from features.checks.context import Ctx
from features.checks.dxfacts import (
    AK,
    BENIGN,
    CYST,
    KELOID,
    MALIGNANT,
    NEVUS,
    SK_INFLAMED,
    SK_OTHER,
    TAG,
    WART,
)
from features.checks.findings import Hits, first_per_line, hits, select
from reference.families import EXCISION_FAMILIES, PATHOLOGY_CODES

REPAIRS = ("repair_simple", "repair_intermediate", "repair_complex")
REMOVALS = ("excision_benign", "excision_malignant", "shave", "destruction_malignant",
            "destruction_benign", "destruction_ak")
LESION_KINDS = np.array([MALIGNANT, NEVUS, BENIGN, CYST, AK, SK_INFLAMED, SK_OTHER, WART, TAG,
                         KELOID])
FLAP = "tissue_transfer"  # CPT 14000-14061: the excision is included in the transfer


def check_bypass(ctx: Ctx, recoded: np.ndarray) -> list[Hits]:
    """Bypass-modifier and PTP findings; `recoded` lines (changed or removed by another
    check) take no part in pairs."""
    out = [modifier_59_with_x(ctx)] if ctx.ix.has("59").any() else []
    a, b, mi = ptp_pairs(ctx, recoded)
    if (mi == 0).any():
        out.append(ptp_mi0(ctx, a, b, mi))
    keep = (mi == 1) & ~ctx.ix.is_em[b]  # E/M column-2 pairs: the 25 checks' business
    a, b, mi = a[keep], b[keep], mi[keep]
    sep = distinct(ctx, a, b)
    if ctx.ix.has("59").any():
        out.append(modifier_59_prefer_x(ctx, a, b, sep))
    if len(a):
        bypass = ctx.ix.pair_bypassed(a, b)
        out += [ptp_unbypassed(ctx, a[~bypass], b[~bypass], mi[~bypass], sep[~bypass]),
                ptp_bypass_not_distinct(ctx, a[bypass], b[bypass], mi[bypass], sep[bypass])]
    return out


def ptp_pairs(ctx: Ctx, recoded: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Active PTP edits among each claim's same-day lines: (column-1 line, column-2 line,
    modifier indicator)."""
    ix = ctx.ix
    if ix.n_lines < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    a, b = ctx.pairs(ptp_codes(ctx.cms)[ix.code_idx] & ~recoded)
    mi = ptp_matrix(ctx.cms)[ix.code_idx[a], ix.code_idx[b]].astype(np.int64)
    keep = mi >= 0
    return a[keep], b[keep], mi[keep]


def distinct(ctx: Ctx, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The two lines treat different lesions: one names the other in distinct_from_line,
    their lesion sites or sides differ, or their diagnoses name different kinds of lesion
    (a basal cell carcinoma's biopsy and an actinic keratosis' destruction)."""
    points = (ctx.distinct[a] == ctx.line_no[b]) | (ctx.distinct[b] == ctx.line_no[a])
    site_a, site_b = ctx.site[a], ctx.site[b]
    sites = (site_a >= 0) & (site_b >= 0) & (site_a != site_b)
    side = np.where(ctx.side > 0, ctx.side, np.where(ctx.mod_side < 3, ctx.mod_side, 0))
    sides = (side[a] > 0) & (side[b] > 0) & (side[a] != side[b])
    kinds = lesion_kinds(ctx)
    return points | sites | sides | ((kinds[a] != 0) & (kinds[b] != 0)
                                     & ((kinds[a] & kinds[b]) == 0))


def lesion_kinds(ctx: Ctx) -> np.ndarray:
    """Per line, the bit set of the lesion kinds its diagnoses name (0: none named, or
    only a lesion of uncertain behaviour, which a biopsy may show to be any kind)."""
    cls = ctx.dx.cls[ctx.ptr_dx].astype(np.int64)
    named = np.isin(cls, LESION_KINDS) & (ctx.ptr_dx != ctx.dx.none)
    return np.bitwise_or.reduce(np.where(named, np.left_shift(1, cls), 0), axis=1)


def included_service(ctx: Ctx, a: np.ndarray, b: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(column 2 is a repair of the column-1 removal/biopsy/flap wound, column 2 is a
    biopsy of the lesion column 1 removes, column 2 is the excision column 1's adjacent
    tissue transfer includes): services NCCI includes when on the same lesion."""
    ix = ctx.ix
    flap = ix.in_family(FLAP)[a]
    removal = ix.in_family(*REMOVALS)[a] | flap
    biopsy = ix.in_family("biopsy")
    repair = ix.in_family(*REPAIRS)[b] & (removal | biopsy[a])
    return repair, biopsy[b] & removal, flap & ix.in_family(*EXCISION_FAMILIES)[b]


def pair_facts(ctx: Ctx, a: np.ndarray, b: np.ndarray, mi: np.ndarray) -> dict:
    return {"col1": ctx.codes[a], "col2": ctx.codes[b], "mi": mi.astype(object),
            "partner": ctx.line_no[a].astype(object)}


def modifier_59_with_x(ctx: Ctx) -> Hits:
    """59 and an X{EPSU} on one line: the X modifier says it, 59 goes (CR 8863)."""
    return hits("modifier_59_with_x", ctx.ix.has("59") & ctx.ix.has_x, value="59")


def modifier_59_prefer_x(ctx: Ctx, a: np.ndarray, b: np.ndarray, sep: np.ndarray) -> Hits:
    """59 on a distinct-lesion service (its own record or an indicator-1 partner on
    another lesion): XS (separate structure) is the precise modifier; a warning: which
    payers insist on X is learned per payer."""
    partner_distinct = np.zeros(ctx.n, dtype=bool)
    partner_distinct[a[sep]] = True
    partner_distinct[b[sep]] = True
    fire = (ctx.ix.has("59") & ~ctx.ix.has_x & ~ctx.ix.is_em
            & ((ctx.distinct >= 0) | partner_distinct))
    return hits("modifier_59_prefer_x", fire, value="XS", old="59")


def ptp_mi0(ctx: Ctx, a: np.ndarray, b: np.ndarray, mi: np.ndarray) -> Hits:
    """A modifier-indicator-0 pair: never payable together, whatever the modifiers. The
    column-1 code describes the column-2 service (17004 all AKs, 17111 all benign
    lesions, 11901 all injected lesions, the higher E/M the visit) except repairs of one
    class, whose lengths are added into one code."""
    zero = mi == 0
    a, b, mi = a[zero], b[zero], mi[zero]
    em = ctx.ix.is_em
    variant = np.select([ctx.ix.in_family(*REPAIRS)[b], em[b] & em[a], em[b]], [3, 2, 1],
                        default=0)
    bypassed = ctx.ix.has_bypass[a] | ctx.ix.has_bypass[b]
    out = hits("ptp_mi0", b, variant=variant, bypassed=np.where(
        bypassed, " (a bypass modifier cannot change that)", ""), **pair_facts(ctx, a, b, mi))
    return first_per_line(out)


def ptp_unbypassed(ctx: Ctx, a: np.ndarray, b: np.ndarray, mi: np.ndarray,
                   sep: np.ndarray) -> Hits:
    """Indicator-1 pairs (a, b) no modifier bypasses (LineIndex.pair_bypassed): distinct
    lesions (`sep`) take XS on the column-2 line; on the same lesion the column-2 service
    is bundled. Pathology beside Mohs with no biopsy that day is the Mohs specimen's own
    (the Mohs surgeon is the pathologist): it goes; with a biopsy, the chart decides."""
    ix = ctx.ix
    repair_inside, biopsy_removed, under_flap = included_service(ctx, a, b)
    mohs = ix.in_family("mohs")[a]
    own_path = mohs & np.isin(ctx.codes[b], PATHOLOGY_CODES) & ~ctx.same_day_any(
        ix.in_family("biopsy"))[b]
    variant = np.select([sep, repair_inside, biopsy_removed, under_flap, own_path, mohs],
                        [0, 1, 2, 5, 6, 3], default=4)
    value = np.where(variant == 0, "XS", None)
    return first_per_line(hits("ptp_unbypassed", b, variant=variant, value=value,
                               **pair_facts(ctx, a, b, mi)))


def ptp_bypass_not_distinct(ctx: Ctx, a: np.ndarray, b: np.ndarray, mi: np.ndarray,
                            sep: np.ndarray) -> Hits:
    """Bypassed indicator-1 pairs whose lesion records name the same site and no distinct
    lesion: the bypass claims what the claim does not show (warning)."""
    same_site = (ctx.site[a] >= 0) & (ctx.site[a] == ctx.site[b]) & ~sep
    repair, biopsy, excision = included_service(ctx, a, b)
    included = repair | biopsy | excision
    out = hits("ptp_bypass_not_distinct", b, variant=included.astype(np.int8),
               **pair_facts(ctx, a, b, mi))
    return first_per_line(select(out, same_site))
