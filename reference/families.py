"""Code families and CPT descriptor facts, each defined once (shared/domain §1-§2).

The code table (reference/codes.py, data/derm_codes.csv) gives each code its family and
global indicator; this module names the groups of codes and families that billing rules
talk about, and reads the CPT descriptors of the size- and site-coded families: which
lesion sites and which excised-diameter (or repair-length) range each code describes.
Facts only: nothing here decides whether a claim is right or denied.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

EM_NEW: tuple[str, ...] = ("99202", "99203", "99204", "99205")
EM_ESTABLISHED: tuple[str, ...] = ("99211", "99212", "99213", "99214", "99215")
EM_CODES: tuple[str, ...] = EM_NEW + EM_ESTABLISHED

# Biopsy by technique (CPT 2019): one primary per session, the highest-valued technique
# (incisional > punch > tangential); every other lesion is an add-on of its own technique.
BIOPSY_PRIMARY: dict[str, str] = {"tangential": "11102", "punch": "11104",
                                  "incisional": "11106"}
BIOPSY_ADDON: dict[str, str] = {"tangential": "11103", "punch": "11105",
                                "incisional": "11107"}
BIOPSY_TECHNIQUE_RANK: dict[str, int] = {"tangential": 0, "punch": 1, "incisional": 2}

DESTRUCTION_AK: tuple[str, ...] = ("17000", "17003", "17004")  # 1st, 2-14 each, 15+
AK_FIRST, AK_ADDON, AK_15_PLUS = DESTRUCTION_AK
DESTRUCTION_BENIGN: tuple[str, ...] = ("17110", "17111")  # up to 14, 15 or more
SKIN_TAGS: tuple[str, ...] = ("11200", "11201")  # up to 15, each further 10
INTRALESIONAL: tuple[str, ...] = ("11900", "11901")  # up to 7 lesions, more than 7
MOHS_FIRST_STAGE: tuple[str, ...] = ("17311", "17313")  # head/neck/hands/feet/genitalia, rest
MOHS_ADDON: tuple[str, ...] = ("17312", "17314", "17315")
MOHS_CODES: tuple[str, ...] = MOHS_FIRST_STAGE + MOHS_ADDON
PHOTOTHERAPY_CODES: tuple[str, ...] = (
    "96900", "96910", "96912", "96913", "96920", "96921", "96922")
EXCIMER_CODES: tuple[str, ...] = ("96920", "96921", "96922")
PDT_CODES: tuple[str, ...] = ("96567",)
PATHOLOGY_CODES: tuple[str, ...] = ("88305",)
# Drugs billed by HCPCS J-code; each needs its NDC on the 837P (LIN*N4, §11).
DRUG_CODES: tuple[str, ...] = ("J3301", "J3358", "J7308", "J3245", "J0135", "J2357")

SIZE_CODED_FAMILIES: tuple[str, ...] = (
    "shave", "excision_benign", "excision_malignant", "destruction_malignant")
LESION_FAMILIES: tuple[str, ...] = (
    *SIZE_CODED_FAMILIES, "biopsy", "mohs", "destruction_ak", "destruction_benign",
    "skin_tag")
EXCISION_FAMILIES: tuple[str, ...] = ("excision_benign", "excision_malignant")
REPAIR_FAMILIES: tuple[str, ...] = ("repair_simple", "repair_intermediate", "repair_complex")
# Benign-lesion removal under the LCDs (L35498, L34200): symptoms must be documented.
BENIGN_REMOVAL_FAMILIES: tuple[str, ...] = (
    "shave", "excision_benign", "destruction_benign", "skin_tag")
MALIGNANT_FAMILIES: tuple[str, ...] = ("excision_malignant", "destruction_malignant", "mohs")
# Skin resurfacing most plans exclude as cosmetic unless a diagnosis of the linkage
# supports it (chemical exfoliation for acne or AKs; dermabrasion: none) (§4).
RESURFACING_FAMILIES: tuple[str, ...] = ("chemexfoliation", "dermabrasion")
# Families payers commonly put under prior authorization (§5, §10).
PRIOR_AUTH_FAMILIES: tuple[str, ...] = ("phototherapy", "mohs", "drug")
NON_PROCEDURE_FAMILIES: tuple[str, ...] = ("em", "drug", "pathology")

# Lesion site groups of the excision, shave and malignant-destruction descriptors.
SITE_GROUPS: dict[str, tuple[str, ...]] = {
    "trunk_arms_legs": ("trunk", "arms", "legs"),
    "scalp_neck_hands_feet_genitalia": ("scalp", "neck", "hands", "feet", "genitalia"),
    "face_ears_eyelids_nose_lips": ("face", "ears", "eyelids", "nose", "lips"),
}
SITE_GROUP_ORDER: tuple[str, ...] = tuple(SITE_GROUPS)
# First code of each family per site group, and the diameter bands (cm) of the codes that
# follow it: excisions 0.5 / 1.0 / 2.0 / 3.0 / 4.0 / over 4.0; shaves 0.5 / 1.0 / 2.0 / >2.0.
FAMILY_BASES: dict[str, tuple[int, int, int]] = {
    "excision_benign": (11400, 11420, 11440),
    "excision_malignant": (11600, 11620, 11640),
    "destruction_malignant": (17260, 17270, 17280),
    "shave": (11300, 11305, 11310),
}
EXCISION_BANDS: tuple[tuple[int, float, float], ...] = (
    (0, 0.0, 0.5), (1, 0.6, 1.0), (2, 1.1, 2.0), (3, 2.1, 3.0), (4, 3.1, 4.0),
    (6, 4.1, 99.0))
SHAVE_BANDS: tuple[tuple[int, float, float], ...] = (
    (0, 0.0, 0.5), (1, 0.6, 1.0), (2, 1.1, 2.0), (3, 2.1, 99.0))


@dataclass(frozen=True)
class Descriptor:
    """What a size/site-coded CPT code describes (from its CPT descriptor)."""

    code: str
    family: str
    site_group: str
    sites: tuple[str, ...]
    size_min_cm: float  # excised diameter (lesion + 2 x narrowest margin) or lesion size
    size_max_cm: float


@lru_cache(maxsize=1)
def descriptors() -> dict[str, Descriptor]:
    """Code -> Descriptor for every excision, shave and malignant-destruction code."""
    out: dict[str, Descriptor] = {}
    for family, bases in FAMILY_BASES.items():
        bands = SHAVE_BANDS if family == "shave" else EXCISION_BANDS
        for base, group in zip(bases, SITE_GROUP_ORDER):
            for offset, low, high in bands:
                code = str(base + offset)
                out[code] = Descriptor(code, family, group, SITE_GROUPS[group], low, high)
    return out


def site_group_of(site: str) -> str | None:
    """The descriptor site group a lesion site belongs to."""
    return next((g for g, sites in SITE_GROUPS.items() if site in sites), None)


def lesion_code(family: str, site: str, size_cm: float) -> str | None:
    """The code of `family` that describes a lesion at `site` of that excised diameter
    (lesion size for shaves and destructions), None for another family or site."""
    group = site_group_of(site)
    if family not in FAMILY_BASES or group is None:
        return None
    base = FAMILY_BASES[family][SITE_GROUP_ORDER.index(group)]
    bands = SHAVE_BANDS if family == "shave" else EXCISION_BANDS
    rounded = round(float(size_cm), 1)
    offset = next((o for o, _, high in bands if rounded <= high), bands[-1][0])
    return str(base + offset)


def ak_destruction_codes(count: int) -> list[tuple[str, int]]:
    """(code, units) of premalignant-lesion destruction: 17000 + 17003 x (n-1) up to 14,
    17004 alone for 15 or more (CPT; MUE 17003 = 13)."""
    if count >= 15:
        return [(AK_15_PLUS, 1)]
    return [(AK_FIRST, 1)] + ([(AK_ADDON, count - 1)] if count > 1 else [])


def benign_destruction_code(count: int) -> str:
    """17110 for up to 14 benign lesions, 17111 for 15 or more (one unit per session)."""
    return DESTRUCTION_BENIGN[1] if count >= 15 else DESTRUCTION_BENIGN[0]


def biopsy_codes(techniques: list[str]) -> list[tuple[str, int]]:
    """(code, units) for one session's biopsies: the primary of the highest-ranked
    technique once, then each other lesion as the add-on of its own technique."""
    if not techniques:
        return []
    ordered = sorted(techniques, key=BIOPSY_TECHNIQUE_RANK.__getitem__, reverse=True)
    out: dict[str, int] = {BIOPSY_PRIMARY[ordered[0]]: 1}
    for technique in ordered[1:]:
        code = BIOPSY_ADDON[technique]
        out[code] = out.get(code, 0) + 1
    return list(out.items())
