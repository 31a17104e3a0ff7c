"""Coverage and information edits: cosmetic services (PR-96 when billed with GY, CO-96
otherwise), drug lines without the NDC the payer requires (CO-16 + M119), and records a
reviewer asks for on cancer surgery without the pathology report (shared/domain §4, §6,
§11).
"""

from __future__ import annotations

from reference.families import BENIGN_REMOVAL_FAMILIES
from synthetic_data.rules.base import Hit, Rule, archetypes, everyone

COSMETIC_CODES = ("15780", "17360")  # dermabrasion, chemical peel
COSMETIC_KINDS = ("scar", "pigmentation", "cosmetic_encounter")
MALIGNANT_SURGERY = ("excision_malignant", "mohs", "destruction_malignant")


def cosmetic_lines(view):
    """Lines of a cosmetic service: dermabrasion or a peel for scars or pigment, or a
    benign removal the patient asked for on a cosmetic intake form."""
    cosmetic_code = view.cpt_in(COSMETIC_CODES)
    intake = view.to_lines(view.flag("cosmetic_intake") == 1)
    return cosmetic_code | (intake & view.family_in(BENIGN_REMOVAL_FAMILIES))


def cosmetic_with_gy(view) -> Hit:
    """A line billed with GY (statutorily excluded): the payer denies it to the patient
    (PR-96 + N425), as the practice told it to."""
    return Hit(lines=view.has_mod("GY"))


def cosmetic_without_gy(view) -> Hit:
    """A cosmetic service billed as covered care (no GY): non-covered, provider liable."""
    return Hit(lines=cosmetic_lines(view) & ~view.has_mod("GY"))


def ndc_missing(view) -> Hit:
    """A J-code line without its 11-digit NDC (LIN*N4) for a payer that requires it
    (Medicaid by the DRA 2005; many commercial plans)."""
    wants = view.to_lines(view.param("ndc_required").astype(bool))
    return Hit(lines=(view.family == "drug") & ~view.ndc_present & wants)


def pathology_missing(view) -> Hit:
    """Cancer surgery whose pathology report the practice did not attach when the
    payer's reviewer asks for it."""
    missing = ~view.doc("pathology_report_attached")
    return Hit(lines=view.family_in(MALIGNANT_SURGERY) & view.to_lines(missing))


RULES = (
    Rule(id="cosmetic_gy", category="cosmetic", carc="PR-96", rarc="N425", priority=78,
         fix="bill_patient", section="§1 GY; §4 cosmetic; §6 CO-96 / PR-96",
         enforce=everyone(0.99), condition=cosmetic_with_gy,
         description=cosmetic_with_gy.__doc__ or ""),
    Rule(id="cosmetic_not_covered", category="cosmetic", carc="CO-96", rarc="N425",
         priority=79, fix="bill_patient", section="§4 cosmetic exclusion; §10 COB strict",
         enforce=archetypes(0.97, 0.97, 0.95, 0.9, 0.97, 0.85),
         condition=cosmetic_without_gy, description=cosmetic_without_gy.__doc__ or ""),
    Rule(id="ndc_missing", category="missing_information", carc="CO-16", rarc="M119",
         priority=86, fix="attach_documentation ndc", section="§11 NDC on drugs",
         enforce=everyone(0.97), condition=ndc_missing, description=ndc_missing.__doc__ or ""),
    Rule(id="pathology_report_missing", category="missing_information", carc="CO-16",
         rarc="N706", priority=88, fix="attach_documentation pathology_report_attached",
         section="§5 Mohs documentation; §6 CO-16 with RARC",
         enforce=archetypes(0.03, 0.2, 0.1, 0.1, 0.18, 0.02), condition=pathology_missing,
         review=True, description=pathology_missing.__doc__ or ""),
)
