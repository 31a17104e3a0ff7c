"""Claim-language names of the explanation factors (serving/factors.py), for coders.

Each label names the billing finding that raises the denial risk when the factor pushes it
up, e.g. "E/M with a minor procedure and no modifier 25". Unknown factors fall back to
their name with spaces, so a factor added later still appears.
"""

from __future__ import annotations

FACTOR_LABELS: dict[str, str] = {
    "em_with_procedure_without_25": "E/M with a minor procedure and no modifier 25",
    "em_25_with_procedure": "E/M with modifier 25 next to a minor procedure",
    "documentation_separate_em_note": "Modifier 25 without a separately documented E/M note",
    "ptp_pair_without_bypass_modifier": "NCCI pair billed without a 59/X/anatomic modifier",
    "ptp_pair_never_payable": "NCCI pair that is never payable together",
    "modifier_59_where_x_expected": "Modifier 59 where the payer expects XS/XE/XP/XU",
    "bypass_without_distinct_lesion": "Bypass modifier without a distinct lesion recorded",
    "ncci_pair_on_claim": "Codes that form an NCCI pair on the same claim",
    "bypass_modifiers": "X or anatomic modifiers on the claim",
    "units_over_mue": "Units above the MUE for one date of service",
    "addon_without_primary": "Add-on code billed without its primary code",
    "inside_global_period": "Visit inside another procedure's global period (no 24/79/58)",
    "diagnosis_not_supporting_procedure": "Diagnosis pointer does not support the procedure",
    "diagnosis_needs_symptoms": "Diagnosis supports the procedure only with symptoms",
    "documentation_symptoms": "Symptoms not documented for a benign lesion removal",
    "cosmetic_service": "Cosmetic diagnosis or cosmetic intake",
    "prior_auth_missing": "No prior authorization on file for the service",
    "coverage_status": "Coverage not active or not reported",
    "eligibility_verification": "Eligibility not verified before the visit",
    "timely_filing": "Submission lag / timely filing limit",
    "provider_credentialing": "Rendering provider's credentialing with the payer",
    "referral": "No referral on file",
    "documentation_margins": "Excision margins not documented",
    "documentation_pathology_report": "Pathology report not attached",
    "documentation_lesion_size": "Lesion size not documented",
    "documentation_lesion_site": "Lesion site not documented",
    "documentation_prior_treatment": "Failed prior (step) therapy not documented",
    "documentation_medical_necessity": "Medical-necessity note missing",
    "mohs_below_size_criteria": "Mohs below the appropriate-use size criteria",
    "payer": "This payer's own denial patterns",
    "place_of_service": "Place of service",
    "patient_demographics": "Patient age and sex",
    "diagnosis_count": "Number of diagnoses on the claim",
    "screening_diagnosis": "Screening-only diagnosis (Z12.83)",
    "lesion_size": "Lesion size",
    "services_billed": "Mix and number of services billed",
}


def factor_label(factor: str) -> str:
    """Claim-language label of a factor (its name with spaces when unknown)."""
    return FACTOR_LABELS.get(factor, factor.replace("_", " "))


def family_ranges() -> dict[str, str]:
    """Family -> 'family name (first-last code)' from the curated code table."""
    from reference.codes import load_code_table

    codes = load_code_table().frame.reset_index()
    spans = codes.groupby("family")["code"].agg(["min", "max"])
    return {fam: f"{fam.replace('_', ' ')} ({lo}–{hi})" if lo != hi else
            f"{fam.replace('_', ' ')} ({lo})" for fam, (lo, hi) in spans.iterrows()}


def pattern_label(token: str, ranges: dict[str, str]) -> str:
    """A claim pattern token with its family spelled out with its code range."""
    for prefix in ("E/M without 25 with ", "E/M+25, no separate note, with ", "E/M+25 with "):
        if token.startswith(prefix):
            family = token.removeprefix(prefix)
            return prefix + ranges.get(family, family.replace("_", " "))
    return ranges.get(token, token)
