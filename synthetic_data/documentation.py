"""Documentation flags per claim, derived from what the claim bills.

A field is True when the note documents it, False when it does not or when it does not
apply (the EHR export's unchecked box). Which fields matter follows the services: a
separate E/M note for 25-E/Ms, size/site for lesion procedures, symptoms for benign
removals (LCD L35498), margins for excisions, the path report for cancers, a necessity
note and failed prior treatment for Mohs/phototherapy/biologics. Gaps are coder errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reference.linkage import COSMETIC_DX
from synthetic_data.codemask import code_mask, family_mask
from synthetic_data.context import Ctx
from synthetic_data.lines import Lines

LESION_FAMILIES = ("biopsy", "shave", "excision_benign", "excision_malignant", "mohs",
                   "destruction_ak", "destruction_benign", "destruction_malignant", "skin_tag")
BENIGN_REMOVAL = ("shave", "excision_benign", "destruction_benign", "skin_tag")
EXCISION = ("excision_benign", "excision_malignant")
MALIGNANT = ("excision_malignant", "mohs", "destruction_malignant")
NECESSITY = ("mohs", "phototherapy")
STEP_THERAPY = ("phototherapy",)
COSMETIC_SYMPTOM_RATE = 0.6  # symptoms documented on a cosmetic-looking removal


def claim_has(lines: Lines, mask: np.ndarray, n_claims: int) -> np.ndarray:
    """Per claim: does any of its lines satisfy mask."""
    out = np.zeros(n_claims, dtype=bool)
    out[lines["claim"][mask]] = True
    return out


def cosmetic_visits(lines: Lines, n_claims: int) -> np.ndarray:
    """Claims with a cosmetic-reading diagnosis (L82.1, L91.8, L81.4) on any line."""
    return claim_has(lines, pd.Index(COSMETIC_DX).get_indexer(lines["dx"]) >= 0, n_claims)


def _documented(ctx: Ctx, applies: np.ndarray, error: str) -> np.ndarray:
    """True where the field applies and the coder did not leave it out."""
    return applies & ~ctx.error(error, len(applies))


def sample_documentation(ctx: Ctx, lines: Lines, n_claims: int) -> pd.DataFrame:
    """doc_<field> columns (bool) for every claim of the chunk."""
    def has(fams) -> np.ndarray:
        """Claims billing any code of these families."""
        return claim_has(lines, family_mask(lines["code"], fams), n_claims)

    biologic = claim_has(lines, code_mask(lines["code"], ("J3358",)), n_claims)
    em = has(("em",))
    procedure = claim_has(lines, ~family_mask(lines["code"], ("em", "drug", "pathology")),
                          n_claims)
    cosmetic = cosmetic_visits(lines, n_claims)
    lesion = has(LESION_FAMILIES)
    benign = has(BENIGN_REMOVAL)
    symptoms = np.where(cosmetic, ctx.chance(COSMETIC_SYMPTOM_RATE, n_claims),
                        _documented(ctx, benign, "no_symptoms_doc"))
    symptoms |= ~benign & ~cosmetic & ctx.chance(0.5, n_claims)
    return pd.DataFrame({
        "doc_separate_em_note": _documented(ctx, em & procedure, "no_separate_em_note"),
        "doc_lesion_size_documented": _documented(ctx, lesion, "no_size_doc"),
        "doc_lesion_site_documented": _documented(ctx, lesion, "no_site_doc"),
        "doc_symptoms_documented": symptoms,
        "doc_margins_documented": _documented(ctx, has(EXCISION), "no_margins_doc"),
        "doc_pathology_report_attached": _documented(ctx, has(MALIGNANT), "no_pathology"),
        "doc_medical_necessity_note": _documented(ctx, has(NECESSITY) | biologic,
                                                  "no_necessity_note"),
        "doc_prior_treatment_failed": _documented(ctx, has(STEP_THERAPY) | biologic,
                                                  "no_prior_treatment"),
    })
