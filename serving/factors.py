"""Model features -> claim-language factors: drivers a coder can act on, and context.

Several model features describe one billing finding (`units_over_mue`, `mue_excess` and
`per_session_units` are one "units" finding; `mod_59`, `proc_mod_59` and `ptp_bypass_59`
one "modifier 59" finding); their SHAP values are summed into that factor with one
(F x K) indicator matrix, vectorised over all claims, so sums stay additive. Context
factors (payer, patient age and sex, rendering provider, place of service, dates, size
of the claim, the patient's history at the practice) explain risk but are nothing a
coder can change: the response lists them under `context`, never as drivers.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

CONTEXT_FACTORS: frozenset[str] = frozenset({
    "payer", "patient", "rendering_provider", "place_of_service", "service_dates",
    "claim_size", "patient_history", "claim_frequency", "submission_lag"})
EXACT: dict[str, str] = {
    "payer_id": "payer", "patient_age": "patient", "sex": "patient",
    "rendering_npi": "rendering_provider", "place_of_service": "place_of_service",
    "provider_credentialing_standing": "rendering_provider",
    "service_day": "service_dates", "service_month": "service_dates",
    "service_span_days": "service_dates", "claim_frequency": "claim_frequency",
    "days_to_submit": "submission_lag", "days_last_service_to_submit": "submission_lag",
    "n_lines": "claim_size", "total_units": "claim_size", "total_charge": "claim_size",
    "n_diagnoses": "claim_size", "n_lesions": "claim_size", "max_lesion_size_cm": "claim_size",
    "em_level": "em_service", "em_code": "em_service", "em_new_patient": "em_service",
    "n_unknown_codes": "codes_outside_reference", "mod_unknown": "codes_outside_reference",
    "days_since_last_visit": "patient_history", "established_patient": "patient_history",
    "prior_denials_same_code": "patient_history",
    "lines_billed_before": "billed_before", "resent_original": "billed_before",
    "em_needs_25": "em_with_procedure_without_25",
    "em_has_25_with_proc": "em_25_with_procedure", "em_mod_25": "em_25_with_procedure",
    "em_shares_dx_with_procedure": "em_25_with_procedure",
    "ptp_unbypassed": "ptp_pair_without_bypass_modifier",
    "ptp_mi0": "ptp_pair_never_payable", "ptp_any": "ncci_pair_on_claim",
    "ptp_bypass_no_distinct": "bypass_without_distinct_lesion",
    "ptp_bypass_59": "modifier_59", "x_would_fit": "modifier_59",
    "modifier_59_and_x": "modifier_59", "proc_mod_59": "modifier_59",
    "units_over_mue": "units_over_mue", "mue_excess": "units_over_mue",
    "mue_over_mai2": "units_over_mue", "per_session_units": "units_over_mue",
    "orphan_addon": "addon_without_primary",
    "in_global_unmodified": "inside_global_period", "inside_global": "inside_global_period",
    "days_since_global": "inside_global_period", "related_global_days": "inside_global_period",
    "dx_unsupported": "diagnosis_not_supporting_procedure",
    "lines_no_valid_pointer": "diagnosis_pointers", "lines_multi_pointer": "diagnosis_pointers",
    "dx_conditional_only": "diagnosis_needs_symptoms",
    "benign_lesion_no_symptoms": "documentation_symptoms",
    "screening_only": "screening_diagnosis", "dx_screening": "screening_diagnosis",
    "cosmetic_dx": "cosmetic_service", "cosmetic_intake": "cosmetic_service",
    "dx_sk": "cosmetic_service", "dx_skin_tag": "cosmetic_service",
    "dx_pigment": "cosmetic_service", "dx_cosmetic_encounter": "cosmetic_service",
    "pa_missing": "prior_auth_missing", "has_prior_auth": "prior_auth_missing",
    "referral_on_file": "referral", "coverage_inactive": "eligibility",
    "eligibility_verified": "eligibility", "not_credentialed": "provider_credentialing",
    "ndc_missing": "ndc_missing", "sessions_this_year": "phototherapy_sessions",
    "sessions_with_this_claim": "phototherapy_sessions",
    "sessions_on_claim": "phototherapy_sessions",
    "new_patient_code_established": "new_patient_code",
    "primary_code": "primary_service", "primary_dx_class": "primary_diagnosis",
    "dx1_class": "primary_diagnosis", "mohs_auc_unmet": "mohs_below_size_criteria",
    "proc_side_modifier": "side_modifier", "lines_with_laterality": "side_modifier",
    "side_missing_dx_named": "coding_side_modifier_missing",
    "proc_no_modifier": "procedure_modifiers", "liability_modifier": "liability_modifier",
    "em_25_no_separate_note": "documentation_separate_em_note",
    "excision_no_margins": "documentation_margins",
    "malignant_no_pathology": "documentation_pathology_report",
    "size_code_no_size_doc": "documentation_lesion_size",
    "n_sized_lines_no_size": "documentation_lesion_size",
    "lesion_no_site_doc": "documentation_lesion_site",
    "pa_family_no_prior_treatment": "documentation_prior_treatment",
    "necessity_code_no_note": "documentation_medical_necessity",
    "doc_separate_em_note": "documentation_separate_em_note",
    "doc_symptoms_documented": "documentation_symptoms",
    "doc_margins_documented": "documentation_margins",
    "doc_pathology_report_attached": "documentation_pathology_report",
    "doc_lesion_size_documented": "documentation_lesion_size",
    "doc_lesion_site_documented": "documentation_lesion_site",
    "doc_prior_treatment_failed": "documentation_prior_treatment",
    "doc_medical_necessity_note": "documentation_medical_necessity",
}
PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^dx_unsupported_", "diagnosis_not_supporting_procedure"),
    (r"^code_(?P<x>.+)$", "code_{x}"),
    (r"^(?:em_|proc_)?mod_(?P<x>.+)$", "modifier_{x}"),
    (r"^n_(?P<x>.+)$", "services_{x}"),
    (r"^dx_(?P<x>.+)$", "diagnosis_{x}"),
    (r"^check_(?P<x>.+)$", "coding_{x}"),
)


def factor_of(feature: str) -> str:
    """The factor a model feature's contribution is added to (a feature added later is
    still explained by its own name, never dropped)."""
    if feature in EXACT:
        return EXACT[feature]
    for pattern, template in PATTERNS:
        found = re.match(pattern, feature)
        if found:
            return template.format(**found.groupdict())
    return feature


def is_context(factor: str) -> bool:
    """True for context a coder cannot change (shown apart from the drivers)."""
    return factor in CONTEXT_FACTORS


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
