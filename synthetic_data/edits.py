"""Edits of contract claims, as a coder makes them on a corrected claim: add, remove or
replace a modifier, change a code or its units, remove or add a line, re-point a line's
diagnosis or replace a diagnosis code, set a claim field. Each works on whole columns
(masks over frames.lines or frames.claims rows) and returns new frames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from contract.frames import DX_COLS, DXP_COLS, MOD_COLS, ClaimFrames
from synthetic_data.arrays import as_object


def copy_frames(frames: ClaimFrames) -> ClaimFrames:
    return ClaimFrames(frames.claims.copy(), frames.lines.copy())


def add_modifier(frames: ClaimFrames, mask: np.ndarray, value) -> ClaimFrames:
    """Put `value` (scalar or per-line) in the first free modifier slot of the masked
    lines that do not carry it yet."""
    out = copy_frames(frames)
    lines = out.lines
    values = np.broadcast_to(np.asarray(value, dtype=object), (len(lines),))
    mods = np.stack([as_object(lines[c]) for c in MOD_COLS], axis=1)
    todo = np.asarray(mask, dtype=bool) & ~(mods == values[:, None]).any(axis=1)
    for j in range(len(MOD_COLS)):
        free = todo & pd.isna(mods[:, j])
        mods[free, j] = values[free]
        todo &= ~free
    for j, col in enumerate(MOD_COLS):
        lines[col] = pd.array(mods[:, j], dtype="string")
    return out


def remove_modifier(frames: ClaimFrames, mask: np.ndarray, value: str) -> ClaimFrames:
    """Drop a modifier from the masked lines (the others move up a slot)."""
    out = copy_frames(frames)
    lines = out.lines
    mods = np.stack([as_object(lines[c]) for c in MOD_COLS], axis=1)
    hit = np.asarray(mask, dtype=bool)[:, None] & (mods == value)
    mods = np.where(hit, None, mods)
    order = np.argsort(pd.isna(mods), axis=1, kind="stable")
    mods = np.take_along_axis(mods, order, axis=1)
    for j, col in enumerate(MOD_COLS):
        lines[col] = pd.array(mods[:, j], dtype="string")
    return out


def replace_modifier(frames: ClaimFrames, mask: np.ndarray, old: str, new) -> ClaimFrames:
    """Replace modifier `old` by `new` (scalar or per-line) on the masked lines."""
    out = copy_frames(frames)
    lines = out.lines
    values = np.broadcast_to(np.asarray(new, dtype=object), (len(lines),))
    for col in MOD_COLS:
        mods = as_object(lines[col])
        hit = np.asarray(mask, dtype=bool) & (mods == old)
        lines[col] = pd.array(np.where(hit, values, mods), dtype="string")
    return out


def set_line_values(frames: ClaimFrames, mask: np.ndarray, column: str, values) -> ClaimFrames:
    """Set a line column (cpt, units, ndc, ...) on the masked lines."""
    out = copy_frames(frames)
    col = out.lines[column]
    new = np.where(np.asarray(mask, dtype=bool), np.broadcast_to(
        np.asarray(values, dtype=object), (len(col),)), as_object(col))
    out.lines[column] = pd.array(new, dtype=col.dtype)
    return out


def remove_lines(frames: ClaimFrames, mask: np.ndarray) -> ClaimFrames:
    """Remove the masked lines; distinct_from_line pointing at them is cleared."""
    mask = np.asarray(mask, dtype=bool)
    lines = frames.lines
    gone = set(zip(lines["claim_id"][mask].tolist(), lines["line"][mask].tolist()))
    kept = lines[~mask].copy()
    if "lesion_distinct_from_line" in kept and gone:
        ref = list(zip(kept["claim_id"].tolist(),
                       kept["lesion_distinct_from_line"].fillna(-1).astype(int).tolist()))
        dangling = np.array([r in gone for r in ref])
        kept.loc[dangling, "lesion_distinct_from_line"] = pd.NA
    return ClaimFrames(frames.claims.copy(), kept.reset_index(drop=True))


def append_lines(frames: ClaimFrames, rows: pd.DataFrame) -> ClaimFrames:
    """Add lines (numbered after each claim's last line)."""
    if not len(rows):
        return frames
    last = frames.lines.groupby("claim_id")["line"].max()
    rank = rows.groupby("claim_id").cumcount() + 1
    rows = rows.assign(line=(last.reindex(rows["claim_id"]).to_numpy() + rank.to_numpy()))
    lines = pd.concat([frames.lines, rows.astype(frames.lines.dtypes.to_dict(), errors="ignore")],
                      ignore_index=True)
    return ClaimFrames(frames.claims.copy(), lines)


def set_claim_values(frames: ClaimFrames, mask: np.ndarray, column: str, value) -> ClaimFrames:
    """Set a claim column on the masked claims."""
    out = copy_frames(frames)
    col = out.claims[column]
    new = np.where(np.asarray(mask, dtype=bool), np.broadcast_to(
        np.asarray(value, dtype=object), (len(col),)), col.to_numpy(dtype=object))
    out.claims[column] = pd.array(new, dtype=col.dtype)
    return out


def replace_diagnosis(frames: ClaimFrames, claim_ids: np.ndarray, old: np.ndarray,
                      new: np.ndarray) -> ClaimFrames:
    """Replace diagnosis `old` by `new` in the listed claims' diagnosis lists."""
    out = copy_frames(frames)
    swap = {(i, o): n for i, o, n in zip(claim_ids.tolist(), old.tolist(), new.tolist())
            if n is not None and not (isinstance(n, float) and np.isnan(n))}
    rows = np.flatnonzero(out.claims["claim_id"].isin(list(claim_ids)).to_numpy())
    ids = out.claims["claim_id"].to_numpy(dtype=object)[rows].tolist()
    for col in DX_COLS:
        codes = as_object(out.claims[col])
        values = codes.copy()
        values[rows] = [swap.get((i, c), c) for i, c in zip(ids, codes[rows].tolist())]
        out.claims[col] = pd.array(values, dtype=out.claims[col].dtype)
    return out


def add_diagnosis(frames: ClaimFrames, line_rows: np.ndarray, codes: np.ndarray
                  ) -> ClaimFrames:
    """Add each code to its line's claim list (first free slot) and point the line (row
    position in frames.lines) at it alone; a full list leaves the line as it was."""
    out = copy_frames(frames)
    dx = out.claims[DX_COLS].to_numpy(dtype=object, na_value=None)
    where = pd.Index(out.claims["claim_id"].astype(object)).get_indexer(
        out.lines["claim_id"].astype(object).to_numpy()[line_rows])
    pointers = out.lines[DXP_COLS].to_numpy(dtype=object, na_value=None)
    for row, claim, code in zip(line_rows.tolist(), where.tolist(), codes.tolist()):
        listed = dx[claim].tolist()
        if code not in listed and None not in listed:
            continue
        if code not in listed:
            dx[claim, listed.index(None)] = code
        pointers[row] = [dx[claim].tolist().index(code) + 1, None, None, None]
    for j, col in enumerate(DX_COLS):
        out.claims[col] = pd.array(dx[:, j], dtype=out.claims[col].dtype)
    for j, col in enumerate(DXP_COLS):
        out.lines[col] = pd.array(pointers[:, j], dtype=out.lines[col].dtype)
    return out


def renumber_lines(frames: ClaimFrames) -> tuple[ClaimFrames, pd.Series]:
    """Lines numbered 1..n per claim in their order (as a claim system sends a corrected
    claim); distinct_from_line follows. Returns the frames and each line's old number."""
    lines = frames.lines.sort_values(["claim_id", "line"], kind="stable").copy()
    old = lines["line"].astype("int64")
    new = lines.groupby("claim_id", sort=False).cumcount() + 1
    lookup_new = pd.Series(new.to_numpy(), index=pd.MultiIndex.from_arrays(
        [lines["claim_id"].to_numpy(dtype=object), old.to_numpy()]))
    ref = lines["lesion_distinct_from_line"]
    keys = pd.MultiIndex.from_arrays([lines["claim_id"].to_numpy(dtype=object),
                                      ref.fillna(-1).astype("int64").to_numpy()])
    moved = lookup_new.reindex(keys).to_numpy()
    lines["lesion_distinct_from_line"] = pd.array(
        np.where(ref.isna().to_numpy() | np.isnan(moved), None, moved), dtype="Int32")
    lines["line"] = pd.array(new.to_numpy(), dtype=lines["line"].dtype)
    return ClaimFrames(frames.claims, lines.reset_index(drop=True)), old.reset_index(drop=True)
