"""Bulk scoring throughput (`denialrisk score --output scores.parquet --no-explain`) next to
its floor, measured in the same run on the same claims.

    uv run python benchmarks/bench_scoring.py                      # 1M claims (~8 min)
    uv run python benchmarks/bench_scoring.py --claims 50000 --bentoml-home work/bentoml

Generates N claims (synthetic_data) as a data set folder; trains a model set on another
generated set (--train-claims, default settings, no MLflow) unless --bentoml-home is
given; then measures
- bulk: serving.bulk.score_dataset end to end: read Parquet -> validate -> features ->
  route -> predict -> Parquet written (what `denialrisk score` runs after loading models);
- floor: build_features + LightGBM predict (binary and reason boosters, each model on
  its payers' claims) on the same claims already in memory: the work itself, nothing else;
- json_lines: the JSON-lines path (serving/offline.py) on the first --json-claims claims.
Lazy one-time loads (the ICD-10 code set, code tables) are warmed up before timing; bulk
and floor alternate --repeats times and the best of each counts (all times are printed).
Target (issue 17 item 7): bulk >= 30,000 claims/s for 1M claims on 2 cores and
bulk >= 0.5 x floor. Prints JSON with the machine and its load average; not a unit test.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_CLAIMS_PER_S = 30_000
TARGET_RATIO = 0.5


def train_model_set(work: Path, claims: int, seed: int) -> Path:
    """Every payer's model + pooled on `claims` generated claims (default training
    settings, no MLflow), stored as champions in a BentoML home under `work`."""
    from reference.cms import load_cms_tables
    from settings import Settings
    from synthetic_data.generate import GeneratorConfig, generate_frames
    from training.bundle import ModelBundle
    from training.pipeline import run_training
    from training.store import save_to_bentoml

    settings = Settings(models_dir=work / "models", mlflow_dir=work / "mlflow",
                        bentoml_home=work / "bentoml")
    frames = generate_frames(GeneratorConfig(claims=claims, seed=seed))
    for outcome in run_training(frames, load_cms_tables(settings.cms_dir), settings,
                                track=False):
        save_to_bentoml(ModelBundle.load(outcome.bundle_dir), outcome.bundle_dir,
                        settings.bentoml_home)
    return settings.bentoml_home


def warm_up(predictor: Any, dataset: Path, work: Path) -> None:
    """Load what both paths load once per process (ICD-10 set, code tables, caches)."""
    from contract.dataset import read_dataset, write_dataset
    from contract.frames import ClaimFrames
    from serving.bulk import score_dataset

    frames = read_dataset(dataset)
    claims = frames.claims.iloc[:200].reset_index(drop=True)
    lines = frames.lines[frames.lines["claim_id"].isin(claims["claim_id"])]
    small = write_dataset(ClaimFrames(claims, lines.reset_index(drop=True)), work / "warm")
    score_dataset(small, work / "warm.parquet", predictor)
    floor_seconds(ClaimFrames(claims, lines), predictor)


def floor_seconds(frames: Any, predictor: Any) -> float:
    """build_features once (per distinct feature state) + each model's boosters on its
    claims: the floor of any scoring code on these claims."""
    from features.build import build_features
    from serving.bulk_scores import route_rows
    from training.matrix import add_payer_column, needs_payer_column

    start = time.perf_counter()
    payers = frames.claims["payer_id"].reset_index(drop=True)
    features: dict[str, Any] = {}
    for served, _, rows in route_rows(predictor.models, payers):
        bundle = served.bundle
        key = bundle.state.model_dump_json()
        if key not in features:
            features[key] = build_features(frames, bundle.state, predictor.cms)
        X = features[key].iloc[rows]
        if bundle.metadata.payer_column and needs_payer_column(bundle.state):
            X = add_payer_column(X, payers.iloc[rows].reset_index(drop=True))
        M = bundle.matrix(X)
        bundle.binary.predict(M, raw_score=True)
        if bundle.reasons is not None:
            bundle.reasons.predict(M)
    return time.perf_counter() - start


def json_lines_rate(dataset: Path, predictor: Any, claims: int, work: Path) -> dict[str, Any]:
    """The JSON-lines path (serving/offline.py) on the first `claims` claims, no
    explanation."""
    from contract.dataset import read_dataset, write_dataset
    from contract.frames import ClaimFrames
    from serving.offline import score_file
    from serving.scoring import Options

    frames = read_dataset(dataset)
    head = frames.claims.iloc[:claims].reset_index(drop=True)
    lines = frames.lines[frames.lines["claim_id"].isin(head["claim_id"])]
    small = write_dataset(ClaimFrames(head, lines.reset_index(drop=True)), work / "head")
    start = time.perf_counter()
    score_file(small, work / "head.jsonl", predictor, Options(explain=False, fixes=False))
    seconds = time.perf_counter() - start
    return {"claims": len(head), "seconds": round(seconds, 2),
            "claims_per_s": round(len(head) / seconds)}


def run_scoring(dataset: Path, home: Path, chunk_size: int | None = None,
                json_claims: int = 20_000, repeats: int = 2) -> dict[str, Any]:
    """Bulk, floor and JSON-lines numbers on the data set at `dataset` with the models at
    `home` (nested result dict, see the module docstring). Bulk and floor alternate
    `repeats` times and the best of each counts (a shared machine's load comes and goes;
    every time is kept under `runs`)."""
    from contract.dataset import read_dataset
    from serving.bulk import DEFAULT_CHUNK, score_dataset
    from serving.scoring import load_predictor
    from settings import get_settings

    chunk_size = chunk_size or DEFAULT_CHUNK
    predictor = load_predictor(home, get_settings().cms_dir)
    load_before = [round(x, 2) for x in os.getloadavg()]
    bulk, floor = [], []
    with tempfile.TemporaryDirectory(prefix="bench-score-") as tmp:
        warm_up(predictor, dataset, Path(tmp))
        frames = read_dataset(dataset)
        for _ in range(max(repeats, 1)):
            summary = score_dataset(dataset, Path(tmp) / "scores.parquet", predictor,
                                    chunk_size=chunk_size)
            bulk.append(summary.seconds)
            floor.append(floor_seconds(frames, predictor))
        json_part = json_lines_rate(dataset, predictor, json_claims, Path(tmp)) \
            if json_claims else None
    n = summary.claims
    out = {"claims": n, "lines": len(frames.lines), "chunk_size": chunk_size,
           "models": sorted(predictor.models.models),
           "bulk": {"seconds": round(min(bulk), 2), "claims_per_s": round(n / min(bulk)),
                    "errors": summary.errors},
           "floor": {"seconds": round(min(floor), 2), "claims_per_s": round(n / min(floor))},
           "ratio": round(min(floor) / min(bulk), 3),
           "runs": {"bulk_seconds": [round(x, 2) for x in bulk],
                    "floor_seconds": [round(x, 2) for x in floor]},
           "json_lines": json_part,
           "target": {"claims_per_s": TARGET_CLAIMS_PER_S, "ratio": TARGET_RATIO},
           "loadavg_before": load_before,
           "loadavg_after": [round(x, 2) for x in os.getloadavg()]}
    out["met"] = (out["bulk"]["claims_per_s"] >= TARGET_CLAIMS_PER_S
                  and out["ratio"] >= TARGET_RATIO)
    return out


def main() -> None:
    """Command line: print the scoring numbers as JSON."""
    from benchmarks.report import machine_info
    from synthetic_data.generate import GeneratorConfig, generate_to_path

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--bentoml-home", type=Path, default=None,
                        help="score with this model store instead of training one")
    parser.add_argument("--train-claims", type=int, default=300_000)
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--json-claims", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=2,
                        help="bulk and floor alternate this often; best of each counts")
    args = parser.parse_args()
    machine = machine_info()
    with tempfile.TemporaryDirectory(prefix="bench-scoring-") as tmp:
        dataset = Path(tmp) / "claims"
        generate_to_path(GeneratorConfig(claims=args.claims, seed=args.seed), dataset)
        home = args.bentoml_home or train_model_set(Path(tmp) / "train", args.train_claims,
                                                    args.seed + 1)
        result = run_scoring(dataset, home, args.chunk_size, args.json_claims,
                             args.repeats)
    machine["loadavg_after"] = result["loadavg_after"]
    print(json.dumps({**result, "machine": machine}, indent=1))


if __name__ == "__main__":
    main()
