"""The HTTP half of bench_serving: a real `bentoml serve` of the service, started with the
environment `denialrisk serve` gives it (denialrisk.commands.run_server.serve_env:
LightGBM threads = cores, worker processes, no usage tracking), measured from a client on
the same machine.

Request bodies are encoded once, before any timing: a claim system sends JSON it already
has, and stdlib-encoding 1,000 claims (~15 ms) in the measuring client would be charged
to the service. Responses are read whole (bytes), not parsed.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

API_KEY = "bench-key"
BATCH_BODIES = (("batch_claims_per_s", {"explain": False, "fixes": False}),
                ("batch_explain_claims_per_s", {"fixes": False}),
                ("batch_explain_fixes_claims_per_s", {}))


def server_env(home: Path, workers: int, api_key: str) -> dict[str, str]:
    """The environment `denialrisk serve --workers N` gives the server, with the key and
    the LightGBM threads pinned (an OMP_NUM_THREADS of the benchmark's own must not leak)."""
    from denialrisk.commands.run_server import serve_env, server_threads
    from serving.config import ServingSettings

    threads = server_threads(workers)
    env = serve_env(ServingSettings(bentoml_home=home), False, threads, workers)
    env.update({"DENIALRISK_API_KEY": api_key, "OMP_NUM_THREADS": str(threads)})
    return env


def with_server(home: Path, fn: Callable[[str, Any], dict], workers: int = 1) -> dict:
    """Run fn(url, process) against a `bentoml serve` subprocess of the service."""
    from tests.serving.live import free_port, start_server, stop_server, wait_ready

    port = free_port()
    env = server_env(home, workers, API_KEY)
    log = Path(tempfile.mkdtemp(prefix="bench-serve-")) / "server.log"
    proc = start_server(env, port, log)
    try:
        wait_ready(f"http://127.0.0.1:{port}", proc)
        return fn(f"http://127.0.0.1:{port}", proc)
    finally:
        stop_server(proc)


def client(url: str) -> Any:
    """An httpx client with the bench key, JSON content type and a long timeout."""
    import httpx

    return httpx.Client(base_url=url, timeout=300, headers={
        "Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"})


def post_seconds(http: Any, route: str, body: bytes) -> float:
    """Wall time of one POST (a success, read whole)."""
    start = time.perf_counter()
    http.post(route, content=body).raise_for_status()
    return time.perf_counter() - start


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50 and p99 in milliseconds of a list of durations in seconds."""
    ms = np.asarray(seconds) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2),
            "p99_ms": round(float(np.percentile(ms, 99)), 2), "n": len(ms)}


def single_and_batch(url: str, raw: list[dict], singles: int) -> dict[str, Any]:
    """/predict one claim at a time (explanation + fixes) after 20 warm-up calls, then
    /predict_batch of 1,000 claims (best of 3) per option set."""
    bodies = [json.dumps({"claim": c}).encode() for c in raw[:singles + 20]]
    batch = raw[:1000]
    with client(url) as http:
        for body in bodies[:20]:
            post_seconds(http, "/predict", body)
        out: dict[str, Any] = {"single_explain_fixes": percentiles(
            [post_seconds(http, "/predict", body) for body in bodies[20:]])}
        for name, options in BATCH_BODIES:
            body = json.dumps({"claims": batch, **options}).encode()
            out[name] = round(len(batch) / min(post_seconds(http, "/predict_batch", body)
                                               for _ in range(3)))
    return out


def concurrent_batches(url: str, raw: list[dict], clients: int, rounds: int = 4) -> int:
    """Claims/s of `clients` threads each posting 1,000-claim batches (no explanation)
    `rounds` times at once, after one warm-up batch per client."""
    body = json.dumps({"claims": raw[:1000], "explain": False, "fixes": False}).encode()

    def send(n: int) -> None:
        with client(url) as http:
            for _ in range(n):
                post_seconds(http, "/predict_batch", body)

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, [1] * clients))
        start = time.perf_counter()
        list(pool.map(send, [rounds] * clients))
    return round(clients * rounds * len(raw[:1000]) / (time.perf_counter() - start))
