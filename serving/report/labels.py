"""Claim-language names for everything the report labels: factors, families, diagnosis
classes, denial reasons and claim patterns.

Factor names come from serving/factors.py (fixed names, plus the per-code, per-modifier,
per-family and per-diagnosis-class families `code_17110`, `modifier_59`,
`services_biopsy`, `diagnosis_bcc`, and `coding_*` for coding-consistency checks). A coder
reads titles such as "E/M billed with a minor procedure without modifier 25" or "Biopsies
billed", never a field name: a factor added later still gets words (underscores become
spaces) so nothing snake_case reaches the page.
"""

from __future__ import annotations

from reference.vocab import CATEGORY_CARC

FACTOR_LABELS: dict[str, str] = {
    "em_with_procedure_without_25": "E/M billed with a minor procedure without modifier 25",
    "em_25_with_procedure": "E/M with modifier 25 next to a minor procedure",
    "documentation_separate_em_note": "Modifier 25 without a separately documented E/M note",
    "ptp_pair_without_bypass_modifier": "NCCI pair billed without a 59, X or anatomic modifier",
    "ptp_pair_never_payable": "NCCI pair that is never payable together",
    "bypass_without_distinct_lesion": "Bypass modifier without a distinct lesion recorded",
    "ncci_pair_on_claim": "Codes that form an NCCI pair on the claim",
    "units_over_mue": "Units above the MUE for one date of service",
    "addon_without_primary": "Add-on code billed without its primary code",
    "inside_global_period": "Service inside another procedure's global period",
    "diagnosis_not_supporting_procedure": "Pointed diagnosis does not support the procedure",
    "diagnosis_needs_symptoms": "Diagnosis supports the procedure only with symptoms",
    "diagnosis_pointers": "Line points to no diagnosis or to several",
    "documentation_symptoms": "Symptoms not documented for a benign lesion removal",
    "documentation_margins": "Excision margins not documented",
    "documentation_pathology_report": "Pathology report not attached",
    "documentation_lesion_size": "Lesion size not documented",
    "documentation_lesion_site": "Lesion site not documented",
    "documentation_prior_treatment": "Failed prior (step) therapy not documented",
    "documentation_medical_necessity": "Medical-necessity note missing",
    "cosmetic_service": "Cosmetic diagnosis or cosmetic visit",
    "screening_diagnosis": "Screening-only diagnosis",
    "prior_auth_missing": "No prior authorization on file for the service",
    "eligibility": "Eligibility not verified or coverage not active",
    "provider_credentialing": "Rendering provider's credentialing with the payer",
    "referral": "No referral on file",
    "mohs_below_size_criteria": "Mohs below the appropriate-use size criteria",
    "ndc_missing": "Drug billed without its NDC",
    "phototherapy_sessions": "Phototherapy sessions this year",
    "billed_before": "Services already billed on an earlier claim",
    "new_patient_code": "New-patient E/M code for an established patient",
    "primary_service": "The claim's primary procedure code",
    "primary_diagnosis": "The claim's first-listed diagnosis",
    "em_service": "E/M visit billed",
    "procedure_modifiers": "Procedure lines billed without a modifier",
    "side_modifier": "Side modifiers (RT/LT) on procedure lines",
    "liability_modifier": "Liability modifier (GA, GY or GZ)",
    "codes_outside_reference": "Codes or modifiers outside the reference tables",
    "modifier_59": "Modifier 59",
    "other_factors": "All other factors combined",
    # context: explains the risk, nothing a coder can change
    "payer": "The payer's own denial habits",
    "patient": "Patient age and sex",
    "rendering_provider": "Rendering provider",
    "place_of_service": "Place of service",
    "service_dates": "Date of service",
    "claim_size": "Size of the claim (lines, units, charges)",
    "patient_history": "Patient's history at the practice",
    "claim_frequency": "Original, corrected or void claim",
    "submission_lag": "Days from service to submission",
}

FAMILY_LABELS: dict[str, str] = {
    "biopsy": "Biopsies", "shave": "Shave removals", "skin_tag": "Skin tag removals",
    "destruction_ak": "Actinic keratosis destructions",
    "destruction_benign": "Benign lesion destructions",
    "destruction_malignant": "Malignant lesion destructions",
    "excision_benign": "Benign lesion excisions",
    "excision_malignant": "Malignant lesion excisions", "mohs": "Mohs surgery",
    "repair_simple": "Simple repairs", "repair_intermediate": "Intermediate repairs",
    "repair_complex": "Complex repairs", "tissue_transfer": "Adjacent tissue transfers",
    "intralesional": "Intralesional injections", "injection": "Injections",
    "incision_drainage": "Incisions and drainage", "pathology": "Surgical pathology",
    "phototherapy": "Phototherapy", "pdt": "Photodynamic therapy", "drug": "Drugs",
    "chemexfoliation": "Chemical peels", "dermabrasion": "Dermabrasion",
    "em": "E/M visits", "em_addon": "E/M add-on codes",
    "other": "Codes outside the reference table",
}

DX_CLASS_LABELS: dict[str, str] = {
    "abscess": "abscess", "acne": "acne", "ak": "actinic keratosis", "alopecia": "alopecia",
    "bcc": "basal cell carcinoma", "benign_neoplasm": "benign neoplasm of skin",
    "cosmetic_encounter": "cosmetic encounter", "cyst": "cyst", "dermatitis": "dermatitis",
    "history_skin_cancer": "history of skin cancer", "in_situ": "carcinoma in situ",
    "keloid_scar": "keloid or scar", "wound": "wound or laceration", "melanoma": "melanoma",
    "aftercare": "surgical aftercare", "complication": "postprocedural complication",
    "merkel": "Merkel cell carcinoma", "nevus": "melanocytic nevus",
    "pigment": "pigmentation disorder", "psoriasis": "psoriasis",
    "scc": "squamous cell carcinoma", "screening": "skin-cancer screening",
    "sk": "seborrheic keratosis", "sk_inflamed": "inflamed seborrheic keratosis",
    "skin_cancer_other": "other skin cancer", "skin_tag": "skin tag",
    "urticaria": "urticaria", "hidradenitis": "hidradenitis suppurativa",
    "uncertain": "neoplasm of uncertain behavior", "unspecified_lesion":
    "unspecified skin lesion", "vitiligo": "vitiligo", "wart": "wart",
    "other": "other diagnosis",
}

CATEGORY_LABELS: dict[str, str] = {
    "modifier": "Modifier", "bundling": "Bundling (NCCI)", "global_period": "Global period",
    "units": "Units above the MUE", "diagnosis_mismatch": "Diagnosis does not support the service",
    "medical_necessity": "Medical necessity", "cosmetic": "Cosmetic, not covered",
    "authorization": "Prior authorization", "eligibility": "Eligibility",
    "timely_filing": "Timely filing", "missing_information": "Missing information",
    "frequency": "Frequency limit", "credentialing": "Provider credentialing",
}
PROPER = frozenset({"Mohs", "Merkel"})
PATTERN_PREFIXES: dict[str, str] = {
    "E/M without 25 with ": "E/M without 25, with ",
    "E/M+25, no separate note, with ": "E/M with 25, no separate note, with ",
    "E/M+25 with ": "E/M with 25, with ",
}


def words(name: str) -> str:
    """A name with spaces for underscores, first letter capitalised (the fallback)."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """Lower-case the first letter for use mid-sentence, unless the first word is an
    abbreviation or a name (E/M, NCCI, Mohs)."""
    first = text.split(" ", 1)[0]
    if first in PROPER or "/" in first or first[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def family_label(family: str) -> str:
    """'Biopsies' for 'biopsy' (words of the name when the family is new)."""
    return FAMILY_LABELS.get(family, words(family))


def dx_class_label(cls: str) -> str:
    """'basal cell carcinoma' for 'bcc' (words of the name when the class is new)."""
    return DX_CLASS_LABELS.get(cls, cls.replace("_", " "))


def factor_label(factor: str) -> str:
    """Claim-language title of a factor: fixed names first, then the factor families."""
    if factor in FACTOR_LABELS:
        return FACTOR_LABELS[factor]
    prefix, _, rest = factor.partition("_")
    if rest and prefix == "code":
        return f"Code {rest}"
    if rest and prefix == "modifier":
        return f"Modifier {rest}"
    if rest and prefix == "services":
        return f"{family_label(rest)} billed"
    if rest and prefix == "diagnosis":
        return f"Diagnosis: {dx_class_label(rest)}"
    if rest and prefix == "coding":
        return f"Coding check: {rest.replace('_', ' ')}"
    return words(factor)


def is_curated(factor: str) -> bool:
    """True when the factor's label comes from a table, not the words fallback."""
    prefix, _, rest = factor.partition("_")
    return (factor in FACTOR_LABELS or prefix in ("code", "modifier", "coding")
            or (prefix == "services" and rest in FAMILY_LABELS)
            or (prefix == "diagnosis" and rest in DX_CLASS_LABELS))


def category_label(category: str, carc: bool = True) -> str:
    """'Medical necessity (CO-50)': a denial reason category in words, with its CARC."""
    text = CATEGORY_LABELS.get(category, words(category))
    code = CATEGORY_CARC.get(category)
    return f"{text} ({code})" if carc and code else text


def family_ranges() -> dict[str, str]:
    """Family -> 'Biopsies (11102–11107)' from the curated code table."""
    from reference.codes import load_code_table

    codes = load_code_table().frame.reset_index()
    spans = codes.groupby("family")["code"].agg(["min", "max"])
    return {fam: f"{family_label(fam)} ({lo}–{hi})" if lo != hi else
            f"{family_label(fam)} ({lo})" for fam, (lo, hi) in spans.iterrows()}


def pattern_label(token: str, ranges: dict[str, str]) -> str:
    """A claim pattern token (training.kpis.claim_tokens) in words: a family with its code
    range, a modifier, or an E/M pattern with the procedure families it was billed with."""
    for prefix, text in PATTERN_PREFIXES.items():
        if token.startswith(prefix):
            families = token.removeprefix(prefix).split("+")
            return text + " + ".join(lower_first(family_label(f)) for f in families)
    if token.startswith("modifier "):
        return f"Modifier {token.removeprefix('modifier ')}"
    return ranges.get(token, family_label(token))
