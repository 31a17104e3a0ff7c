"""Cures of the lesion-record edits (rules/lesion_record.py), read from the record the
claim carries (shared/domain §11: recode, don't delete): the side modifier of the
lesion's side, the Mohs code of the lesion's site family, the count code of the lesion
count, the excision code of the lesion's site group and excised-diameter band, the
diagnosis of the lesion's own site and side, 25 for 57 beside a minor procedure, and 25
off a procedure line.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from contract.frames import MOD_COLS, ClaimFrames
from reference.families import descriptors
from synthetic_data import edits
from synthetic_data.arrays import as_object, lookup
from synthetic_data.cures_coding import pointed_codes, site_code, with_addon
from synthetic_data.world.codebook import mohs_codes
from synthetic_data.world.diagnoses import lesion_dx, neoplasm_table

MIRROR = {"LT": "RT", "E1": "E3", "E2": "E4", "FA": "F5", "F1": "F6", "F2": "F7",
          "F3": "F8", "F4": "F9", "TA": "T5", "T1": "T6", "T2": "T7", "T3": "T8", "T4": "T9"}
MIRROR.update({v: k for k, v in list(MIRROR.items())})
COUNT_UP = {"17110": "17111", "11900": "11901"}


def mirror_side(frames, view, lines, hidden) -> ClaimFrames:
    """Each side modifier of the masked lines replaced by the same one of the other side
    (RT <-> LT, E1 <-> E3, F1 <-> F6, ...)."""
    out = frames
    for col in MOD_COLS:
        values = as_object(out.lines[col])
        swap = lines & pd.notna(lookup(MIRROR, values, None))
        out = edits.set_line_values(out, swap, col, lookup(MIRROR, values, None))
    return out


def mohs_site(frames, view, lines, hidden) -> ClaimFrames:
    """The first-stage / added-stage Mohs code of the lesion's site family."""
    site = as_object(frames.lines["lesion_site"])
    first, extra = mohs_codes(site)
    cpt = as_object(frames.lines["cpt"]).astype(str)
    stage = np.isin(cpt, ["17312", "17314"])
    return edits.set_line_values(frames, lines, "cpt", np.where(stage, extra, first))


def count_code(frames, view, lines, hidden) -> ClaimFrames:
    """17111 / 11901 for 15+ / 8+ lesions; 17000 + 17003 x (n-1) for fewer than 15 AKs."""
    cpt = as_object(frames.lines["cpt"]).astype(str)
    count = pd.to_numeric(frames.lines["lesion_count"], errors="coerce").fillna(1).to_numpy()
    up = lines & np.isin(cpt, list(COUNT_UP))
    out = edits.set_line_values(frames, up, "cpt", lookup(COUNT_UP, cpt.astype(object)))
    out = edits.set_line_values(out, up, "units", 1)
    ak = lines & (cpt == "17004")
    extra = np.where(ak, np.maximum(count - 1, 0), 0).astype(np.int64)
    out = with_addon(out, ak, "17000", "17003", extra)
    return edits.set_line_values(out, np.r_[ak, np.zeros(len(out.lines) - len(ak), bool)],
                                 "lesion_count", 1)


@lru_cache(maxsize=1)
def band_codes() -> dict[tuple[str, str, float], str]:
    """(family, site group, diameter band low) -> code, for the excision families."""
    return {(d.family, d.site_group, d.size_min_cm): c for c, d in descriptors().items()}


def size_code(frames, view, lines, hidden) -> ClaimFrames:
    """The same family and site group at the band of the excised diameter on the line."""
    table, bands = descriptors(), band_codes()
    rows = frames.lines.loc[lines]
    new = []
    for code, size in zip(rows["cpt"].tolist(), rows["lesion_size_cm"].tolist()):
        d = table.get(code)
        size = round(float(size), 1) if size is not None and not pd.isna(size) else None
        match = [c for (f, g, _), c in bands.items() if d is not None and size is not None
                 and f == d.family and g == d.site_group
                 and table[c].size_min_cm - 1e-9 <= size <= table[c].size_max_cm + 1e-9]
        new.append(match[0] if match else code)
    values = as_object(frames.lines["cpt"]).copy()
    values[np.asarray(lines, bool)] = new
    return edits.set_line_values(frames, lines, "cpt", values)


def site_and_size(frames, view, lines, hidden) -> ClaimFrames:
    """The lesion's site group, then its excised-diameter band."""
    return size_code(site_code(frames, view, lines, hidden), view, lines, hidden)


@lru_cache(maxsize=1)
def code_kinds() -> dict[str, str]:
    """Neoplasm code -> its kind (bcc, nevus, ...)."""
    return {code: key.split("|")[0] for key, code in neoplasm_table().items()}


def lesion_diagnosis(frames, view, lines, hidden) -> ClaimFrames:
    """The pointed neoplasm code replaced by the same kind's code of the lesion's site
    and side (the claim's list keeps one code per lesion)."""
    ids, codes = pointed_codes(frames, lines)
    rows = frames.lines.loc[lines]
    kind = lookup(code_kinds(), codes.astype(object), None)
    site = as_object(rows["lesion_site"])
    side = as_object(rows["lesion_laterality"])
    known = pd.notna(kind) & pd.notna(site)
    new = np.where(known, lesion_dx(np.where(known, kind, "nevus"), site,
                                    np.where(pd.notna(side), side, "unspecified")), codes)
    return edits.replace_diagnosis(frames, ids, codes, new)


LESION_CURES = {
    "side_modifier_wrong": mirror_side, "mohs_site_code": mohs_site,
    "count_code_mismatch": count_code, "code_site_group": site_and_size,
    "code_size_band": site_and_size, "dx_side_lesion": lesion_diagnosis,
    "dx_site_lesion": lesion_diagnosis,
    "modifier_57_minor": lambda f, v, ln, h: edits.replace_modifier(f, ln, "57", "25"),
    "modifier_25_procedure": lambda f, v, ln, h: edits.remove_modifier(f, ln, "25"),
}
