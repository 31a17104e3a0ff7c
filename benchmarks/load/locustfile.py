"""Locust users of the load benchmark (benchmarks/bench_load.py) and test (test_load.py).

Run by bench_load.py as `locust -f benchmarks/load/locustfile.py --headless <User>`
against a server on 127.0.0.1; configured through the environment it sets:
- DENIALRISK_LOAD_CLAIMS: JSON file of realistic generated contract claims (read once,
  when the test starts);
- DENIALRISK_API_KEY: the bearer key;
- DENIALRISK_LOAD_EXPLAIN: "1" asks for explanation + fixes, "0" for the score only;
- DENIALRISK_LOAD_PACING: mean seconds between one ClaimSystem user's claims (default 1.0:
  a claim system submitting about one claim per second per client);
- DENIALRISK_LOAD_ARRIVALS: "poisson" (default: exponential gaps between a user's request
  starts, so 50 independent clients give Poisson arrivals) or "lockstep" (locust's
  constant pacing: once a slow answer lines the users up they keep firing together, a
  burst of all users every PACING seconds: the worst case);
- DENIALRISK_LOAD_BATCH: claims per /predict_batch request of BatchClient (default 500).
Any answer other than 200 is a failure named by its status ("status 503"), so the
orchestrator can count 5xx apart from other errors.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, constant, constant_pacing, events, task

CLAIMS: list[dict[str, Any]] = []
TIMEOUT_S = 120


@events.test_start.add_listener
def load_claims(environment: Any, **_: Any) -> None:
    """Read the claims file once, before any user starts."""
    CLAIMS[:] = json.loads(Path(os.environ["DENIALRISK_LOAD_CLAIMS"]).read_text())


def explain() -> bool:
    """Whether requests ask for explanation and fixes."""
    return os.environ.get("DENIALRISK_LOAD_EXPLAIN", "0") == "1"


class ScoringUser(HttpUser):
    """Common set-up: bearer key, checked POSTs."""

    abstract = True

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {os.environ['DENIALRISK_API_KEY']}"

    def post_checked(self, path: str, body: dict[str, Any]) -> None:
        """POST a JSON body; anything but 200 is a failure named by its status."""
        with self.client.post(path, json=body, name=path, timeout=TIMEOUT_S,
                              catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")


def poisson_pacing(mean: float) -> Any:
    """Locust wait_time: exponential gaps (mean `mean` s) between a user's request starts;
    a start already due (slow answer) goes at once, without a catch-up burst."""

    def wait_time(user: Any) -> float:
        now = time.monotonic()
        due = max(getattr(user, "next_start", now) + random.expovariate(1.0 / mean), now)
        user.next_start = due
        return due - now

    return wait_time


def mean_pacing() -> float:
    """DENIALRISK_LOAD_PACING: mean seconds between one user's claims."""
    return float(os.environ.get("DENIALRISK_LOAD_PACING", "1.0"))


def lockstep() -> bool:
    """DENIALRISK_LOAD_ARRIVALS=lockstep: locust's constant pacing (all users together)."""
    return os.environ.get("DENIALRISK_LOAD_ARRIVALS", "poisson") == "lockstep"


def pacing() -> Any:
    """The ClaimSystem wait_time chosen by DENIALRISK_LOAD_ARRIVALS / _PACING."""
    return constant_pacing(mean_pacing()) if lockstep() else poisson_pacing(mean_pacing())


class ClaimSystem(ScoringUser):
    """One practice's claim system: a claim to /predict about every PACING seconds."""

    wait_time = pacing()

    def on_start(self) -> None:
        """Poisson arrivals: start at a random moment of the first pacing interval (clients
        do not all switch on at the same instant; lockstep keeps the common start)."""
        super().on_start()
        if not lockstep():
            gevent.sleep(random.uniform(0, mean_pacing()))

    @task
    def predict(self) -> None:
        flag = explain()
        self.post_checked("/predict", {"claim": random.choice(CLAIMS), "explain": flag,
                                       "fixes": flag})


class BatchClient(ScoringUser):
    """A nightly re-scoring job: BATCH-claim /predict_batch requests back to back."""

    wait_time = constant(0)

    @task
    def predict_batch(self) -> None:
        size = min(int(os.environ.get("DENIALRISK_LOAD_BATCH", "500")), len(CLAIMS))
        start = random.randrange(len(CLAIMS) - size + 1)
        flag = explain()
        self.post_checked("/predict_batch", {"claims": CLAIMS[start:start + size],
                                             "explain": flag, "fixes": flag})
