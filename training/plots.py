"""Figures logged with each training run (matplotlib Agg, no display needed)."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def importance_figure(booster: lgb.Booster, top: int = 25):
    """Horizontal bar chart of the `top` features by total gain."""
    plt = _pyplot()
    gain = booster.feature_importance("gain")
    names = np.asarray(booster.feature_name())
    order = np.argsort(gain)[::-1][:top][::-1]
    fig, ax = plt.subplots(figsize=(7, 0.28 * len(order) + 1.2))
    ax.barh(names[order], gain[order], color="#3a6ea5")
    ax.set_xlabel("total gain")
    ax.set_title("Feature importance (binary denial model)")
    fig.tight_layout()
    return fig


def reliability(y: np.ndarray, p: np.ndarray, bins: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Mean predicted and observed rate per non-empty equal-width bin."""
    idx = np.minimum((np.asarray(p) * bins).astype(int), bins - 1)
    n = np.bincount(idx, minlength=bins)
    keep = n > 0
    mean_p = np.bincount(idx, weights=p, minlength=bins)[keep] / n[keep]
    mean_y = np.bincount(idx, weights=y, minlength=bins)[keep] / n[keep]
    return mean_p, mean_y


def calibration_figure(y: np.ndarray, curves: dict[str, np.ndarray], title: str):
    """Reliability diagram: one line per named probability vector, diagonal for reference."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1)
    for name, p in curves.items():
        mean_p, mean_y = reliability(np.asarray(y, dtype=float), np.asarray(p, dtype=float))
        ax.plot(mean_p, mean_y, marker="o", label=name)
    ax.set_xlabel("predicted P(denied)")
    ax.set_ylabel("observed denial rate")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig
