"""Feature registry: what each model feature means, and whether a coder can change it.

Fixes come only from changeable features (modifiers, units, documentation, prior auth,
diagnosis linkage, eligibility checks); fixed ones (age, payer, dates, code mix) explain
risk but are never offered as something to change. RULE_FEATURES maps each billing-rule
flag to the reason category it indicates (the rules-only scrubber baseline uses it).
"""

from __future__ import annotations

from contract.outcome import (
    CLAIM_OUTCOME_COLUMNS,
    LINE_OUTCOME_COLUMNS,
    TRUTH_COLUMNS,
    TRUTH_PREFIXES,
)

FORBIDDEN_PREFIXES: tuple[str, ...] = TRUTH_PREFIXES
OUTCOME_COLUMNS: frozenset[str] = frozenset(
    {*CLAIM_OUTCOME_COLUMNS, *LINE_OUTCOME_COLUMNS, *TRUTH_COLUMNS})

RULE_FEATURES: dict[str, str] = {
    "em_needs_25": "modifier",
    "em_25_no_separate_note": "modifier",
    "ptp_unbypassed": "bundling",
    "ptp_mi0": "bundling",
    "ptp_bypass_59": "modifier",
    "units_over_mue": "units",
    "orphan_addon": "bundling",
    "in_global_unmodified": "global_period",
    "dx_unsupported": "diagnosis_mismatch",
    "benign_lesion_no_symptoms": "medical_necessity",
    "cosmetic_dx": "cosmetic",
    "cosmetic_intake": "cosmetic",
    "pa_missing": "authorization",
    "coverage_inactive": "eligibility",
    "not_credentialed": "credentialing",
    "screening_only": "diagnosis_mismatch",  # CO-167 diagnosis not covered (domain §6)
    "ndc_missing": "missing_information",
    "modifier_59_and_x": "modifier",
    "per_session_units": "units",
    "resent_original": "missing_information",
}

CHANGE_REASONS: dict[str, str] = {**RULE_FEATURES, "referral_on_file": "authorization",
                                  "eligibility_verified": "eligibility"}
"""The reason a change mends, by the feature it changes: the billing rules', and the front
desk's that are no rule flag (a referral obtained, eligibility verified)."""

# Features a coder or the front desk can change before submission, with the claim field
# a fix would edit. Everything else is fixed.
CHANGEABLE: dict[str, str] = {
    "em_needs_25": "lines[].modifiers",
    "em_has_25_with_proc": "lines[].modifiers",
    "em_25_no_separate_note": "documentation.separate_em_note",
    "ptp_unbypassed": "lines[].modifiers",
    "ptp_mi0": "lines[]",
    "ptp_bypass_59": "lines[].modifiers",
    "ptp_bypass_no_distinct": "lines[].lesion.distinct_from_line",
    "units_over_mue": "lines[].units",
    "mue_excess": "lines[].units",
    "mue_over_mai2": "lines[].units",
    "orphan_addon": "lines[]",
    "in_global_unmodified": "lines[].modifiers",
    "dx_unsupported": "lines[].dx_pointers",
    "dx_conditional_only": "documentation.symptoms_documented",
    "benign_lesion_no_symptoms": "documentation.symptoms_documented",
    "cosmetic_dx": "lines[]",
    "pa_missing": "prior_authorization",
    "has_prior_auth": "prior_authorization",
    "coverage_inactive": "eligibility.coverage_active",
    "eligibility_verified": "eligibility.verified",
    "not_credentialed": "provider.credentialed_with_payer",
    "referral_on_file": "referral_on_file",
    "sessions_on_claim": "lines[] (billed to the patient)",
    "excision_no_margins": "documentation.margins_documented",
    "malignant_no_pathology": "documentation.pathology_report_attached",
    "size_code_no_size_doc": "documentation.lesion_size_documented",
    "lesion_no_site_doc": "documentation.lesion_site_documented",
    "pa_family_no_prior_treatment": "documentation.prior_treatment_failed",
    "necessity_code_no_note": "documentation.medical_necessity_note",
    "screening_only": "lines[].dx_pointers",
    "ndc_missing": "lines[].ndc",
    "modifier_59_and_x": "lines[].modifiers",
    "per_session_units": "lines[].units",
    "side_missing_dx_named": "lines[].modifiers",
}


CHECK_PREFIX = "check_"  # check_<rule>: lines a coding-consistency rule fires on
CHANGEABLE_PREFIXES: tuple[str, ...] = ("doc_", "code_", "mod_", "em_mod_", "proc_mod_",
                                       CHECK_PREFIX)


def is_allowed_feature(name: str) -> bool:
    """False for ground truth (`oracle_`) and outcome columns: they never become features."""
    return not name.startswith(FORBIDDEN_PREFIXES) and name not in OUTCOME_COLUMNS


def is_changeable(name: str) -> bool:
    """True when a coder can act on the feature: documentation flags, and what the claim
    bills (codes, modifiers, pointers, units); context (payer, patient, provider, dates,
    history) is never changeable."""
    return name in CHANGEABLE or name.startswith(CHANGEABLE_PREFIXES)

