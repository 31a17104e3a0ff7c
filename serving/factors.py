"""Model features -> claim-language factors (one factor per feature, so sums stay additive).

Several model features describe one billing finding (e.g. `units_over_mue`, `mue_excess`
and `mue_over_mai2`); their SHAP values are summed into that finding's factor with one
(F x K) indicator matrix, vectorised over all claims. Features not listed fall back by
prefix (`doc_x` -> documentation_x, `n_*` -> services_billed) or keep their own name, so
a feature added later is still explained, never dropped.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

FACTOR_OF: dict[str, str] = {
    "em_needs_25": "em_with_procedure_without_25",
    "em_has_25_with_proc": "em_25_with_procedure",
    "em_25_with_destruction": "em_25_with_procedure",
    "em_25_no_separate_note": "documentation_separate_em_note",
    "ptp_unbypassed": "ptp_pair_without_bypass_modifier",
    "ptp_mi0": "ptp_pair_never_payable",
    "ptp_bypass_59": "modifier_59_where_x_expected",
    "has_59": "modifier_59_where_x_expected",
    "x_would_fit": "modifier_59_where_x_expected",
    "ptp_bypass_no_distinct": "bypass_without_distinct_lesion",
    "ptp_any": "ncci_pair_on_claim",
    "has_x_modifier": "bypass_modifiers",
    "has_anatomic_modifier": "bypass_modifiers",
    "units_over_mue": "units_over_mue",
    "mue_excess": "units_over_mue",
    "mue_over_mai2": "units_over_mue",
    "orphan_addon": "addon_without_primary",
    "in_global_unmodified": "inside_global_period",
    "days_since_global": "inside_global_period",
    "related_global_days": "inside_global_period",
    "dx_unsupported": "diagnosis_not_supporting_procedure",
    "dx_conditional_only": "diagnosis_needs_symptoms",
    "benign_lesion_no_symptoms": "documentation_symptoms",
    "cosmetic_dx": "cosmetic_service",
    "cosmetic_dx_on_claim": "cosmetic_service",
    "cosmetic_intake": "cosmetic_service",
    "pa_missing": "prior_auth_missing",
    "has_prior_auth": "prior_auth_missing",
    "coverage_inactive": "coverage_status",
    "eligibility_verified": "eligibility_verification",
    "past_filing_limit": "timely_filing",
    "days_over_filing_limit": "timely_filing",
    "days_to_submit": "timely_filing",
    "filing_limit_days": "timely_filing",
    "not_credentialed": "provider_credentialing",
    "referral_on_file": "referral",
    "excision_no_margins": "documentation_margins",
    "malignant_no_pathology": "documentation_pathology_report",
    "size_code_no_size_doc": "documentation_lesion_size",
    "n_sized_lines_no_size": "documentation_lesion_size",
    "lesion_no_site_doc": "documentation_lesion_site",
    "pa_family_no_prior_treatment": "documentation_prior_treatment",
    "necessity_code_no_note": "documentation_medical_necessity",
    "no_necessity_note": "documentation_medical_necessity",
    "mohs_auc_unmet": "mohs_below_size_criteria",
    "payer_id": "payer",
    "place_of_service": "place_of_service",
    "sex": "patient_demographics",
    "patient_age": "patient_demographics",
    "n_diagnoses": "diagnosis_count",
    "screening_dx": "screening_diagnosis",
    "screening_primary_dx": "screening_diagnosis",
    "max_lesion_size_cm": "lesion_size",
}
DOC_FACTOR: dict[str, str] = {
    "doc_separate_em_note": "documentation_separate_em_note",
    "doc_symptoms_documented": "documentation_symptoms",
    "doc_margins_documented": "documentation_margins",
    "doc_pathology_report_attached": "documentation_pathology_report",
    "doc_lesion_size_documented": "documentation_lesion_size",
    "doc_lesion_site_documented": "documentation_lesion_site",
    "doc_prior_treatment_failed": "documentation_prior_treatment",
    "doc_medical_necessity_note": "documentation_medical_necessity",
}
SERVICES_FEATURES = frozenset({"n_lines", "total_units", "total_charge", "unknown_codes",
                               "em_level", "em_new_patient"})


def factor_of(feature: str) -> str:
    """The factor a model feature's contribution is added to."""
    if feature in FACTOR_OF:
        return FACTOR_OF[feature]
    if feature in DOC_FACTOR:
        return DOC_FACTOR[feature]
    if feature.startswith("dx_unsupported_"):
        return "diagnosis_not_supporting_procedure"
    if feature.startswith("doc_"):
        return "documentation_" + feature.removeprefix("doc_")
    if feature.startswith("n_") or feature in SERVICES_FEATURES:
        return "services_billed"
    return feature


def factor_matrix(features: list[str]) -> tuple[list[str], np.ndarray]:
    """Factor names and the (F, K) 0/1 matrix adding feature contributions into factors
    (built once per model's feature list: every scored group reuses it)."""
    names, matrix = cached_factor_matrix(tuple(features))
    return list(names), matrix


@lru_cache(maxsize=64)
def cached_factor_matrix(features: tuple[str, ...]) -> tuple[tuple[str, ...], np.ndarray]:
    """factor_matrix of one feature tuple; the matrix is read-only (shared)."""
    names = sorted({factor_of(f) for f in features})
    index = {n: i for i, n in enumerate(names)}
    matrix = np.zeros((len(features), len(names)), dtype=np.float64)
    matrix[np.arange(len(features)), [index[factor_of(f)] for f in features]] = 1.0
    matrix.flags.writeable = False
    return tuple(names), matrix
