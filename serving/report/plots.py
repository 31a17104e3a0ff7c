"""Report figures as base64 PNG data URIs (matplotlib Agg), so the HTML needs no files.

Each function takes the frame a section computed and returns `data:image/png;base64,...`;
figures are closed after encoding so building many reports does not leak memory.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from serving.report.text import count

PALETTE = ("#3a6ea5", "#e07b39", "#5b9e4d", "#b8423c", "#8a6bb0", "#8c6d5a", "#d67fb5",
           "#7f7f7f", "#b5b83b", "#3bb5c4", "#1f3b5c", "#a35d1a", "#2f6b27")
HIGHLIGHT, MUTED = "#b8423c", "#9bb3cc"
NBSP = "\u00a0"  # keeps "15 claims" on one label line (textwrap does not break there)
LABEL_WIDTH = 34  # characters per y-axis label line
LINE_INCH = 0.19  # figure height per label line
BAR_INCH = 0.3  # figure height per bar, besides its label lines


def wrap_labels(labels: Sequence[str], width: int = LABEL_WIDTH) -> list[str]:
    """Long y-axis labels wrapped on word boundaries (at most 3 lines, '…' beyond)."""
    return [textwrap.fill(str(t), width, max_lines=3, placeholder=" …") for t in labels]


def bar_height(labels: Sequence[str], extra: float = 1.4) -> float:
    """Figure height (inches) for horizontal bars with these (wrapped) labels, so labels
    never overlap: room for every label line plus a little per bar."""
    lines = sum(t.count("\n") + 1 for t in labels)
    return max(2.4, LINE_INCH * lines + BAR_INCH * len(labels) + extra)


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def percent_axis() -> Any:
    """Tick formatter printing shares (0.25) as percentages (25%)."""
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


def figure_uri(fig: Any) -> str:
    """Encode a figure as a PNG data URI and close it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    pyplot().close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def drivers_plot(drivers: pd.DataFrame) -> str:
    """SHAP summary: mean push on the log-odds of denial per driver, largest on top."""
    plt = pyplot()
    data = drivers.iloc[::-1]
    labels = wrap_labels(data["label"])
    fig, ax = plt.subplots(figsize=(8.5, bar_height(labels)))
    ax.barh(range(len(data)), data["mean_push"], color=PALETTE[0])
    ax.set_yticks(range(len(data)), labels, fontsize=8.5)
    for y, (value, n) in enumerate(zip(data["mean_push"], data["claims"])):
        ax.text(value, y, f"  {int(n):,} claim{'s' if n != 1 else ''}", va="center",
                fontsize=8)
    ax.set_xlabel("average increase in the denial score (SHAP, log-odds) over recent claims")
    ax.margins(x=0.25, y=0.02)
    fig.tight_layout()
    return figure_uri(fig)


def pattern_plot(rates: pd.DataFrame, title: str, labels: dict[str, str],
                 legend: dict[str, str]) -> str:
    """Stacked bars: share of each pattern's claims denied, split by reason category
    (`legend`: category -> its name in words)."""
    plt = pyplot()
    cats = [c for c in rates.columns if c != "claims" and rates[c].sum() > 0]
    data = rates.iloc[::-1]
    names = wrap_labels([f"{labels.get(t, t)} ({count(n, 'claim').replace(' ', NBSP)})"
                         for t, n in zip(data.index, data["claims"])])
    fig, ax = plt.subplots(figsize=(9, bar_height(names, extra=1.8)))
    left = np.zeros(len(data))
    for i, cat in enumerate(cats):
        ax.barh(range(len(data)), data[cat], left=left, color=PALETTE[i % len(PALETTE)],
                label=legend.get(cat, cat))
        left += data[cat].to_numpy()
    ax.set_yticks(range(len(data)), names, fontsize=8.5)
    ax.xaxis.set_major_formatter(percent_axis())
    ax.set_xlabel("share of claims denied, by reason")
    ax.set_title(title)
    if cats:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return figure_uri(fig)


def payer_plot(comparison: pd.DataFrame, payer: str) -> str:
    """Mean predicted denial risk of the same claims under each payer's model."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.2))
    colors = [HIGHLIGHT if p == payer else MUTED for p in comparison.index]
    ax.bar(comparison.index, comparison["mean_risk"], color=colors)
    for x, value in enumerate(comparison["mean_risk"]):
        ax.text(x, value, f"{value:.1%}", ha="center", va="bottom", fontsize=8)
    ax.yaxis.set_major_formatter(percent_axis())
    ax.set_ylabel("mean predicted denial risk")
    ax.set_title(f"The same {payer} claims, scored as if billed to each payer")
    fig.tight_layout()
    return figure_uri(fig)


def reliability_plot(y: np.ndarray, p: np.ndarray, title: str) -> str:
    """Reliability diagram of the model on the test window (training.plots)."""
    from training.plots import calibration_figure

    return figure_uri(calibration_figure(y, {"model": p}, title))


def monthly_plot(monthly: pd.DataFrame, title: str) -> str:
    """Predicted vs actual denial rate per service month."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.plot(monthly.index, monthly["actual_denial_rate"], marker="o", label="actual")
    ax.plot(monthly.index, monthly["predicted_denial_rate"], marker="s", ls="--",
            label="predicted")
    ax.yaxis.set_major_formatter(percent_axis())
    ax.set_ylabel("denial rate")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return figure_uri(fig)
