"""Cures that recode (shared/domain §11: recode, don't delete): the code that describes
the work (17004 for 15+ AKs, 17000 + 17003 x (n-1), one 17110 / 11900 per session, the
biopsy add-on for further lesions, the primary for an orphan add-on, the site group of
the lesion, malignant codes for a malignant report), XS on the column-2 line of distinct
lesions, and the diagnosis of the line's own lesion and side.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from contract.frames import DX_COLS, DXP_COLS, ClaimFrames
from reference.codes import load_code_table
from reference.families import (
    BIOPSY_ADDON,
    BIOPSY_PRIMARY,
    FAMILY_BASES,
    MOHS_CODES,
    PATHOLOGY_CODES,
    SITE_GROUP_ORDER,
    descriptors,
    site_group_of,
)
from synthetic_data import edits
from synthetic_data.arrays import as_object, lookup
from synthetic_data.rules.coding_edits import same_day_pairs
from synthetic_data.rules.diagnosis import SUPPORTS
from synthetic_data.world.diagnoses import neoplasm_table
from synthetic_data.world.dxcoding import side_swaps

PRIMARY_TO_ADDON = {BIOPSY_PRIMARY[t]: BIOPSY_ADDON[t] for t in BIOPSY_PRIMARY}


def line_rows(frames: ClaimFrames, lines: np.ndarray) -> pd.DataFrame:
    return frames.lines.loc[np.asarray(lines, dtype=bool)]


def never_together(frames, view, lines, hidden) -> ClaimFrames:
    """A second biopsy primary becomes its technique's add-on; a 17000/17003 beside
    17004 goes (17004 covers every lesion)."""
    cpt = as_object(frames.lines["cpt"])
    to_addon = lines & np.isin(cpt.astype(str), list(PRIMARY_TO_ADDON))
    out = edits.set_line_values(frames, to_addon, "cpt", lookup(PRIMARY_TO_ADDON, cpt))
    return edits.remove_lines(out, lines & ~to_addon)


def lesion_of_lines(frames: ClaimFrames, hidden: dict) -> np.ndarray:
    """Per line: the lesion number the chart gives it (-1 unknown), from hidden_lesion_ids."""
    ids = hidden.get("lesion_ids")
    out = np.full(len(frames.lines), -1, dtype=np.int64)
    if ids is None:
        return out
    per_claim = dict(zip(frames.claims["claim_id"].tolist(), list(ids)))
    for i, (claim, line) in enumerate(zip(frames.lines["claim_id"].tolist(),
                                          frames.lines["line"].tolist())):
        values = str(per_claim.get(claim) or "").split()
        if 0 < line <= len(values):
            out[i] = int(values[line - 1])
    return out


def unbypassed(frames, view, lines, hidden) -> ClaimFrames:
    """XS on a column-2 line of a different lesion (naming the other line); the biopsy of
    the very lesion treated is bundled and goes, as does pathology of no chart lesion
    beside Mohs (the Mohs specimen's own: the surgeon is the pathologist)."""
    a, b, mi = same_day_pairs(view)
    keep = mi == 1
    partner = np.full(view.m, -1)
    partner[b[keep][::-1]] = a[keep][::-1]
    order = view.line_order
    col1_row = np.full(len(frames.lines), -1)
    col1_row[order] = np.where(partner >= 0, order[np.maximum(partner, 0)], -1)
    lesion = lesion_of_lines(frames, hidden)
    same = lines & (col1_row >= 0) & (lesion >= 0) & (lesion == lesion[np.maximum(col1_row, 0)])
    cpt = as_object(frames.lines["cpt"]).astype(str)
    same |= lines & (col1_row >= 0) & (lesion < 0) & np.isin(cpt, PATHOLOGY_CODES) & np.isin(
        cpt[np.maximum(col1_row, 0)], MOHS_CODES)
    other = lines & ~same
    numbers = frames.lines["line"].to_numpy()[np.maximum(col1_row, 0)]
    out = edits.add_modifier(frames, other, "XS")
    out = edits.set_line_values(out, other & (col1_row >= 0), "lesion_distinct_from_line",
                                numbers)
    # the biopsy of a lesion destroyed the same session is the bundled service (§3)
    biopsy_first = same & np.isin(cpt[np.maximum(col1_row, 0)], list(PRIMARY_TO_ADDON))
    drop = same & ~biopsy_first
    drop[col1_row[biopsy_first]] = True
    return edits.remove_lines(out, drop)


@lru_cache(maxsize=1)
def first_parent() -> dict[str, str]:
    """Add-on code -> the primary it follows (code table)."""
    table = load_code_table()
    return {c: table.addon_parents(c)[0] for c in table.frame.index
            if table.addon_parents(c) and not c.startswith("G")}


def with_addon(frames: ClaimFrames, rows: np.ndarray, code: str | np.ndarray,
               addon: str | np.ndarray, extra: np.ndarray) -> ClaimFrames:
    """Recode `rows` to `code` x1 and append `addon` x extra beside those with extra > 0."""
    out = edits.set_line_values(frames, rows, "cpt", code)
    out = edits.set_line_values(out, rows, "units", 1)
    more = rows & (extra > 0)
    added = frames.lines.loc[more].copy()
    added["cpt"] = np.broadcast_to(np.asarray(addon, dtype=object), (len(frames.lines),))[more]
    added["units"] = extra[more]
    return edits.append_lines(out, added)


def orphan(frames, view, lines, hidden) -> ClaimFrames:
    """The first lesion takes the primary, the others stay on the add-on; G2211 without
    an E/M goes."""
    cpt = as_object(frames.lines["cpt"])
    parent = lookup(first_parent(), cpt)
    has_parent = lines & pd.notna(parent)
    fix = first_per_day(frames, has_parent, parent)  # the day's other add-ons then have it
    units = frames.lines["units"].to_numpy(dtype=np.int64)
    out = with_addon(frames, fix, parent, cpt, np.where(fix, units - 1, 0))
    drop = lines & ~has_parent
    return edits.remove_lines(out, np.r_[drop, np.zeros(len(out.lines) - len(lines), bool)])


def first_per_day(frames: ClaimFrames, mask: np.ndarray, key: np.ndarray) -> np.ndarray:
    """The first `mask` line of each claim, date of service and key value."""
    pos = np.flatnonzero(mask)
    groups = pd.DataFrame({
        "claim": frames.lines["claim_id"].to_numpy(dtype=object)[pos],
        "day": frames.lines["date_of_service"].astype(str).to_numpy()[pos],
        "key": np.asarray(key, dtype=object)[pos]})
    out = np.zeros(len(mask), dtype=bool)
    out[pos[~groups.duplicated().to_numpy()]] = True
    return out


def over_mue(frames, view, lines, hidden) -> ClaimFrames:
    """Recode units over the MUE to the codes that describe the work."""
    cpt = as_object(frames.lines["cpt"]).astype(str)
    units = frames.lines["units"].to_numpy(dtype=np.int64)
    claim = frames.lines["claim_id"].to_numpy(dtype=object)
    out = frames
    ak = lines & (cpt == "17000")
    out = with_addon(out, ak & (units < 15), "17000", "17003", np.where(ak, units - 1, 0))
    many = ak & (units >= 15)
    out = edits.set_line_values(out, _pad(many, out), "cpt", "17004")
    over_addon = lines & (cpt == "17003")
    claims = set(claim[over_addon].tolist())
    first = np.isin(claim, list(claims)) & (cpt == "17000")
    out = edits.set_line_values(out, _pad(first, out), "cpt", "17004")
    for code, big, limit in (("17110", "17111", 15), ("11900", "11901", 8)):
        rows = lines & (cpt == code)
        out = edits.set_line_values(out, _pad(rows & (units >= limit), out), "cpt", big)
        out = edits.set_line_values(out, _pad(rows, out), "units", 1)
    primaries = lines & np.isin(cpt, list(PRIMARY_TO_ADDON))
    later = primaries & pd.Series(claim).where(primaries).duplicated().to_numpy() & primaries
    out = edits.set_line_values(out, _pad(later, out), "cpt", lookup(PRIMARY_TO_ADDON,
                                                                         _pad_values(cpt, out)))
    counted = primaries & ~later & (units > 1)  # 11102 x n: 11102 + 11103 x (n-1)
    addon = lookup(PRIMARY_TO_ADDON, cpt.astype(object))
    rows = _pad(counted, out)
    extra = np.r_[np.where(counted, units - 1, 0), np.zeros(len(out.lines) - len(cpt), int)]
    out = with_addon(out, rows, _pad_values(cpt, out).astype(object),
                     _pad_values(np.where(counted, addon, cpt).astype(str), out).astype(object),
                     extra.astype(np.int64))
    return edits.remove_lines(out, _pad(over_addon, out))


def _pad(mask: np.ndarray, frames: ClaimFrames) -> np.ndarray:
    """A mask over the original lines, extended (False) to appended lines."""
    return np.r_[mask, np.zeros(len(frames.lines) - len(mask), dtype=bool)]


def _pad_values(values: np.ndarray, frames: ClaimFrames) -> np.ndarray:
    return np.r_[values, np.full(len(frames.lines) - len(values), "", dtype=values.dtype)]


def pointed_codes(frames: ClaimFrames, lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(claim id, first pointed diagnosis code) of the masked lines."""
    rows = frames.lines.loc[lines]
    dx = frames.claims.set_index("claim_id")[DX_COLS]
    ptr = rows[DXP_COLS[0]].fillna(1).astype(int).to_numpy()
    codes = dx.reindex(rows["claim_id"]).to_numpy(dtype=object, na_value=None)
    return rows["claim_id"].to_numpy(dtype=object), codes[np.arange(len(rows)), ptr - 1]


def side_conflict(frames, view, lines, hidden) -> ClaimFrames:
    """The same lesion's code on the side the modifier (and the chart) names."""
    ids, codes = pointed_codes(frames, lines)
    other, _ = side_swaps()
    return edits.replace_diagnosis(frames, ids, codes, lookup(other, codes, None))


@lru_cache(maxsize=1)
def sided_codes() -> dict[tuple[str, str], str]:
    """(unspecified-side code, side) -> the code of that side."""
    table = neoplasm_table()
    out = {}
    for key, code in table.items():
        kind, site, side = key.split("|")
        if side == "unspecified":
            for s in ("right", "left"):
                out[(code, s)] = table[f"{kind}|{site}|{s}"]
    return out


def unspecified_side(frames, view, lines, hidden) -> ClaimFrames:
    """The lesion's recorded side, coded (right/left code for the unspecified one)."""
    ids, codes = pointed_codes(frames, lines)
    side = frames.lines.loc[lines, "lesion_laterality"].fillna("right").to_numpy(dtype=object)
    table = sided_codes()
    new = np.array([table.get((c, s), c) for c, s in zip(codes.tolist(), side.tolist())],
                   dtype=object)
    return edits.replace_diagnosis(frames, ids, codes, new)


def site_code(frames, view, lines, hidden) -> ClaimFrames:
    """The same family and size band for the site group of the lesion."""
    table = descriptors()
    rows = frames.lines.loc[lines]
    new = []
    for code, site in zip(rows["cpt"].tolist(), rows["lesion_site"].tolist()):
        d = table.get(code)
        group = site_group_of(site) if isinstance(site, str) else None
        if d is None or group is None:
            new.append(code)
            continue
        bases = FAMILY_BASES[d.family]
        offset = int(code) - bases[SITE_GROUP_ORDER.index(d.site_group)]
        new.append(str(bases[SITE_GROUP_ORDER.index(group)] + offset))
    values = as_object(frames.lines["cpt"]).copy()
    values[np.asarray(lines, bool)] = new
    return edits.set_line_values(frames, lines, "cpt", values)


def supporting(frames, view, lines, hidden) -> ClaimFrames:
    """Malignant excision codes for a malignant report; otherwise point the line at the
    claim's diagnosis that supports it (none: the line is not billable)."""
    from reference.dxkinds import dx_kind

    cpt = as_object(frames.lines["cpt"]).astype(str)
    family = lookup(load_code_table().frame["family"].to_dict(), cpt, "")
    kinds = [[dx_kind(c) for c in row] for row in
             frames.claims.set_index("claim_id")[DX_COLS].reindex(
                 frames.lines["claim_id"]).to_numpy(dtype=object, na_value=None).tolist()]
    pointer = np.zeros(len(cpt), dtype=np.int64)
    for i in np.flatnonzero(lines):
        ok = SUPPORTS.get(family[i], ())
        if family[i] == "em":  # any problem the visit addressed, not the screening
            ok = tuple({k for row in kinds for k in row} - {"screening", ""})
        pointer[i] = next((k + 1 for k, kind in enumerate(kinds[i]) if kind in ok), 0)
    benign_code = lines & (family == "excision_benign") & (pointer == 0)
    malignant = np.where(benign_code, np.char.zfill(cpt, 5), "11400")
    out = edits.set_line_values(frames, benign_code, "cpt",
                                (malignant.astype(np.int64) + 200).astype(str).astype(object))
    repoint = lines & (pointer > 0)
    out = edits.set_line_values(out, repoint, DXP_COLS[0], pointer)
    for col in DXP_COLS[1:]:
        out = edits.set_line_values(out, repoint, col, None)
    return edits.remove_lines(out, lines & (pointer == 0) & ~benign_code)


CODING_CURES = {
    "ncci_never_together": never_together, "ncci_unbypassed": unbypassed,
    "addon_without_primary": orphan, "mue_exceeded": over_mue,
    "dx_side_conflict": side_conflict, "dx_unspecified_side": unspecified_side,
    "dx_site_conflict": site_code, "dx_not_supporting": supporting,
    "screening_not_covered": supporting,
}
