"""String lookups of the feature hot path: group_positions must equal encode's hash join."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from features.encode import encode, group_positions


@pytest.mark.parametrize(("keys", "groups"), [
    (["a", "a", "b", "c", "c"], ["a", "b", "c"]),  # runs in group order: fast path
    (["a", "b", "a"], ["a", "b"]),  # a key comes back later: hash join
    (["b", "b", "a"], ["a", "b"]),  # runs in another order
    (["a", "x"], ["a", "b"]),  # unknown key -> -1
    (["a", "b"], ["a", "b", "c"]),  # a group without keys
    ([], ["a"]),
    (["a"], []),
    (["a", None], ["a", "b"]),  # missing key -> -1
])
def test_group_positions_equal_encode(keys, groups):
    k, g = pd.Series(keys, dtype="string"), pd.Series(groups, dtype="string")
    expected = encode(k, g)
    np.testing.assert_array_equal(group_positions(k, g), expected)
    assert expected.dtype == np.int64


def test_runs_give_positions_without_hashing():
    keys = pd.Series(["c1"] * 3 + ["c2"] + ["c3"] * 2, dtype="string")
    groups = pd.Series(["c1", "c2", "c3"], dtype="string")
    np.testing.assert_array_equal(group_positions(keys, groups), [0, 0, 0, 1, 2, 2])
