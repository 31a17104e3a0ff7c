"""Payer limits are learned from the history, never assumed (issue 15 item 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from training.learned import enrolments, filing_limit, learn_limits


def test_filing_limit_is_the_cliff_the_history_shows():
    rng = np.random.default_rng(0)
    lag = np.concatenate([rng.integers(1, 120, 500), rng.integers(121, 300, 40)]).astype(float)
    timely = (lag > 120).astype(float)
    timely[:3] = 0.0  # a few early claims: not late, not denied
    found = filing_limit(lag, timely)
    assert found is not None and 118 <= found.days <= 121
    assert found.denied_share >= 0.9 and found.n_after >= 38


def test_no_cliff_no_limit():
    lag = np.arange(1.0, 400.0)
    assert filing_limit(lag, np.zeros_like(lag)) is None
    noisy = (np.random.default_rng(1).random(len(lag)) < 0.05).astype(float)  # no cliff
    assert filing_limit(lag, noisy) is None


def test_enrolment_learned_per_rendering_npi():
    day = np.array([100, 105, 110, 130, 131, 100, 140], dtype=float)
    npi = pd.Series(["A", "A", "A", "A", "A", "B", "B"])
    cred = np.array([True, True, True, False, False, False, False])
    denied = cred.astype(int)
    [found] = enrolments(npi, day, cred, denied)
    assert (found.npi, found.n_denied) == ("A", 3)
    assert found.denied_before == "2000-04-20" and found.paid_from == "2000-05-10"


def test_learn_limits_per_payer():
    n = 400
    lag = np.tile(np.arange(1, 201, dtype=float), 2)
    payer = pd.Series(["P1"] * 200 + ["P2"] * 200)
    category = pd.Series(np.where((payer == "P1") & (lag > 90), "timely_filing", None))
    X = pd.DataFrame({"days_to_submit": lag, "service_day": np.arange(n, dtype=float),
                      "rendering_npi": ["1234567893"] * n})
    learned = learn_limits(X, payer, category.notna().to_numpy().astype(int), category,
                           np.ones(n, bool))
    assert learned.filing["P1"].days == 90 and "P2" not in learned.filing


def test_only_the_feature_states_enrolment_gaps_are_enrolments():
    # P1 denies the NP's Mohs for provider type (credentialing, CO-170) and the new
    # physician's claims as not enrolled: only the physician's gap is an enrolment
    n = 40
    npi = pd.Series(["NP"] * 20 + ["MD"] * 20)
    day = np.tile(np.arange(20, dtype=float), 2)
    category = pd.Series(np.where(day < 5, "credentialing", None))
    X = pd.DataFrame({"days_to_submit": np.ones(n), "service_day": day, "rendering_npi": npi})
    payer = pd.Series(["P1"] * n)
    denied = category.notna().to_numpy().astype(int)
    learned = learn_limits(X, payer, denied, category, np.ones(n, bool), {("P1", "MD")})
    assert [e.npi for e in learned.enrolment["P1"]] == ["MD"]
    assert learned.enrolment["P1"][0].paid_from is not None
    both = learn_limits(X, payer, denied, category, np.ones(n, bool))
    assert sorted(e.npi for e in both.enrolment["P1"]) == ["MD", "NP"]
