"""Typed pandas columns built straight from Python lists (None = missing).

claims_to_frames turns JSON claims into the canonical frame dtypes (string, boolean,
Int32, float64, datetime64[ns]). Going through an object DataFrame and `astype` costs
~100 us a column, which dominated single-claim latency; building the extension arrays
from their parts (values + mask, or a pyarrow array) costs a few microseconds and gives
the very same dtypes (tests/unit/test_frames_dataset.py compares both paths).

The readers at the bottom (as_float, is_present, ...) are how feature code reads a column:
they take a frame column (pd.Series) or a ColumnTable column (features/columns.py: plain
numpy, the single-claim fast path) and return the same numpy values for either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.arrays import ArrowStringArray, BooleanArray, IntegerArray

ARROW_FROM = 64  # values; below this the Python conversions are cheaper


def arrow_values(values: Sequence[Any], accept: tuple[pa.DataType, ...],
                 to: pa.DataType) -> np.ndarray | None:
    """values converted by pyarrow (C++, ~30x faster than numpy on date objects) when
    pyarrow infers one of the `accept` types for them (or all are missing), as numpy
    values of type `to`, nulls as NaN/NaT; None when the values need the exact Python
    conversion instead (strings to parse, mixed types, out of range) or are too few to
    repay pyarrow's ~10 us a call (a single claim's columns)."""
    if len(values) < ARROW_FROM:
        return None
    try:
        arr = pa.array(values)
        if arr.type not in accept and arr.type != pa.null():
            return None
        return pc.cast(arr, to).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError,
            OverflowError):
        return None


def string_array(values: Sequence[Any]) -> ArrowStringArray:
    """pandas "string" (pyarrow storage) column; non-strings are converted with str()."""
    clean = [v if v is None or isinstance(v, str) else str(v) for v in values]
    return ArrowStringArray(pa.array(clean, type=pa.large_string()))


def missing_mask(values: Sequence[Any]) -> np.ndarray:
    """True where a value is None."""
    return np.fromiter((v is None for v in values), dtype=bool, count=len(values))


def boolean_array(values: Sequence[Any]) -> BooleanArray:
    """Nullable boolean column."""
    data = np.fromiter((bool(v) for v in values), dtype=bool, count=len(values))
    return BooleanArray(data, missing_mask(values))


def int32_array(values: Sequence[Any]) -> IntegerArray:
    """Nullable Int32 column (numbers or numeric strings)."""
    data = np.fromiter((0 if v is None else int(v) for v in values), dtype=np.int32,
                       count=len(values))
    return IntegerArray(data, missing_mask(values))


def float_array(values: Sequence[Any]) -> np.ndarray:
    """float64 column, None as NaN."""
    fast = arrow_values(values, (pa.float64(), pa.int64()), pa.float64())
    if fast is not None:
        return fast
    return np.fromiter((np.nan if v is None else float(v) for v in values), dtype=np.float64,
                       count=len(values))


def date_array(values: Sequence[Any]) -> np.ndarray:
    """datetime64[ns] column from ISO strings, dates or timestamps; None as NaT.

    Raises ValueError on an impossible date (the contract validates dates before this)."""
    fast = arrow_values(values, (pa.date32(),), pa.date32())
    if fast is not None:
        return fast.astype("datetime64[ns]")
    return np.array(values, dtype="datetime64[ns]")


Column = pd.Series | np.ndarray  # a frame column, or a ColumnTable column (features/columns.py)


def as_float(column: Column, fill: float = np.nan) -> np.ndarray:
    """float64 values of a numeric/boolean column, missing as `fill` (no astype pass:
    pandas' Series.astype/fillna cost ~200 us a call on single claims).

    A ColumnTable column is already float64 with NaN for missing values."""
    if isinstance(column, np.ndarray):
        return column if np.isnan(fill) else np.where(np.isnan(column), fill, column)
    return column.array.to_numpy(dtype=np.float64, na_value=fill)


def as_int64(column: Column, fill: int = 0) -> np.ndarray:
    """int64 values of an integer column, missing as `fill`."""
    if isinstance(column, np.ndarray):
        return np.where(np.isnan(column), fill, column).astype(np.int64)
    return column.array.to_numpy(dtype=np.int64, na_value=fill)


def is_present(column: Column) -> np.ndarray:
    """Boolean numpy array: the value is not missing."""
    if isinstance(column, np.ndarray):
        if column.dtype == object:
            return np.fromiter((v is not None for v in column), dtype=bool, count=len(column))
        return ~np.isnan(column)
    return ~np.asarray(column.array.isna(), dtype=bool)


def as_objects(column: Column) -> np.ndarray:
    """Object numpy array of a string column, missing as None."""
    if isinstance(column, np.ndarray):
        return column
    return column.array.to_numpy(dtype=object, na_value=None)


def as_strings(column: Column, fill: str = "") -> np.ndarray:
    """Object numpy array of a string column, missing as `fill`."""
    if isinstance(column, np.ndarray):
        return np.array([fill if v is None else v for v in column], dtype=object)
    return column.array.to_numpy(dtype=object, na_value=fill)


def as_datetime(column: Column, unit: str = "ns") -> np.ndarray:
    """datetime64[unit] values of a date column (NaT for missing)."""
    if isinstance(column, np.ndarray):
        return column.astype(f"datetime64[{unit}]", copy=False)
    return column.to_numpy(f"datetime64[{unit}]")


def category_values(column: Column) -> Any:
    """What a categorical feature is encoded from: the column's array, not a Series."""
    return column if isinstance(column, np.ndarray) else column.array
