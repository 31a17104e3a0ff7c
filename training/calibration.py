"""Probability calibration of the binary booster's raw score (log-odds).

Two candidates, both stored as plain numbers (JSON, no pickle):
- sigmoid (Platt): p = 1 / (1 + exp(-(a * raw + b))), robust with few or imbalanced claims;
- isotonic: a monotone step map raw -> p, interpolated linearly between its knots; more
  flexible, but overfits small calibration sets.
Which one a model gets is decided on validation data by two-fold cross-fitted log-loss
(fit on one half, score the other), so isotonic's in-sample advantage does not bias the
choice; the winner is then refitted on the whole validation set.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, Field
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from training.metrics import log_loss

Method = Literal["sigmoid", "isotonic", "identity"]
EPS = 1e-6


class Calibrator(BaseModel):
    """A fitted calibration map from raw score to probability (JSON-serialisable)."""

    method: Method
    a: float = 1.0
    b: float = 0.0
    x: list[float] = Field(default_factory=list)
    y: list[float] = Field(default_factory=list)
    validation_logloss: dict[str, float] = Field(default_factory=dict)

    def apply(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for raw (log-odds) scores, clipped to [EPS, 1 - EPS]."""
        raw = np.asarray(raw, dtype=float)
        if self.method == "isotonic":
            p = np.interp(raw, np.asarray(self.x), np.asarray(self.y))
        elif self.method == "sigmoid":
            p = 1.0 / (1.0 + np.exp(-(self.a * raw + self.b)))
        else:
            p = 1.0 / (1.0 + np.exp(-raw))
        return np.clip(p, EPS, 1.0 - EPS)


def fit_sigmoid(raw: np.ndarray, y: np.ndarray) -> Calibrator:
    """Platt scaling: a one-feature logistic regression of the label on the raw score."""
    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(np.asarray(raw, dtype=float).reshape(-1, 1), np.asarray(y, dtype=int))
    return Calibrator(method="sigmoid", a=float(lr.coef_[0, 0]), b=float(lr.intercept_[0]))


def fit_isotonic(raw: np.ndarray, y: np.ndarray) -> Calibrator:
    """Isotonic regression of the label on the raw score, kept as its knots."""
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit(np.asarray(raw, dtype=float), np.asarray(y, dtype=float))
    return Calibrator(method="isotonic", x=iso.X_thresholds_.tolist(),
                      y=iso.y_thresholds_.tolist())


FITTERS = {"sigmoid": fit_sigmoid, "isotonic": fit_isotonic}


def cross_fitted_logloss(raw: np.ndarray, y: np.ndarray, method: str, seed: int = 0) -> float:
    """Out-of-fold log-loss of a calibration method (two folds, random halves)."""
    raw, y = np.asarray(raw, dtype=float), np.asarray(y, dtype=int)
    fold = np.random.default_rng(seed).permutation(len(y)) % 2 == 0
    p = np.empty(len(y))
    for part in (fold, ~fold):
        if len(np.unique(y[~part])) < 2:
            return float("inf")
        p[part] = FITTERS[method](raw[~part], y[~part]).apply(raw[part])
    return log_loss(y, p)


def calibrate(raw: np.ndarray, y: np.ndarray) -> Calibrator:
    """Choose sigmoid or isotonic by cross-fitted log-loss, then refit it on all data.

    Falls back to the identity (the booster's own sigmoid) when the calibration data has
    a single class, so a tiny payer never breaks training.
    """
    y = np.asarray(y, dtype=int)
    if len(np.unique(y)) < 2 or len(y) < 20:
        return Calibrator(method="identity")
    losses = {m: cross_fitted_logloss(raw, y, m) for m in FITTERS}
    best = min(losses, key=losses.get)
    chosen = FITTERS[best](raw, y)
    return chosen.model_copy(update={"validation_logloss": losses})
