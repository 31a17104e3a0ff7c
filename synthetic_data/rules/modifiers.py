"""Modifier edits: an E/M with a procedure without 25 (or 57 for a 090 procedure), 25
where 57 belongs, 59 and an X modifier on one line, 59 where the payer requires an X
modifier, sided procedures without RT/LT (or E1-E4, FA-F9, TA-T9) for payers that want
them, and the review of 25 against the chart (shared/domain §2, §8, §10, §11).
"""

from __future__ import annotations

import numpy as np

from reference.families import DESTRUCTION_AK, DESTRUCTION_BENIGN, EM_CODES
from reference.modifiers import ANATOMIC_MODIFIERS, X_MODIFIERS
from synthetic_data import hidden as hf
from synthetic_data.arrays import isin
from synthetic_data.ncci import em_bundling_codes
from synthetic_data.rules.base import Hit, Rule, archetypes, everyone
from synthetic_data.rules.coding_edits import same_day_pairs

DESTRUCTIONS_17000 = DESTRUCTION_AK + DESTRUCTION_BENIGN  # COA's 2026 change


def procedure_days(view) -> tuple[np.ndarray, np.ndarray]:
    """Per line: does its claim bill, the same day, a minor procedure (25) / a 090
    procedure (57)? (E/M lines excluded as the procedure.)"""
    em = view.cpt_in(EM_CODES)
    minor, major = em_bundling_codes(view.cms, view.cpt, view.global_days)
    key = view.claim_pos.astype(np.int64) * 100_000 + (view.dos % 100_000)
    def on_day(mask: np.ndarray) -> np.ndarray:
        return np.isin(key, key[mask & ~em])
    return on_day(minor), on_day(major)


def em_without_modifier(view) -> Hit:
    """An E/M billed with a same-day procedure without 25 (57 with a 090 procedure):
    the payer bundles the visit into the procedure."""
    minor, major = procedure_days(view)
    em = view.cpt_in(EM_CODES)
    return Hit(lines=em & (minor | major) & ~view.has_mod("25", "57"))


def em_25_with_major(view) -> Hit:
    """25 on the decision-for-surgery E/M of a 090 procedure (with no minor procedure
    that day): the modifier for it is 57."""
    minor, major = procedure_days(view)
    em = view.cpt_in(EM_CODES)
    return Hit(lines=em & major & ~minor & view.has_mod("25") & ~view.has_mod("57"))


def both_59_and_x(view) -> Hit:
    """59 and an X{EPSU} on the same line: X modifiers are subsets of 59, never both."""
    return Hit(lines=view.has_mod("59") & view.has_mod(*sorted(X_MODIFIERS)))


def x_required(view) -> Hit:
    """59 on a line of an NCCI pair for a payer that accepts only X{EPSU}."""
    a, b, mi = same_day_pairs(view)
    in_pair = np.zeros(view.m, dtype=bool)
    in_pair[np.r_[a[mi == 1], b[mi == 1]]] = True
    wants_x = view.to_lines(view.param("x_modifier_required").astype(bool))
    plain59 = view.has_mod("59") & ~view.has_mod(*sorted(X_MODIFIERS))
    return Hit(lines=in_pair & plain59 & wants_x)


def side_missing(view) -> Hit:
    """A procedure on a sided lesion (its diagnosis names right or left) without an
    anatomic modifier, for a payer that wants RT/LT (E1-E4, FA-F9, TA-T9)."""
    sided_dx = isin(view.pointed_side.ravel(), ("right", "left")).reshape(
        view.pointed.shape).any(axis=1)
    procedure = ~view.family_in(("em", "em_addon", "drug", "pathology", ""))
    wants = view.to_lines(view.param("anatomic_modifiers_required").astype(bool))
    return Hit(lines=procedure & sided_dx & wants & ~view.has_mod(*ANATOMIC_MODIFIERS))


def em25_not_supported(view) -> Hit:
    """The payer reviews 25-E/Ms billed with minor procedures and denies those whose
    record holds no separately identifiable E/M (no separate note, or a note the chart
    does not bear out). Some payers leave 17000-series destructions out of the review
    (COA until its 2026-04-01 change)."""
    minor, _ = procedure_days(view)
    em25 = view.cpt_in(EM_CODES) & view.has_mod("25") & minor
    em = view.cpt_in(EM_CODES)
    minor_codes, _ = em_bundling_codes(view.cms, view.cpt, view.global_days)
    other_minor = view.any_claim(minor_codes & ~em & ~view.cpt_in(DESTRUCTIONS_17000))
    covered = view.param("em25_review_destructions").astype(bool) | other_minor
    note = view.doc("separate_em_note").astype(float)
    supported = view.hidden["chart_supports_em"].astype(float)
    return Hit(lines=em25 & view.to_lines(covered),
               probability=view.param("em25_review_rate").astype(float),
               scale=1 - note * supported,
               scale_visible=1 - note * hf.q_chart_supports_em(view))


RULES = (
    Rule(id="em_missing_modifier", category="modifier", carc="CO-4", rarc="N822",
         priority=50, fix="add_modifier 25",
         section="§2 modifier 25 / 57; §3 E/M + minor procedure; §6 CO-4",
         enforce=archetypes(0.95, 0.95, 0.92, 0.95, 0.92, 0.8),
         condition=em_without_modifier, description=em_without_modifier.__doc__ or ""),
    Rule(id="modifier_59_with_x", category="modifier", carc="CO-4", rarc="N519",
         priority=51, fix="remove_modifier 59", section="§2 59 vs X{EPSU}: never both",
         enforce=archetypes(0.9, 0.9, 0.88, 0.85, 0.85, 0.5), condition=both_59_and_x,
         description=both_59_and_x.__doc__ or ""),
    Rule(id="x_modifier_required", category="modifier", carc="CO-4", rarc="N822",
         priority=52, fix="replace_modifier 59->XS",
         section="§2 CMS may require X; §10 COA insists on X{EPSU}", enforce=everyone(0.92),
         condition=x_required, description=x_required.__doc__ or ""),
    Rule(id="em_25_not_57", category="modifier", carc="CO-4", priority=53,
         fix="replace_modifier 25->57", section="§2 modifier 57; §11 global modifiers",
         enforce=archetypes(0.9, 0.9, 0.85, 0.8, 0.85, 0.5), condition=em_25_with_major,
         description=em_25_with_major.__doc__ or ""),
    Rule(id="side_modifier_missing", category="modifier", carc="CO-4", rarc="N822",
         priority=54, fix="add_modifier RT/LT", section="§2 anatomic modifiers; §11",
         enforce=everyone(0.88), condition=side_missing,
         description=side_missing.__doc__ or ""),
    Rule(id="em25_not_supported", category="modifier", carc="CO-4", rarc="N706",
         priority=80, fix="attach_documentation separate_em_note",
         section="§2 modifier 25; §8 audits; §10 COA reviews 25",
         enforce=everyone(1.0), condition=em25_not_supported, review=True,
         factor="chart_supports_em", description=em25_not_supported.__doc__ or ""),
)
