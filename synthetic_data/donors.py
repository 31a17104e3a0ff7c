"""Leave-one-out donors with backoff: which other row lends a row its hidden fields.

The 837P-only oracle (synthetic_data/oracle837.py) replaces the fields an 837P does not
carry by those of a donor with the same visible key. A row never lends to itself (nor to
rows of its owner: a line's claim), or the estimate would read what the 837P hides; a key
with too few other rows backs off to a coarser key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

# Other rows a key needs before its donors are drawn within it. With one or two the draw
# is nearly the row's own values again when the other is its twin: a corrected claim and
# the original it replaces share their uncarried fields (98-100% on the valley practice,
# 1,160 of 40,000 claims), so leave-one-out alone would hand each the other's. Five keep
# a twin to at most a fifth of the draws and give the DRAWS replicas a spread, while only
# 8% of the valley claims and 4% of its lines have fewer at the finest key.
MIN_DONORS = 5

class Groups(NamedTuple):
    """Rows sorted by key then owner (`order`), so that a row's key group is one run of
    it and the rows of the row's owner (itself, or its claim's lines) one block inside
    that run. Per row: the run's start and size, the block's offset in the run and size."""

    order: np.ndarray
    start: np.ndarray
    size: np.ndarray
    at: np.ndarray
    block: np.ndarray


def groups(keys: np.ndarray | pd.Series, owner: np.ndarray) -> Groups:
    """The key groups and owner blocks of the rows (see Groups)."""
    key, _ = pd.factorize(np.asarray(keys, dtype=object), use_na_sentinel=False)
    own, _ = pd.factorize(owner, use_na_sentinel=False)
    order = np.lexsort((own, key))
    sizes = np.bincount(key)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    k, o = key[order], own[order]
    new = np.concatenate([[True], (k[1:] != k[:-1]) | (o[1:] != o[:-1])])
    block = np.cumsum(new) - 1
    at, size = np.empty(len(key), np.int64), np.empty(len(key), np.int64)
    at[order] = np.flatnonzero(new)[block] - starts[k]
    size[order] = np.bincount(block)[block]
    return Groups(order, starts[key], sizes[key], at, size)


def donors(levels: Sequence[np.ndarray | pd.Series], rng: np.random.Generator,
           owner: np.ndarray | None = None) -> np.ndarray:
    """Per row, the position of a random row of ANOTHER owner (default: any other row)
    with the same key, at the first of `levels` (finest first) where the key has at least
    MIN_DONORS such rows, else at the last level among however many it has there; a row
    with none even there keeps itself (a frame of one claim has nothing else to give)."""
    n = len(levels[0])
    owner = np.arange(n) if owner is None else np.asarray(owner, dtype=object)
    u = rng.random(n)  # one uniform per row: the same rng state gives the same donors
    parts = [groups(keys, owner) for keys in levels]
    others = np.stack([g.size - g.block for g in parts])
    enough = others >= MIN_DONORS
    level = np.where(enough.any(axis=0), enough.argmax(axis=0), len(levels) - 1)
    pos = np.arange(n)
    for i, g in enumerate(parts):
        rows = np.flatnonzero((level == i) & (others[i] > 0))
        k = np.floor(u[rows] * others[i][rows]).astype(np.int64)
        k += np.where(k >= g.at[rows], g.block[rows], 0)  # step over the owner's block
        pos[rows] = g.order[g.start[rows] + k]
    return pos
