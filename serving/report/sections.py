"""The numbers behind each report section, computed with the service's own scoring path.

Recent claims of one payer are scored by the model that serves the payer (its champion or
the pooled fallback); their SHAP contributions (bundle.contributions = LightGBM
pred_contrib) are summed into claim-language factors by serving.explain.factor_scores, so
the driver summary adds up exactly like the API's per-claim explanations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from reference.vocab import CATEGORIES
from serving.explain import FactorScores, factor_scores
from serving.modelset import ModelSet
from serving.report.labels import factor_label
from training.kpis import scored_outcomes
from training.split import claim_service_dates, subset_frames

ACTIVE_LOG_ODDS = 0.1  # a factor "occurs" on a claim when it raises the log-odds this much
FLAGGED = ("block", "warn")


@dataclass
class PayerScores:
    """Recent claims of one payer with their model matrix, scores and factor SHAP values."""

    frames: ClaimFrames
    X: pd.DataFrame
    table: pd.DataFrame  # training.kpis.scored_outcomes rows, same order as frames.claims
    factors: FactorScores


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
    """Score one payer's claims once: probability, band, reasons and factor contributions."""
    X = bundle.features(frames, cms)
    ids = frames.claims["claim_id"].astype(str).to_numpy()
    table = scored_outcomes(frames, model_scores(bundle, X, ids))
    return PayerScores(frames, X, table,
                       factor_scores(bundle.contributions(X), bundle.feature_names))


def driver_summary(scores: PayerScores, top: int) -> pd.DataFrame:
    """Top denial drivers: mean SHAP push, how often each occurs, money at stake.

    Ranked by the mean positive contribution over recent claims (a SHAP summary of what
    raises risk). `claims` counts the claims the factor pushes up by >= ACTIVE_LOG_ODDS;
    `money_at_stake` is the charge of those claims the model flags (warn or block).
    """
    values = scores.factors.values
    push = np.clip(values, 0.0, None)
    active = values >= ACTIVE_LOG_ODDS
    t = scores.table
    flagged = t["risk_band"].isin(FLAGGED).to_numpy()
    charge, denied = t["charge"].to_numpy(float), t["denied"].to_numpy(bool)
    n_active = active.sum(axis=0)
    out = pd.DataFrame({
        "label": [factor_label(f) for f in scores.factors.names],
        "mean_push": push.mean(axis=0), "claims": n_active,
        "share": n_active / max(len(t), 1),
        "denied": (active & denied[:, None]).sum(axis=0),
        "money_at_stake": ((active & flagged[:, None]) * charge[:, None]).sum(axis=0),
    }, index=pd.Index(scores.factors.names, name="factor"))
    out["denial_rate"] = np.divide(out["denied"], n_active, out=np.zeros(len(out)),
                                   where=n_active > 0)
    return out[out["claims"] > 0].sort_values("mean_push", ascending=False).head(top)


def reasons_by_pattern(table: pd.DataFrame, tokens: pd.DataFrame, modifiers: bool,
                       top: int = 10, min_claims: int = 10) -> pd.DataFrame:
    """Denial rate by reason for the most denied procedure families or modifier patterns.

    Rows: tokens of training.kpis.claim_tokens (families, or modifiers and E/M patterns)
    with at least `min_claims` claims (all when none has); columns: claims, then the share
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
    order = denied.sort_values(ascending=False).index[:top]
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
