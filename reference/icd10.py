"""ICD-10-CM facts from the FY2026 code set shipped offline by simple-icd-10-cm.

- check_icd10: is a code billable (a leaf of the tabular list), a header that needs a
  subcode, well-formed but outside the FY2026 set (kept and flagged), or malformed.
- dx_site_side: the body site group and side a skin diagnosis encodes, read from its
  official description ("... of right upper limb, including shoulder"): ICD-10-CM
  encodes laterality for many skin neoplasms (C43.6x, C44.6x, D03.6x, D22.6x, ...), and a
  procedure's site and side must agree with the diagnosis it points to (shared/domain §11).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

ICD10_SHAPE = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?$")
RELEASE = "ICD-10-CM FY2026"

# Description phrase -> lesion sites (contract vocabulary) it covers; first match wins, so
# the specific phrases come before the general ones.
SITE_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("eyelid", ("eyelids",)),
    ("ear and external auricular canal", ("ears",)),
    ("external ear", ("ears",)),
    ("lip", ("lips",)),
    ("nose", ("nose",)),
    ("scalp and neck", ("scalp", "neck")),
    ("scalp", ("scalp",)),
    ("neck", ("neck",)),
    ("face", ("face", "nose", "lips", "ears", "eyelids")),
    ("upper limb", ("arms", "hands")),
    ("lower limb", ("legs", "feet")),
    ("hand", ("hands",)),
    ("foot", ("feet",)),
    ("trunk", ("trunk",)),
    ("breast", ("trunk",)),
    ("anal", ("trunk",)),
    ("scrotum", ("genitalia",)),
    ("vulva", ("genitalia",)),
    ("penis", ("genitalia",)),
    ("genital", ("genitalia",)),
)


@dataclass(frozen=True)
class DiagnosisCheck:
    """Outcome of check_icd10: the code to keep (None = refuse) and why."""

    code: str | None
    known: bool
    problem: str = ""


@dataclass(frozen=True)
class SiteSide:
    """What a diagnosis says about where the lesion is: sites it covers (empty = not a
    site-specific code) and side ('right', 'left', 'unspecified' or '' = no side)."""

    sites: tuple[str, ...]
    side: str


def dotted(code: str) -> str:
    """Upper-case code with the dot after the category (C44612 -> C44.612)."""
    text = code.strip().upper().replace(".", "")
    return text if len(text) <= 3 else f"{text[:3]}.{text[3:]}"


@lru_cache(maxsize=65536)
def check_icd10(code: str) -> DiagnosisCheck:
    """Billable FY2026 codes pass in dotted form; headers and malformed codes are refused
    with the reason; a well-formed code the FY2026 set lacks passes, flagged unknown."""
    import simple_icd_10_cm as icd  # deferred: reading the code set takes ~0.5 s

    text = dotted(code)
    if not ICD10_SHAPE.match(text):
        return DiagnosisCheck(None, False, "is not an ICD-10-CM code (letter, 2 characters, "
                                           "then up to 4 after the dot)")
    if not icd.is_valid_item(text):
        return DiagnosisCheck(text, False)
    if not icd.is_leaf(text):
        return DiagnosisCheck(None, True, f"is a category, not a billable code ({RELEASE}): "
                                          "code to the highest specificity")
    return DiagnosisCheck(icd.add_dot(icd.remove_dot(text)), True)


def normalize_icd10(code: str) -> str | None:
    """The dotted form of a billable FY2026 code, else None."""
    check = check_icd10(code)
    return check.code if check.known else None


@lru_cache(maxsize=1)
def _icd() -> object:
    import simple_icd_10_cm as icd

    return icd


@lru_cache(maxsize=65536)
def description(code: str) -> str:
    """The FY2026 description of a code ('' when the set lacks it)."""
    icd = _icd()
    return icd.get_description(code) if icd.is_valid_item(code) else ""  # type: ignore[attr-defined]


def side_of(text: str) -> str:
    """'right', 'left', 'unspecified' or '' from a description."""
    words = text.lower()
    for side in ("right", "left"):
        if re.search(rf"\b{side}\b", words):
            return side
    return "unspecified" if re.search(r"\bunspecified (?:side|upper|lower|ear|eyelid)", words) \
        else ""


@lru_cache(maxsize=65536)
def dx_site_side(code: str) -> SiteSide:
    """Sites and side a skin diagnosis encodes (from its FY2026 description)."""
    text = description(code).lower()
    if " of skin" not in text and "nevi of" not in text and "melanoma" not in text \
            and "neoplasm of skin" not in text and "in situ" not in text:
        return SiteSide((), "")
    sites: tuple[str, ...] = ()
    for phrase, covered in SITE_PHRASES:
        if re.search(rf"\b{phrase}", text):
            sites = covered
            break
    return SiteSide(sites, side_of(text) if sites else "")
