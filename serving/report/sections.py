"""The numbers behind the report's outcome sections (patterns, payers, trust, KPIs).

Recent claims of one payer are scored by the model that serves the payer (its champion or
the pooled fallback), the same model the API routes them to; the drivers, examples and
fixes are the API's own explanations (drivers.py, examples.py, worked_fixes.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from reference.vocab import CATEGORIES
from serving.modelset import ModelSet
from training.kpis import scored_outcomes
from training.split import claim_service_dates, subset_frames

ACTIVE_LOG_ODDS = 0.1  # a factor "occurs" on a claim when it raises the log-odds this much
FLAGGED = ("block", "warn")


@dataclass
class PayerScores:
    """Recent claims of one payer with their model matrix and scores."""

    frames: ClaimFrames
    X: pd.DataFrame
    table: pd.DataFrame  # training.kpis.scored_outcomes rows, same order as frames.claims


def recent_frames(frames: ClaimFrames, months: int) -> ClaimFrames:
    """Claims whose first date of service falls in the newest `months` calendar months."""
    month = pd.PeriodIndex(claim_service_dates(frames), freq="M")
    return subset_frames(frames, np.asarray(month >= month.max() - (months - 1)))


def payer_frames(frames: ClaimFrames, payer: str) -> ClaimFrames:
    """The claims (and lines) of one payer."""
    return subset_frames(frames, (frames.claims["payer_id"].astype(str) == payer).to_numpy())


def serving_bundle(models: ModelSet, payer: str) -> tuple[Any, Any, bool] | None:
    """(served model, bundle, fallback) of a payer, or None when nothing can serve it."""
    own = models.models.get(payer.upper())
    if own is not None:
        return own, own.bundle, False
    pooled = models.models.get("pooled")
    return (pooled, pooled.bundle, True) if pooled is not None else None


def model_scores(bundle: Any, X: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
    """What ModelBundle.score returns, from an already built model matrix."""
    p = bundle.predict_proba(X)
    out = pd.DataFrame({"denial_probability": p, "risk_band": bundle.risk_band(p)}, index=ids)
    reasons = bundle.predict_reasons(X)
    return pd.concat([out, reasons.set_axis(ids)], axis=1)


def score_payer(frames: ClaimFrames, bundle: Any, cms: Any) -> PayerScores:
    """Score one payer's claims once: probability, band and reason categories."""
    X = bundle.features(frames, cms)
    ids = frames.claims["claim_id"].astype(str).to_numpy()
    return PayerScores(frames, X, scored_outcomes(frames, model_scores(bundle, X, ids)))


def reasons_by_pattern(table: pd.DataFrame, tokens: pd.DataFrame, modifiers: bool,
                       top: int = 10, min_claims: int = 10) -> pd.DataFrame:
    """Denial rate by reason for the most denied procedure families or modifier patterns.

    Rows: tokens of training.kpis.claim_tokens (families, or modifiers and E/M patterns)
    with at least `min_claims` claims (all when none has) and at least one denial (an empty
    bar would list a pattern at 0%); columns: claims, then the share
    of those claims denied for each category.
    """
    is_modifier = tokens["token"].str.startswith(("modifier ", "E/M"))
    chosen = tokens[is_modifier == modifiers]
    pairs = chosen.merge(table[["claim_id", "denial_category"]], on="claim_id")
    counts = pd.crosstab(pairs["token"], pairs["denial_category"].fillna("paid"))
    claims = counts.sum(axis=1)
    rates = counts.reindex(columns=list(CATEGORIES), fill_value=0).div(claims, axis=0)
    rates = rates.loc[:, rates.sum(axis=0) > 0]
    denied = (claims - counts.get("paid", 0))[claims >= min(min_claims, claims.max())]
    order = denied[denied > 0].sort_values(ascending=False).index[:top]
    return rates.loc[order].assign(claims=claims.loc[order])


def with_payer(frames: ClaimFrames, payer: str) -> ClaimFrames:
    """The same claims billed to another payer (claim ids kept)."""
    return ClaimFrames(frames.claims.assign(payer_id=payer), frames.lines)


def payer_comparison(frames: ClaimFrames, models: ModelSet, cms: Any,
                     payers: tuple[str, ...]) -> pd.DataFrame:
    """Mean P(denied) and P(denied for each category) of the same claims under each payer."""
    rows = {}
    for payer in payers:
        served = serving_bundle(models, payer)
        if served is None:
            continue
        model, bundle, fallback = served
        scored = bundle.score(with_payer(frames, payer), cms)
        joint = scored[list(CATEGORIES)].mul(scored["denial_probability"], axis=0).mean()
        rows[payer] = {"model": f"{model.name} v{model.version}", "fallback": fallback,
                       "mean_risk": float(scored["denial_probability"].mean()),
                       "flagged": float(scored["risk_band"].isin(FLAGGED).mean())} | \
            joint.to_dict()
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("payer_id")


def comparison_highlights(comparison: pd.DataFrame, payer: str, top: int = 4) -> pd.DataFrame:
    """Categories where this payer's predicted rate differs most from the other payers'."""
    cats = [c for c in CATEGORIES if c in comparison.columns]
    others = comparison.drop(index=payer, errors="ignore")[cats].mean()
    mine = comparison.loc[payer, cats] if payer in comparison.index else others
    diff = (mine - others).astype(float)
    order = diff.abs().sort_values(ascending=False).index[:top]
    return pd.DataFrame({"this_payer": mine[order].astype(float),
                         "other_payers": others[order].astype(float),
                         "difference": diff[order]}).rename_axis("category")


def reliability_bins(y: np.ndarray, p: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Claims, mean predicted and observed denial rate per non-empty probability bin."""
    idx = np.minimum((np.asarray(p) * bins).astype(int), bins - 1)
    frame = pd.DataFrame({"bin": idx, "p": p, "y": y.astype(float)})
    out = frame.groupby("bin").agg(claims=("y", "size"), predicted=("p", "mean"),
                                   observed=("y", "mean"))
    out.index = [f"{b / bins:.0%}–{(b + 1) / bins:.0%}" for b in out.index]
    return out.rename_axis("predicted risk")
