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

from contract.frames import DX_COLS, DXP_COLS, MOD_COLS, ClaimFrames
from reference.codes import load_code_table
from reference.families import descriptors
from reference.icd10 import dx_site_side
from reference.modifiers import ANATOMIC_MODIFIERS
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


def own_slot(listed: list, wanted: str, site: str | None, side: str | None) -> int:
    """1-based slot of the claim's code for this lesion: `wanted` itself, else a neoplasm
    code naming the lesion's site and (when sided) its side; 0 when none is listed."""
    if wanted in listed:
        return listed.index(wanted) + 1
    for k, code in enumerate(listed):
        facts = dx_site_side(code) if isinstance(code, str) and code in code_kinds() \
            else None
        if facts and site in facts.sites and facts.side in (side, "", None):
            return k + 1
    return 0


def lesion_diagnosis(frames, view, lines, hidden) -> ClaimFrames:
    """The line pointed at the claim's code of its lesion's site and side when the claim
    lists it (the line was pointed at another lesion's code); otherwise that code added
    for the line when another procedure still uses the pointed one, or put in the pointed
    code's place (one code per lesion). A right or left lesion's line gets RT/LT."""
    ids, codes = pointed_codes(frames, lines)
    rows = frames.lines.loc[lines]
    kind = lookup(code_kinds(), codes.astype(object), None)
    site = as_object(rows["lesion_site"])
    side = as_object(rows["lesion_laterality"])
    known = pd.notna(kind) & pd.notna(site)
    new = np.where(known, lesion_dx(np.where(known, kind, "nevus"), site,
                                    np.where(pd.notna(side), side, "unspecified")), codes)
    listed = frames.claims.set_index("claim_id")[DX_COLS].reindex(ids).to_numpy(
        dtype=object, na_value=None)
    slot = np.array([own_slot(row, code, s_, d) for row, code, s_, d
                     in zip(listed.tolist(), new.tolist(), site.tolist(), side.tolist())],
                    dtype=np.int64)
    at = np.flatnonzero(lines)  # row positions of the masked lines
    repoint = np.zeros(len(frames.lines), dtype=bool)
    pointer = np.zeros(len(frames.lines), dtype=np.int64)
    repoint[at], pointer[at] = slot > 0, slot
    out = edits.set_line_values(frames, repoint, DXP_COLS[0], pointer)
    for col in DXP_COLS[1:]:
        out = edits.set_line_values(out, repoint, col, None)
    shared = (slot == 0) & other_procedure_points_at(frames, lines, codes)
    out = edits.add_diagnosis(out, at[shared], new[shared])
    keep = (slot == 0) & ~shared
    out = edits.replace_diagnosis(out, ids[keep], codes[keep], new[keep])
    return with_side_modifier(out, lines, side)


def with_side_modifier(frames: ClaimFrames, lines: np.ndarray,
                       side: np.ndarray) -> ClaimFrames:
    """RT/LT on the masked lines of a right or left lesion that carry no anatomic
    modifier: the sided diagnosis they now point to asks for it (shared/domain §11)."""
    mods = frames.lines[MOD_COLS].to_numpy(dtype=object, na_value=None)
    bare = ~np.isin(mods, sorted(ANATOMIC_MODIFIERS)).any(axis=1)
    sided = np.zeros(len(frames.lines), dtype=object)
    sided[np.flatnonzero(lines)] = side
    add = lines & bare & np.isin(sided, ["right", "left"])
    return edits.add_modifier(frames, add, np.where(sided == "right", "RT", "LT"))


def other_procedure_points_at(frames: ClaimFrames, lines: np.ndarray,
                              codes: np.ndarray) -> np.ndarray:
    """Per masked line: another procedure line of its claim (not masked; E/M and
    pathology aside) points at the same code, so the code stays on the list for it."""
    cpt = as_object(frames.lines["cpt"]).astype(str)
    family = lookup(load_code_table().frame["family"].to_dict(), cpt, "")
    procedure = ~np.isin(family, ["em", "pathology"])
    ids, listed = pointed_codes(frames, ~lines & procedure)
    taken = set(zip(ids.tolist(), listed.tolist()))
    mine = frames.lines.loc[lines, "claim_id"].to_numpy(dtype=object)
    return np.array([(i, c) in taken for i, c in zip(mine.tolist(), codes.tolist())],
                    dtype=bool)


LESION_CURES = {
    "side_modifier_wrong": mirror_side, "mohs_site_code": mohs_site,
    "count_code_mismatch": count_code, "code_site_group": site_and_size,
    "code_size_band": site_and_size, "dx_side_lesion": lesion_diagnosis,
    "dx_site_lesion": lesion_diagnosis,
    "modifier_57_minor": lambda f, v, ln, h: edits.replace_modifier(f, ln, "57", "25"),
    "modifier_25_procedure": lambda f, v, ln, h: edits.remove_modifier(f, ln, "25"),
}
