"""The coding pass: modifiers as the case calls for them, with the practice's slips.

From the truth of each visit (shared/domain §2, §3, §11; CMS Claims Processing Manual ch.
12 §40): 25 on an E/M billed with a minor procedure, 57 on the decision E/M of a 090
procedure, 24 on an unrelated E/M inside another procedure's global, 58 / 78 / 79 on a
staged, complication or unrelated procedure inside a global, XS (+ the other line in
lesion.distinct_from_line) on the column-2 code of an NCCI pair done on different
lesions, RT/LT (E1-E4, FA-F9, TA-T9) on sided lesions for payers that want anatomic
modifiers, 95 on telehealth, GY on cosmetic services for Medicare. Slips drawn from the
profile's habits: 25 forgotten or put where 57 belongs, 57 where 25 belongs (a minor
procedure), 25 copied onto the procedure line, 24 forgotten, 79 where 58/78 belongs, no
modifier in a global, 59 where XS fits, 59 and XS together, no bypass, a bypass on the
same lesion, no RT/LT, the other side's modifier (RT on a left lesion, E1 for a right lid).
"""

from __future__ import annotations

import numpy as np

from reference.cms import CmsTables
from reference.codes import load_code_table
from reference.families import EM_CODES
from synthetic_data.arrays import isin, reindexed
from synthetic_data.ncci import claim_pairs, em_bundling_codes, ptp_indicator
from synthetic_data.world.context import WorldCtx
from synthetic_data.world.diagnoses import SIDED_SITES, other_side
from synthetic_data.world.timeline import (
    RELATION_COMPLICATION,
    RELATION_NONE,
    RELATION_STAGED,
)

MOD_SLOTS = ("mod_1", "mod_2", "mod_3", "mod_4")
NON_PROCEDURE = ("em", "em_addon", "drug", "pathology")
EYELID_MODIFIERS = {"left": ("E1", "E2"), "right": ("E3", "E4")}
FINGER_MODIFIERS = {"left": ("FA", "F1", "F2", "F3", "F4"),
                    "right": ("F5", "F6", "F7", "F8", "F9")}
TOE_MODIFIERS = {"left": ("TA", "T1", "T2", "T3", "T4"),
                 "right": ("T5", "T6", "T7", "T8", "T9")}
DIGIT_SHARE = 0.35  # hand/foot lesions on a digit
HABITUAL_SIDE_MODIFIERS = 0.15  # RT/LT added for payers that do not ask for them
GY_ON_COSMETIC = 0.75


def add_modifier(lines: dict, mask: np.ndarray, value) -> None:
    """Put `value` (scalar or per-line array) into the first free modifier slot."""
    todo = np.asarray(mask, dtype=bool).copy()
    values = np.broadcast_to(np.asarray(value, dtype=object), todo.shape)
    for col in MOD_SLOTS:
        free = todo & (lines[col] == None)  # noqa: E711 - object array compare
        lines[col] = np.where(free, values, lines[col])
        todo &= ~free


def line_facts(lines: dict) -> tuple[np.ndarray, np.ndarray]:
    """Family and global indicator of each line's code (code table)."""
    table = load_code_table().frame
    return (reindexed(table["family"], lines["cpt"], ""),
            reindexed(table["global_days"], lines["cpt"], ""))


def code_em_modifiers(ctx: WorldCtx, world, cms: CmsTables, family, glob) -> None:
    """25 / 57 on E/Ms billed with procedures, 24 on unrelated E/Ms in a global."""
    lines, visits, hist = world.lines, world.visits, world.history
    visit, n_visits = lines["visit"], len(visits["day"])
    em = isin(lines["cpt"], EM_CODES)
    minor, major = em_bundling_codes(cms, lines["cpt"], glob)
    has_minor = np.bincount(visit[minor & ~em], minlength=n_visits) > 0
    has_major = np.bincount(visit[major & ~em], minlength=n_visits) > 0
    n = len(em)
    decision = em & (lines["gmod"] == "57")
    wrong25 = ctx.err("wrong_25_for_57", n)
    add_modifier(lines, decision & has_major[visit], np.where(wrong25, "25", "57"))
    with_minor = em & has_minor[visit] & ~decision
    add_modifier(lines, with_minor & ~ctx.err("missing_25", n),
                 np.where(ctx.err("wrong_57_for_25", n), "57", "25"))
    slip_procedure_25(ctx, lines, minor & ~em & per_visit(visit, with_minor, n_visits))
    unrelated = hist["in_global"][visit] & (visits["relation"][visit] == RELATION_NONE)
    add_modifier(lines, em & unrelated & ~ctx.err("missing_24", n), "24")


def per_visit(visit: np.ndarray, mask: np.ndarray, n_visits: int) -> np.ndarray:
    """Per line: does any line of its visit satisfy mask."""
    return (np.bincount(visit[mask], minlength=n_visits) > 0)[visit]


def slip_procedure_25(ctx: WorldCtx, lines: dict, procedure: np.ndarray) -> None:
    """The slip that copies the E/M's 25 onto the minor procedure billed with it (25
    modifies only an E/M, shared/domain §2)."""
    add_modifier(lines, procedure & ctx.err("modifier_25_on_procedure", len(procedure)), "25")


def code_global_modifiers(ctx: WorldCtx, world, family, glob) -> None:
    """58 / 78 / 79 on procedures inside another procedure's global period."""
    lines, visits, hist = world.lines, world.visits, world.history
    visit, n = lines["visit"], len(lines["visit"])
    procedure = ~isin(family, NON_PROCEDURE) & (glob != "ZZZ") & (family != "")
    inside = procedure & hist["in_global"][visit]
    relation = visits["relation"][visit]
    value = np.select([relation == RELATION_STAGED, relation == RELATION_COMPLICATION],
                      ["58", "78"], "79").astype(object)
    slip79 = np.select([relation == RELATION_STAGED, relation == RELATION_COMPLICATION],
                       [ctx.err("wrong_79_for_58", n), ctx.err("wrong_79_for_78", n)], False)
    value = np.where(slip79, "79", value)
    add_modifier(lines, inside & ~ctx.err("missing_global_modifier", n), value)


def code_bypass(ctx: WorldCtx, world, cms: CmsTables, family) -> None:
    """XS + distinct_from_line on the column-2 line of NCCI pairs (indicator 1) done on
    different lesions; the practice's 59 / both / none / same-lesion slips."""
    lines = world.lines
    a, b = claim_pairs(lines["visit"])
    mi = ptp_indicator(cms, lines["cpt"][a], lines["cpt"][b])
    keep = (mi == 1) & ~isin(family[b], ("em", "em_addon"))
    a, b = a[keep], b[keep]
    col2, first = np.unique(b, return_index=True)
    col1 = a[first]
    la, lb = lines["lesion"][col1], lines["lesion"][col2]
    real = (la >= 0) & (lb >= 0)
    distinct = real & (la != lb)
    m = len(col2)
    none = ctx.err("no_bypass", m)
    use59 = ctx.err("use_59_not_x", m)
    both = ctx.err("both_59_and_x", m)
    modifier = np.where(use59, "59", "XS").astype(object)
    coded = np.where(distinct, ~none, real & ctx.chance(0.7, m))
    modifier = np.where(distinct, modifier, "59")
    mask = np.zeros(len(lines["visit"]), dtype=bool)
    mask[col2[coded]] = True
    value = np.full(len(mask), None, dtype=object)
    value[col2] = modifier
    add_modifier(lines, mask, value)
    extra = np.zeros(len(mask), dtype=bool)
    extra[col2[coded & distinct & both]] = True
    add_modifier(lines, extra, np.where(value == "59", "XS", "59"))
    named = coded & distinct & ~ctx.chance(0.08, m)
    lines["distinct_from"][col2[named]] = lines["line"][col1[named]]


def side_modifiers(ctx: WorldCtx, site: np.ndarray, side: np.ndarray) -> np.ndarray:
    """The anatomic modifier of each lesion: E1-E4 eyelids, FA-F9 / TA-T9 digits, RT/LT
    otherwise (None without a side)."""
    n = len(site)
    rt_lt = np.where(side == "left", "LT", np.where(side == "right", "RT", None))
    pick = ctx.rng.integers(0, 5, n)
    eyelid = np.where(side == "left", np.take(EYELID_MODIFIERS["left"], pick % 2),
                      np.take(EYELID_MODIFIERS["right"], pick % 2))
    finger = np.where(side == "left", np.take(FINGER_MODIFIERS["left"], pick),
                      np.take(FINGER_MODIFIERS["right"], pick))
    toe = np.where(side == "left", np.take(TOE_MODIFIERS["left"], pick),
                   np.take(TOE_MODIFIERS["right"], pick))
    digit = ctx.chance(DIGIT_SHARE, n)
    out = np.select([site == "eyelids", (site == "hands") & digit, (site == "feet") & digit],
                    [eyelid, finger, toe], rt_lt).astype(object)
    return np.where(isin(side, ("left", "right")), out, None)


def code_anatomic(ctx: WorldCtx, world, family, payer_wants: np.ndarray) -> None:
    """Anatomic modifiers on procedure lines of sided lesions where the payer wants them
    (and habitually on a few others); the slip leaves them off."""
    lines = world.lines
    n = len(lines["visit"])
    procedure = ~isin(family, NON_PROCEDURE) & (family != "")
    sided = procedure & isin(lines["site"], SIDED_SITES)
    wanted = payer_wants[lines["visit"]] | ctx.chance(HABITUAL_SIDE_MODIFIERS, n)
    add = sided & wanted & ~ctx.err("missing_side_modifier", n)
    side = np.where(ctx.err("wrong_side_modifier", n), other_side(lines["side"]),
                    lines["side"])
    add_modifier(lines, add, side_modifiers(ctx, lines["site"], side))


def code_modifiers(ctx: WorldCtx, world, cms: CmsTables, payer_wants_sides: np.ndarray,
                   medicare: np.ndarray) -> None:
    """Every modifier of every line (in place on world.lines)."""
    lines = world.lines
    n = len(lines["visit"])
    for col in MOD_SLOTS:
        lines[col] = np.full(n, None, dtype=object)
    lines["distinct_from"] = np.full(n, -1, dtype=np.int64)
    family, glob = line_facts(lines)
    code_em_modifiers(ctx, world, cms, family, glob)
    code_global_modifiers(ctx, world, family, glob)
    code_bypass(ctx, world, cms, family)
    code_anatomic(ctx, world, family, payer_wants_sides)
    visit = lines["visit"]
    em = isin(lines["cpt"], EM_CODES)
    add_modifier(lines, em & world.visits["telehealth"][visit], "95")
    cosmetic = world.visits["cosmetic"][visit] & ~isin(family, ("em", "pathology"))
    add_modifier(lines, cosmetic & medicare[visit] & ctx.chance(GY_ON_COSMETIC, n), "GY")
