"""Schemathesis against the running service's own OpenAPI document (GET /docs.json).

The session's real `bentoml serve` (tests/serving/conftest.py `live_server`) is fuzzed on
every operation the document declares, with the bearer key: the explicit examples, the
coverage phase (boundary and negative values, missing body, unsupported methods and
content types) and random generation. Checks: no 5xx; status code, content type, headers
and body of every response as documented; 401 without / with a wrong key (schemathesis
probes each operation); `Allow` on 405. Two schemathesis checks are off, on purpose:
- positive_data_acceptance: a schema-valid claim can still break contract rules JSON
  Schema cannot state (CPT and ICD-10 code tables, dx pointer ranges, date order); it
  gets the documented 400 with the field path;
- negative_data_rejection: the contract's pydantic models coerce lax input ("2" -> 2
  units, 10.0 -> 10); that is features/contract.py's choice, not a response defect.
After every request, the log the server wrote since is scanned for each member id and
birth date sent so far and for the API key (tests/serving/live.py LogWatch).

Examples per operation: DENIALRISK_FUZZ_EXAMPLES (default 50, which keeps the fuzzing near
a minute on 2 cores; the coverage phase adds its own cases). Seed: DENIALRISK_FUZZ_SEED.
A longer local run:

    DENIALRISK_FUZZ_EXAMPLES=500 uv run pytest -q tests/serving/test_fuzz.py

Exploring with every schemathesis check (the two above included) against a local server
(`denialrisk serve`, port 3000, loopback):

    uv run schemathesis run http://127.0.0.1:3000/docs.json \\
        -H "Authorization: Bearer $DENIALRISK_API_KEY" --max-examples 500
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.serving.conftest import API_KEY
from tests.serving.live import LogWatch, phi_values

pytestmark = pytest.mark.slow
EXAMPLES = int(os.environ.get("DENIALRISK_FUZZ_EXAMPLES", "50"))
SEED = int(os.environ.get("DENIALRISK_FUZZ_SEED", "20261128"))
AUTH = {"Authorization": f"Bearer {API_KEY}"}
OPERATIONS = {
    ("GET", "/livez"), ("GET", "/readyz"), ("GET", "/healthz"), ("GET", "/metrics"),
    ("GET", "/metadata"), ("POST", "/metadata"), ("POST", "/predict"),
    ("POST", "/predict_batch"), ("POST", "/predict_x12"), ("POST", "/predict_fhir"),
}


def fuzz_config() -> schemathesis.Config:
    """Bounded examples, a fixed seed, the two checks above off, a generous timeout."""
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "request-timeout": 120,
        "generation": {"max-examples": EXAMPLES},
        "checks": {"positive_data_acceptance": {"enabled": False},
                   "negative_data_rejection": {"enabled": False}},
    })


@pytest.fixture(scope="module")
def api_schema(live_server) -> Any:
    """The served document, fetched with the key (it is not public)."""
    return schemathesis.openapi.from_url(f"{live_server.url}/docs.json", headers=AUTH,
                                         config=fuzz_config(), timeout=30)


@pytest.fixture(scope="module")
def log_watch(live_server) -> LogWatch:
    """Values sent during this module, checked against the server log (key included)."""
    return LogWatch(live_server.log, secrets=[API_KEY])


def test_document_declares_every_route(api_schema):
    declared = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert declared == OPERATIONS
    raw = api_schema.raw_schema
    assert raw["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, item in raw["paths"].items():
        for method, op in item.items():
            open_path = path in ("/livez", "/readyz", "/healthz", "/metrics")
            assert (op["security"] == []) is open_path, (method, path)
            assert open_path or "401" in op["responses"], (method, path)


def operation_tests(api_schema: Any, method: str, path: str, check: Any) -> list[Any]:
    """The schemathesis-built Hypothesis tests (examples, coverage, fuzzing) of one
    operation, each calling check(case).

    Uses the per-operation builder behind `@schema.parametrize()`: the lazy
    `schemathesis.pytest.from_fixture` loader (needed because the server starts in a
    fixture) reads `Node._nodeid`, which pytest 9.2 no longer has.
    """
    from schemathesis.pytest.lazy import get_all_tests

    one = api_schema.include(method=method, path=path)
    built = list(get_all_tests(schema=one, test_func=check, given_kwargs={},
                               settings=settings(deadline=None, database=None,
                                                 suppress_health_check=list(HealthCheck))))
    return [result.ok()[1] for result in built]


@pytest.mark.parametrize("method, path", sorted(OPERATIONS))
def test_fuzz_operation(api_schema, log_watch, method, path):
    def check(case: Any) -> None:
        log_watch.record(phi_values(case.body))
        case.call_and_validate(headers=AUTH)
        assert not log_watch.new_leaks(), "PHI or the API key reached the server log"

    tests = operation_tests(api_schema, method, path, check)
    assert len(tests) == 1, f"{method} {path} is not (uniquely) in the document"
    tests[0]()
