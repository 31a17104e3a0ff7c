"""A small trained model store (MCR + pooled champions) in a BentoML home, for the tests
that need the service's real models (tests/serving, tests/model coder pairs).

~24k synthetic claims (seed 11), MCR and pooled trained with the training package (no
MLflow: track=False) and saved as BentoML champions, so every other payer exercises the
pooled fallback.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from settings import Settings

N_CLAIMS = 24_000


def store_settings(tmp: Path) -> Settings:
    """Quick training settings with every store under tmp."""
    return Settings(max_rounds=200, early_stopping_rounds=20, learning_rate=0.15, num_threads=1,
                    min_payer_claims=3_000, models_dir=tmp / "models",
                    mlflow_dir=tmp / "mlflow", bentoml_home=tmp / "bentoml")


def train_store(tmp: Path, cms: Any, claims: int = N_CLAIMS, seed: int = 11) -> Path:
    """Generate claims, train MCR + pooled, save both as BentoML champions; returns home."""
    from synthetic_data.config import GeneratorConfig
    from synthetic_data.generate import generate_frames
    from training.bundle import ModelBundle
    from training.pipeline import run_training
    from training.store import save_to_bentoml

    settings = store_settings(tmp)
    frames = generate_frames(GeneratorConfig(claims=claims, seed=seed))
    for outcome in run_training(frames, cms, settings, payers=["MCR", "pooled"], track=False):
        bundle = ModelBundle.load(outcome.bundle_dir)
        save_to_bentoml(metadata_safe(bundle), outcome.bundle_dir, settings.bentoml_home)
    return settings.bentoml_home


def metadata_safe(bundle: Any) -> Any:
    """Bundle copy whose unset thresholds (None) BentoML metadata accepts.

    Workaround: BentoML rejects None metadata values and training/store.py passes
    thresholds.model_dump() as is. Only the store metadata changes; the served bundle.json
    (copied from the bundle folder) keeps null.
    """
    thr = bundle.thresholds
    safe = thr.model_copy(update={k: float("inf") for k in ("block", "warn")
                                  if getattr(thr, k) is None})
    return dataclasses.replace(bundle, thresholds=safe)
