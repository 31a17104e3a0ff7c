"""Serving latency and throughput, next to the raw model cost on the same claims.

    uv run python benchmarks/bench_serving.py --bentoml-home work/bentoml
    uv run python benchmarks/bench_serving.py --train      # small tmp store (~30 s)

Measures (targets on 2 cores: single claim p99 <= 30 ms, batch >= 20,000 claims/s without
explanation and >= 1,000/s with it):
- raw: per payer model build_features + binary/reason boosters (+ pred_contrib), one claim
  at a time and 1000-claim batches;
- in-process: serving.scoring.Predictor (validation timed separately);
- http: a real `bentoml serve` subprocess (OMP_NUM_THREADS=1), /predict one claim at a time
  with explanation + fixes, /predict_batch with 1000 claims with and without explanation.
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

API_KEY = "bench-key"


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2),
            "p99_ms": round(float(np.percentile(ms, 99)), 2), "n": len(ms)}


def timed(fn: Callable[[], Any], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def sample_claims(n: int, seed: int) -> list[dict[str, Any]]:
    """Generated claims as contract dicts (JSON-safe)."""
    from features.frames import frames_to_claims
    from synthetic_data.config import GeneratorConfig
    from synthetic_data.generate import generate_frames

    frames = generate_frames(GeneratorConfig(claims=n, seed=seed))
    return json.loads(json.dumps(frames_to_claims(frames), default=str))


def model_only(predictor: Any, dicts: list[dict], contrib: bool) -> None:
    """Per payer model: build_features, binary + reason boosters (+ pred_contrib)."""
    for key, positions in predictor.route_groups(dicts).items():
        bundle = predictor.models.models[key].bundle
        X = bundle.features([dicts[i] for i in positions], predictor.cms)
        bundle.predict_proba(X)
        bundle.predict_reasons(X)
        if contrib:
            bundle.contributions(X)


def raw_costs(predictor: Any, claims: list[Any], singles: int) -> dict[str, Any]:
    """The model's own cost on the same claims and routing, without any service code."""
    one = [[c.model_dump()] for c in claims[:singles]]
    batch = [c.model_dump() for c in claims[:1000]]
    plain = min(timed(lambda: model_only(predictor, batch, False), 3))
    full = min(timed(lambda: model_only(predictor, batch, True), 2))
    return {"single_score": percentiles(
                [timed(lambda c=c: model_only(predictor, c, False), 1)[0] for c in one]),
            "single_score_contrib": percentiles(
                [timed(lambda c=c: model_only(predictor, c, True), 1)[0] for c in one]),
            "batch_claims_per_s": round(len(batch) / plain),
            "batch_contrib_claims_per_s": round(len(batch) / full)}


def in_process(predictor: Any, raw: list[dict], claims: list[Any], singles: int) -> dict:
    """Predictor.predict directly (the offline scorer's path), validation timed apart."""
    from features.contract import Claim
    from serving.scoring import Options

    batch = claims[:1000]
    validate = min(timed(lambda: [Claim.model_validate(c) for c in raw[:1000]], 2))
    single = [timed(lambda c=c: predictor.predict([c]), 1)[0] for c in claims[:singles]]
    plain = min(timed(lambda: predictor.predict(batch, Options(explain=False)), 3))
    full = min(timed(lambda: predictor.predict(batch, Options(fixes=False)), 2))
    fixes = min(timed(lambda: predictor.predict(batch), 1))
    return {"validate_claims_per_s": round(len(batch) / validate),
            "single_explain_fixes": percentiles(single),
            "batch_claims_per_s": round(len(batch) / plain),
            "batch_explain_claims_per_s": round(len(batch) / full),
            "batch_explain_fixes_claims_per_s": round(len(batch) / fixes)}


def http_numbers(url: str, raw: list[dict], singles: int) -> dict[str, Any]:
    import httpx

    auth = {"Authorization": f"Bearer {API_KEY}"}
    with httpx.Client(base_url=url, headers=auth, timeout=300) as http:
        for c in raw[:20]:
            http.post("/predict", json={"claim": c}).raise_for_status()
        single = timed_each(lambda c: http.post("/predict", json={"claim": c}), raw[:singles])
        batch = raw[:1000]
        out = {"single_explain_fixes": percentiles(single)}
        for name, body in (("batch_claims_per_s", {"claims": batch, "explain": False}),
                           ("batch_explain_claims_per_s", {"claims": batch, "fixes": False}),
                           ("batch_explain_fixes_claims_per_s", {"claims": batch})):
            best = min(timed(lambda b=body: http.post("/predict_batch", json=b)
                             .raise_for_status(), 2))
            out[name] = round(len(batch) / best)
    return out


def timed_each(fn: Callable[[Any], Any], items: list[Any]) -> list[float]:
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item).raise_for_status()
        out.append(time.perf_counter() - start)
    return out


def with_server(home: Path, fn: Callable[[str], dict]) -> dict:
    """Run fn(url) against a `bentoml serve` subprocess of the service."""
    from tests.serving.test_http_server import free_port, start_server, stop_server, wait_ready

    port = free_port()
    env = {"DENIALRISK_BENTOML_HOME": str(home), "BENTOML_HOME": str(home),
           "DENIALRISK_API_KEY": API_KEY, "OMP_NUM_THREADS": "1"}
    log = Path(tempfile.mkdtemp(prefix="bench-serve-")) / "server.log"
    proc = start_server(env, port, log)
    try:
        wait_ready(f"http://127.0.0.1:{port}", proc)
        return fn(f"http://127.0.0.1:{port}")
    finally:
        stop_server(proc)


def store_home(args: argparse.Namespace) -> Path:
    if not args.train:
        return args.bentoml_home
    from denialrisk.settings import get_settings
    from features.cms import load_cms_tables
    from tests.serving.conftest import train_store

    return train_store(Path(tempfile.mkdtemp(prefix="bench-store-")),
                       load_cms_tables(get_settings().cms_dir))


def ratios(raw: dict, http: dict) -> dict[str, float]:
    return {"single_p50_http_over_raw_contrib": round(
                http["single_explain_fixes"]["p50_ms"]
                / raw["single_score_contrib"]["p50_ms"], 2),
            "batch_raw_over_http": round(raw["batch_claims_per_s"]
                                         / http["batch_claims_per_s"], 2),
            "batch_explain_raw_over_http": round(raw["batch_contrib_claims_per_s"]
                                                 / http["batch_explain_claims_per_s"], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bentoml-home", type=Path, default=Path("work/bentoml"))
    parser.add_argument("--train", action="store_true", help="train a small tmp store first")
    parser.add_argument("--claims", type=int, default=3000)
    parser.add_argument("--singles", type=int, default=200)
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from denialrisk.settings import get_settings
    from features.contract import Claim
    from serving.scoring import load_predictor

    home = store_home(args)
    predictor = load_predictor(home, get_settings().cms_dir)
    raw_claims = sample_claims(args.claims, seed=99)
    claims = [Claim.model_validate(c) for c in raw_claims]
    report = {"cores": os.cpu_count(), "loadavg_before": os.getloadavg(),
              "raw": raw_costs(predictor, claims, args.singles),
              "in_process": in_process(predictor, raw_claims, claims, args.singles)}
    if not args.no_http:
        report["http"] = with_server(home, lambda url: http_numbers(url, raw_claims,
                                                                    args.singles))
        report["ratios"] = ratios(report["raw"], report["http"])
    report["loadavg_after"] = os.getloadavg()
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
