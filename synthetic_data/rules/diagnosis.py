"""Diagnosis edits, judged per line on the diagnoses that line points to (not the
claim's list): a pointed diagnosis that does not support the procedure, a side that
contradicts the line's RT/LT, a site that contradicts the code's site group, an
unspecified side where the code set has right and left, and Medicare's screening
exclusion (shared/domain §1, §4, §11).
"""

from __future__ import annotations

import numpy as np

from reference.families import EM_CODES, descriptors
from reference.icd10 import dx_site_side
from reference.modifiers import LEFT_MODIFIERS, RIGHT_MODIFIERS
from synthetic_data.arrays import isin
from synthetic_data.rules.base import Hit, Rule, archetypes

LESION = ("malignant", "in_situ", "nevus", "benign_neoplasm", "inflamed_sk", "sk", "cyst",
          "inflamed_cyst", "uncertain", "unspecified", "actinic", "wart", "tag", "keloid")
BENIGN_LESION = ("nevus", "benign_neoplasm", "inflamed_sk", "sk", "cyst", "inflamed_cyst",
                 "uncertain", "unspecified")
MALIGNANT = ("malignant", "in_situ")
# A biopsy also establishes the diagnosis of an eruption or hair loss (shared/domain §1:
# separate sites of one eruption each count), and its pathology goes with it.
ERUPTION = ("psoriasis", "dermatitis", "alopecia", "pigmentation", "rosacea", "follicular",
            "urticaria")
# Diagnosis kinds a payer accepts for each family (shared/domain §4 pairs; LCD L35498;
# uncertain behaviour -> benign codes, D49.2 until the report).
SUPPORTS: dict[str, tuple[str, ...]] = {
    "biopsy": LESION + ERUPTION,
    "shave": BENIGN_LESION + ("tag",),
    "excision_benign": BENIGN_LESION,
    "excision_malignant": MALIGNANT,
    "destruction_malignant": MALIGNANT,
    "mohs": MALIGNANT,
    "destruction_ak": ("actinic",),
    "pdt": ("actinic",),
    "destruction_benign": ("wart", "inflamed_sk", "sk", "tag"),
    "skin_tag": ("tag",),
    "intralesional": ("keloid", "acne", "alopecia", "psoriasis", "dermatitis", "cyst",
                      "inflamed_cyst"),
    "phototherapy": ("psoriasis", "dermatitis"),
    "repair_simple": LESION + ("complication",),
    "repair_intermediate": LESION + ("complication",),
    "repair_complex": LESION + ("complication",),
    "tissue_transfer": MALIGNANT + BENIGN_LESION,
    "incision_drainage": ("abscess", "cyst", "inflamed_cyst", "complication"),
    "pathology": LESION + ERUPTION,
}


def pointed_any(view, kinds: tuple[str, ...]) -> np.ndarray:
    """Per line: some pointed diagnosis is of one of the kinds."""
    k = view.pointed_kind
    return isin(k.ravel(), kinds).reshape(k.shape).any(axis=1)


def unsupported(view) -> Hit:
    """A procedure line none of whose pointed diagnoses supports it (a screening code,
    a benign code for a malignant excision's code or the reverse, the wrong problem)."""
    out = np.zeros(view.m, dtype=bool)
    for family, kinds in SUPPORTS.items():
        lines = view.family == family
        if lines.any():
            out |= lines & ~pointed_any(view, kinds)
    return Hit(lines=out)


def side_conflict(view) -> Hit:
    """The line's anatomic modifier names one side and its pointed diagnosis the other
    (a left-side code is valid coding: only a contradiction is wrong)."""
    right_mod, left_mod = view.has_mod(*RIGHT_MODIFIERS), view.has_mod(*LEFT_MODIFIERS)
    side = view.pointed_side
    dx_right = (side == "right").any(axis=1)
    dx_left = (side == "left").any(axis=1)
    return Hit(lines=(right_mod & dx_left & ~dx_right) | (left_mod & dx_right & ~dx_left))


def unspecified_side(view) -> Hit:
    """A procedure pointing only to an unspecified-side code where ICD-10-CM has right
    and left (code to the highest specificity)."""
    side = view.pointed_side
    specific = isin(side.ravel(), ("right", "left")).reshape(side.shape).any(axis=1)
    procedure = ~view.family_in(("em", "em_addon", "drug", "pathology", ""))
    return Hit(lines=procedure & (side == "unspecified").any(axis=1) & ~specific)


def site_conflict(view) -> Hit:
    """A site-coded excision, shave or destruction code whose site group the pointed
    diagnosis contradicts (a face code pointing to a trunk C44.519)."""
    table = descriptors()
    code_sites = {c: frozenset(d.sites) for c, d in table.items()}
    idx = np.flatnonzero(view.cpt_in(tuple(code_sites)))
    pointed = view.pointed[idx]
    pairs = (view.cpt[idx].astype(object)[:, None] + "|"
             + np.where(pointed == None, "", pointed).astype(object))  # noqa: E711

    def verdict(pair: str) -> int:
        """1 site agrees, -1 contradicts, 0 the diagnosis names no site."""
        code, _, dx = pair.partition("|")
        sites = dx_site_side(dx).sites if dx else ()
        if not sites or code not in code_sites:
            return 0
        return 1 if code_sites[code] & set(sites) else -1

    v = view.per_code(pairs, verdict, 0).astype(np.int64)
    out = np.zeros(view.m, dtype=bool)
    out[idx] = (v != 0).any(axis=1) & ~(v == 1).any(axis=1)
    return Hit(lines=out)


def screening_only(view) -> Hit:
    """An E/M line pointing only to a screening code: Medicare does not cover skin-cancer
    screening by a dermatologist."""
    kinds = view.pointed_kind
    present = kinds != ""
    screening = (kinds == "screening") | ~present
    em = view.cpt_in(EM_CODES)
    return Hit(lines=em & present.any(axis=1) & screening.all(axis=1))


RULES = (
    Rule(id="dx_not_supporting", category="diagnosis_mismatch", carc="CO-11", priority=72,
         fix="link_diagnosis", section="§4 diagnosis-procedure pairs; §11 per-line pointers",
         enforce=archetypes(0.9, 0.92, 0.9, 0.85, 0.9, 0.6), condition=unsupported,
         description=unsupported.__doc__ or ""),
    Rule(id="dx_side_conflict", category="diagnosis_mismatch", carc="CO-11", priority=70,
         fix="link_diagnosis", section="§11 laterality; §2 anatomic modifiers",
         enforce=archetypes(0.9, 0.9, 0.9, 0.8, 0.85, 0.5), condition=side_conflict,
         description=side_conflict.__doc__ or ""),
    Rule(id="dx_site_conflict", category="diagnosis_mismatch", carc="CO-11", rarc="M81",
         priority=71, fix="change_code", section="§1 site groups of the descriptors; §11",
         enforce=archetypes(0.85, 0.9, 0.85, 0.8, 0.85, 0.4), condition=site_conflict,
         description=site_conflict.__doc__ or ""),
    Rule(id="dx_unspecified_side", category="missing_information", carc="CO-16",
         rarc="M81", priority=73, fix="link_diagnosis", section="§11 laterality (specificity)",
         enforce=archetypes(0.0, 0.5, 0.7, 0.1, 0.6, 0.0), condition=unspecified_side,
         description=unspecified_side.__doc__ or ""),
    Rule(id="screening_not_covered", category="diagnosis_mismatch", carc="CO-167",
         rarc="N386", priority=75, fix="link_diagnosis",
         section="§4 screening (Medicare does not cover); §6 CO-167",
         enforce=archetypes(0.95, 0.9, 0.5, 0.05, 0.1, 0.05), condition=screening_only,
         description=screening_only.__doc__ or ""),
)
