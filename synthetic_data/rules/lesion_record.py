"""Edits against the lesion record the claim carries (837P line notes: site, side,
excised diameter, lesion count; shared/domain §1, §2, §3, §11): a side modifier naming
the other side, a Mohs code of the other site family, a count code for the wrong number
of lesions, an excision/shave/ED&C code of another site group or size band, a pointed
diagnosis of another side or site than the lesion, and the misplaced 57 / 25 of §2.

Each condition reads the claim (rules/view.py), never the model's checker. Enforcement
follows §10: Medicare and Medicaid edit systems catch record contradictions most often,
the small commercial plan least; 25 on a procedure line is mostly ignored.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from reference.families import EM_CODES, descriptors
from reference.icd10 import dx_site_side
from reference.modifiers import LEFT_MODIFIERS, RIGHT_MODIFIERS
from reference.vocab import SITES
from synthetic_data.arrays import isin
from synthetic_data.rules.base import Hit, Rule, archetypes
from synthetic_data.rules.modifiers import procedure_days

MOHS_TRUNK_LIMBS = ("17313", "17314")
MOHS_HEAD = ("17311", "17312")
TRUNK_LIMB_SITES = ("trunk", "arms", "legs")
SIZE_FAMILIES = ("excision_benign", "excision_malignant")


def wrong_side_modifier(view) -> Hit:
    """A right-side modifier (RT, E3/E4, F5-F9, T5-T9) on a left lesion or a left-side
    one on a right lesion."""
    side = view.lesion("laterality")
    right, left = view.has_mod(*RIGHT_MODIFIERS), view.has_mod(*LEFT_MODIFIERS)
    return Hit(lines=(right & (side == "left")) | (left & (side == "right")))


def mohs_site_mismatch(view) -> Hit:
    """17313/17314 (trunk, arms, legs) on a lesion of the head, neck, hands, feet or
    genitalia, or 17311/17312 on a trunk/arm/leg lesion (the record shows no deep
    structure)."""
    site = view.lesion("site")
    known = isin(site, ("face", "scalp", "neck", "ears", "eyelids", "nose", "lips",
                        "hands", "feet", "genitalia", *TRUNK_LIMB_SITES))
    trunk = isin(site, TRUNK_LIMB_SITES)
    return Hit(lines=known & ((view.cpt_in(MOHS_TRUNK_LIMBS) & ~trunk)
                              | (view.cpt_in(MOHS_HEAD) & trunk)))


def count_code_mismatch(view) -> Hit:
    """A per-session count code that does not describe the lesion count on the line:
    17110 for 15+ benign lesions (17111), 11900 for 8+ injected lesions (11901), 17004
    for fewer than 15 AKs (17000 + 17003) when no 17000/17003 sits beside it."""
    count = view.lesion("count")
    ak_pair = view.to_lines(view.any_claim(view.cpt_in(("17000", "17003"))))
    return Hit(lines=((view.cpt == "17110") & (count >= 15))
               | ((view.cpt == "11900") & (count > 7))
               | ((view.cpt == "17004") & (count < 15) & ~ak_pair))


@lru_cache(maxsize=1)
def descriptor_facts() -> dict[str, tuple[frozenset, float, float]]:
    """Site/size-coded code -> (its sites, smallest and largest diameter)."""
    return {c: (frozenset(d.sites), d.size_min_cm, d.size_max_cm)
            for c, d in descriptors().items()}


def site_verdict(pair: str) -> int:
    """'code|site' -> 1 the code's descriptor covers the site, -1 it does not, 0 the code
    is not site-coded or the site unknown."""
    code, _, site = pair.partition("|")
    facts = descriptor_facts().get(code)
    if facts is None or site not in SITES:
        return 0
    return 1 if site in facts[0] else -1


def site_group_mismatch(view) -> Hit:
    """An excision, shave or ED&C code whose descriptor sites exclude the lesion's site
    (11440-series face code for a trunk lesion)."""
    pairs = view.cpt.astype(str).astype(object) + "|" + view.lesion("site").astype(str)
    return Hit(lines=view.per_code(pairs, site_verdict, 0).astype(np.int64) < 0)


def size_band_mismatch(view) -> Hit:
    """An excision code whose diameter band excludes the excised diameter on the line
    (lesion + margins): the lesion diameter coded instead, or a band off."""
    facts = descriptor_facts()
    codes = view.code_ids[1].astype(str)
    low = view.per_line_code(np.array([facts[c][1] if c in facts else np.nan for c in codes]))
    high = view.per_line_code(np.array([facts[c][2] if c in facts else np.nan
                                        for c in codes]))
    size = np.round(view.lesion("size_cm"), 1)
    outside = (size < low - 1e-9) | (size > high + 1e-9)
    return Hit(lines=view.family_in(SIZE_FAMILIES) & ~np.isnan(size) & outside)


def modifier_57_minor(view) -> Hit:
    """57 (decision for surgery) on an E/M whose same-day procedures are 000/010-day
    minor ones: 57 is for major (090) surgery, 25 belongs there."""
    minor, major = procedure_days(view)
    return Hit(lines=view.cpt_in(EM_CODES) & view.has_mod("57") & minor & ~major)


def modifier_25_procedure(view) -> Hit:
    """25 on a line that is not an E/M (25 modifies evaluation and management only)."""
    return Hit(lines=view.has_mod("25") & ~view.cpt_in(EM_CODES))


def dx_side_vs_lesion(view) -> Hit:
    """A procedure line pointing only to diagnoses of the other side than the lesion's
    recorded laterality (C44.619 left arm for a right-arm BCC)."""
    side = view.lesion("laterality")
    dx_side = view.pointed_side
    sided = isin(side, ("right", "left"))
    named = (dx_side == "right") | (dx_side == "left")
    agree = (dx_side == side[:, None]).any(axis=1)
    return Hit(lines=sided & named.any(axis=1) & ~agree
               & ~view.family_in(("em", "em_addon", "drug", "pathology", "")))


def dx_site_verdict(pair: str) -> int:
    """'dx|site' -> 1 the diagnosis names the site, -1 it names only others, 0 it names
    no site (or the site is unknown)."""
    dx, _, site = pair.partition("|")
    sites = dx_site_side(dx).sites if dx and dx != "None" else ()
    if not sites or site not in SITES:
        return 0
    return 1 if site in sites else -1


def dx_site_vs_lesion(view) -> Hit:
    """A procedure line whose pointed site-coded diagnoses all name other sites than the
    lesion's (C44.41 scalp/neck for a face BCC)."""
    site = view.lesion("site").astype(str).astype(object)
    pairs = view.pointed.astype(str).astype(object) + "|" + site[:, None]
    verdict = view.per_code(pairs, dx_site_verdict, 0).astype(np.int64)
    procedure = ~view.family_in(("em", "em_addon", "drug", "pathology", ""))
    return Hit(lines=procedure & (verdict < 0).any(axis=1) & ~(verdict > 0).any(axis=1))


RULES = (
    Rule(id="count_code_mismatch", category="units", carc="CO-151", priority=43, fix="change_code",
         section="§1 17110/17111, 11900/11901, 17000-17004 by lesion count; §6 CO-151 "
                 "(the information does not support this many services); §11",
         enforce=archetypes(0.9, 0.88, 0.85, 0.7, 0.75, 0.45),
         condition=count_code_mismatch, description=count_code_mismatch.__doc__ or ""),
    Rule(id="mohs_site_code", category="diagnosis_mismatch", carc="CO-11", priority=48,
         fix="change_code", section="§1 Mohs 17311 head/neck/hands/feet vs 17313 trunk",
         enforce=archetypes(0.9, 0.9, 0.85, 0.75, 0.8, 0.5),
         condition=mohs_site_mismatch, description=mohs_site_mismatch.__doc__ or ""),
    Rule(id="code_site_group", category="diagnosis_mismatch", carc="CO-11", rarc="M51",
         priority=48, fix="change_code", section="§1 site groups of the descriptors; §11",
         enforce=archetypes(0.85, 0.85, 0.8, 0.7, 0.75, 0.5),
         condition=site_group_mismatch, description=site_group_mismatch.__doc__ or ""),
    Rule(id="code_size_band", category="missing_information", carc="CO-16", rarc="M51",
         priority=49, fix="change_code",
         section="§1 excision size = lesion + margins; §11 size on the claim",
         enforce=archetypes(0.8, 0.75, 0.7, 0.6, 0.65, 0.35),
         condition=size_band_mismatch, description=size_band_mismatch.__doc__ or ""),
    Rule(id="side_modifier_wrong", category="modifier", carc="CO-4", priority=55,
         fix="replace_modifier RT<->LT", section="§2 anatomic modifiers; §11 laterality",
         enforce=archetypes(0.88, 0.88, 0.85, 0.8, 0.85, 0.45),
         condition=wrong_side_modifier, description=wrong_side_modifier.__doc__ or ""),
    Rule(id="modifier_57_minor", category="modifier", carc="CO-4", priority=56,
         fix="replace_modifier 57->25", section="§2 modifier 25 vs 57; §3 global days",
         enforce=archetypes(0.85, 0.85, 0.8, 0.7, 0.8, 0.4),
         condition=modifier_57_minor, description=modifier_57_minor.__doc__ or ""),
    Rule(id="modifier_25_procedure", category="modifier", carc="CO-4", priority=57,
         fix="remove_modifier 25", section="§2 modifier 25 (E/M only)",
         enforce=archetypes(0.1, 0.12, 0.2, 0.05, 0.1, 0.05),
         condition=modifier_25_procedure, description=modifier_25_procedure.__doc__ or ""),
    Rule(id="dx_side_lesion", category="diagnosis_mismatch", carc="CO-11", priority=69,
         fix="link_diagnosis", section="§11 laterality; §4 diagnosis of the lesion",
         enforce=archetypes(0.85, 0.88, 0.85, 0.75, 0.8, 0.4),
         condition=dx_side_vs_lesion, description=dx_side_vs_lesion.__doc__ or ""),
    Rule(id="dx_site_lesion", category="diagnosis_mismatch", carc="CO-11", priority=69,
         fix="link_diagnosis", section="§11 ICD-10-CM site subcodes; §4",
         enforce=archetypes(0.8, 0.85, 0.8, 0.7, 0.75, 0.4),
         condition=dx_site_vs_lesion, description=dx_site_vs_lesion.__doc__ or ""),
)
