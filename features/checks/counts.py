"""Lesion counts and per-session codes (CPT descriptors; shared/domain §1, §3, §11).

Recode, don't delete: 15+ actinic keratoses are 17004, 15+ benign lesions 17111, more
than 7 intralesional lesions 11901; per-session codes carry one unit (their descriptor
counts the lesions); one biopsy primary per session, every other biopsy its technique's
add-on; an add-on without its primary becomes that primary.
"""

from __future__ import annotations

import numpy as np

from features.billing_rules import addon_codes
from features.checks.context import Ctx
from features.checks.findings import Hits, empty_hits, hits

PER_SESSION = ("17110", "17111", "11900", "11901", "11200", "17004")
BIOPSY_RANK = {"11102": 0, "11104": 1, "11106": 2}
BIOPSY_ADDON_OF = {"11102": "11103", "11104": "11105", "11106": "11107"}
ADDON_PRIMARY = {"11103": "11102", "11105": "11104", "11107": "11106", "17003": "17000",
                 "11201": "11200", "17312": "17311", "17314": "17313"}
COUNTED_CODES = tuple({*PER_SESSION, *BIOPSY_RANK, *ADDON_PRIMARY, "17000", "17003",
                       *(code for code, _ in addon_codes())})
# Add-ons that are no service without their primary: not billable alone.
ADDON_REMOVE = ("G2211",)


def check_counts(ctx: Ctx) -> list[Hits]:
    """Count, unit and primary/add-on findings of the batch."""
    if not ctx.ix.is_code(*COUNTED_CODES).any():
        return []
    return [ak_15_plus(ctx), ak_17004_count(ctx), ak_first_units(ctx),
            benign_destruction_count(ctx), intralesional_count(ctx), per_session_units(ctx),
            biopsy_primary_twice(ctx), biopsy_primary_units(ctx),
            addon_without_primary(ctx)]


def lesions(ctx: Ctx) -> np.ndarray:
    """Lesions a line treats: lesion.count, else its units."""
    return np.where(np.isnan(ctx.count), ctx.ix.units, np.fmax(ctx.count, 1.0))


def ak_lesions(ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """(AK lines 17000/17003, AK lesions treated that day on the claim) per line."""
    ak = ctx.ix.is_code("17000", "17003")
    per_line = np.fmax(ctx.ix.units, np.nan_to_num(ctx.count))
    return ak, ctx.same_day_count(ak, per_line)


def ak_15_plus(ctx: Ctx) -> Hits:
    """17000 + 17003 x n for 15 or more AKs: 17004 (one unit) describes all of them; the
    17003 lines go with the recode (17004/17003 is an NCCI modifier-indicator-0 pair)."""
    if not ctx.ix.is_code("17000", "17003").any():
        return empty_hits("ak_15_plus")
    ak, total = ak_lesions(ctx)
    big = ak & (total >= 15) & ~ctx.same_day_any(ctx.ix.is_code("17004"))
    # anchor: the 17000 line of the day, else its first 17003 line
    score = np.where(ctx.ix.is_code("17000"), 1000, 0) - ctx.line_no
    best = np.full(ctx.n, -10**9)
    np.maximum.at(best, ctx.day_group[big], score[big])
    anchor = big & (score == best[ctx.day_group])
    others = big & ~anchor
    pos = np.flatnonzero(anchor)
    removes = lines_of_groups(ctx, others, ctx.day_group[pos])
    return hits("ak_15_plus", pos, value="17004", units=1,
                removes=_objects(removes), n=total[pos].astype(int).astype(object),
                removed=np.array([lines_text(r) for r in removes], dtype=object))


def ak_17004_count(ctx: Ctx) -> Hits:
    """17004 for fewer than 15 AKs: 17000 (+ 17003 per further lesion) describes them;
    the recode to 17000 x1 carries the 17003 line of the other lesions (a split)."""
    n = ctx.count
    fire = ctx.ix.is_code("17004")
    if not fire.any():
        return empty_hits("ak_17004_count")
    fire &= n < 15
    pos = np.flatnonzero(fire)
    one = n[pos] == 1
    return hits("ak_17004_count", pos, variant=np.where(one, 0, 1), value="17000", units=1,
                addon=np.where(one, None, "17003"), n=n[pos].astype(int).astype(object),
                addon_units=(n[pos] - 1).astype(int).astype(object))


def ak_first_units(ctx: Ctx) -> Hits:
    """17000 billed with more than one unit (MUE 1): the first lesion is 17000 x1, each
    further one (2-14) a unit of 17003."""
    fire = ctx.ix.is_code("17000") & (ctx.ix.units > 1)
    if not fire.any():
        return empty_hits("ak_first_units")
    ak, total = ak_lesions(ctx)
    fire &= total < 15
    pos = np.flatnonzero(fire)
    return hits("ak_first_units", pos, value="1", units=1, addon="17003",
                units_billed=ctx.ix.units[pos].astype(int).astype(object),
                addon_units=(ctx.ix.units[pos] - 1).astype(int).astype(object))


def benign_destruction_count(ctx: Ctx) -> Hits:
    """17110 for 15+ benign lesions -> 17111; 17111 for fewer than 15 -> 17110 (1 unit)."""
    if not ctx.ix.is_code("17110", "17111").any():
        return empty_hits("benign_destruction_count")
    n = lesions(ctx)
    up = ctx.ix.is_code("17110") & (n >= 15)
    down = ctx.ix.is_code("17111") & ~np.isnan(ctx.count) & (ctx.count < 15)
    pos = np.flatnonzero(up | down)
    return hits("benign_destruction_count", pos, variant=down[pos].astype(np.int8),
                value=np.where(up[pos], "17111", "17110"), units=1,
                n=n[pos].astype(int).astype(object))


def intralesional_count(ctx: Ctx) -> Hits:
    """11900 for more than 7 lesions -> 11901; 11901 for 7 or fewer -> 11900 (1 unit)."""
    if not ctx.ix.is_code("11900", "11901").any():
        return empty_hits("intralesional_count")
    n = lesions(ctx)
    up = ctx.ix.is_code("11900") & (n > 7)
    down = ctx.ix.is_code("11901") & ~np.isnan(ctx.count) & (ctx.count <= 7)
    pos = np.flatnonzero(up | down)
    return hits("intralesional_count", pos, variant=down[pos].astype(np.int8),
                value=np.where(up[pos], "11901", "11900"), units=1,
                n=n[pos].astype(int).astype(object))


def per_session_units(ctx: Ctx) -> Hits:
    """A per-session code with units > 1: one unit (nothing is under-coded: the
    descriptor counts the lesions). Lines a count rule recodes are left to it."""
    if not (ctx.ix.is_code(*PER_SESSION) & (ctx.ix.units > 1)).any():
        return empty_hits("per_session_units")
    n = lesions(ctx)
    recoded = ((ctx.ix.is_code("17110") & (n >= 15)) | (ctx.ix.is_code("11900") & (n > 7)))
    fire = ctx.ix.is_code(*PER_SESSION) & (ctx.ix.units > 1) & ~recoded
    pos = np.flatnonzero(fire)
    return hits("per_session_units", pos, variant=ctx.ix.is_code("11200")[pos].astype(np.int8),
                value="1", units=1, units_billed=ctx.ix.units[pos].astype(int).astype(object))


def biopsy_ranks(ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """(is a biopsy primary, is the one primary the session keeps: highest technique,
    then the lowest line number)."""
    rank = np.full(ctx.n, -1)
    for code, r in BIOPSY_RANK.items():
        rank[ctx.ix.is_code(code)] = r
    primary = rank >= 0
    score = rank * 1000 - ctx.line_no
    best = np.full(ctx.n, -10**9)
    np.maximum.at(best, ctx.day_group[primary], score[primary])
    return primary, primary & (score == best[ctx.day_group])


def biopsy_primary_twice(ctx: Ctx) -> Hits:
    """A second biopsy primary in one session: its technique's add-on (11104 + 11102 ->
    11104 + 11103), keeping the highest-valued technique as the primary (CPT 2019)."""
    if ctx.ix.is_code(*BIOPSY_RANK).sum() < 2:
        return empty_hits("biopsy_primary_twice")
    primary, kept = biopsy_ranks(ctx)
    pos = np.flatnonzero(primary & ~kept)
    keeper = np.zeros(ctx.n, dtype=np.int64)
    keeper[ctx.day_group[kept]] = ctx.line_no[kept]
    old = ctx.codes[pos]
    return hits("biopsy_primary_twice", pos, value=np.array(
        [BIOPSY_ADDON_OF[c] for c in old], dtype=object), old=old,
        kept_line=keeper[ctx.day_group[pos]].astype(object))


def biopsy_primary_units(ctx: Ctx) -> Hits:
    """A biopsy primary with units > 1 (MUE 1): one unit, further lesions on an add-on."""
    if not (ctx.ix.is_code(*BIOPSY_RANK) & (ctx.ix.units > 1)).any():
        return empty_hits("biopsy_primary_units")
    _, kept = biopsy_ranks(ctx)
    pos = np.flatnonzero(kept & (ctx.ix.units > 1))
    old = ctx.codes[pos]
    return hits("biopsy_primary_units", pos, value="1", units=1,
                addon=np.array([BIOPSY_ADDON_OF[c] for c in old], dtype=object),
                addon_units=(ctx.ix.units[pos] - 1).astype(int).astype(object))


def addon_without_primary(ctx: Ctx) -> Hits:
    """An add-on code with none of its primaries on the claim that day: the primary of
    its technique/family when one unit (17003 alone -> 17000)."""
    if not ctx.ix.is_code(*(code for code, _ in addon_codes())).any():
        return empty_hits("addon_without_primary")
    orphan = np.zeros(ctx.n, dtype=bool)
    for code, parents in addon_codes():
        is_addon = ctx.ix.is_code(code)
        if is_addon.any():
            orphan |= is_addon & ~ctx.same_day_any(ctx.ix.is_code(*parents))
    orphan &= ~(ctx.ix.is_code("17003") & ctx.same_day_any(ctx.ix.is_code("17004")))
    pos = np.flatnonzero(orphan)
    code = ctx.codes[pos]
    primary = np.array([ADDON_PRIMARY.get(c) for c in code], dtype=object)
    one = ctx.ix.units[pos] == 1
    removable = np.isin(code, ADDON_REMOVE)
    known = primary != None  # noqa: E711
    variant = np.where(removable, 2, np.where(known, np.where(one, 0, 3), 1))
    split = variant == 3  # the first lesion becomes the primary, the rest stay add-on units
    return hits("addon_without_primary", pos, variant=variant,
                value=np.where(known & ~removable, primary, None),
                units=np.where(known & ~removable, 1, 0),
                addon=np.where(split, code, None),
                primary=np.where(primary == None, "its primary code", primary),  # noqa: E711
                addon_units=(ctx.ix.units[pos] - 1).astype(int).astype(object))


def lines_of_groups(ctx: Ctx, mask: np.ndarray, groups: np.ndarray) -> list[tuple[int, ...]]:
    """For each claim-day group in `groups`, the line numbers of its `mask` lines."""
    idx = np.flatnonzero(mask)
    idx = idx[np.argsort(ctx.day_group[idx], kind="stable")]
    keys = ctx.day_group[idx]
    lo, hi = np.searchsorted(keys, groups, "left"), np.searchsorted(keys, groups, "right")
    return [tuple(int(x) for x in ctx.line_no[idx[a:b]]) for a, b in zip(lo, hi)]


def lines_text(numbers: tuple[int, ...]) -> str:
    """'line 3' or 'lines 3, 4'."""
    if len(numbers) == 1:
        return f"line {numbers[0]}"
    return "lines " + ", ".join(map(str, numbers)) if numbers else "nothing else"


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
