"""Training time of every payer's model plus the pooled one, MLflow tracking included.

    uv run python benchmarks/bench_training.py --data work/claims1m
    uv run python benchmarks/bench_training.py --claims 30000 --quick

Runs training.pipeline.run_training (what `denialrisk train` runs) on a data set with
every store in a temporary folder: MLflow sqlite + artifacts, model bundles, BentoML
store. --quick trains 100 rounds, gives payers with 1,000+ claims their own model and
promotes every model (no ECE gate).
Not a unit test.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

# Quick: few rounds, every payer with 1,000+ claims gets a model, and the ECE gate is off
# so every model reaches the BentoML store (the serving benchmark loads them all).
QUICK = {"max_rounds": 100, "early_stopping_rounds": 20, "min_payer_claims": 1000,
         "gate_max_ece": 1.0}


def bench_settings(work: Path, quick: bool) -> Any:
    """Project settings with every store under `work` (quick: fewer rounds, lower bar)."""
    from settings import Settings

    stores = {"models_dir": work / "models", "mlflow_dir": work / "mlflow",
              "bentoml_home": work / "bentoml",
              "tracking_uri": f"sqlite:///{(work / 'mlflow' / 'mlflow.db').resolve()}"}
    (work / "mlflow").mkdir(parents=True, exist_ok=True)
    return Settings().model_copy(update={**stores, **(QUICK if quick else {})})


def time_training(frames: Any, work: Path, quick: bool = False) -> dict[str, Any]:
    """Train all payers' models + pooled on `frames`; seconds, models, promotions."""
    from reference.cms import load_cms_tables
    from training.pipeline import run_training

    settings = bench_settings(work, quick)
    cms = load_cms_tables(settings.cms_dir)
    started = time.perf_counter()
    outcomes = run_training(frames, cms, settings)
    seconds = time.perf_counter() - started
    n = len(frames.claims)
    return {"claims": n, "seconds": round(seconds, 1),
            "seconds_1m": round(seconds, 1) if n == 1_000_000 else None,
            "models": [o.name for o in outcomes],
            "champions": [o.name for o in outcomes if o.decision and o.decision.promote],
            "per_model_seconds": {o.name: round(o.seconds, 1) for o in outcomes},
            "test_auc": {o.name: round(o.test_metrics["auc"], 4) for o in outcomes},
            "num_threads": settings.num_threads, "max_rounds": settings.max_rounds,
            "bentoml_home": str(settings.bentoml_home)}


def load_frames(data: Path | None, claims: int, seed: int) -> Any:
    """A data set folder's claims, or `claims` generated in memory."""
    if data is not None:
        from contract.dataset import read_dataset

        return read_dataset(data)
    from synthetic_data.generate import GeneratorConfig, generate_frames

    return generate_frames(GeneratorConfig(claims=claims, seed=seed))


def main() -> None:
    """Command line: print the training numbers as JSON."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--data", type=Path, default=None, help="existing data set folder")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    frames = load_frames(args.data, args.claims, args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        print(json.dumps({"training": time_training(frames, Path(tmp), args.quick)},
                         indent=1))


if __name__ == "__main__":
    main()
