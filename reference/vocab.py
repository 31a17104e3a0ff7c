"""Contract vocabulary: payers, reason categories, modifiers, sites, documentation fields.

Values are the interface the claim system codes against (shared/contract/README.md);
keep them exactly as written there.
"""

from __future__ import annotations

PAYERS: tuple[str, ...] = ("MCR", "MCA", "MCD", "COA", "COB", "COC")

# Public contract terms of each payer (shared/domain §7 and §10): these are published
# filing limits, not the hidden adjudication rules of the generator.
PAYER_FILING_LIMIT_DAYS: dict[str, int] = {
    "MCR": 365, "MCA": 365, "MCD": 180, "COA": 90, "COB": 180, "COC": 180,
}
DEFAULT_FILING_LIMIT_DAYS = 90  # strictest published limit, for an unknown payer

CATEGORY_CARC: dict[str, str] = {
    "modifier": "CO-4",
    "bundling": "CO-236",
    "global_period": "CO-97",
    "units": "CO-151",
    "diagnosis_mismatch": "CO-11",
    "medical_necessity": "CO-50",
    "cosmetic": "CO-96",
    "authorization": "CO-197",
    "eligibility": "CO-27",
    "timely_filing": "CO-29",
    "missing_information": "CO-16",
    "frequency": "CO-119",
    "credentialing": "CO-185",
}
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_CARC)

SITES: tuple[str, ...] = (
    "face", "scalp", "neck", "ears", "eyelids", "nose", "lips", "hands", "feet",
    "genitalia", "trunk", "arms", "legs",
)

DOCUMENTATION_FIELDS: tuple[str, ...] = (
    "separate_em_note",
    "lesion_size_documented",
    "lesion_site_documented",
    "symptoms_documented",
    "margins_documented",
    "pathology_report_attached",
    "medical_necessity_note",
    "prior_treatment_failed",
)

LATERALITIES: tuple[str, ...] = ("left", "right", "bilateral", "midline")

# Fix actions of the contract (shared/contract/README.md, fixes[].action).
FIX_ACTIONS: tuple[str, ...] = (
    "add_modifier", "replace_modifier", "remove_modifier", "change_units", "change_code",
    "remove_line", "link_diagnosis", "attach_documentation", "obtain_prior_auth",
    "verify_eligibility", "credential_provider", "bill_patient", "not_fixable",
)

MAX_MODIFIERS = 4
MAX_DX_POINTERS = 4
MAX_DIAGNOSES = 12  # 837P HI segment limit
MAX_LINES = 50

# documentation flag -> (what is missing, what a coder attaches): reports and fix texts
DOCUMENTATION_LABELS: dict[str, tuple[str, str]] = {
    "separate_em_note": ("No separately identifiable E/M note documented",
                         "the separately identifiable E/M"),
    "lesion_size_documented": ("Lesion size not documented", "the lesion size"),
    "lesion_site_documented": ("Lesion site not documented", "the lesion site"),
    "symptoms_documented": ("Symptoms not documented", "the symptoms"),
    "margins_documented": ("Excision margins not documented", "the excision margins"),
    "pathology_report_attached": ("Pathology report not attached", "the pathology report"),
    "medical_necessity_note": ("No medical-necessity note", "the medical necessity"),
    "prior_treatment_failed": ("Failed prior treatment not documented",
                               "the failed prior treatment"),
}
