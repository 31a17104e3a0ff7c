"""Vectorised lookups of the CMS NCCI tables (reference/cms.py): PTP modifier indicators
of code pairs, MUE units and MAI per code, and the pairs of lines on one claim.

Shared by the world (a coder appends XS/59 to the column-2 code of a bypassable pair) and
the payer rules (a payer denies a pair billed without a valid bypass): the tables are
public facts, read the same way by both.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from reference.cms import CmsTables
from synthetic_data.arrays import as_object, isin, object_index, reindexed


@lru_cache(maxsize=4)
def _ptp_keys(cms: CmsTables) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Code vocabulary of the PTP table, sorted pair keys and their indicators."""
    codes = object_index(pd.unique(np.r_[as_object(cms.ptp["column_1"]),
                                         as_object(cms.ptp["column_2"])]))
    width = len(codes) + 1
    keys = (codes.get_indexer(object_index(cms.ptp["column_1"])).astype(np.int64) * width
            + codes.get_indexer(object_index(cms.ptp["column_2"])))
    order = np.argsort(keys)
    return codes, keys[order], cms.ptp["modifier_indicator"].to_numpy()[order]


def ptp_indicator(cms: CmsTables, column_1: np.ndarray, column_2: np.ndarray) -> np.ndarray:
    """Modifier indicator (0 or 1) of the active edit column_1/column_2; -1 when none."""
    codes, keys, values = _ptp_keys(cms)
    width = len(codes) + 1
    a = codes.get_indexer(object_index(column_1))
    b = codes.get_indexer(object_index(column_2))
    key = a.astype(np.int64) * width + b
    pos = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
    hit = (a >= 0) & (b >= 0) & (keys[pos] == key)
    return np.where(hit, values[pos], -1).astype(np.int64)


def mue_limits(cms: CmsTables, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(MUE units, MAI) per code; 0 when the code has no MUE."""
    return (reindexed(cms.mue["mue_units"], codes, 0).astype(np.int64),
            reindexed(cms.mue["mue_mai"], codes, 0).astype(np.int64))


def claim_pairs(claim: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All ordered pairs (a, b), a != b, of row positions with the same claim (rows
    sorted by claim)."""
    firsts, seconds = [], []
    for d in range(1, len(claim)):
        same = np.flatnonzero(claim[:-d] == claim[d:])
        if len(same) == 0:
            break
        firsts += [same, same + d]
        seconds += [same + d, same]
    if not firsts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(firsts), np.concatenate(seconds)


EM_PROBE = "99213"  # an established E/M: PTP edits list every office E/M alike
DRUG_ADMINISTRATION: tuple[str, ...] = ("96372", "96365")  # NCCI ch. XI: E/M needs 25


def em_bundling_codes(cms: CmsTables, codes: np.ndarray, global_days: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Per code: (minor, major). Minor: a same-day E/M is included unless it carries 25
    (an NCCI PTP edit with the E/M as column 2, modifier indicator 1; a 000/010 global
    for codes the extract lacks; drug administration). Major: a 090 global, whose
    decision-for-surgery E/M takes 57 (CMS global surgery policy, shared/domain §2)."""
    codes = np.asarray(codes, dtype=object)
    unique, inverse = np.unique(codes.astype(str), return_inverse=True)
    edit = ptp_indicator(cms, unique, np.full(len(unique), EM_PROBE, dtype=object)) == 1
    minor_u = edit | isin(unique, DRUG_ADMINISTRATION)
    glob = np.asarray(global_days, dtype=object)
    minor = minor_u[inverse] | isin(glob, ("000", "010"))
    major = glob == "090"
    return minor & ~major, major
