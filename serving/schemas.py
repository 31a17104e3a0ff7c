"""Response type of the service: the contract Prediction plus the explanation's base value.

The contract allows extra response fields; `base_value` lets a client check that
base_value + sum(explanation[].contribution) equals the model's raw score (log-odds), from
which the calibrated denial_probability is computed.
"""

from __future__ import annotations

from pydantic import Field

from contract.schema import Prediction


class ScoredClaim(Prediction):
    """One claim's prediction (contract fields) with the SHAP base value."""

    base_value: float | None = Field(
        None, description="Model log-odds before any factor (None without explanation); "
                          "base_value + sum(explanation.contribution) = raw score.")
