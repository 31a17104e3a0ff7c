"""Claim-level findings (documentation, front desk, timing, services billed), context
texts, and `describe`: the one entry point from a factor name to its claim language.

Documentation factors name the contract field (`documentation.margins_documented`) and
the lines that need it, and appear only when the field is not documented. Context texts
(payer, patient, provider, dates, size) never print an identifier: no member id, birth
date or NPI.
"""

from __future__ import annotations

from datetime import date, timedelta

from features.standing import GAP, PAID, STANDING
from reference.cms import CmsTables
from reference.families import (
    EXCISION_FAMILIES,
    LESION_FAMILIES,
    NON_PROCEDURE_FAMILIES,
    SIZE_CODED_FAMILIES,
)
from serving.context import ClaimView
from serving.describe import (
    LINE_DESCRIBERS,
    Describer,
    Finding,
    code_habit,
    learned_source,
    lines_text,
    modifier_on_lines,
)
from serving.describe_dx import DX_DESCRIBERS, diagnosis_class

DOC_FACTORS: dict[str, tuple[str, tuple[str, ...]]] = {
    "documentation_separate_em_note": ("separate_em_note", ("em",)),
    "documentation_symptoms": ("symptoms_documented", (
        "shave", "excision_benign", "destruction_benign", "skin_tag")),
    "documentation_margins": ("margins_documented", EXCISION_FAMILIES),
    "documentation_pathology_report": ("pathology_report_attached", (
        "excision_malignant", "destruction_malignant", "mohs")),
    "documentation_lesion_size": ("lesion_size_documented", SIZE_CODED_FAMILIES),
    "documentation_lesion_site": ("lesion_site_documented", LESION_FAMILIES),
    "documentation_prior_treatment": ("prior_treatment_failed", ("phototherapy", "drug")),
    "documentation_medical_necessity": ("medical_necessity_note", ("mohs", "phototherapy",
                                                                   "drug")),
}


def documentation(factor: str) -> Describer:
    """Describer of one documentation field missing for lines that rely on it."""
    field, families = DOC_FACTORS[factor]

    def describe(view: ClaimView, cms: CmsTables) -> Finding | None:
        value = (view.claim.get("documentation") or {}).get(field)
        lines = view.lines_in(*families)
        if value is True or not lines:
            return None
        state = "is not documented" if value is False else "is not reported"
        return Finding(f"documentation.{field} {state} for {lines_text(view, lines)}", lines)
    return describe


def eligibility(view: ClaimView, cms: CmsTables) -> Finding | None:
    elig = view.claim.get("eligibility") or {}
    if elig.get("coverage_active") is False:
        return Finding("Coverage not active on the date of service "
                       "(eligibility.coverage_active)")
    if elig.get("verified") is not True:
        return Finding("Eligibility not verified before submission (eligibility.verified)")
    return None


def credentialing(view: ClaimView, cms: CmsTables) -> Finding | None:
    value = (view.claim.get("provider") or {}).get("credentialed_with_payer")
    payer = str(view.claim["payer_id"])
    learned = [e for e in (view.learned.enrolment.get(payer, []) if view.learned else [])
               if e.npi == (view.claim.get("provider") or {}).get("rendering_npi")]
    if learned:
        e = learned[0]
        paid = (f"; paid from {e.paid_from}" if e.paid_from else
                "; paid since, by the practice's later remits" if view.feature(STANDING) == PAID
                else "; none paid since")
        return Finding(f"{payer} denied {e.n_denied} claims of the rendering provider for "
                       f"credentialing up to {e.denied_before}{paid}", [],
                       learned_source(view))
    if value is True:
        return None
    return Finding(f"Rendering provider {'not' if value is False else 'not known to be'} "
                   f"credentialed with {payer} (provider.credentialed_with_payer)")


def referral(view: ClaimView, cms: CmsTables) -> Finding | None:
    if view.claim.get("referral_on_file") is True:
        return None
    return Finding("No referral on file (referral_on_file)")


def timely_filing(view: ClaimView, cms: CmsTables) -> Finding | None:
    """A driver only past the filing limit learned from this payer's history."""
    payer, days = str(view.claim["payer_id"]), view.feature("days_to_submit")
    limit = view.learned.filing.get(payer) if view.learned is not None else None
    if limit is None or not days > limit.days:
        return None
    return Finding(f"Submitted {days:.0f} days after the date of service: {payer} denied "
                   f"{limit.denied_share:.0%} of the {limit.n_after} claims submitted more "
                   f"than {limit.days} days after it", [], learned_source(view))


def ndc(view: ClaimView, cms: CmsTables) -> Finding | None:
    lines = view.lines_where("ndc_missing")
    return Finding(f"{lines_text(view, lines)} bills a drug without its 11-digit NDC "
                   "(837P LIN*N4)", lines, "shared/domain §11 (NDC on drugs)") if lines else None


def sessions(view: ClaimView, cms: CmsTables) -> Finding | None:
    on_claim = view.lines_in("phototherapy")
    if not on_claim:
        return None
    before = (view.claim.get("history") or {}).get("sessions_this_year")
    earlier = f"{before} earlier this year, " if before is not None else ""
    return Finding(f"Phototherapy: {earlier}{len(on_claim)} session(s) on this claim",
                   on_claim, learned_source(view))


def billed_before(view: ClaimView, cms: CmsTables) -> Finding | None:
    hist, claim = view.claim.get("history") or {}, view.claim
    billed = hist.get("lines_billed_before")
    if not billed:
        return None
    kind = {"7": "a replacement of it", "8": "a void of it"}.get(
        str(claim.get("claim_frequency") or "1"), "an original claim: a payer denies the "
        "copy as an exact duplicate (CO/OA-18)")
    return Finding(f"{billed} of {len(claim['lines'])} line(s) (same patient, date of "
                   f"service and code) were billed on a claim submitted earlier; this is "
                   f"{kind}", [], "shared/domain §6 (CO/OA-18) and §11 (history)")


FAMILY_LABELS: dict[str, str] = {
    "em": "E/M visits", "em_addon": "E/M add-on (G2211)", "biopsy": "Biopsies",
    "shave": "Shave removals", "excision_benign": "Benign excisions",
    "excision_malignant": "Malignant excisions", "destruction_ak": "AK destructions",
    "destruction_benign": "Benign lesion destructions",
    "destruction_malignant": "Malignant lesion destructions", "mohs": "Mohs surgery",
    "repair_simple": "Simple repairs", "repair_intermediate": "Intermediate repairs",
    "repair_complex": "Complex repairs", "skin_tag": "Skin tag removals",
    "intralesional": "Intralesional injections", "phototherapy": "Phototherapy",
    "pdt": "Photodynamic therapy", "drug": "Drugs", "pathology": "Pathology",
    "tissue_transfer": "Adjacent tissue transfers", "incision_drainage": "Incision and drainage",
    "dermabrasion": "Dermabrasion", "chemexfoliation": "Chemical exfoliation",
    "injection": "Injections",
}


def family_lines(family: str) -> Describer:
    """Describer of the lines of one code family."""
    def describe(view: ClaimView, cms: CmsTables) -> Finding | None:
        lines = view.lines_in(family)
        label = FAMILY_LABELS.get(family, family.replace("_", " ").capitalize())
        return Finding(f"{label} billed: {lines_text(view, lines)}", lines) if lines else None
    return describe


CLAIM_DESCRIBERS: dict[str, Describer] = {
    **{f: documentation(f) for f in DOC_FACTORS},
    "eligibility": eligibility, "provider_credentialing": credentialing,
    "referral": referral, "submission_lag": timely_filing, "ndc_missing": ndc,
    "phototherapy_sessions": sessions, "billed_before": billed_before,
}


def primary_code(view: ClaimView) -> str:
    """The code of the claim's primary service: its highest-charge procedure line (the
    E/M when it bills no procedure), as features/encodings.primary_line picks it."""
    fam = dict(zip(view.table.line_no[view.rows].tolist(),
                   view.table.flags["family"][view.rows].tolist()))
    def rank(ln: dict) -> tuple[int, int, float]:
        f = fam.get(ln["line"], "")
        return (f not in NON_PROCEDURE_FAMILIES, f == "em", float(ln["charge"]))
    return str(max(view.claim["lines"], key=rank)["cpt"])


def first_service(view: ClaimView) -> date | None:
    day = view.feature("service_day")
    return None if day != day else date(2000, 1, 1) + timedelta(days=int(day))


def provider_text(view: ClaimView) -> str:
    """The rendering provider as context, with their credentialing standing at the payer
    when the remits taught one (features/standing.py)."""
    payer, standing = view.claim["payer_id"], view.feature(STANDING)
    if standing == GAP:
        return (f"The rendering provider: {payer} denied their claims for credentialing and "
                "its remits show no payment since (learned from the history)")
    if standing == PAID:
        return (f"The rendering provider: {payer} paid their claims after earlier "
                "credentialing denials (enrolled; learned from the history)")
    return "The rendering provider on this claim"


def context_text(factor: str, view: ClaimView) -> str:
    """Plain text of a context factor (no identifiers)."""
    c, hist = view.claim, view.claim.get("history") or {}
    age = view.feature("patient_age")
    texts = {
        "payer": f"Payer {c['payer_id']}: its own habits, learned from its claims",
        "patient": f"Patient aged {age:.0f}, sex {c['patient']['sex']}" if age == age
        else "Patient age and sex",
        "rendering_provider": provider_text(view),
        "place_of_service": f"Place of service {c['place_of_service']}",
        "service_dates": f"Date of service {first_service(view)}",
        "claim_size": f"{len(c['lines'])} line(s), {len(c['diagnoses'])} diagnosis(es)",
        "patient_history": "Established patient" if hist.get("established_patient")
        else "The patient's history at the practice",
        "claim_frequency": {"7": "Corrected (replacement) claim", "8": "Void claim"}.get(
            str(c.get("claim_frequency") or "1"), "Original claim"),
        "submission_lag": f"Submitted {view.feature('days_to_submit'):.0f} days after the "
                          "date of service",
    }
    return texts.get(factor, factor.replace("_", " "))


def describer_of(factor: str) -> Describer | None:
    """The describer of a factor: fixed ones, then the per-code/modifier/family/class
    families of factors (code_17110, modifier_XS, services_biopsy, diagnosis_bcc)."""
    fixed = LINE_DESCRIBERS.get(factor) or CLAIM_DESCRIBERS.get(factor) \
        or DX_DESCRIBERS.get(factor)
    if fixed is not None:
        return fixed
    for prefix, make in (("code_", code_habit), ("modifier_", modifier_on_lines),
                         ("services_", family_lines), ("diagnosis_", diagnosis_class)):
        if factor.startswith(prefix):
            return make(factor.removeprefix(prefix))
    if factor == "primary_service":
        return lambda v, c: code_habit(primary_code(v))(v, c)
    if factor == "em_service":
        return family_lines("em")
    return None


def describe(factor: str, view: ClaimView, cms: CmsTables) -> Finding | None:
    """The claim-language finding of a factor on one claim; None when it is not on the
    claim (never a driver then)."""
    describer = describer_of(factor)
    return describer(view, cms) if describer is not None else None
