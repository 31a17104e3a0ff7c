"""A short, bounded load run against the session's real server (loopback only).

Same locust users as the benchmark (benchmarks/bench_load.py, load/locustfile.py), sized
for CI: 50 ClaimSystem users posting realistic generated claims to /predict (explanation
and fixes on, about one claim per user per second) for 15 s, then one BatchClient posting
500-claim /predict_batch requests for 5 s. Asserts no failed request and no 5xx, and that
no member id, birth date or the API key sent reached the server log. No latency assertion:
latency and throughput are measured by the benchmark, on an otherwise idle machine.
Locust runs in its own process (gevent must not patch the test process).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bench_load import Phase, run_phase, sample_claims, sent_phi
from tests.serving.conftest import API_KEY
from tests.serving.live import LogWatch

pytestmark = pytest.mark.slow
PHASES = (Phase("ci_single", "ClaimSystem", users=50, seconds=15, explain=True),
          Phase("ci_batch", "BatchClient", users=1, seconds=20, explain=False, batch=500))


@pytest.fixture(scope="module")
def claims(tmp_path_factory) -> tuple[Path, list[dict[str, Any]]]:
    """Generated claims (not the training data's seed) in the file the users read."""
    sample = sample_claims(600, seed=77)
    path = tmp_path_factory.mktemp("load") / "claims.json"
    path.write_text(json.dumps(sample))
    return path, sample


@pytest.mark.parametrize("phase", PHASES, ids=[p.name for p in PHASES])
def test_load_has_no_errors_and_leaves_no_phi_in_the_log(live_server, claims, phase,
                                                         tmp_path):
    claims_file, sample = claims
    watch = LogWatch(live_server.log, secrets=[API_KEY])
    watch.record(sent_phi(sample))
    result = run_phase(phase, live_server.url, claims_file, API_KEY, tmp_path)
    print(f"{phase.name}: {result['requests']} requests, {result['requests_per_s']} req/s, "
          f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms")
    assert result["requests"] > 0, (tmp_path / f"{phase.name}.locust.log").read_text()
    assert result["failures"] == 0 and result["errors_5xx"] == 0, result["failures_by_error"]
    assert not watch.all_leaks()
