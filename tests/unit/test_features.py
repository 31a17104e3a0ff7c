"""build_features: one path, fitted state, parity between batch and single-claim paths."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from contract.dataset import read_dataset, write_dataset
from contract.frames import claims_to_frames, frames_to_claims
from contract.schema import Claim
from features.build import (
    FEATURE_VERSION,
    FeatureState,
    FeatureVersionError,
    build_features,
    compute_raw_features,
    fit_feature_state,
    informative_columns,
)
from features.registry import CHANGEABLE, RULE_FEATURES, is_allowed_feature, is_changeable
from tests.builders import line, make_claim_dict


@pytest.fixture
def batch(contract_examples) -> list[dict]:
    claims = list(contract_examples.values())
    claims.append(make_claim_dict(claim_id="T-2", payer_id="UNKNOWN",
                                  lines=[line(1, "99213"), line(2, "11102", dx=[2])]))
    claims.append(make_claim_dict(claim_id="T-3", diagnoses=["L57.0"],
                                  lines=[line(1, "17000", units=2), line(2, "17003", units=20)]))
    return claims


def test_parity_dataset_path_vs_single_claim_json_path(cms, batch, tmp_path):
    """Training path (frames -> parquet -> read) and serving path (JSON -> Claim) agree."""
    frames = claims_to_frames([Claim.model_validate(c) for c in batch])
    state = fit_feature_state(frames, cms)
    write_dataset(frames, tmp_path / "ds")
    trained = build_features(read_dataset(tmp_path / "ds"), state, cms)
    for claim in frames_to_claims(read_dataset(tmp_path / "ds")):
        wire = Claim.model_validate_json(json.dumps(claim))
        single = build_features([wire], state, cms)
        expected = trained.loc[[claim["claim_id"]]]
        pd.testing.assert_frame_equal(single, expected, check_exact=True)


def test_state_fixes_columns_and_categories(cms, batch):
    frames = claims_to_frames(batch)
    state = fit_feature_state(frames, cms)
    X = build_features(batch, state, cms)
    assert list(X.columns) == state.columns
    assert X["payer_id"].dtype == "category"
    assert list(X["payer_id"].cat.categories) == state.categorical["payer_id"]
    restored = FeatureState.model_validate_json(state.model_dump_json())
    pd.testing.assert_frame_equal(build_features(batch, restored, cms), X)
    numeric = X.drop(columns=list(state.categorical))
    assert all(dt == np.float32 for dt in numeric.dtypes)


def test_unseen_category_becomes_missing(cms, batch):
    state = fit_feature_state(claims_to_frames(batch[:2]), cms)
    X = build_features([make_claim_dict(payer_id="NEWPAYER")], state, cms)
    assert X["payer_id"].isna().all()


def test_unseen_provider_reads_as_the_usual_one_in_both_paths(cms):
    """A rendering NPI the model never saw is scored as the practice's usual provider
    (not down LightGBM's arbitrary "not in set" branches); a state saved before `usual`
    existed keeps reading it as missing."""
    from features.build import build_matrix, matrix_layout

    def with_npi(i: int, npi: str) -> dict:
        return make_claim_dict(claim_id=f"N-{i}", provider={"rendering_npi": npi})

    train = [with_npi(i, "1111111112") for i in range(7)] + \
        [with_npi(10 + i, "2222222226") for i in range(5)]
    state = fit_feature_state(claims_to_frames(train), cms)
    assert state.usual["rendering_npi"] == "1111111112"
    new = [with_npi(99, "9999999990")]
    X = build_features(new, state, cms)
    assert X["rendering_npi"].tolist() == ["1111111112"]
    layout = matrix_layout(state.columns, state.columns, state.categorical, state.usual)
    j = state.columns.index("rendering_npi")
    usual = state.categorical["rendering_npi"].index("1111111112")
    assert build_matrix(new, state, cms, layout)[0, j] == usual
    old = FeatureState(columns=state.columns, categorical=state.categorical)
    assert build_features(new, old, cms)["rendering_npi"].isna().all()


def test_no_oracle_or_outcome_column_becomes_a_feature(cms, batch):
    frames = claims_to_frames(batch)
    frames.claims["oracle_p_denied"] = 0.5
    frames.claims["denied"] = True
    frames.claims["denial_category"] = "modifier"
    state = fit_feature_state(frames, cms)
    assert not [c for c in state.columns if c.startswith("oracle_")]
    assert not {"denied", "denial_category", "denial_carc", "denied_lines"} & set(state.columns)
    assert all(is_allowed_feature(c) for c in state.columns)
    assert not is_allowed_feature("oracle_p_denied") and not is_allowed_feature("denied")


def test_registry_names_real_features(cms, batch):
    built = set(compute_raw_features(claims_to_frames(batch), cms).columns)
    assert set(RULE_FEATURES) <= built
    assert set(CHANGEABLE) <= built
    for fixed in ("patient_age", "payer_id", "days_to_submit", "place_of_service"):
        assert not is_changeable(fixed)
    assert is_changeable("doc_symptoms_documented") and is_changeable("em_needs_25")


def test_feature_version_mismatch_refused(cms, batch):
    state = fit_feature_state(claims_to_frames(batch), cms)
    old = state.model_copy(update={"version": "0"})
    with pytest.raises(FeatureVersionError, match=f"feature version 0.*{FEATURE_VERSION}"):
        build_features(batch, old, cms)


def test_incomplete_dataset_is_refused():
    from contract.dataset import DatasetError

    with tempfile.TemporaryDirectory() as tmp, pytest.raises(DatasetError, match="not a complete"):
        (Path(tmp) / "claims.parquet").write_bytes(b"partial")
        read_dataset(Path(tmp))


def test_a_column_present_or_missing_is_informative():
    # An 837P carries a referral (REF*9F) or nothing: 1 vs missing is what an HMO's
    # referral denials turn on; a column that never varies teaches nothing.
    n = 100
    raw = pd.DataFrame({
        "referral_on_file": np.where(np.arange(n) < 10, np.nan, 1.0),
        "constant": np.ones(n),
        "rare": np.where(np.arange(n) < 3, np.nan, 1.0),
        "all_missing": np.full(n, np.nan),
    })
    assert informative_columns(raw) == ["referral_on_file"]
