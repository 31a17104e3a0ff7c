"""claims_to_frames builds typed columns directly; they must equal the astype path.

The data-set reader (contract.dataset) and the generator give frames their dtypes with
coerce_claims/coerce_lines (object frame + astype); the service builds the same columns
from Python values (contract.typed). A dtype or value difference between the two would
make a served claim's features differ from the training matrix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from contract.frames import (
    CLAIM_COLUMNS,
    LINE_COLUMNS,
    claims_to_frames,
    coerce_claims,
    coerce_lines,
    flatten_claims,
    frames_to_claims,
)
from contract.typed import as_float, boolean_array, int32_array, is_present, string_array
from synthetic_data.config import GeneratorConfig
from synthetic_data.generate import generate_frames


def astype_path(dicts: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reference: object frames coerced with pandas astype."""
    claim_columns, line_columns = flatten_claims(dicts)
    claims = pd.DataFrame({c: list(v) for c, v in claim_columns.items()}, columns=CLAIM_COLUMNS)
    lines = pd.DataFrame({c: list(v) for c, v in line_columns.items()}, columns=LINE_COLUMNS)
    return coerce_claims(claims), coerce_lines(lines)


def test_typed_frames_equal_the_astype_path(contract_examples):
    generated = frames_to_claims(generate_frames(GeneratorConfig(claims=400, seed=5)))
    dicts = generated + list(contract_examples.values())
    typed = claims_to_frames(dicts)
    claims, lines = astype_path(dicts)
    pd.testing.assert_frame_equal(typed.claims, claims)
    pd.testing.assert_frame_equal(typed.lines, lines)


def test_single_claim_and_empty_batch_keep_dtypes(contract_examples):
    one = next(iter(contract_examples.values()))
    claims, lines = astype_path([one])
    pd.testing.assert_frame_equal(claims_to_frames([one]).claims, claims)
    empty = claims_to_frames([])
    assert len(empty.claims) == 0 and list(empty.claims.dtypes) == list(claims.dtypes)
    assert list(empty.lines.dtypes) == list(lines.dtypes)


def test_column_builders_keep_missing_values():
    assert string_array(["a", None, 7]).tolist() == ["a", pd.NA, "7"]
    assert boolean_array([True, None, False]).tolist() == [True, pd.NA, False]
    assert int32_array([1, None, "3"]).tolist() == [1, pd.NA, 3]
    column = pd.Series(boolean_array([True, None, False]))
    np.testing.assert_array_equal(as_float(column), [1.0, np.nan, 0.0])
    np.testing.assert_array_equal(is_present(column), [True, False, True])
