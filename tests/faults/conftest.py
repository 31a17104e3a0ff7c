"""Fault-test fixtures: the serving tests' small model store (MCR + pooled, trained once per
session in a tmp BENTOML_HOME), its environment and a Predictor on it."""

from tests.serving.conftest import (  # noqa: F401  (fixtures re-exported for tests/faults)
    bentoml_home,
    predictor,
    serving_env,
)
