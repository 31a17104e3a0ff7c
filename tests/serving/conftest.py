"""Serving fixtures: the small trained model store of tests/stores.py in a tmp BENTOML_HOME.

One session builds ~24k synthetic claims, trains the MCR champion and the pooled model
with the training package (no MLflow: track=False) and stores both in the BentoML store,
so every other payer exercises the pooled fallback. Env vars point the service at it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.builders import line, make_claim_dict
from tests.stores import train_store

API_KEY = "test-key-0123456789"
MAX_BODY_MB = 4  # the live server's body limit: low, so a test can exceed it cheaply


@pytest.fixture(scope="session")
def bentoml_home(tmp_path_factory, cms) -> Path:
    return train_store(tmp_path_factory.mktemp("serving-store"), cms)


@pytest.fixture(scope="session")
def serving_env(bentoml_home) -> Iterator[dict[str, str]]:
    """Environment of an authenticated service reading the fixture store."""
    env = {"DENIALRISK_BENTOML_HOME": str(bentoml_home), "BENTOML_HOME": str(bentoml_home),
           "DENIALRISK_API_KEY": API_KEY}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        mp.delenv("DENIALRISK_INSECURE_DEV", raising=False)
        yield env


@pytest.fixture(scope="session")
def live_server(serving_env, tmp_path_factory) -> Iterator[Any]:
    """One real `bentoml serve` on a loopback port for the session (tests/serving/live.py).

    Shared by the HTTP, fuzz, load and security tests; `.log` holds its stdout + stderr.
    """
    from tests.serving.live import running_server

    log = tmp_path_factory.mktemp("live-server") / "server.log"
    with running_server({**serving_env, "DENIALRISK_MAX_BODY_MB": str(MAX_BODY_MB)},
                        log) as server:
        yield server


@pytest.fixture(scope="session")
def predictor(serving_env, bentoml_home) -> Any:
    from serving.config import ServingSettings
    from serving.scoring import load_predictor

    settings = ServingSettings()
    return load_predictor(settings.bentoml_home, settings.cms_dir)


@pytest.fixture(scope="session")
def client(serving_env) -> Iterator[Any]:
    """Starlette TestClient over the service's ASGI app (lifespan runs __init__)."""
    with warnings.catch_warnings():  # starlette 1.x: "use httpx2" deprecation notice
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from serving.service import DenialRiskService

    with TestClient(DenialRiskService.to_asgi()) as c:
        yield c


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {API_KEY}"}


@pytest.fixture
def em_biopsy_without_25() -> dict[str, Any]:
    """MCR: E/M 99213 + biopsy 11102 (000 global), no modifier 25, separate note on file."""
    return make_claim_dict(claim_id="FIX-25", lines=[
        line(1, "99213", dx=[1]),
        line(2, "11102", dx=[2], lesion={"count": 1, "site": "arms", "size_cm": 0.6,
                                         "distinct_from_line": None}),
    ])
