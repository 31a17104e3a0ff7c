"""Evaluation metrics shared by training (gate, thresholds) and evaluation (reports).

All functions take plain arrays and return floats, so the same numbers come out of
`denialrisk train` (registry gate) and `denialrisk evaluate` (report).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

BINARY_METRICS = ("auc", "pr_auc", "brier", "ece", "recall_at_90_precision")
REASON_METRICS = ("top1_reason_accuracy", "top3_reason_accuracy")


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """ECE with equal-width bins on [0, 1]: sum over bins of share * |mean(p) - mean(y)|."""
    y, p = np.asarray(y, dtype=float), np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    if len(y) == 0:
        return math.nan
    idx = np.minimum((p * bins).astype(int), bins - 1)
    count = np.bincount(idx, minlength=bins)
    gap = np.abs(np.bincount(idx, weights=p, minlength=bins)
                 - np.bincount(idx, weights=y, minlength=bins))
    return float(gap.sum() / count.sum())


def recall_at_precision(y: np.ndarray, score: np.ndarray, precision: float = 0.9) -> float:
    """Largest recall over score thresholds whose precision is >= `precision` (0 if none)."""
    y = np.asarray(y, dtype=int)
    if y.sum() == 0:
        return math.nan
    prec, rec, _ = precision_recall_curve(y, score)
    ok = prec[:-1] >= precision  # the last point (recall 0) is not a real threshold
    return float(rec[:-1][ok].max()) if ok.any() else 0.0


def threshold_for_precision(y: np.ndarray, p: np.ndarray, precision: float) -> float | None:
    """Lowest threshold t with precision(p >= t) >= `precision`: most recall at that level.

    None when no threshold reaches it (the band is then never used).
    """
    y = np.asarray(y, dtype=int)
    if y.sum() == 0:
        return None
    prec, _, thr = precision_recall_curve(y, p)
    ok = prec[:-1] >= precision
    return float(thr[ok].min()) if ok.any() else None


def safe_auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC, NaN when only one class is present (instead of raising)."""
    y = np.asarray(y, dtype=int)
    return float(roc_auc_score(y, score)) if 0 < y.sum() < len(y) else math.nan


def auc_gap(y: np.ndarray, p_model: np.ndarray, p_oracle: np.ndarray, n_boot: int = 200,
            seed: int = 0) -> dict[str, float]:
    """The oracle's AUC minus the model's on the same claims, and its standard error by a
    paired bootstrap (both scored on each resample): whether a gap of .018 on 61 denials
    is a gap at all."""
    y = np.asarray(y, dtype=int)
    gap = safe_auc(y, p_oracle) - safe_auc(y, p_model)
    rng = np.random.default_rng(seed)
    draws = [safe_auc(y[i], p_oracle[i]) - safe_auc(y[i], p_model[i])
             for i in (rng.integers(0, len(y), len(y)) for _ in range(n_boot if len(y) else 0))]
    se = float(np.nanstd(draws)) if np.isfinite(draws).any() else math.nan
    return {"gap": float(gap), "se": se}


def binary_metrics(y: np.ndarray, p: np.ndarray, score: np.ndarray | None = None) -> dict:
    """AUC, PR-AUC, Brier, ECE and recall at 90% precision of probabilities `p`.

    `score` ranks claims for the ranking metrics when it differs from `p` (a rules count).
    """
    y, p = np.asarray(y, dtype=int), np.asarray(p, dtype=float)
    s = p if score is None else np.asarray(score, dtype=float)
    both = 0 < y.sum() < len(y)
    return {
        "auc": safe_auc(y, s),
        "pr_auc": float(average_precision_score(y, s)) if both else math.nan,
        "brier": float(np.mean((p - y) ** 2)) if len(y) else math.nan,
        "ece": expected_calibration_error(y, p),
        "recall_at_90_precision": recall_at_precision(y, s, 0.9),
    }


def top_k_accuracy(true: pd.Series | np.ndarray, probs: pd.DataFrame, k: int) -> float:
    """Share of rows whose true label is among the k highest-probability columns.

    Ties are broken by column order (stable sort); rows with a missing label are skipped.
    """
    true = pd.Series(np.asarray(true, dtype=object))
    keep = true.notna().to_numpy()
    if not keep.any():
        return math.nan
    values = probs.to_numpy(dtype=float)[keep]
    order = np.argsort(-values, axis=1, kind="stable")[:, :k]
    cols = np.asarray(probs.columns, dtype=object)[order]
    return float((cols == true[keep].to_numpy()[:, None]).any(axis=1).mean())


def reason_metrics(true: pd.Series | np.ndarray, probs: pd.DataFrame) -> dict:
    """Top-1 and top-3 reason accuracy on denied claims (rows with a true category)."""
    return {"top1_reason_accuracy": top_k_accuracy(true, probs, 1),
            "top3_reason_accuracy": top_k_accuracy(true, probs, 3)}


def log_loss(y: np.ndarray, p: np.ndarray, eps: float = 1e-6) -> float:
    """Binary log-loss with probabilities clipped away from 0 and 1."""
    y, p = np.asarray(y, dtype=float), np.clip(np.asarray(p, dtype=float), eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
