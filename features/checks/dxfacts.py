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

from reference.families import EXCISION_FAMILIES
from reference.icd10 import SITE_PHRASES, description, dx_site_side, side_of
from reference.linkage import CONDITIONAL_CLASSES, SUPPORTING_CLASSES
from reference.linkage import dx_class as linkage_class
from reference.linkage import supports as linkage_supports
from reference.vocab import SITES

# Lesion classes (small ints, 0 = anything else).
OTHER, MALIGNANT, NEVUS, BENIGN, CYST, UNCERTAIN, AK, SK_INFLAMED, SK_OTHER, WART, TAG, \
    KELOID, INFLAMMATORY, SCREENING, AFTERCARE, COMPLICATION, WOUND = range(17)
CLASS_NAMES: tuple[str, ...] = (
    "other", "malignant", "nevus", "benign neoplasm", "cyst", "uncertain behaviour",
    "actinic keratosis", "inflamed seborrheic keratosis", "seborrheic keratosis", "wart",
    "skin tag", "keloid/hypertrophic scar", "inflammatory dermatosis", "screening",
    "surgical aftercare", "postprocedural complication", "wound")

# The checks' lesion classes, read from the reference linkage classes (reference/linkage.py
# defines which ICD-10-CM categories belong to which class, once).
LINKAGE_TO_CLASS: dict[str, int] = {
    **dict.fromkeys(("melanoma", "merkel", "in_situ", "bcc", "scc", "skin_cancer_other"),
                    MALIGNANT),
    "nevus": NEVUS, "benign_neoplasm": BENIGN, "cyst": CYST, "uncertain": UNCERTAIN,
    "unspecified_lesion": UNCERTAIN, "ak": AK, "sk_inflamed": SK_INFLAMED, "sk": SK_OTHER,
    "wart": WART, "skin_tag": TAG, "keloid_scar": KELOID,
    **dict.fromkeys(("psoriasis", "dermatitis", "vitiligo", "acne", "alopecia", "abscess",
                     "pigment"), INFLAMMATORY),
    "screening": SCREENING, "cosmetic_encounter": SCREENING, "aftercare": AFTERCARE,
    "complication": COMPLICATION, "wound": WOUND,
}
LESION_CLASSES = frozenset({MALIGNANT, NEVUS, BENIGN, CYST, UNCERTAIN, SK_INFLAMED})
BENIGN_PATHOLOGY = frozenset({NEVUS, BENIGN, CYST, UNCERTAIN, SK_INFLAMED, SK_OTHER})
# Families whose pointer support the checks judge (the reference linkage lists); an
# excision's benign-vs-malignant code is the descriptor check's question, so both
# excision families accept either pathology here.
CHECKED_FAMILIES: tuple[str, ...] = tuple(sorted(
    f for f, classes in SUPPORTING_CLASSES.items() if classes or f in CONDITIONAL_CLASSES))
# The lesion a surgery of these families treats, for the global-period relation test.
RELATION_CLASSES: frozenset[int] = LESION_CLASSES | {WOUND}
SITE_BITS: dict[str, int] = {site: 1 << i for i, site in enumerate(SITES)}
NO_DX = ""  # the sentinel code of an empty pointer


def dx_class(code: str) -> int:
    """The lesion class of a diagnosis code (OTHER when none applies)."""
    return LINKAGE_TO_CLASS.get(linkage_class(code), OTHER)


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


@lru_cache(maxsize=4096)
def lesion_code(code: str, bits: int, side: int) -> str | None:
    """The code of the same kind as `code` (its category and description head:
    "Melanocytic nevi of", "Basal cell carcinoma of") for a lesion on site bits `bits`
    and side `side` (1 left, 2 right, 0 not stated): D22.5 (trunk) for a face lesion ->
    D22.39, C44.612 (right upper limb) for a left-arm lesion -> C44.619. A code covering
    the whole lesion site beats one covering part of it (a "face" lesion is not a lip
    lesion), a specified code an unspecified one, the narrowest site a wider one; None
    when the category has no single code for it (which eyelid, say)."""
    import simple_icd_10_cm as icd

    if not bits or not icd.is_valid_item(code):
        return None
    cls = dx_facts(code)[0]
    head = icd.get_description(code).split(" of ")[0] + " of "
    found = []
    for cand in icd.get_descendants(code.split(".")[0]):
        desc = icd.get_description(cand)
        if not icd.is_leaf(cand) or not desc.startswith(head):
            continue
        c_cls, c_bits, c_side, _ = dx_facts(cand)
        side_ok = c_side in (0, side) if side in (1, 2) else c_side in (0, 3)
        if c_cls == cls and c_bits & bits and side_ok:
            found.append((c_bits & bits != bits, "unspecified" in desc,
                          bin(c_bits).count("1"), cand))
    found.sort()
    if not found or (len(found) > 1 and found[0][:3] == found[1][:3]):
        return None
    return found[0][3]


def supports(code: str, cls: int, family: str) -> tuple[bool, bool]:
    """(supports outright, supports with documented symptoms) for a line of `family`,
    from the reference linkage (reference/linkage.py). Families it does not check take
    any diagnosis but a screening code; excisions take either pathology (the code's
    benign/malignant choice is code_pathology's finding, not a pointer problem)."""
    if code == NO_DX:
        return False, False
    if family in EXCISION_FAMILIES:
        return any(linkage_supports(f, code) for f in EXCISION_FAMILIES), \
            linkage_class(code) in CONDITIONAL_CLASSES.get(family, frozenset())
    if family not in CHECKED_FAMILIES:
        return cls != SCREENING, False
    outright = linkage_supports(family, code)
    return outright, not outright and linkage_supports(family, code, True)


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
    if family in CHECKED_FAMILIES and family != "excision_benign":
        return linkage_supports(family, code, True)
    return cls in RELATION_CLASSES
