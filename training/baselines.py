"""Baselines the model must beat: logistic regression and a rules-only claim scrubber.

- logreg: sklearn pipeline on the same feature matrix (one-hot categoricals, imputed and
  scaled numerics), a binary model for denial and a multinomial one for the reason;
- rules: what a classic scrubber does: flag the claim when any billing-rule feature in
  features.registry.RULE_FEATURES fires. Its ranking score is the number of fired rules;
  for Brier/ECE it needs a probability, taken as the training denial rate of claims with
  that many fired rules. Its reasons are the categories of the fired rules (most fired
  first); categories of unfired rules follow in training frequency order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from reference.vocab import CATEGORIES

MAX_RULE_COUNT = 3  # fired-rule counts above this share one probability bucket


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as plain strings with an explicit missing level (for OneHotEncoder)."""
    return frame.astype(object).where(frame.notna(), "__missing__").astype(str)


def logreg_pipeline(X: pd.DataFrame, multiclass: bool = False) -> Pipeline:
    """One-hot + scaled-numeric logistic regression over the columns of X."""
    cats = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    nums = [c for c in X.columns if c not in cats]
    prep = ColumnTransformer([
        ("cat", make_pipeline(FunctionTransformer(_as_text),
                              OneHotEncoder(handle_unknown="ignore", min_frequency=20)), cats),
        ("num", make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True),
                              StandardScaler()), nums),
    ])
    model = LogisticRegression(max_iter=300 if multiclass else 200, C=1.0)
    return Pipeline([("prep", prep), ("lr", model)])


def fit_logreg(X: pd.DataFrame, y: np.ndarray) -> Pipeline:
    """Binary denial logistic regression."""
    return logreg_pipeline(X).fit(X, np.asarray(y, dtype=int))


def fit_logreg_reasons(X: pd.DataFrame, category: pd.Series) -> Pipeline | None:
    """Multinomial reason logistic regression on denied claims (None with < 2 classes)."""
    known = pd.Series(category).notna().to_numpy()
    labels = pd.Series(category)[known].astype(str).to_numpy()
    if len(np.unique(labels)) < 2:
        return None
    return logreg_pipeline(X, multiclass=True).fit(X[known], labels)


def logreg_reason_probs(model: Pipeline | None, X: pd.DataFrame) -> pd.DataFrame:
    """P(category | denied) from a reason logreg, all CATEGORIES as columns."""
    out = pd.DataFrame(0.0, index=X.index, columns=list(CATEGORIES))
    if model is not None and len(X):
        out[list(model.classes_)] = model.predict_proba(X)
    return out


def fired_rules(X: pd.DataFrame, rules: dict[str, str]) -> pd.DataFrame:
    """0/1 frame of which rule features fire (value > 0) per claim."""
    cols = [c for c in rules if c in X.columns]
    return (X[cols].astype(float).fillna(0.0) > 0).astype(float)


def rule_count_rates(fired: pd.DataFrame, y: np.ndarray) -> np.ndarray:
    """Training denial rate by fired-rule count 0..MAX_RULE_COUNT (prior when unseen)."""
    count = np.minimum(fired.sum(axis=1).to_numpy().astype(int), MAX_RULE_COUNT)
    n = np.bincount(count, minlength=MAX_RULE_COUNT + 1)
    hits = np.bincount(count, weights=np.asarray(y, dtype=float), minlength=MAX_RULE_COUNT + 1)
    prior = float(np.mean(y)) if len(y) else 0.0
    return np.where(n > 0, hits / np.maximum(n, 1), prior)


def rules_scores(fired: pd.DataFrame, rates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranking score (fired-rule count) and probability (rate of that count bucket)."""
    count = fired.sum(axis=1).to_numpy()
    return count, rates[np.minimum(count.astype(int), MAX_RULE_COUNT)]


def category_prior(category: pd.Series) -> pd.Series:
    """Share of each category among denied training claims (all CATEGORIES, 0 if absent)."""
    share = pd.Series(category).dropna().astype(str).value_counts(normalize=True)
    return share.reindex(list(CATEGORIES), fill_value=0.0)


def rules_reason_scores(fired: pd.DataFrame, rules: dict[str, str],
                        prior: pd.Series) -> pd.DataFrame:
    """Per-category reason score: fired rules of that category, ties broken by the prior."""
    by_cat = pd.Series({c: rules[c] for c in fired.columns})
    onehot = pd.get_dummies(by_cat).reindex(columns=list(CATEGORIES), fill_value=False)
    counts = fired.to_numpy() @ onehot.to_numpy(dtype=float)
    scores = counts + 1e-3 * prior.to_numpy()[None, :]
    return pd.DataFrame(scores, index=fired.index, columns=list(CATEGORIES))
