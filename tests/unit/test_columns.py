"""The single-claim fast path (ColumnTables -> build_matrix) equals the DataFrame path
(claims_to_frames -> build_features -> ModelBundle.matrix) bit for bit."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from contract.columns import CLAIM_BUILDERS, LINE_BUILDERS, claims_to_columns
from contract.frames import CLAIM_COLUMNS, LINE_COLUMNS, claims_to_frames
from contract.schema import Claim
from features.build import (
    CATEGORICAL,
    FEATURE_VERSION,
    FeatureState,
    build_features,
    build_matrix,
    compute_raw_columns,
    fit_feature_state,
)
from features.encode import encode, group_positions
from tests.builders import line, make_claim_dict
from training.bundle import BundleMetadata, ModelBundle, Thresholds

LESION = {"count": 2, "site": "trunk", "size_cm": 1.5, "distinct_from_line": 1}


def edge_claims() -> list[dict]:
    """Multi-line claims, missing optional fields, unknown payer / code / modifier."""
    return [
        make_claim_dict(claim_id="E-1", payer_id="ZZZ", place_of_service=None),
        make_claim_dict(claim_id="E-2", prior_authorization={"number": "PA-1",
                                                              "cpt_codes": ["96910", "J9999"]},
                        diagnoses=["L40.0", "C44.311", "L82.1", "Z12.83", "L57.0"],
                        lines=[line(1, "96910", units=3), line(2, "17311", dx=[2, 9]),
                               line(3, "11102", mods=["59", "RT"], dx=[3], lesion=LESION),
                               line(4, "99999", mods=["QQ"], dx=[4, 5]),
                               line(5, "17003", units=20, dos="2026-02-28")]),
        make_claim_dict(claim_id="E-3", patient={"member_id": "W2", "birth_date": None,
                                                 "sex": None},
                        provider={"rendering_npi": "1234567893"}, eligibility=None,
                        documentation={"symptoms_documented": None}, history=None,
                        referral_on_file=None, cosmetic_intake=None,
                        lines=[line(1, "99213", mods=["25", "59", "XS", "24"]),
                               line(2, "17000", lesion={"count": None, "site": None})]),
        make_claim_dict(claim_id="E-4", prior_authorization={"number": None,
                                                              "cpt_codes": ["17311"]},
                        history={"days_since_related_global_procedure": 12,
                                 "related_global_days": 90},
                        lines=[line(1, "17311", dx=[1]), line(2, "17312", dx=[2]),
                               line(3, "99203")]),
    ]


@pytest.fixture(scope="module")
def claims(contract_examples) -> list[dict]:
    return [*contract_examples.values(), *edge_claims()]


@pytest.fixture(scope="module")
def state(claims, cms) -> FeatureState:
    return fit_feature_state(claims_to_frames(claims), cms)


def bundle_for(state: FeatureState, payer_column: bool, seed: int) -> ModelBundle:
    """A bundle without boosters whose feature order is shuffled (matrix() reads it)."""
    names = list(state.columns) + (["payer_id"] if payer_column else [])
    random.Random(seed).shuffle(names)
    meta = BundleMetadata(payer="pooled", kind="pooled", feature_version=FEATURE_VERSION,
                          payer_column=payer_column)
    bundle = ModelBundle(binary=None, reasons=None, classes=[], state=state,
                         calibrator=None, thresholds=Thresholds(), metadata=meta)
    bundle.__dict__["feature_names"] = names
    return bundle


def assert_same_bits(a: np.ndarray, b: np.ndarray) -> None:
    assert a.shape == b.shape and a.dtype == b.dtype
    assert a.tobytes() == b.tobytes()


def test_fast_path_matrix_equals_dataframe_path(claims, state, cms):
    bundle = bundle_for(state, payer_column=False, seed=1)
    for batch in [claims, *([c] for c in claims)]:
        reference = bundle.matrix(bundle.features(claims_to_frames(batch), cms))
        assert_same_bits(bundle.model_input(batch, cms), reference)
        assert_same_bits(bundle.model_input(claims_to_columns(batch), cms), reference)
        validated = [Claim.model_validate(c) for c in batch if c["claim_id"][0] != "E"]
        if validated:
            assert_same_bits(bundle.model_input(validated, cms),
                             bundle.matrix(bundle.features(validated, cms)))


def test_appended_payer_column_matches(claims, state, cms):
    """A pooled model whose state lacks payer_id gets it appended (training.matrix)."""
    cols = [c for c in state.columns if c != "payer_id"]
    levels = {k: v for k, v in state.categorical.items() if k != "payer_id"}
    bundle = bundle_for(FeatureState(columns=cols, categorical=levels), True, seed=2)
    for batch in [claims, claims[-4:-3]]:
        reference = bundle.matrix(bundle.features(claims_to_frames(batch), cms))
        assert_same_bits(bundle.model_input(batch, cms), reference)


def test_line_flags_and_raw_columns_agree(claims, cms):
    fast_flags: dict = {}
    slow_flags: dict = {}
    fast = compute_raw_columns(claims_to_columns(claims), cms, fast_flags)
    slow = compute_raw_columns(claims_to_frames(claims), cms, slow_flags)
    assert fast.keys() == slow.keys() and fast_flags.keys() == slow_flags.keys()
    for key in fast_flags:
        np.testing.assert_array_equal(fast_flags[key], slow_flags[key], err_msg=key)
    for key in fast:
        if key in CATEGORICAL:  # strings: object array (None) vs pandas string array (NA)
            assert list(fast[key]) == [None if v is pd.NA else v for v in slow[key]], key
        else:
            assert np.asarray(fast[key]).dtype == np.asarray(slow[key]).dtype, key
            np.testing.assert_array_equal(fast[key], slow[key], err_msg=key)


def test_build_matrix_refuses_other_feature_version(claims, state, cms):
    bundle = bundle_for(state, payer_column=False, seed=3)
    old = state.model_copy(update={"version": "0"})
    with pytest.raises(RuntimeError, match="feature version"):
        build_matrix(claims, old, cms, bundle.layout)
    assert build_features(claims, state, cms).shape[0] == len(claims)


def test_column_tables_are_read_only_and_complete(claims):
    frames = claims_to_columns(claims)
    assert set(CLAIM_BUILDERS) == set(CLAIM_COLUMNS)
    assert set(LINE_BUILDERS) == set(LINE_COLUMNS)
    assert len(frames.claims) == len(claims) and "cpt" in frames.lines
    units = frames.lines["units"]
    assert units is frames.lines["units"]
    with pytest.raises(ValueError):
        units[0] = 7
    with pytest.raises(KeyError):
        frames.claims["no_such_column"]


def test_dict_lookup_equals_arrow_lookup():
    values = np.array(["b", None, "a", "zz", "b", float("nan")], dtype=object)
    vocab = ("a", "b", "a", None)
    small = encode(values, vocab)
    arrow = encode(list(values), vocab)
    np.testing.assert_array_equal(small, arrow)
    np.testing.assert_array_equal(small, [1, 3, 0, -1, 1, 3])
    np.testing.assert_array_equal(encode(values, vocab[:3]), [1, -1, 0, -1, 1, -1])
    groups = np.array(["x", "y"], dtype=object)
    keys = np.array(["y", "x", "x", "q"], dtype=object)
    np.testing.assert_array_equal(group_positions(keys, groups), [1, 0, 0, -1])


@pytest.fixture(scope="module")
def many_claims(claims) -> list[dict]:
    """Enough claims (> ARROW_FROM rows) for the pyarrow column conversions to run:
    generated claims as JSON gives them (dates as strings) plus repeated edge claims."""
    import json

    from contract.frames import frames_to_claims
    from synthetic_data.config import GeneratorConfig
    from synthetic_data.generate import generate_frames

    generated = json.loads(json.dumps(frames_to_claims(
        generate_frames(GeneratorConfig(claims=150, seed=4))), default=str))
    repeated = [{**c, "claim_id": f"{c['claim_id']}-{k}"} for k in range(20) for c in claims]
    return generated + repeated


def test_large_batches_take_the_arrow_path_with_the_same_bits(many_claims, state, cms,
                                                             monkeypatch):
    import contract.typed as typed

    assert len(many_claims) > 2 * typed.ARROW_FROM
    bundle = bundle_for(state, payer_column=False, seed=5)
    reference = bundle.matrix(bundle.features(claims_to_frames(many_claims), cms))
    assert_same_bits(bundle.model_input(many_claims, cms), reference)
    validated = [Claim.model_validate(c) for c in many_claims if c["claim_id"][0] != "E"]
    python = bundle.model_input(validated, cms)
    monkeypatch.setattr(typed, "ARROW_FROM", 10**9)  # Python conversions only
    assert_same_bits(bundle.model_input(validated, cms), python)


def test_claim_objects_flatten_like_their_dicts(many_claims):
    """Claim objects are read through their field dicts (no model_dump): same columns."""
    dicts = [c for c in many_claims if c["claim_id"][0] != "E"]
    objects = [Claim.model_validate(c) for c in dicts]
    dumped = [c.model_dump() for c in objects]
    ids = [f"#{i}" for i in range(len(dicts))]
    fa, fb = claims_to_columns(objects, ids), claims_to_columns(dumped, ids)
    for a, b in ((fa.claims, fb.claims), (fa.lines, fb.lines)):
        for column in a.columns:
            x, y = a[column], b[column]
            assert x.dtype == y.dtype, column
            assert list(x) == list(y) or np.array_equal(x, y, equal_nan=True), column
    assert list(fa.lines["claim_id"])[:1] == ["#0"] and len(fa.claims) == len(dicts)


@pytest.mark.parametrize("values", [
    [1, None, 3] * 30, ["3", None, 4] * 30, [True, None, 2] * 30, [None] * 90,
    [2**40, 1] * 40,
])
def test_int_and_float_columns_equal_python_conversion(values, monkeypatch):
    import contract.columns as columns
    import contract.typed as typed

    fast_int, fast_float = columns.int_column, typed.float_array
    monkeypatch.setattr(typed, "ARROW_FROM", 10**9)
    for build in (fast_int, fast_float):
        try:
            slow = build(values)
        except (OverflowError, ValueError):  # out of int32: both ways refuse
            monkeypatch.setattr(typed, "ARROW_FROM", 1)
            with pytest.raises((OverflowError, ValueError)):
                build(values)
            monkeypatch.setattr(typed, "ARROW_FROM", 10**9)
            continue
        monkeypatch.setattr(typed, "ARROW_FROM", 1)
        np.testing.assert_array_equal(build(values), slow)
        monkeypatch.setattr(typed, "ARROW_FROM", 10**9)


def test_bool_and_date_columns_equal_python_conversion(monkeypatch):
    import datetime

    import contract.columns as columns
    import contract.typed as typed

    cases = [(columns.boolean_column, [True, None, False] * 30),
             (columns.boolean_column, [1, 0, None] * 30),
             (typed.date_array, [datetime.date(2026, 1, 2), None] * 40),
             (typed.date_array, ["2026-01-02", None] * 40),
             (typed.date_array, [None] * 80)]
    for build, values in cases:
        monkeypatch.setattr(typed, "ARROW_FROM", 10**9)
        slow = build(values)
        monkeypatch.setattr(typed, "ARROW_FROM", 1)
        fast = build(values)
        assert fast.dtype == slow.dtype
        np.testing.assert_array_equal(fast, slow)
