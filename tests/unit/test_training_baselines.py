"""Rules-only scrubber and logistic-regression baselines on hand-made matrices."""

import numpy as np
import pandas as pd
import pytest

from reference.vocab import CATEGORIES
from training import baselines as bl

RULES = {"em_needs_25": "modifier", "ptp_unbypassed": "bundling", "pa_missing": "authorization"}


def test_fired_rules_count_probability_and_reasons():
    X = pd.DataFrame({"em_needs_25": [1.0, 0.0, 1.0, 0.0], "ptp_unbypassed": [2.0, 0.0, 0.0, 0.0],
                      "pa_missing": [0.0, 0.0, 1.0, np.nan], "other": [5.0, 5.0, 5.0, 5.0]})
    fired = bl.fired_rules(X, RULES)
    assert fired.sum(axis=1).tolist() == [2, 0, 2, 0]
    rates = bl.rule_count_rates(fired, np.array([1, 0, 0, 0]))
    assert rates[0] == 0.0 and rates[2] == 0.5 and rates[1] == pytest.approx(0.25)
    score, p = bl.rules_scores(fired, rates)
    assert score.tolist() == [2, 0, 2, 0] and p.tolist() == [0.5, 0.0, 0.5, 0.0]
    prior = pd.Series(0.0, index=list(CATEGORIES))
    prior["units"] = 1.0
    reasons = bl.rules_reason_scores(fired, RULES, prior)
    top = reasons.idxmax(axis=1).tolist()
    assert top[1] == "units" and top[0] in {"modifier", "bundling"}
    assert set(reasons.iloc[2].nlargest(2).index) == {"modifier", "authorization"}


def test_logreg_handles_categoricals_missing_values_and_unseen_levels():
    rng = np.random.default_rng(0)
    n = 400
    X = pd.DataFrame({"a": rng.normal(size=n), "b": np.where(rng.random(n) < 0.1, np.nan, 1.0),
                      "payer_id": pd.Categorical(rng.choice(["MCR", "COA"], n),
                                                 categories=["MCR", "COA", "COB"])})
    y = (X["a"] + (X["payer_id"] == "COA") > 0.5).astype(int).to_numpy()
    model = bl.fit_logreg(X, y)
    X_new = X.head(3).assign(payer_id=pd.Categorical(["COB", None, "MCR"],
                                                     categories=["MCR", "COA", "COB"]))
    p = model.predict_proba(X_new)[:, 1]
    assert p.shape == (3,) and np.isfinite(p).all()
    assert model.score(X, y) > 0.85
    cats = pd.Series(np.where(X["a"] > 0, "modifier", "units"))
    reasons = bl.logreg_reason_probs(bl.fit_logreg_reasons(X, cats), X)
    assert list(reasons.columns) == list(CATEGORIES)
    assert np.allclose(reasons.sum(axis=1), 1.0)


def test_reason_logreg_skips_denials_without_a_category():
    # Ingested histories carry denial CARCs outside the category table (CO-B9, a bare
    # CLP02 = 4): those denied claims have no reason class to learn (issue 15: evaluate
    # crashed on them under pandas 3).
    import numpy as np
    import pandas as pd

    from training.baselines import fit_logreg_reasons

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    category = pd.Series(["modifier", "units", None] * 20, dtype=object)
    model = fit_logreg_reasons(X, category)
    assert model is not None and set(model.classes_) == {"modifier", "units"}
