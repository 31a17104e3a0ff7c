"""Fast code/family membership tests over integer code indexes (not object strings).

np.isin on object arrays sorts Python strings; mapping codes to their index in the
curated code table once and testing integers is an order of magnitude faster on millions
of lines. Index len(table) stands for an unknown code.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from reference.codes import load_code_table


def code_index(cpt: np.ndarray) -> np.ndarray:
    """Position of each code in the code table (len(table) when unknown)."""
    index = load_code_table().frame.index
    idx = index.get_indexer(pd.Index(np.asarray(cpt, dtype=object)))
    return np.where(idx < 0, len(index), idx)


def code_mask(code_idx: np.ndarray, codes: Iterable[str]) -> np.ndarray:
    """Lines whose code is one of `codes`."""
    index = load_code_table().frame.index
    table = np.zeros(len(index) + 1, dtype=bool)
    pos = index.get_indexer(list(codes))
    table[pos[pos >= 0]] = True
    return table[code_idx]


def family_mask(code_idx: np.ndarray, families: Iterable[str]) -> np.ndarray:
    """Lines whose code belongs to one of `families`."""
    fam = load_code_table().frame["family"].to_numpy(dtype=object)
    table = np.append(np.isin(fam, list(families)), False)
    return table[code_idx]


def family_of_index(code_idx: np.ndarray) -> np.ndarray:
    """Family name per line ('' for an unknown code)."""
    fam = load_code_table().frame["family"].to_numpy(dtype=object)
    return np.append(fam, "")[code_idx]


def join_groups(group: np.ndarray, tokens: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Space-join tokens per run of equal, sorted `group` values -> (groups, strings)."""
    if len(group) == 0:
        return group, []
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], len(group)]
    toks = tokens.tolist()
    return group[starts], [" ".join(toks[s:e]) for s, e in zip(starts.tolist(), ends.tolist())]
