"""What each diagnosis code tells the checks: its lesion class, the sites and side it
encodes, and which procedure families it supports.

Sites and side come from the FY2026 descriptions (reference.icd10.dx_site_side); the
class comes from the ICD-10-CM category (C43/C44 malignant, D22 nevus, L57.0 actinic
keratosis, ...), so every subcode of a category is judged alike: a left-side or an
ear/eyelid/trunk subcode supports the same procedures as the subcodes the reference
linkage lists happen to name (issue 16: C44.619 or C44.212 read as unsupported). The
linkage lists of reference/linkage.py are honoured on top (a listed code always supports
its family). Facts are computed once per code (cached) and gathered into numpy arrays
over the distinct codes of a batch, so a check reads them with one fancy index.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from reference.icd10 import SITE_PHRASES, description, dx_site_side, side_of
from reference.linkage import CONDITIONAL, SCREENING_DX, SUPPORTING
from reference.vocab import SITES

# Lesion classes (small ints, 0 = anything else).
OTHER, MALIGNANT, NEVUS, BENIGN, CYST, UNCERTAIN, AK, SK_INFLAMED, SK_OTHER, WART, TAG, \
    KELOID, INFLAMMATORY, SCREENING, AFTERCARE, COMPLICATION, WOUND = range(17)
CLASS_NAMES: tuple[str, ...] = (
    "other", "malignant", "nevus", "benign neoplasm", "cyst", "uncertain behaviour",
    "actinic keratosis", "inflamed seborrheic keratosis", "seborrheic keratosis", "wart",
    "skin tag", "keloid/hypertrophic scar", "inflammatory dermatosis", "screening",
    "surgical aftercare", "postprocedural complication", "wound")

# ICD-10-CM category prefixes of each class, most specific first.
CLASS_PREFIXES: tuple[tuple[str, int], ...] = (
    ("C43", MALIGNANT), ("C4A", MALIGNANT), ("C44", MALIGNANT), ("D03", MALIGNANT),
    ("D04", MALIGNANT), ("D22", NEVUS), ("D23", BENIGN), ("D17", BENIGN), ("D18.0", BENIGN),
    ("L72", CYST), ("D48.5", UNCERTAIN), ("D49.2", UNCERTAIN), ("L57.0", AK),
    ("L82.0", SK_INFLAMED), ("L82.1", SK_OTHER), ("B07", WART), ("B08.1", WART),
    ("A63.0", WART), ("L91.8", TAG), ("L91.0", KELOID), ("Z12.83", SCREENING),
    ("Z41.1", SCREENING), ("Z48", AFTERCARE), ("T81", COMPLICATION), ("L76", COMPLICATION),
    ("S", WOUND), ("C84.0", INFLAMMATORY), ("L", INFLAMMATORY),
)
LESION_CLASSES = frozenset({MALIGNANT, NEVUS, BENIGN, CYST, UNCERTAIN, SK_INFLAMED})
BENIGN_PATHOLOGY = frozenset({NEVUS, BENIGN, CYST, UNCERTAIN, SK_INFLAMED, SK_OTHER})

# Classes that support each procedure family outright, and only with documented symptoms
# (benign-lesion LCDs L35498/L34200; NCD 250.4 for AKs; shared/domain §4). Excisions take
# benign and malignant classes: which excision code fits the pathology is the
# descriptor check's question, not a pointer problem.
FAMILY_CLASSES: dict[str, frozenset[int]] = {
    "destruction_ak": frozenset({AK}),
    "pdt": frozenset({AK}),
    "destruction_benign": frozenset({WART, SK_INFLAMED}),
    "skin_tag": frozenset(),
    "shave": frozenset({NEVUS, BENIGN, CYST, UNCERTAIN, SK_INFLAMED}),
    "excision_benign": LESION_CLASSES,
    "excision_malignant": LESION_CLASSES,
    "destruction_malignant": frozenset({MALIGNANT}),
    "mohs": frozenset({MALIGNANT}),
    "phototherapy": frozenset({INFLAMMATORY}),
    "intralesional": frozenset({KELOID, INFLAMMATORY, CYST}),
}
FAMILY_CONDITIONAL: dict[str, frozenset[int]] = {
    "destruction_benign": frozenset({SK_OTHER}),
    "skin_tag": frozenset({TAG}),
    "shave": frozenset({SK_OTHER, TAG}),
    "excision_benign": frozenset({SK_OTHER}),
}
# The lesion a surgery of these families treats, for the global-period relation test.
RELATION_CLASSES: frozenset[int] = LESION_CLASSES | {WOUND}
SITE_BITS: dict[str, int] = {site: 1 << i for i, site in enumerate(SITES)}
NO_DX = ""  # the sentinel code of an empty pointer


def dx_class(code: str) -> int:
    """The lesion class of a diagnosis code (OTHER when none applies)."""
    return next((cls for prefix, cls in CLASS_PREFIXES if code.startswith(prefix)), OTHER)


def eyelid_position(code: str) -> int:
    """1 upper eyelid, 2 lower eyelid, 0 otherwise (from the FY2026 description)."""
    text = description(code).lower()
    if re.search(r"\bupper eyelid", text):
        return 1
    return 2 if re.search(r"\blower eyelid", text) else 0


def sites_and_side(code: str, cls: int) -> tuple[tuple[str, ...], str]:
    """Sites and side from the FY2026 description; skin neoplasms whose description lacks
    "of skin" (Merkel cell carcinoma C4A) are read with the same phrases."""
    where = dx_site_side(code)
    if where.sites or cls == OTHER:
        return where.sites, where.side
    text = description(code).lower()
    for phrase, covered in SITE_PHRASES:
        if re.search(rf"\b{phrase}", text):
            return covered, side_of(text)
    return (), ""


@lru_cache(maxsize=65536)
def dx_facts(code: str) -> tuple[int, int, int, int]:
    """(class, site bit set, side 0 none/1 left/2 right/3 unspecified, eyelid position)."""
    if code == NO_DX:
        return OTHER, 0, 0, 0
    cls = dx_class(code)
    sites, side_name = sites_and_side(code, cls)
    bits = 0
    for site in sites:
        bits |= SITE_BITS[site]
    side = {"left": 1, "right": 2, "unspecified": 3}.get(side_name, 0)
    return cls, bits, side, eyelid_position(code) if bits == SITE_BITS["eyelids"] else 0


@lru_cache(maxsize=4096)
def sided_code(code: str, side: str) -> str | None:
    """The subcode of the same category and site coding `side` ("right"/"left") for a
    code of unspecified side (C44.621 -> C44.622 right / C44.629 left), None if none."""
    import simple_icd_10_cm as icd

    head, found, tail = description(code).rpartition("unspecified ")
    if not found or not icd.is_valid_item(code):
        return None
    wanted = f"{head}{side} {tail}"
    siblings = icd.get_children(icd.get_parent(code))
    return next((s for s in siblings if icd.get_description(s) == wanted), None)


def supports(code: str, cls: int, family: str) -> tuple[bool, bool]:
    """(supports outright, supports with documented symptoms) for a line of `family`.

    Families without a class list (biopsy, repairs, E/M, drugs, unknown codes, ...) take
    any diagnosis but a screening code."""
    if code in SUPPORTING.get(family, ()):
        return True, False
    if code in CONDITIONAL.get(family, ()):
        return False, True
    if family not in FAMILY_CLASSES:
        return code != NO_DX and cls != SCREENING and code not in SCREENING_DX, False
    return cls in FAMILY_CLASSES[family], cls in FAMILY_CONDITIONAL.get(family, ())


@lru_cache(maxsize=65536)
def support_row(code: str, families: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Boolean rows over `families`: the code supports each, outright / conditionally."""
    cls = dx_facts(code)[0]
    pairs = [supports(code, cls, f) for f in families]
    return (np.array([p[0] for p in pairs], dtype=bool),
            np.array([p[1] for p in pairs], dtype=bool))


def relates(code: str, family: str) -> bool:
    """Does a diagnosis describe the kind of lesion a surgery of `family` treats (the
    global-period relation test: the same problem as the earlier surgery)? A malignant
    excision relates to malignancies only (a nevus excised later is another problem); a
    benign excision to any lesion (pathology may upgrade it to a malignancy)."""
    cls = dx_facts(code)[0]
    if family == "excision_malignant":
        return cls == MALIGNANT
    if family in FAMILY_CLASSES and family != "excision_benign":
        return cls in FAMILY_CLASSES[family] or cls in FAMILY_CONDITIONAL.get(family, ())
    return cls in RELATION_CLASSES or code in SUPPORTING.get(family, ())
