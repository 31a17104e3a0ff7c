"""ModelBundle: train on tiny synthetic data, save/load round trip, clear load errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from features.build import FEATURE_VERSION, FeatureState
from reference.vocab import CATEGORIES
from settings import Settings
from training.bundle import (
    BINARY_FILE,
    BUNDLE_FILE,
    STATE_FILE,
    BundleError,
    FeatureVersionError,
    ModelBundle,
)
from training.split import time_split
from training.train import TrainingData, local_fitter, train_payer_model

PAYER_LEVELS = ["MCR", "COA"]


def make_training_data(n: int = 4000, seed: int = 0) -> TrainingData:
    """Synthetic matrix: denial driven by f0/f1 and payer; reason by the strongest driver."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({f"f{i}": rng.normal(size=n).astype(np.float32) for i in range(4)})
    payer = pd.Series(rng.choice(PAYER_LEVELS, n, p=[0.7, 0.3]))
    X["payer_id"] = pd.Categorical(payer, categories=PAYER_LEVELS)
    logit = -2.0 + 1.5 * X["f0"] + 1.0 * (X["f1"] > 0.5) + 0.5 * (payer == "COA")
    denied = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    reason = np.where(X["f0"] > X["f1"], "modifier", np.where(X["f2"] > 0, "bundling", "units"))
    category = pd.Series(np.where(denied == 1, reason, None), dtype=object)
    dates = pd.Series(pd.date_range("2025-01-01", periods=n, freq="2h"))
    split = time_split(dates, test_months=1, val_months=1)
    state = FeatureState(columns=list(X.columns), categorical={"payer_id": PAYER_LEVELS})
    return TrainingData(X, denied.to_numpy(), category, payer.astype(object), split, state, False)


@pytest.fixture(scope="module")
def data() -> TrainingData:
    return make_training_data()


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(max_rounds=60, early_stopping_rounds=10, learning_rate=0.1, num_threads=1)


@pytest.fixture(scope="module")
def bundle(data: TrainingData, settings: Settings) -> ModelBundle:
    return train_payer_model(data, "pooled", "pooled", local_fitter(settings), settings)


def test_trained_bundle_predicts_probabilities_and_reasons(bundle, data):
    X = data.X[data.split.test]
    p = bundle.predict_proba(X)
    assert p.shape == (len(X),) and ((p > 0) & (p < 1)).all()
    reasons = bundle.predict_reasons(X)
    assert list(reasons.columns) == list(CATEGORIES)
    assert np.allclose(reasons.sum(axis=1), 1.0)
    assert (reasons[["eligibility", "cosmetic"]] == 0).all().all()
    assert bundle.contributions(X).shape == (len(X), X.shape[1] + 1)
    assert bundle.metadata.validation_metrics["auc"] > 0.7
    assert set(bundle.risk_band(p)) <= {"block", "warn", "pass"}


def test_save_load_round_trip_gives_identical_predictions(bundle, data, tmp_path):
    bundle.save(tmp_path / "b")
    loaded = ModelBundle.load(tmp_path / "b")
    X = data.X[data.split.test]
    assert np.array_equal(loaded.predict_proba(X), bundle.predict_proba(X))
    assert np.array_equal(loaded.raw_score(X), bundle.raw_score(X))
    pd.testing.assert_frame_equal(loaded.predict_reasons(X), bundle.predict_reasons(X))
    assert loaded.thresholds == bundle.thresholds and loaded.classes == bundle.classes
    assert loaded.metadata == bundle.metadata and loaded.state == bundle.state
    assert "pickle" not in " ".join(p.name for p in (tmp_path / "b").iterdir())


def test_load_refuses_other_feature_version(bundle, tmp_path):
    path = bundle.save(tmp_path / "b")
    raw = (path / BUNDLE_FILE).read_text().replace(
        f'"feature_version": "{FEATURE_VERSION}"', '"feature_version": "0-old"')
    (path / BUNDLE_FILE).write_text(raw)
    with pytest.raises(FeatureVersionError, match=r"'0-old'.*" + FEATURE_VERSION):
        ModelBundle.load(path)


@pytest.mark.parametrize("name", [BINARY_FILE, STATE_FILE, BUNDLE_FILE])
def test_corrupted_file_error_names_the_file(bundle, tmp_path, name):
    path = bundle.save(tmp_path / "b")
    (path / name).write_text("tree\nthis is not a model {")
    with pytest.raises(BundleError, match=name):
        ModelBundle.load(path)


def test_missing_file_error_names_the_file(bundle, tmp_path):
    path = bundle.save(tmp_path / "b")
    (path / BINARY_FILE).unlink()
    with pytest.raises(BundleError, match=f"missing.*{BINARY_FILE}"):
        ModelBundle.load(path)


def test_served_refit_carries_the_tested_metrics_and_says_whose_they_are(bundle, data,
                                                                        settings, tmp_path):
    from serving.modelset import ServedModel, model_entry
    from training.refit import refit_split, served_copy
    from training.store import HELDOUT_DIR, SERVED_DIR, save_to_bentoml, stored_bundle_dir

    bundle.save(tmp_path / "tested")
    tested = ModelBundle.load(tmp_path / "tested")
    tested.metadata = tested.metadata.model_copy(update={"test_metrics": {"auc": 0.9},
                                                         "model_version": "3"})
    tested.save(tmp_path / "tested")
    refit_data = TrainingData(**(vars(data) | {"split": refit_split(data.split)}))
    served = served_copy(train_payer_model(refit_data, "MCR", "payer", local_fitter(settings),
                                           settings), tested)
    assert served.metadata.training_window["train_end"] > \
        tested.metadata.training_window["train_end"]
    assert served.metadata.test_metrics == {"auc": 0.9}
    assert served.metadata.model_version == "3"
    entry = model_entry(ServedModel(key="MCR", name="denialrisk-MCR", version="3", tag="t",
                                    bundle=served))
    assert entry["tested_window"] == tested.metadata.training_window
    assert entry["training_window"] == served.metadata.training_window
    served.save(tmp_path / "tested" / SERVED_DIR)
    save_to_bentoml(served, tmp_path / "tested" / SERVED_DIR, tmp_path / "home",
                    tmp_path / "tested")
    [stored] = (tmp_path / "home" / "models" / "denialrisk-mcr").glob("*/")
    assert not (stored_bundle_dir(stored, heldout=True) / SERVED_DIR).exists()
    assert stored_bundle_dir(stored, heldout=True) == stored / HELDOUT_DIR
    assert ModelBundle.load(stored_bundle_dir(stored, heldout=True)).metadata.training_window \
        == tested.metadata.training_window
    assert ModelBundle.load(stored).metadata.training_window == \
        served.metadata.training_window
