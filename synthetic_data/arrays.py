"""Fast lookups over object (string) arrays.

pandas 3 stores strings as Arrow-backed `str`; mixing that dtype with numpy object arrays
in Index.get_indexer, Series.map or DataFrame construction converts every value (10x
slower). These helpers keep both sides as object Indexes, where hashing is fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.core.algorithms import isin as _hash_isin


def as_object(values: Any) -> np.ndarray:
    """A numpy object array of the values (NA-like values kept)."""
    if isinstance(values, pd.Series | pd.Index):
        return values.to_numpy(dtype=object, na_value=None)
    return np.asarray(values, dtype=object)


def object_index(values: Any) -> pd.Index:
    """An object-dtype Index (no string inference)."""
    return pd.Index(as_object(values), dtype=object)


def positions(options: Iterable[Any], values: Any) -> np.ndarray:
    """Position of each value in `options` (-1 when absent)."""
    return object_index(list(options)).get_indexer(object_index(values))


def isin(values: Any, options: Iterable[Any]) -> np.ndarray:
    """Hash membership test of an object array in a set of options."""
    return _hash_isin(as_object(values), np.asarray(list(options), dtype=object))


def lookup(mapping: Mapping[Any, Any], values: Any, default: Any = None,
           dtype: Any = object) -> np.ndarray:
    """mapping[value] per value (`default` when absent), as an array of dtype."""
    table = np.array(list(mapping.values()) + [default], dtype=dtype)
    pos = positions(mapping.keys(), values)
    return table[np.where(pos < 0, len(table) - 1, pos)]


def reindexed(series: pd.Series, values: Any, default: Any) -> np.ndarray:
    """series[value] per value (`default` when absent); series indexed by strings."""
    pos = object_index(series.index).get_indexer(object_index(values))
    table = np.append(series.to_numpy(), default)
    return table[np.where(pos < 0, len(table) - 1, pos)]


def frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """A DataFrame whose object arrays stay object columns (no per-value conversion to
    Arrow strings; contract.frames.coerce_* gives the canonical dtypes once, at the end)."""
    data = {}
    for name, values in columns.items():
        if isinstance(values, np.ndarray) and values.dtype == object:
            data[name] = pd.Series(values, dtype=object, copy=False)
        elif np.ndim(values) == 0:
            data[name] = values
        else:
            data[name] = values
    out = pd.DataFrame(data)
    return out
