"""Line blocks: the columnar form service builders emit, and their assembly per visit.

A block is a dict of aligned numpy arrays (`Lines`), one row per service line of many
visits: visit position, sort order, code, units, the diagnoses of the line's own lesion or
problem, lesion truth (site, side, size, count, lesion number), day offset inside the
visit (phototherapy weeks), the global-surgery modifier the case calls for (`gmod`: 57,
58, 78, 79, 24 or ''), and the code that describes the work (`true_cpt`, kept when a coder
slip changes `cpt`). Plain arrays, not DataFrames: pandas would convert every string
column to Arrow and back.
"""

from __future__ import annotations

import numpy as np

Lines = dict[str, np.ndarray]
ORDER_EM, ORDER_PROC, ORDER_ADDON, ORDER_REPAIR, ORDER_DRUG, ORDER_ADMIN, ORDER_PATH = (
    0, 10, 20, 30, 40, 45, 90)
OBJECT_COLUMNS = ("cpt", "true_cpt", "dx", "dx2", "site", "side", "gmod", "ndc", "qty")
FLOAT_COLUMNS = ("size_cm", "count")
INT_COLUMNS = ("visit", "units", "lesion", "day", "order")


def _column(value, n: int, dtype) -> np.ndarray:
    """Broadcast a scalar or array to a fresh length-n column of dtype."""
    if dtype is object and (value is None or isinstance(value, str)):
        return np.full(n, value, dtype=object)
    return np.broadcast_to(np.asarray(value, dtype=dtype), (n,)).copy()


def make_block(visits: np.ndarray, cpt, *, order: int, units=1, dx=None, dx2=None,
               site=None, side=None, size_cm=np.nan, count=np.nan, lesion=-1, day=0,
               gmod="", ndc=None, qty=None) -> Lines:
    """One line per visit position in `visits` (scalars broadcast, arrays aligned)."""
    n = len(visits)
    cpt_col = _column(cpt, n, object)
    return {
        "visit": np.asarray(visits, dtype=np.int64), "order": _column(order, n, np.int64),
        "cpt": cpt_col, "true_cpt": cpt_col.copy(), "units": _column(units, n, np.int64),
        "dx": _column(dx, n, object), "dx2": _column(dx2, n, object),
        "site": _column(site, n, object), "side": _column(side, n, object),
        "size_cm": _column(size_cm, n, np.float64), "count": _column(count, n, np.float64),
        "lesion": _column(lesion, n, np.int64), "day": _column(day, n, np.int64),
        "gmod": _column(gmod, n, object), "ndc": _column(ndc, n, object),
        "qty": _column(qty, n, object),
    }


def take(lines: Lines, index: np.ndarray) -> Lines:
    """Rows `index` (mask or positions) of every column."""
    return {k: v[index] for k, v in lines.items()}


def group_rank(group: np.ndarray) -> np.ndarray:
    """0-based position of each row within its run of equal (sorted) group values."""
    idx = np.arange(len(group))
    new = np.r_[True, group[1:] != group[:-1]] if len(group) else np.zeros(0, bool)
    return idx - np.maximum.accumulate(np.where(new, idx, 0))


def group_starts(group: np.ndarray) -> np.ndarray:
    """Start positions of the runs of equal values of a sorted array."""
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, group[1:] != group[:-1]])


def stack_lines(blocks: list[Lines]) -> Lines:
    """Stack blocks, drop empty lines (units 0), sort per visit and number lines 1..n."""
    blocks = [b for b in blocks if len(b["visit"])] or [make_block(
        np.zeros(0, np.int64), None, order=0)]
    lines = {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}
    lines = take(lines, lines["units"] > 0)
    order = np.lexsort((lines["day"], lines["lesion"], lines["order"], lines["visit"]))
    lines = take(lines, order)
    lines["line"] = group_rank(lines["visit"]) + 1
    return lines


def per_visit_any(lines: Lines, mask: np.ndarray, n_visits: int) -> np.ndarray:
    """Per visit: does any of its lines satisfy mask."""
    out = np.zeros(n_visits, dtype=bool)
    out[lines["visit"][mask]] = True
    return out


def per_visit_max(lines: Lines, values: np.ndarray, n_visits: int,
                  fill: float = -1) -> np.ndarray:
    """Per visit: the largest value over its lines (`fill` for visits without lines)."""
    out = np.full(n_visits, fill, dtype=np.float64)
    np.maximum.at(out, lines["visit"], values.astype(np.float64))
    return out
