"""Coding edits: NCCI procedure-to-procedure pairs (indicator 0 never together;
indicator 1 only with a bypass modifier, and a reviewer may find the lesions were not
distinct), the flap that includes its excision, add-ons without their primary, MUE
units per date of service, and G2211 beside a modifier-25 E/M (shared/domain §1, §3,
§8, §9; CMS MLN G2211).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from reference.codes import load_code_table
from reference.families import EM_CODES, EXCISION_FAMILIES
from reference.modifiers import ANATOMIC_MODIFIERS, X_MODIFIERS
from synthetic_data import hidden as hf
from synthetic_data.arrays import isin
from synthetic_data.ncci import claim_pairs, mue_limits, ptp_indicator
from synthetic_data.rules.base import Hit, Rule, archetypes

BYPASS = ("59", *sorted(X_MODIFIERS))
MEDICARE = ("medicare_ffs", "medicare_advantage")
G2211_2025 = date(2025, 1, 1)  # from 2025: payable with 25 on preventive/vaccine days
PREVENTIVE = ("G0438", "G0439", "G0008", "G0009", "90471", "90472", "90473", "90474")


def same_day_pairs(view) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(column 1, column 2, indicator) of every active NCCI edit between two lines of a
    claim on the same date of service."""
    a, b = claim_pairs(view.claim_pos)
    keep = view.dos[a] == view.dos[b]
    a, b = a[keep], b[keep]
    mi = ptp_indicator(view.cms, view.cpt[a], view.cpt[b])
    hit = mi >= 0
    return a[hit], b[hit], mi[hit]


def lines_of(view, positions: np.ndarray) -> np.ndarray:
    out = np.zeros(view.m, dtype=bool)
    out[positions] = True
    return out


def never_together(view) -> Hit:
    """Column-2 lines of indicator-0 pairs (17004 with 17000/17003, two biopsy
    primaries): never payable together, whatever the modifier."""
    a, b, mi = same_day_pairs(view)
    return Hit(lines=lines_of(view, b[mi == 0]))


def distinct_bypass(view, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairs whose bypass the payer accepts: 59/X on the column-2 line (Medicare: on
    either line, FCSO 2019), or different anatomic modifiers on the two lines."""
    bypass = view.has_mod(*BYPASS)
    medicare = isin(view.to_lines(view.archetype), MEDICARE)
    either = np.where(medicare[b], bypass[a] | bypass[b], bypass[b])
    mods = view.mods
    side_a = np.where(isin(mods[a].ravel(), ANATOMIC_MODIFIERS).reshape(mods[a].shape),
                      mods[a], None)
    side_b = np.where(isin(mods[b].ravel(), ANATOMIC_MODIFIERS).reshape(mods[b].shape),
                      mods[b], None)
    first_a = pd.DataFrame(side_a).bfill(axis=1).iloc[:, 0].to_numpy(dtype=object)
    first_b = pd.DataFrame(side_b).bfill(axis=1).iloc[:, 0].to_numpy(dtype=object)
    anatomic = pd.notna(first_a) & pd.notna(first_b) & (first_a != first_b)
    return either | anatomic


def unbypassed_pair(view) -> Hit:
    """Column-2 lines of indicator-1 pairs (not E/M: that is the 25 edit; not an excision
    under a same-day flap: excision_with_flap, which no modifier cures) billed without an
    accepted NCCI-associated modifier."""
    a, b, mi = same_day_pairs(view)
    flap = view.family == "tissue_transfer"
    keep = (mi == 1) & ~view.cpt_in(EM_CODES)[b] & ~(flap[a] & view.family_in(
        EXCISION_FAMILIES)[b])
    a, b = a[keep], b[keep]
    return Hit(lines=lines_of(view, b[~distinct_bypass(view, a, b)]))


def bypass_not_distinct(view) -> Hit:
    """A reviewer checks a bypassed pair (OIG: 40% of 59 pairs did not qualify) and finds
    the same lesion or site: the column-2 line is bundled after all."""
    col2, _ = hf.bypass_lines(view)
    distinct = view.hidden["lesions_distinct"].astype(float)
    return Hit(lines=lines_of(view, col2), scale=1 - distinct,
               scale_visible=1 - hf.q_lesions_distinct(view))


def excision_under_flap(view) -> Hit:
    """An excision billed beside an adjacent tissue transfer the same day: CPT 14000-
    14061 include the excision of the lesion."""
    flap = view.any_claim(view.family == "tissue_transfer")
    return Hit(lines=view.family_in(EXCISION_FAMILIES) & view.to_lines(flap))


@lru_cache(maxsize=1)
def addon_parents() -> dict[str, tuple[str, ...]]:
    """Add-on code -> its primary codes (code table), G2211 -> the office E/Ms."""
    table = load_code_table()
    return {code: table.addon_parents(code) for code in table.frame.index
            if table.addon_parents(code)}


def orphan_addons(view) -> Hit:
    """Add-on lines whose primary code is not on the claim (17003 without 17000, a
    biopsy add-on without a primary, G2211 without an E/M)."""
    parents = addon_parents()
    out = np.zeros(view.m, dtype=bool)
    addon = np.flatnonzero(view.cpt_in(tuple(parents)))
    if not len(addon):
        return Hit(lines=out)
    ids, codes = view.code_ids
    width = len(codes) + 1
    present = np.sort(view.claim_pos.astype(np.int64) * width + ids)
    for code in np.unique(view.cpt[addon].astype(str)):
        lines = addon[view.cpt[addon] == code]
        found = np.zeros(len(lines), dtype=bool)
        for primary in parents[code]:
            where = np.flatnonzero(codes == primary)
            if len(where):
                key = view.claim_pos[lines].astype(np.int64) * width + where[0]
                pos = np.minimum(np.searchsorted(present, key), len(present) - 1)
                found |= present[pos] == key
        out[lines[~found]] = True
    return Hit(lines=out)


def units_over_mue(view) -> Hit:
    """Units of a code on one date of service above its MUE (MAI 1 per line, MAI 2
    absolute, MAI 3 clinical: some MAI 3 excess is let through)."""
    limit, mai = mue_limits(view.cms, view.cpt)
    code = pd.factorize(pd.Series(view.cpt, dtype=object))[0]
    day_total = pd.Series(view.units).groupby([view.claim_pos, code, view.dos],
                                              sort=False).transform("sum").to_numpy()
    units = np.where(mai == 1, view.units, day_total)
    over = (limit > 0) & (units > limit)
    weight = np.where(mai == 3, 0.9, 1.0)
    scale = np.zeros(view.n)
    np.maximum.at(scale, view.claim_pos[over], weight[over])
    return Hit(lines=over, scale=scale, scale_visible=scale)


def g2211_with_25(view) -> Hit:
    """G2211 on a claim whose E/M carries 25: not payable (CMS 2024); from 2025 only
    when the 25 E/M falls on a preventive or vaccine service day."""
    em25 = view.any_claim(view.cpt_in(EM_CODES) & view.has_mod("25"))
    preventive = view.any_claim(view.cpt_in(PREVENTIVE))
    since = int(np.datetime64(G2211_2025, "D").astype(np.int64))
    exempt = preventive & (view.first_dos >= since)
    return Hit(lines=(view.cpt == "G2211") & view.to_lines(em25 & ~exempt))


RULES = (
    Rule(id="ncci_never_together", category="bundling", carc="CO-236", rarc="N20",
         priority=40, fix="change_code", section="§3 PTP indicator 0; §9",
         enforce=archetypes(1.0, 1.0, 0.98, 0.95, 0.95, 0.8), condition=never_together,
         description=never_together.__doc__ or ""),
    Rule(id="ncci_unbypassed", category="bundling", carc="CO-236", rarc="N20", priority=41,
         fix="add_modifier XS", section="§3 PTP indicator 1; §2 59 vs X{EPSU}; §9",
         enforce=archetypes(0.97, 0.95, 0.92, 0.90, 0.88, 0.6), condition=unbypassed_pair,
         description=unbypassed_pair.__doc__ or ""),
    Rule(id="excision_with_flap", category="bundling", carc="CO-234", rarc="M15",
         priority=42, fix="remove_line", section="§1 CPT 14000-14061 include the excision",
         enforce=archetypes(0.95, 0.95, 0.9, 0.9, 0.9, 0.6), condition=excision_under_flap,
         description=excision_under_flap.__doc__ or ""),
    Rule(id="addon_without_primary", category="bundling", carc="CO-B15", priority=44,
         fix="change_code", section="§3 orphan add-ons; §1 (G2211 needs an E/M)",
         enforce=archetypes(0.97, 0.97, 0.95, 0.92, 0.92, 0.7), condition=orphan_addons,
         description=orphan_addons.__doc__ or ""),
    Rule(id="g2211_with_25", category="bundling", carc="CO-234", rarc="M15", priority=45,
         fix="remove_line", section="§1 G2211 (CMS MLN: not payable with a 25 E/M)",
         enforce=archetypes(0.95, 0.9, 0.0, 0.0, 0.0, 0.0), condition=g2211_with_25,
         description=g2211_with_25.__doc__ or ""),
    Rule(id="mue_exceeded", category="units", carc="CO-151", rarc="N362", priority=46,
         fix="change_code", section="§3 MUE; §9 values; §11 recode, don't delete",
         enforce=archetypes(0.97, 0.97, 0.95, 0.85, 0.88, 0.6), condition=units_over_mue,
         description=units_over_mue.__doc__ or ""),
    Rule(id="bypass_not_distinct", category="bundling", carc="CO-236", rarc="M15",
         priority=47, fix="remove_line", section="§3 same-lesion biopsy; §8 OIG 59 audit",
         enforce=archetypes(0.04, 0.12, 0.06, 0.10, 0.12, 0.02),
         condition=bypass_not_distinct, review=True, factor="lesions_distinct",
         description=bypass_not_distinct.__doc__ or ""),
)
