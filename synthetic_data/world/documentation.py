"""Documentation flags per claim: the claim system's record of the chart, a noisy
indicator of what the chart really holds.

A flag is True when the practice's record says the note documents it, False when it does
not (or the field does not apply: the EHR export's unchecked box). From the truth: a
separate E/M note for separately identifiable E/Ms, symptoms for benign removals that
have them (LCD L35498: bleeding, itching, inflammation, change...), size/site for lesion
procedures, margins for excisions, the pathology report for cancers, a necessity note and
failed prior treatment for Mohs, phototherapy and biologics. Gaps are the practice's
documentation habits; what a reviewer finds in the chart is drawn later, conditional on
these flags (synthetic_data/hidden.py).
"""

from __future__ import annotations

import numpy as np

from reference.families import (
    BENIGN_REMOVAL_FAMILIES,
    EM_CODES,
    EXCISION_FAMILIES,
    LESION_FAMILIES,
    MALIGNANT_FAMILIES,
    PHOTOTHERAPY_CODES,
)
from synthetic_data.arrays import isin, lookup
from synthetic_data.world.context import WorldCtx
from synthetic_data.world.lines import per_visit_any

SYMPTOMATIC = {"L82.0": 0.95, "L82.1": 0.10, "L91.8": 0.35, "B07.8": 0.8, "B07.0": 0.9,
               "B08.1": 0.7, "A63.0": 0.9}
SYMPTOMATIC_DEFAULT = 0.65  # nevi, benign neoplasms, cysts removed: itching, change, ...
TEMPLATE_NOTE = 0.15  # E/M not separate, yet the template marks a separate note
BIOLOGICS = ("J3358", "J3245", "J2357", "J0135")


def _has(lines: dict, mask: np.ndarray, n: int) -> np.ndarray:
    return per_visit_any(lines, mask, n)


def symptomatic_visits(ctx: WorldCtx, lines: dict, family: np.ndarray, n: int) -> np.ndarray:
    """Truth: the benign lesions removed at the visit have LCD symptoms."""
    removal = isin(family, BENIGN_REMOVAL_FAMILIES)
    p = lookup(SYMPTOMATIC, lines["dx"], SYMPTOMATIC_DEFAULT, dtype=float)
    visit_p = np.ones(n)
    np.minimum.at(visit_p, lines["visit"][removal], p[removal])
    return ctx.chance(visit_p, n)


def documentation(ctx: WorldCtx, world, family: np.ndarray) -> dict[str, np.ndarray]:
    """doc_<field> columns (bool) per visit."""
    lines, visits = world.lines, world.visits
    n = len(visits["day"])
    cpt = lines["cpt"]
    em = _has(lines, isin(cpt, EM_CODES), n)
    procedure = _has(lines, ~isin(family, ("em", "em_addon", "drug", "pathology", "")), n)
    lesion = _has(lines, isin(family, LESION_FAMILIES), n)
    benign = _has(lines, isin(family, BENIGN_REMOVAL_FAMILIES), n)
    excision = _has(lines, isin(family, EXCISION_FAMILIES), n)
    malignant = _has(lines, isin(family, MALIGNANT_FAMILIES), n)
    photo = _has(lines, isin(cpt, PHOTOTHERAPY_CODES), n)
    biologic = _has(lines, isin(cpt, BIOLOGICS), n)
    mohs = _has(lines, family == "mohs", n)
    separate = visits["em_separate"]
    note = np.where(separate, ~ctx.err("no_separate_em_note", n), ctx.chance(TEMPLATE_NOTE, n))
    symptoms = symptomatic_visits(ctx, lines, family, n)
    symptoms_flag = np.where(benign, symptoms & ~ctx.err("no_symptoms_doc", n),
                             ctx.chance(0.5, n))
    needs_necessity = mohs | photo | biologic

    def documented(applies: np.ndarray, habit: str) -> np.ndarray:
        return applies & ~ctx.err(habit, n)

    return {
        "doc_separate_em_note": em & procedure & note,
        "doc_lesion_size_documented": documented(lesion, "no_size_doc"),
        "doc_lesion_site_documented": lesion & ~ctx.chance(ctx.rate("no_size_doc") / 2, n),
        "doc_symptoms_documented": symptoms_flag,
        "doc_margins_documented": documented(excision, "no_margins_doc"),
        "doc_pathology_report_attached": documented(malignant, "no_pathology_attached"),
        "doc_medical_necessity_note": documented(needs_necessity, "no_necessity_note"),
        "doc_prior_treatment_failed": documented(photo | biologic, "no_prior_treatment_doc"),
    }
