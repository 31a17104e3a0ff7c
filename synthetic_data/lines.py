"""Line blocks: the long, columnar form encounter builders emit, and its assembly.

A block is a dict of aligned numpy arrays (`Lines`), one row per billed line of many
claims of one encounter type: claim position, sort order, code, units, diagnoses,
lesion. Plain arrays, not DataFrames, because pandas would convert every string column
to Arrow and back. `order_lines` stacks blocks and numbers lines per claim;
`attach_diagnoses` builds each claim's diagnosis list (first use first) and pointers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from contract.frames import DXP_COLS, MOD_COLS
from reference.vocab import MAX_DIAGNOSES
from synthetic_data.codemask import code_index

Lines = dict[str, np.ndarray]
OBJECT_COLUMNS = ("cpt", "mod_1", "dx", "dx2", "site")
ORDER_EM, ORDER_PROC, ORDER_ADDON, ORDER_REPAIR, ORDER_DRUG, ORDER_PATH = 0, 10, 20, 30, 40, 90


def _column(value, n: int, dtype) -> np.ndarray:
    """Broadcast a scalar or array to a fresh length-n column of dtype."""
    if dtype is object and (value is None or isinstance(value, str)):
        return np.full(n, value, dtype=object)
    return np.broadcast_to(np.asarray(value, dtype=dtype), (n,)).copy()


def make_block(claims: np.ndarray, cpt, *, order: int, units=1, dx=None, dx2=None,
               site=None, size_cm=np.nan, count=np.nan, lesion=-1, day=0,
               mod=None) -> Lines:
    """One line per claim position in `claims` (scalars broadcast, arrays aligned)."""
    n = len(claims)
    return {
        "claim": np.asarray(claims, dtype=np.int64), "order": _column(order, n, np.int16),
        "cpt": _column(cpt, n, object), "units": _column(units, n, np.int64),
        "mod_1": _column(mod, n, object), "dx": _column(dx, n, object),
        "dx2": _column(dx2, n, object), "site": _column(site, n, object),
        "size_cm": _column(size_cm, n, np.float64), "count": _column(count, n, np.float64),
        "lesion": _column(lesion, n, np.int16), "day": _column(day, n, np.int64),
    }


def take(lines: Lines, index: np.ndarray) -> Lines:
    """Rows `index` (mask or positions) of every column."""
    return {k: v[index] for k, v in lines.items()}


def group_rank(group: np.ndarray) -> np.ndarray:
    """0-based position of each row within its run of equal (sorted) group values."""
    idx = np.arange(len(group))
    new = np.r_[True, group[1:] != group[:-1]] if len(group) else np.zeros(0, bool)
    return idx - np.maximum.accumulate(np.where(new, idx, 0))


def order_lines(blocks: list[Lines]) -> Lines:
    """Stack blocks, drop empty lines (units 0), sort per claim and number lines 1..n."""
    keys = blocks[0].keys()
    lines = {k: np.concatenate([b[k] for b in blocks]) for k in keys}
    lines = take(lines, lines["units"] > 0)
    order = np.lexsort((lines["day"], lines["order"], lines["claim"]))
    lines = take(lines, order)
    n = len(order)
    lines["line"] = group_rank(lines["claim"]) + 1
    lines["code"] = code_index(lines["cpt"])
    for col in MOD_COLS[1:]:
        lines[col] = np.full(n, None, dtype=object)
    lines["distinct_from"] = np.full(n, -1, dtype=np.int64)
    return lines


def attach_diagnoses(lines: Lines, n_claims: int) -> np.ndarray:
    """Claim diagnosis matrix (n_claims x 12, None padded); sets dxp_1..dxp_4 on lines.

    Each distinct diagnosis of a claim takes the next slot in order of first use, so the
    first line's diagnosis is dx_1, as a coder fills the CMS-1500 box 21.
    """
    dx = np.stack([lines["dx"], lines["dx2"]], axis=1).ravel()
    claim = np.repeat(lines["claim"], 2)
    present = pd.notna(dx)
    codes, vocab = pd.factorize(dx)
    width = len(vocab) + 1
    key = claim * width + codes
    first = present & ~pd.Series(key).duplicated().to_numpy()
    uniq_claim, uniq_key = claim[first], key[first]
    rank = group_rank(uniq_claim)
    keep = rank < MAX_DIAGNOSES
    matrix = np.full((n_claims, MAX_DIAGNOSES), None, dtype=object)
    matrix[uniq_claim[keep], rank[keep]] = dx[first][keep]
    slot_of = pd.Index(uniq_key)
    pointers = (rank + 1).astype(float)
    for j, col in enumerate(DXP_COLS[:2]):
        k = key[j::2]
        pos = slot_of.get_indexer(k)
        lines[col] = np.where(present[j::2] & (pos >= 0), pointers[pos], np.nan)
    lines[DXP_COLS[1]] = np.where(lines[DXP_COLS[1]] == lines[DXP_COLS[0]], np.nan,
                                  lines[DXP_COLS[1]])
    for col in DXP_COLS[2:]:
        lines[col] = np.full(len(lines["claim"]), np.nan)
    return matrix
