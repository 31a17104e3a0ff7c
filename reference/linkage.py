"""Diagnosis-to-procedure linkage: which ICD-10-CM diagnoses support which procedure family.

Drawn from shared/domain §4 (LCD L35498/L34200, NCD 250.4 and the coding sources cited
there). Diagnoses are grouped into classes by ICD-10-CM category (and, for skin cancers,
by the FY2026 description), so every subcode counts: a basal cell carcinoma of the LEFT
upper limb (C44.619) supports a malignant excision exactly as the right one (C44.612)
does. `SUPPORTING_CLASSES` lists the classes that support a family outright,
`CONDITIONAL_CLASSES` those that support it only with documented symptoms (benign-lesion
LCDs), `COSMETIC_CLASSES` read as cosmetic unless symptoms are documented. A family
absent from SUPPORTING_CLASSES (E/M, injections, ...) is not linkage-checked. The code
tuples below are example codes of some classes (billable FY2026 codes, tested).
"""

from __future__ import annotations

import re
from functools import lru_cache

MALIGNANT_DX: tuple[str, ...] = (
    "C43.59", "C43.39", "C43.61", "C44.311", "C44.321", "C44.41", "C44.42", "C44.519",
    "C44.529", "C44.612", "C44.622", "C44.712", "C44.722", "C44.1121", "C44.211",
)
NEVUS_DX: tuple[str, ...] = ("D22.5", "D22.39", "D22.61", "D22.71", "D22.4")
BENIGN_NEOPLASM_DX: tuple[str, ...] = ("D23.5", "D23.39", "D23.61")
CYST_DX: tuple[str, ...] = ("L72.0", "L72.3", "L72.11")
UNCERTAIN_DX: tuple[str, ...] = ("D49.2", "D48.5", "L98.9")
WART_DX: tuple[str, ...] = ("B07.0", "B07.8", "B07.9", "B08.1")
PSORIASIS_ECZEMA_DX: tuple[str, ...] = ("L40.0", "L40.8", "L40.50", "L20.9", "L20.89")
COSMETIC_DX: tuple[str, ...] = ("L82.1", "L91.8", "L81.4")
EM_ONLY_DX: tuple[str, ...] = (
    "L30.9", "L21.9", "L71.9", "L73.2", "L60.0", "B35.1", "L29.9", "Z85.828", "L70.0",
)
SCREENING_DX: tuple[str, ...] = ("Z12.83", "Z41.1")
# Personal-history and status categories (ICD-10-CM Z85-Z87, Z92): what the patient had,
# not a problem a visit evaluates
HISTORY_STATUS_PREFIXES: tuple[str, ...] = ("Z85", "Z86", "Z87", "Z92")
OTHER_DX: tuple[str, ...] = ("L57.0", "L82.0", "L91.0", "L63.9")  # AK, inflamed SK, keloid

# Class rules, first match wins: (class, regex on the dotted code).
CLASS_RULES: tuple[tuple[str, str], ...] = (
    ("melanoma", r"^(C43|D03)\."),
    ("merkel", r"^C4A\."),
    ("in_situ", r"^D04\."),
    ("skin_cancer", r"^C44\."),  # refined to bcc / scc / other by its description
    ("nevus", r"^D22\."),
    ("benign_neoplasm", r"^(D23\.|D17\.|D18\.01)"),
    ("cyst", r"^L72\."),
    ("uncertain", r"^(D48\.5|D49\.2)"),
    ("unspecified_lesion", r"^(L98\.[89]|R23\.8|I78\.1)"),
    ("ak", r"^L57\.0"),
    ("wart", r"^(B07\.|B08\.1|A63\.0)"),
    ("sk_inflamed", r"^L82\.0"),
    ("sk", r"^L82\.1"),
    ("skin_tag", r"^L91\.8"),
    ("keloid_scar", r"^(L91\.0|L90\.5)"),
    ("psoriasis", r"^L40\."),
    ("dermatitis", r"^(L20\.|L21\.|L2[3-5]\.|L30\.)"),
    ("vitiligo", r"^L80"),
    ("acne", r"^L70\."),
    ("urticaria", r"^L50\."),
    ("hidradenitis", r"^L73\.2"),
    ("alopecia", r"^L63\."),
    ("abscess", r"^L02\."),
    ("pigment", r"^L81\."),
    ("screening", r"^Z12\.83"),
    ("cosmetic_encounter", r"^Z41\."),
    ("history_skin_cancer", r"^Z85\.8[2]"),
    ("aftercare", r"^Z48\."),
    ("complication", r"^(T81\.|L76\.)"),
    ("wound", r"^S\d"),
)
MALIGNANT_CLASSES: frozenset[str] = frozenset(
    {"melanoma", "merkel", "in_situ", "bcc", "scc", "skin_cancer_other"})
LESION_CLASSES: frozenset[str] = MALIGNANT_CLASSES | {
    "nevus", "benign_neoplasm", "cyst", "uncertain", "unspecified_lesion"}
SUPPORTING_CLASSES: dict[str, frozenset[str]] = {
    "destruction_ak": frozenset({"ak"}),
    "pdt": frozenset({"ak"}),
    "destruction_benign": frozenset({"wart", "sk_inflamed"}),
    "skin_tag": frozenset(),
    "biopsy": LESION_CLASSES | {"ak", "sk_inflamed", "sk", "wart", "psoriasis", "dermatitis",
                                "pigment", "alopecia", "keloid_scar", "vitiligo"},
    "shave": frozenset({"nevus", "benign_neoplasm", "sk_inflamed", "uncertain",
                        "unspecified_lesion"}),
    "excision_benign": frozenset({"nevus", "benign_neoplasm", "cyst", "uncertain",
                                  "unspecified_lesion"}),
    "excision_malignant": MALIGNANT_CLASSES,
    "destruction_malignant": MALIGNANT_CLASSES,
    "mohs": MALIGNANT_CLASSES,
    "repair_simple": LESION_CLASSES | {"wound"},
    "repair_intermediate": LESION_CLASSES | {"wound"},
    "repair_complex": LESION_CLASSES | {"wound"},
    "tissue_transfer": LESION_CLASSES,
    "phototherapy": frozenset({"psoriasis", "dermatitis", "vitiligo"}),
    "intralesional": frozenset({"keloid_scar", "acne", "psoriasis", "alopecia"}),
    # drugs by their dermatology labels: triamcinolone (keloid, alopecia areata, acne
    # cysts, psoriasis), ALA (AK), biologics (psoriasis, atopic dermatitis), omalizumab
    # (chronic spontaneous urticaria), adalimumab (hidradenitis suppurativa)
    "drug": frozenset({"keloid_scar", "acne", "psoriasis", "alopecia", "ak", "dermatitis",
                       "urticaria", "hidradenitis"}),
    "pathology": LESION_CLASSES | {"ak", "sk_inflamed", "sk", "wart", "psoriasis",
                                   "dermatitis", "pigment", "alopecia", "keloid_scar"},
    "incision_drainage": frozenset({"abscess", "cyst"}),
    "chemexfoliation": frozenset({"acne", "ak"}),
    "dermabrasion": frozenset(),  # cosmetic: nothing makes it a covered service
}
CONDITIONAL_CLASSES: dict[str, frozenset[str]] = {
    "destruction_benign": frozenset({"sk"}),
    "skin_tag": frozenset({"skin_tag"}),
    "shave": frozenset({"sk", "skin_tag"}),
    "excision_benign": frozenset({"sk"}),
}
COSMETIC_CLASSES: frozenset[str] = frozenset({"sk", "skin_tag", "pigment",
                                             "cosmetic_encounter"})
SCREENING_CLASSES: frozenset[str] = frozenset({"screening"})
DX_CLASSES: tuple[str, ...] = (
    *sorted({c for c, _ in CLASS_RULES} - {"skin_cancer"} | MALIGNANT_CLASSES), "other")


def skin_cancer_class(code: str) -> str:
    """bcc / scc / skin_cancer_other of a C44 code, from its FY2026 description."""
    from reference.icd10 import description

    text = description(code).lower()
    if "basal cell" in text:
        return "bcc"
    if "squamous cell" in text:
        return "scc"
    return "skin_cancer_other"


@lru_cache(maxsize=65536)
def dx_class(code: str | None) -> str:
    """The linkage class of a (dotted) ICD-10-CM code; 'other' when no rule matches."""
    if not code:
        return "other"
    for name, pattern in CLASS_RULES:
        if re.match(pattern, code):
            return skin_cancer_class(code) if name == "skin_cancer" else name
    return "other"


def supports(family: str, code: str, symptoms_documented: bool = False) -> bool:
    """Does a diagnosis support a procedure family (outright, or conditionally with
    documented symptoms)? Families without a linkage list accept any diagnosis."""
    if family not in SUPPORTING_CLASSES:
        return True
    cls = dx_class(code)
    if cls in SUPPORTING_CLASSES[family]:
        return True
    return symptoms_documented and cls in CONDITIONAL_CLASSES.get(family, frozenset())


def example_codes() -> set[str]:
    """Every example diagnosis code named in this module."""
    return {*MALIGNANT_DX, *NEVUS_DX, *BENIGN_NEOPLASM_DX, *CYST_DX, *UNCERTAIN_DX, *WART_DX,
            *PSORIASIS_ECZEMA_DX, *COSMETIC_DX, *EM_ONLY_DX, *SCREENING_DX, *OTHER_DX}
