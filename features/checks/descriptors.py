"""Code family vs lesion: site group, size band and pathology of the size/site-coded codes
(CPT descriptors of 11300-11313, 11400-11646, 17260-17286; Mohs 17311-17314).

For each such line the checks compute the one code that describes the lesion: the
family from the pointed pathology (malignant C43/C44/C4A/D03/D04 -> 116xx, only benign
D22/D23/L72/D48.5 -> 114xx), the site group from lesion.site (else from the diagnosis
site), the size band from lesion.size_cm (the excised diameter for excisions). Every
reason that differs fires its own rule, all proposing that same change_code.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from features.checks.context import Ctx
from features.checks.dxfacts import BENIGN_PATHOLOGY, MALIGNANT
from features.checks.findings import Hits, empty_hits, hits
from features.checks.match import site_agrees
from features.lineindex import code_vocab
from reference.families import (
    EXCISION_BANDS,
    FAMILY_BASES,
    SHAVE_BANDS,
    SITE_GROUP_ORDER,
    descriptors,
)
from reference.vocab import SITES

DESC_FAMILIES: tuple[str, ...] = tuple(FAMILY_BASES)  # excision_benign, _malignant, ...
BASES = np.array([FAMILY_BASES[f] for f in DESC_FAMILIES], dtype=np.int64)  # (4, 3)
MOHS_BY_GROUP = {"17311": "17313", "17312": "17314"}  # head/neck/... -> trunk/arms/legs
MOHS_BY_GROUP.update({v: k for k, v in list(MOHS_BY_GROUP.items())})
TRUNK_GROUP = SITE_GROUP_ORDER.index("trunk_arms_legs")
BENIGN_CLASS = np.array([c in BENIGN_PATHOLOGY for c in range(32)])


@lru_cache(maxsize=1)
def code_descriptor_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per code-table row (+ unknown): descriptor family index (-1 none), site group,
    band offset (code - base)."""
    table = descriptors()
    fam, group, offset = [], [], []
    for code in (*code_vocab(), ""):
        d = table.get(code)
        f = DESC_FAMILIES.index(d.family) if d else -1
        g = SITE_GROUP_ORDER.index(d.site_group) if d else -1
        fam.append(f)
        group.append(g)
        offset.append(int(code) - BASES[f, g] if d else 0)
    return np.array(fam), np.array(group), np.array(offset)


def band_offsets(size: np.ndarray, shave: np.ndarray) -> np.ndarray:
    """Code offset of the diameter band each size falls in (-1 when size unknown)."""
    rounded = np.round(np.nan_to_num(size, nan=-1.0) * 10) / 10
    out = np.full(len(size), -1, dtype=np.int64)
    for bands, which in ((EXCISION_BANDS, ~shave), (SHAVE_BANDS, shave)):
        highs = np.array([high for _, _, high in bands]) + 1e-9
        offsets = np.array([o for o, _, _ in bands])
        idx = np.minimum(np.searchsorted(highs, rounded), len(bands) - 1)
        out = np.where(which & (rounded > 0), offsets[idx], out)
    return out


def diagnosis_group(ctx: Ctx) -> np.ndarray:
    """The descriptor site group the line's pointed diagnoses agree on (-1 none/several)."""
    groups = ctx.dx.group[ctx.ptr_dx]
    lo = np.where(groups >= 0, groups, 99).min(axis=1)
    hi = groups.max(axis=1)
    return np.where((hi >= 0) & (lo == hi), hi, -1)


def pathology_family(ctx: Ctx, fam: np.ndarray) -> np.ndarray:
    """Excision family the pointed diagnoses call for: malignant if any is malignant,
    benign if all are benign pathology; the billed family otherwise. Diagnoses of another
    site than the lesion's do not describe it (the laterality checks re-point them)."""
    cls = ctx.dx.cls[ctx.ptr_dx]
    present = (ctx.ptr_dx != ctx.dx.none) & site_agrees(ctx)
    malignant = (cls == MALIGNANT).any(axis=1)
    benign = present.any(axis=1) & (BENIGN_CLASS[cls] | ~present).all(axis=1)
    excision = fam <= 1  # excision_benign, excision_malignant
    return np.where(excision & malignant, 1, np.where(excision & benign, 0, fam))


def check_descriptors(ctx: Ctx) -> list[Hits]:
    """Site-group, pathology and size findings of size/site-coded lines, and Mohs site."""
    dfam, dgroup, doffset = code_descriptor_table()
    fam = dfam[ctx.ix.code_idx]
    coded = fam >= 0
    mohs = ctx.ix.is_code(*MOHS_BY_GROUP)
    if not coded.any() and not mohs.any():
        return [empty_hits(r) for r in (
            "code_site_group", "code_pathology", "code_size_band", "code_mohs_site")]
    group, offset = dgroup[ctx.ix.code_idx], doffset[ctx.ix.code_idx]
    lesion_group = ctx.site_group.astype(np.int64)
    dx_group = diagnosis_group(ctx)
    want_group = np.where(lesion_group >= 0, lesion_group, np.where(dx_group >= 0, dx_group,
                                                                    group))
    want_fam = pathology_family(ctx, fam)
    shave = want_fam == DESC_FAMILIES.index("shave")
    band = band_offsets(ctx.size, shave)
    want_offset = np.where(band >= 0, band, offset)
    target = BASES[np.maximum(want_fam, 0), np.maximum(want_group, 0)] + want_offset
    site_wrong = coded & (want_group != group)
    fam_wrong = coded & (want_fam != fam)
    size_wrong = coded & (want_offset != offset)
    by_lesion = lesion_group >= 0
    value = np.full(ctx.n, None, dtype=object)
    fired = site_wrong | fam_wrong | size_wrong
    value[fired] = target[fired].astype(str)
    return [
        hits("code_site_group", site_wrong, variant=np.where(by_lesion, 0, 1)[site_wrong],
             value=value[site_wrong], old=ctx.codes[site_wrong],
             site=_site_text(ctx, site_wrong), dx=ctx.dx_code(ctx.ptr_dx[site_wrong, 0])),
        hits("code_pathology", fam_wrong, variant=(want_fam[fam_wrong] == 0).astype(np.int8),
             value=value[fam_wrong], old=ctx.codes[fam_wrong],
             dx=ctx.dx_code(ctx.ptr_dx[fam_wrong, 0])),
        hits("code_size_band", size_wrong, variant=np.where(
            ctx.ix.in_family("excision_benign", "excision_malignant"), 0, 1)[size_wrong],
             value=value[size_wrong], old=ctx.codes[size_wrong],
             size=ctx.size[size_wrong].astype(object)),
        mohs_site(ctx, want_group, by_lesion | (dx_group >= 0)),
    ]


def _site_text(ctx: Ctx, mask: np.ndarray) -> np.ndarray:
    sites = np.array([*SITES, ""], dtype=object)[ctx.site[mask]]
    return np.where(sites == "", "the diagnosis site", sites)


def mohs_site(ctx: Ctx, want_group: np.ndarray, known: np.ndarray) -> Hits:
    """17313/17314 (trunk, arms, legs) on a head/neck/hands/feet/genitalia lesion is
    wrong; 17311/17312 on a trunk/arm/leg lesion is a warning (17311 also covers surgery
    on muscle, cartilage, bone, tendon, major nerves or vessels anywhere)."""
    trunk_code = ctx.ix.is_code("17313", "17314")
    head_code = ctx.ix.is_code("17311", "17312")
    wrong = known & ((trunk_code & (want_group != TRUNK_GROUP))
                     | (head_code & (want_group == TRUNK_GROUP)))
    pos = np.flatnonzero(wrong)
    old = ctx.codes[pos]
    return hits("code_mohs_site", pos, variant=head_code[pos].astype(np.int8),
                value=np.array([MOHS_BY_GROUP[c] for c in old], dtype=object), old=old)
