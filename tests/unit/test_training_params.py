"""The default LightGBM parameters learn a payer's rare but certain rule: an HMO denies
the 1-2% of its claims that come without a referral (the demo practice's X12 history:
66 of 4,106 training claims), so the denial booster must be allowed leaves that small."""

from __future__ import annotations

import numpy as np
import pandas as pd

from settings import Settings
from training.train import binary_params, local_fitter


def rare_rule_data(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """1% of claims lack a referral and are denied 90% of the time; the rest 5-15%, more
    with a higher noise score."""
    missing = rng.random(n) < 0.01
    noise = rng.random(n)
    p = np.where(missing, 0.9, 0.05 + 0.1 * noise)
    X = pd.DataFrame({"referral_missing": missing.astype(float), "noise": noise,
                      "other": rng.random(n)})
    return X, (rng.random(n) < p).astype(int)


def test_default_leaves_learn_a_rule_of_one_claim_in_a_hundred():
    rng = np.random.default_rng(5)
    X, y = rare_rule_data(4_000, rng)
    X_val, y_val = rare_rule_data(2_000, rng)
    settings = Settings()
    # ~40 training claims carry the rule, ~32 in a bagged round: min 50 per leaf never
    # splits them off (both claims below then score the base rate)
    booster = local_fitter(settings)(binary_params(settings, "payer"), X, y, X_val, y_val)
    X_new = pd.DataFrame({"referral_missing": [1.0, 0.0], "noise": [0.5, 0.5],
                          "other": [0.5, 0.5]})
    without, with_referral = booster.predict(X_new)
    assert without > 0.3 and without > 3 * with_referral
