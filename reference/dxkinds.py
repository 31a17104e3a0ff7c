"""What an ICD-10-CM code denotes for dermatology billing, by code prefix: malignant
skin neoplasm, in situ, nevus, other benign neoplasm, seborrheic keratosis (inflamed or
not), cyst, neoplasm of uncertain or unspecified behaviour, actinic keratosis, warts,
skin tags, keloid, acne, psoriasis, dermatitis, urticaria, alopecia, abscess, screening,
aftercare, postoperative complication, scar, pigmentation, history of skin cancer.

Facts of the code set (ICD-10-CM FY2026 chapters and categories), read by prefix so any
site and side of a category has its kind (C44.619 as well as C44.612). Data and lookup
only: which kind supports which procedure is payer policy, not defined here.
"""

from __future__ import annotations

from functools import lru_cache

# Longest prefix wins (L82.0 before L82, L72.3 before L72).
KIND_PREFIXES: dict[str, str] = {
    "C43": "malignant", "C44": "malignant", "D03": "in_situ", "D04": "in_situ",
    "D22": "nevus", "D23": "benign_neoplasm", "L82.0": "inflamed_sk", "L82.1": "sk",
    "L72.3": "inflamed_cyst", "L72": "cyst", "D48.5": "uncertain", "D49.2": "unspecified",
    "L57.0": "actinic", "B07": "wart", "B08.1": "wart", "A63.0": "wart", "L91.8": "tag",
    "L91.0": "keloid", "L70": "acne", "L40": "psoriasis", "L20": "dermatitis",
    "L21": "dermatitis", "L30": "dermatitis", "L50": "urticaria", "L63": "alopecia",
    "L02": "abscess", "Z12.83": "screening", "Z41.1": "cosmetic_encounter",
    "Z48.81": "aftercare", "T81": "complication", "L90.5": "scar", "L81.4": "pigmentation",
    "Z85.828": "history", "L71": "rosacea", "L60": "nail", "B35": "fungal", "L29": "itch",
    "L73": "follicular",
}
SKIN_LESION_KINDS: frozenset[str] = frozenset({
    "malignant", "in_situ", "nevus", "benign_neoplasm", "inflamed_sk", "sk", "cyst",
    "inflamed_cyst", "uncertain", "unspecified", "actinic", "wart", "tag", "keloid"})
MALIGNANT_KINDS: frozenset[str] = frozenset({"malignant", "in_situ"})


@lru_cache(maxsize=65536)
def dx_kind(code: object) -> str:
    """The kind of a dotted ICD-10-CM code ('' when none applies)."""
    if not isinstance(code, str) or not code:
        return ""
    text = code.upper()
    for length in range(len(text), 2, -1):
        kind = KIND_PREFIXES.get(text[:length])
        if kind:
            return kind
    return ""
