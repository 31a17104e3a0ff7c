"""Diagnosis-to-procedure linkage: which ICD-10-CM codes support which procedure family.

Drawn from shared/domain §4 (LCD L35498/L34200, NCD 250.4 and the coding sources cited
there). `SUPPORTING` lists diagnoses that support the family outright; `CONDITIONAL`
lists diagnoses that support it only with documented symptoms (benign-lesion LCDs);
`COSMETIC_DX` read as cosmetic unless symptoms are documented. Every code here is a
billable FY2026 code (checked by tests/unit/test_linkage.py).
"""

from __future__ import annotations

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

SUPPORTING: dict[str, tuple[str, ...]] = {
    "destruction_ak": ("L57.0",),
    "pdt": ("L57.0",),
    "destruction_benign": (*WART_DX, "L82.0"),
    "skin_tag": (),
    "biopsy": (*UNCERTAIN_DX, *NEVUS_DX, *MALIGNANT_DX, "L82.0"),
    "shave": (*NEVUS_DX, *BENIGN_NEOPLASM_DX, "L82.0", *UNCERTAIN_DX),
    "excision_benign": (*NEVUS_DX, *BENIGN_NEOPLASM_DX, *CYST_DX, "D48.5"),
    "excision_malignant": MALIGNANT_DX,
    "destruction_malignant": MALIGNANT_DX,
    "mohs": MALIGNANT_DX,
    "repair_simple": (*MALIGNANT_DX, *NEVUS_DX, *BENIGN_NEOPLASM_DX, *CYST_DX, "D48.5"),
    "repair_intermediate": (*MALIGNANT_DX, *NEVUS_DX, *BENIGN_NEOPLASM_DX, *CYST_DX, "D48.5"),
    "repair_complex": (*MALIGNANT_DX, *NEVUS_DX, *BENIGN_NEOPLASM_DX, *CYST_DX, "D48.5"),
    "phototherapy": PSORIASIS_ECZEMA_DX,
    "intralesional": ("L91.0", "L70.0", "L40.0", "L63.9"),
    "drug": ("L91.0", "L70.0", "L40.0", "L57.0", "L63.9"),
    "pathology": (*UNCERTAIN_DX, *NEVUS_DX, *MALIGNANT_DX, *BENIGN_NEOPLASM_DX, "L82.0"),
    "em": (),  # any diagnosis supports an E/M; screening codes are handled by payers
}
CONDITIONAL: dict[str, tuple[str, ...]] = {
    "destruction_benign": ("L82.1",),
    "skin_tag": ("L91.8",),
    "shave": ("L82.1", "L91.8"),
    "excision_benign": ("L82.1",),
}


def all_linkage_codes() -> set[str]:
    """Every diagnosis code named anywhere in the linkage tables."""
    codes: set[str] = set(EM_ONLY_DX) | set(SCREENING_DX) | set(COSMETIC_DX)
    for table in (SUPPORTING, CONDITIONAL):
        for values in table.values():
            codes.update(values)
    return codes
