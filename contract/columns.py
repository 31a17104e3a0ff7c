"""Read-only column tables: contract claims as plain numpy columns (the service's path).

The service scores single claims, their fix candidates and batches of up to 1,000. On
such inputs a pandas DataFrame costs more to build and to read (every `frame[col]` makes
a new Series) than the features themselves, so `claims_to_columns` gives ClaimFrames
whose claims and lines are ColumnTables: `table[col]` is a dict lookup returning a numpy
array, built on first access from the flattened column values. Representation (what
contract.typed's readers and features.encode understand):

  strings          object array, None = missing (non-strings converted with str())
  booleans, ints   float64, NaN = missing (ints pass through int32 as in the frame path)
  floats           float64, NaN = missing
  dates            datetime64[ns], NaT = missing

build_features gives bit-identical features from either form (tests/unit/test_columns.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from contract.frames import (
    CLAIM_BOOL_COLS,
    CLAIM_DATE_COLS,
    CLAIM_INT_COLS,
    CLAIM_STR_COLS,
    LINE_INT_COLS,
    LINE_STR_COLS,
    ClaimFrames,
    flatten_claims,
)
from contract.typed import arrow_values, date_array, float_array, missing_mask


def string_column(values: Sequence[Any]) -> np.ndarray:
    """Object array of strings, None for missing (as typed.string_array converts)."""
    return np.array([v if v is None or isinstance(v, str) else str(v) for v in values],
                    dtype=object)


def boolean_column(values: Sequence[Any]) -> np.ndarray:
    """1.0 / 0.0 / NaN: what a nullable boolean column reads as through as_float."""
    fast = arrow_values(values, (pa.bool_(),), pa.float64())
    if fast is not None:
        return fast
    return np.array([np.nan if v is None else float(bool(v)) for v in values],
                    dtype=np.float64)


def int_column(values: Sequence[Any]) -> np.ndarray:
    """Integers (through int32, as the Int32 frame column) as float64, NaN for missing."""
    fast = arrow_values(values, (pa.int64(),), pa.int32())
    if fast is not None:
        return fast.astype(np.float64)  # an int32 column with nulls comes out as float64
    out = np.fromiter((0 if v is None else int(v) for v in values), dtype=np.int32,
                      count=len(values)).astype(np.float64)
    out[missing_mask(values)] = np.nan
    return out


Builder = Callable[[Sequence[Any]], np.ndarray]
CLAIM_BUILDERS: dict[str, Builder] = {
    **{c: string_column for c in CLAIM_STR_COLS}, **{c: boolean_column for c in CLAIM_BOOL_COLS},
    **{c: date_array for c in CLAIM_DATE_COLS}, **{c: int_column for c in CLAIM_INT_COLS},
}
LINE_BUILDERS: dict[str, Builder] = {
    **{c: string_column for c in LINE_STR_COLS}, **{c: int_column for c in LINE_INT_COLS},
    "charge": float_array, "lesion_size_cm": float_array, "date_of_service": date_array,
}


class ColumnTable:
    """Columns of Python values read as numpy arrays; each built once, read-only.

    Offers the part of the DataFrame interface the feature code uses: `table[col]`,
    `col in table`, len(), `columns` and a RangeIndex `index`."""

    def __init__(self, values: Mapping[str, Sequence[Any]], n_rows: int,
                 builders: Mapping[str, Builder]) -> None:
        self._values = values
        self._n = n_rows
        self._builders = builders
        self._cache: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return self._n

    def __contains__(self, column: object) -> bool:
        return column in self._builders

    def __getitem__(self, column: str) -> np.ndarray:
        values = self._cache.get(column)
        if values is None:
            values = self._builders[column](self._values[column])
            values.flags.writeable = False  # shared by every reader of the table
            self._cache[column] = values
        return values

    @property
    def columns(self) -> list[str]:
        return list(self._builders)

    @property
    def index(self) -> pd.RangeIndex:
        return pd.RangeIndex(self._n)


def claims_to_columns(claims: Iterable[Mapping[str, Any] | Any],
                      ids: Sequence[str] | None = None) -> ClaimFrames:
    """Flatten contract claims into ClaimFrames of ColumnTables (see module docstring);
    same rows as claims_to_frames, without building any DataFrame. `ids`, when given,
    replace the claim ids (see flatten_claims)."""
    claim_columns, line_columns = flatten_claims(claims, ids)
    n_claims, n_lines = len(claim_columns["claim_id"]), len(line_columns["claim_id"])
    return ClaimFrames(ColumnTable(claim_columns, n_claims, CLAIM_BUILDERS),  # type: ignore[arg-type]
                       ColumnTable(line_columns, n_lines, LINE_BUILDERS))  # type: ignore[arg-type]
