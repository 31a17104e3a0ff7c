"""Fast string -> integer position lookups (pyarrow hash kernels), for the hot paths.

pandas string comparisons and Categorical construction cost seconds per million rows;
pyarrow's index_in does the same lookup in tens of milliseconds. On the few values of a
single claim (plain object arrays from features/columns.py) a dict lookup is faster
still: a pyarrow call costs microseconds of fixed overhead per column.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def to_arrow_strings(values: pd.Series | np.ndarray | Sequence[str | None]) -> pa.Array:
    """A pyarrow string array from a pandas/numpy/list column (nulls kept)."""
    if isinstance(values, pd.Series):
        values = values.array
    if hasattr(values, "_pa_array"):
        return pa.chunked_array(values._pa_array).combine_chunks()
    return pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)


@lru_cache(maxsize=256)
def vocab_array(vocab: tuple[str, ...], type_: pa.DataType = pa.string()) -> pa.Array:
    """The pyarrow value set of a fixed vocabulary, built once (single claims reuse it)."""
    return to_arrow_strings(list(vocab)).cast(type_)


SMALL = 512  # up to this many object values, a dict lookup beats pyarrow's fixed cost


@lru_cache(maxsize=256)
def vocab_positions(vocab: tuple[str | None, ...]) -> dict[str | None, int]:
    """Position of each value of a fixed vocabulary (first occurrence, as index_in)."""
    return positions_of(vocab)


def positions_of(vocab: Sequence[str | None]) -> dict[str | None, int]:
    """Value -> position of its first occurrence (a null in vocab matches null values)."""
    out: dict[str | None, int] = {}
    for i, v in enumerate(vocab):
        out.setdefault(v, i)
    return out


def is_small_objects(values: object) -> bool:
    """A short object array (a ColumnTable column): looked up in a dict, not pyarrow."""
    return isinstance(values, np.ndarray) and values.dtype == object and len(values) <= SMALL


def lookup(values: np.ndarray, vocab: Sequence[str | None] | pd.Index | pd.Series) -> np.ndarray:
    """encode by dict lookup (same positions as pyarrow's index_in, -1 when absent)."""
    if isinstance(vocab, tuple):
        pos = vocab_positions(vocab)
    else:
        pos = positions_of(as_object_list(vocab))
    if None in pos:  # pyarrow reads NaN / NA as null, and null matches a null in vocab
        values = np.array([None if pd.isna(v) else v for v in values], dtype=object)
    return np.fromiter((pos.get(v, -1) for v in values), dtype=np.int64, count=len(values))


def as_object_list(values: Sequence[str | None] | pd.Index | pd.Series | np.ndarray) -> list:
    """Python values of a vocabulary column (missing as None)."""
    if isinstance(values, np.ndarray) and values.dtype == object:
        return values.tolist()
    if isinstance(values, pd.Series | pd.Index):
        return values.astype(object).where(values.notna(), None).tolist()
    return list(values)


def encode(values: pd.Series | np.ndarray | Sequence[str | None],
           vocab: Sequence[str] | pd.Index | pd.Series) -> np.ndarray:
    """Position of each value in vocab, -1 for null or absent values.

    Pass fixed vocabularies as tuples: their pyarrow value set is cached."""
    if is_small_objects(values):
        return lookup(values, vocab)
    arr = to_arrow_strings(values)
    if isinstance(vocab, tuple):
        value_set = vocab_array(vocab, arr.type)
    else:
        value_set = to_arrow_strings(vocab if isinstance(vocab, pd.Series) else list(vocab))
    if value_set.type != arr.type:
        value_set = value_set.cast(arr.type)
    idx = pc.index_in(arr, value_set=value_set)
    return idx.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def group_positions(keys: pd.Series | np.ndarray, groups: pd.Series | np.ndarray) -> np.ndarray:
    """Position in `groups` of each key, as encode(keys, groups), for keys stored in runs.

    Lines usually arrive grouped by claim in claim order (the generator, the service, a
    data set written by either); then each run of equal keys is the next group and no hash
    join over millions of strings is needed. Any other layout falls back to encode."""
    if is_small_objects(keys):
        return lookup(keys, groups)
    arr, ref = to_arrow_strings(keys), to_arrow_strings(groups)
    if len(arr) == 0 or len(ref) == 0 or arr.null_count or ref.null_count:
        return encode(keys, groups)
    change = pc.not_equal(arr.slice(1), arr.slice(0, len(arr) - 1))
    starts = np.flatnonzero(np.r_[True, change.to_numpy(zero_copy_only=False)])
    runs = arr.take(pa.array(starts))
    if len(runs) != len(ref) or not pc.all(pc.equal(runs, ref.cast(runs.type))).as_py():
        return encode(keys, groups)
    return np.repeat(np.arange(len(starts), dtype=np.int64), np.diff(np.r_[starts, len(arr)]))
