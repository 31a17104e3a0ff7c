"""Serving latency and throughput, next to the raw model cost on the same claims.

    uv run python benchmarks/bench_serving.py --bentoml-home work/bentoml
    uv run python benchmarks/bench_serving.py --train      # small tmp store (~30 s)

Measures (targets on 2 cores: single claim p99 <= 30 ms, batch >= 20,000 claims/s without
explanation and >= 1,000/s with it):
- raw: LightGBM only (every core, as the server), per payer model binary + reason
  boosters (+ pred_contrib) on the prebuilt float matrix of the same claims, one claim at
  a time and 1000-claim batches;
- in-process: serving.scoring.Predictor (validation timed separately);
- http (benchmarks/serving_http.py): a real `bentoml serve` subprocess started as
  `denialrisk serve` starts it (LightGBM threads = cores), /predict one claim at a time
  with explanation + fixes, /predict_batch with 1000 claims with and without explanation
  (bodies encoded before timing); then the RSS of the server's process tree (all payer
  models loaded), next to a bare Python process holding only the same LightGBM boosters;
  then `--workers 2` with two clients sending 1000-claim batches at once.
Ratios http/raw are the service overhead. The load average is printed: numbers taken
while other work shares the cores are pessimistic.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.serving_http import percentiles


def timed(fn: Callable[[], Any], repeats: int) -> list[float]:
    """Wall time of `repeats` calls of fn, in seconds."""
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def sample_claims(n: int, seed: int) -> list[dict[str, Any]]:
    """Generated claims as contract dicts (JSON-safe)."""
    from contract.frames import frames_to_claims
    from synthetic_data.config import GeneratorConfig
    from synthetic_data.generate import generate_frames

    frames = generate_frames(GeneratorConfig(claims=n, seed=seed))
    return json.loads(json.dumps(frames_to_claims(frames), default=str))


def prepared(predictor: Any, dicts: list[dict]) -> list[tuple[Any, np.ndarray]]:
    """(bundle, LightGBM float matrix) per serving model, built outside any timing."""
    out = []
    for key, positions in predictor.route_groups([d["payer_id"] for d in dicts]).items():
        bundle = predictor.models.models[key].bundle
        X = bundle.features([dicts[i] for i in positions], predictor.cms)
        out.append((bundle, bundle.matrix(X)))
    return out


def lightgbm_only(pairs: list[tuple[Any, np.ndarray]], contrib: bool) -> None:
    """The raw model cost: binary + reason boosters (+ pred_contrib) on prebuilt matrices."""
    for bundle, m in pairs:
        kwargs = bundle.predict_kwargs(len(m))
        bundle.binary.predict(m, raw_score=True, **kwargs)
        if bundle.reasons is not None:
            bundle.reasons.predict(m, **kwargs)
        if contrib:
            bundle.binary.predict(m, pred_contrib=True, **kwargs)


def raw_costs(predictor: Any, claims: list[Any], singles: int) -> dict[str, Any]:
    """LightGBM's own cost on the same claims and routing, without any service code."""
    one = [prepared(predictor, [c.model_dump()]) for c in claims[:singles]]
    batch = prepared(predictor, [c.model_dump() for c in claims[:1000]])
    n = len(claims[:1000])
    plain = min(timed(lambda: lightgbm_only(batch, False), 3))
    full = min(timed(lambda: lightgbm_only(batch, True), 2))
    return {"single_score": percentiles(
                [timed(lambda p=p: lightgbm_only(p, False), 1)[0] for p in one]),
            "single_score_contrib": percentiles(
                [timed(lambda p=p: lightgbm_only(p, True), 1)[0] for p in one]),
            "batch_claims_per_s": round(n / plain),
            "batch_contrib_claims_per_s": round(n / full)}


def in_process(predictor: Any, raw: list[dict], claims: list[Any], singles: int) -> dict:
    """Predictor.predict directly (the offline scorer's path); validation and features
    timed apart (with raw LightGBM they are the floor of the batch cost: batch_floor)."""
    from pydantic import TypeAdapter

    from contract.schema import Claim
    from serving.scoring import Options, featurize

    batch = claims[:1000]
    body, claims_type = json.dumps(raw[:1000]).encode(), TypeAdapter(list[Claim])
    validate = min(timed(lambda: claims_type.validate_json(body), 3))
    features = min(timed(lambda: featurize(batch, predictor.cms, line_flags=False), 3))
    single = [timed(lambda c=c: predictor.predict([c]), 1)[0] for c in claims[:singles]]
    plain = min(timed(lambda: predictor.predict(batch, Options(explain=False, fixes=False)), 3))
    full = min(timed(lambda: predictor.predict(batch, Options(fixes=False)), 2))
    fixes = min(timed(lambda: predictor.predict(batch), 1))
    return {"validate_json_claims_per_s": round(len(batch) / validate),
            "features_claims_per_s": round(len(batch) / features),
            "single_explain_fixes": percentiles(single),
            "batch_claims_per_s": round(len(batch) / plain),
            "batch_explain_claims_per_s": round(len(batch) / full),
            "batch_explain_fixes_claims_per_s": round(len(batch) / fixes)}


def batch_floor(raw: dict, inproc: dict) -> int:
    """Claims/s if a batch cost nothing but contract validation of its JSON, features and
    LightGBM (no HTTP, no responses): the ceiling any service on this code can reach."""
    seconds = (1 / inproc["validate_json_claims_per_s"] + 1 / inproc["features_claims_per_s"]
               + 1 / raw["batch_claims_per_s"])
    return round(1 / seconds)


def store_home(args: argparse.Namespace) -> Path:
    """The model store to benchmark: --bentoml-home, or a small one trained now."""
    if not args.train:
        return args.bentoml_home
    from reference.cms import load_cms_tables
    from settings import get_settings
    from tests.serving.conftest import train_store

    return train_store(Path(tempfile.mkdtemp(prefix="bench-store-")),
                       load_cms_tables(get_settings().cms_dir))


def ratios(raw: dict, http: dict) -> dict[str, float]:
    """Service cost over raw model cost (latency and batch time)."""
    return {"single_p50_http_over_raw_contrib": round(
                http["single_explain_fixes"]["p50_ms"]
                / raw["single_score_contrib"]["p50_ms"], 2),
            "batch_raw_over_http": round(raw["batch_claims_per_s"]
                                         / http["batch_claims_per_s"], 2),
            "batch_explain_raw_over_http": round(raw["batch_contrib_claims_per_s"]
                                                 / http["batch_explain_claims_per_s"], 2)}


def http_and_memory(url: str, proc: Any, raw_claims: list[dict], singles: int) -> dict:
    """HTTP numbers, then the server's RSS with every model loaded and warmed up."""
    from benchmarks.memory import tree_rss_mb
    from benchmarks.serving_http import single_and_batch

    numbers = single_and_batch(url, raw_claims, singles)
    numbers["rss"] = tree_rss_mb(proc.pid)
    return numbers


def http_report(home: Path, raw_claims: list[dict], singles: int) -> dict[str, Any]:
    """One worker: latency, batch throughput, memory; then two workers (one per core)
    with two clients sending 1,000-claim batches at once."""
    from benchmarks.serving_http import concurrent_batches, with_server

    report = with_server(home, lambda url, proc: http_and_memory(url, proc, raw_claims,
                                                                singles))
    report["batch_claims_per_s_2_workers_2_clients"] = with_server(
        home, lambda url, proc: concurrent_batches(url, raw_claims, 2), workers=2)
    return report


def run_serving(home: Path, claims: int = 3000, singles: int = 200,
                http: bool = True) -> dict[str, Any]:
    """The whole serving benchmark on the store at `home`; returns the report dict.

    Raw, in-process and HTTP numbers all use LightGBM with every core (OpenMP's default,
    and what `denialrisk serve` gives one worker)."""
    from contract.schema import Claim
    from serving.scoring import load_predictor
    from settings import get_settings

    predictor = load_predictor(home, get_settings().cms_dir)
    raw_claims = sample_claims(claims, seed=99)
    parsed = [Claim.model_validate(c) for c in raw_claims]
    report = {"cores": os.cpu_count(), "loadavg_before": os.getloadavg(),
              "models": sorted(predictor.models.models), "batch_size": len(parsed[:1000]),
              "raw": raw_costs(predictor, parsed, singles),
              "in_process": in_process(predictor, raw_claims, parsed, singles)}
    report["in_process"]["batch_floor_claims_per_s"] = batch_floor(report["raw"],
                                                                   report["in_process"])
    if http:
        report["http"] = http_report(home, raw_claims, singles)
        report["ratios"] = ratios(report["raw"], report["http"])
        from benchmarks.memory import raw_boosters_rss_mb

        report["raw"]["boosters_rss_mb"] = raw_boosters_rss_mb(home)
    report["loadavg_after"] = os.getloadavg()
    return report


def main() -> None:
    """Command line: print the serving report as JSON."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bentoml-home", type=Path, default=Path("work/bentoml"))
    parser.add_argument("--train", action="store_true", help="train a small tmp store first")
    parser.add_argument("--claims", type=int, default=3000)
    parser.add_argument("--singles", type=int, default=200)
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    report = run_serving(store_home(args), args.claims, args.singles, not args.no_http)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
