"""Claim-level factor texts (eligibility, filing, documentation, code mix) and `describe`.

Documentation factors name the contract field (`documentation.margins_documented`) and the
lines that need it; nothing here prints patient identifiers (no member id, birth date or
NPI: demographics are described as "patient age and sex" only).
"""

from __future__ import annotations

from reference.cms import CmsTables
from reference.linkage import SCREENING_DX
from serving.context import ClaimView
from serving.describe import LINE_DESCRIBERS, Describer, Finding

LESION_FAMILIES = ("shave", "excision_benign", "excision_malignant", "destruction_malignant",
                   "biopsy", "mohs", "destruction_ak", "destruction_benign", "skin_tag")
DOC_FACTORS: dict[str, tuple[str, tuple[str, ...]]] = {
    "documentation_separate_em_note": ("separate_em_note", ("em",)),
    "documentation_symptoms": ("symptoms_documented", (
        "shave", "excision_benign", "destruction_benign", "skin_tag")),
    "documentation_margins": ("margins_documented", ("excision_benign", "excision_malignant")),
    "documentation_pathology_report": ("pathology_report_attached", (
        "excision_malignant", "destruction_malignant", "mohs")),
    "documentation_lesion_size": ("lesion_size_documented", (
        "shave", "excision_benign", "excision_malignant", "destruction_malignant")),
    "documentation_lesion_site": ("lesion_site_documented", LESION_FAMILIES),
    "documentation_prior_treatment": ("prior_treatment_failed", ("phototherapy", "drug")),
    "documentation_medical_necessity": ("medical_necessity_note", ("mohs", "phototherapy",
                                                                   "drug")),
}


def documentation(factor: str) -> Describer:
    """Describer of one documentation field and the lines that rely on it."""
    field, families = DOC_FACTORS[factor]

    def describe(view: ClaimView, cms: CmsTables) -> Finding:
        value = (view.claim.get("documentation") or {}).get(field)
        lines = view.lines_in(*families)
        codes = ", ".join(f"{view.cpt(n)} (line {n})" for n in lines[:3])
        state = {True: "is documented", False: "is not documented"}.get(value, "is missing")
        need = f" for {codes}" if codes else " (no line on this claim needs it)"
        return Finding(f"documentation.{field} {state}{need}", lines)
    return describe


def tri_state(value: bool | None, yes: str, no: str, unknown: str) -> str:
    return {True: yes, False: no}.get(value, unknown)


def coverage(view: ClaimView, cms: CmsTables) -> Finding:
    value = (view.claim.get("eligibility") or {}).get("coverage_active")
    return Finding(tri_state(value, "Coverage active on the date of service",
                             "Coverage not active on the date of service "
                             "(eligibility.coverage_active)",
                             "Coverage status not reported (eligibility.coverage_active)"))


def eligibility(view: ClaimView, cms: CmsTables) -> Finding:
    value = (view.claim.get("eligibility") or {}).get("verified")
    return Finding(tri_state(value, "Eligibility verified before submission",
                             "Eligibility not verified before submission (eligibility.verified)",
                             "Eligibility verification not reported (eligibility.verified)"))


def timely_filing(view: ClaimView, cms: CmsTables) -> Finding:
    days, limit = view.feature("days_to_submit"), view.feature("filing_limit_days")
    past = view.feature("past_filing_limit", 0.0) >= 1
    tail = ": past the limit" if past else ""
    return Finding(f"Submitted {days:.0f} days after the first date of service; "
                   f"{view.claim['payer_id']} filing limit {limit:.0f} days{tail}")


def credentialing(view: ClaimView, cms: CmsTables) -> Finding:
    value = (view.claim.get("provider") or {}).get("credentialed_with_payer")
    payer = view.claim["payer_id"]
    return Finding(tri_state(
        value, f"Rendering provider credentialed with {payer}",
        f"Rendering provider not credentialed with {payer} "
        "(provider.credentialed_with_payer)",
        "Credentialing status not reported (provider.credentialed_with_payer)"))


def referral(view: ClaimView, cms: CmsTables) -> Finding:
    return Finding(tri_state(view.claim.get("referral_on_file"), "Referral on file",
                             "No referral on file (referral_on_file)",
                             "Referral status not reported (referral_on_file)"))


def mohs_size(view: ClaimView, cms: CmsTables) -> Finding | None:
    lines = view.lines_in("mohs")
    if not lines:
        return None
    n = lines[0]
    lesion = view.line(n).get("lesion") or {}
    return Finding(f"Mohs {view.cpt(n)} on line {n}: {lesion.get('size_cm')} cm lesion on "
                   f"{lesion.get('site')} is below the appropriate-use size criteria", lines)


def services(view: ClaimView, cms: CmsTables) -> Finding:
    parts = [f"{ln['cpt']}{' x' + str(ln['units']) if ln['units'] > 1 else ''} "
             f"(line {ln['line']})" for ln in view.claim["lines"][:5]]
    more = " ..." if len(view.claim["lines"]) > 5 else ""
    return Finding("Services billed: " + ", ".join(parts) + more)


def screening(view: ClaimView, cms: CmsTables) -> Finding | None:
    codes = [d for d in view.claim["diagnoses"] if d in SCREENING_DX]
    return Finding(f"Screening diagnosis {', '.join(codes)} on the claim") if codes else None


CLAIM_DESCRIBERS: dict[str, Describer] = {
    **{f: documentation(f) for f in DOC_FACTORS},
    "coverage_status": coverage,
    "eligibility_verification": eligibility,
    "timely_filing": timely_filing,
    "provider_credentialing": credentialing,
    "referral": referral,
    "mohs_below_size_criteria": mohs_size,
    "services_billed": services,
    "screening_diagnosis": screening,
    "payer": lambda v, c: Finding(f"Payer {v.claim['payer_id']}: its own rules and denial "
                                  "patterns"),
    "place_of_service": lambda v, c: Finding(f"Place of service {v.claim['place_of_service']}"),
    "patient_demographics": lambda v, c: Finding("Patient age and sex"),
    "diagnosis_count": lambda v, c: Finding(f"{len(v.claim['diagnoses'])} diagnoses on the claim"),
    "lesion_size": lambda v, c: Finding(
        f"Largest lesion {v.feature('max_lesion_size_cm', 0.0):.1f} cm"),
}


def label(factor: str) -> str:
    """Readable name of a factor (for findings absent from the claim)."""
    return factor.replace("_", " ")


def describe(factor: str, view: ClaimView, cms: CmsTables) -> Finding:
    """The claim-language finding of a factor on one claim."""
    describer = LINE_DESCRIBERS.get(factor) or CLAIM_DESCRIBERS.get(factor)
    found = describer(view, cms) if describer else None
    if found is not None:
        return found
    if describer is None:
        return Finding(f"Model feature {label(factor)}")
    return Finding(f"Not on this claim: {label(factor)}")
