"""SHAP explanations: LightGBM pred_contrib aggregated into claim-language factors.

`bundle.contributions` (TreeSHAP inside LightGBM, no shap import) gives per-feature
log-odds contributions plus the bias; they are summed into factors with one matrix
product for all claims, so base + sum(factors) is still the model's raw score. Each claim
shows its largest factors (by absolute value) with text naming lines, codes, modifiers and
documentation fields, plus an `other_factors` item carrying the remainder, so the listed
contributions always add up to raw score - base value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from contract.schema import ExplanationItem
from reference.cms import CmsTables
from serving.context import ClaimView
from serving.describe_claim import describe
from serving.factors import factor_matrix

MIN_CONTRIBUTION = 1e-4
OTHER = "other_factors"


@dataclass(frozen=True)
class FactorScores:
    """Factor contributions of a group of claims (log-odds) and the model's base value."""

    names: list[str]
    values: np.ndarray  # (n_claims, n_factors)
    base: np.ndarray  # (n_claims,)

    @property
    def raw_score(self) -> np.ndarray:
        """Base value plus all factor contributions = the booster's raw score."""
        return self.base + self.values.sum(axis=1)


def factor_scores(contributions: np.ndarray, features: list[str]) -> FactorScores:
    """Sum pred_contrib columns (bias last) into factors for every claim at once."""
    names, matrix = factor_matrix(features)
    contributions = np.asarray(contributions, dtype=np.float64)
    return FactorScores(names, contributions[:, :-1] @ matrix, contributions[:, -1])


def top_factor_positions(row: np.ndarray, k: int) -> list[int]:
    """Positions of the k largest |contributions| (above noise), highest value first."""
    order = np.argsort(-np.abs(row), kind="stable")[:k]
    keep = [int(i) for i in order if abs(row[i]) >= MIN_CONTRIBUTION]
    return sorted(keep, key=lambda i: -row[i])


def explain_claim(view: ClaimView, row: np.ndarray, names: list[str], k: int,
                  cms: CmsTables) -> list[ExplanationItem]:
    """The top-k factors of one claim, plus the remainder as `other_factors`."""
    items = []
    shown = top_factor_positions(row, k)
    for i in shown:
        found = describe(names[i], view, cms)
        items.append(ExplanationItem(factor=names[i], contribution=float(row[i]),
                                     lines=found.lines, text=found.text, source=found.source))
    rest = float(row.sum() - row[shown].sum())
    if abs(rest) >= MIN_CONTRIBUTION:
        items.append(ExplanationItem(factor=OTHER, contribution=rest,
                                     text="All other factors combined"))
    return items


def explain_claims(views: list[ClaimView], scores: FactorScores, k: int,
                   cms: CmsTables) -> list[list[ExplanationItem]]:
    """Explanations of every claim of a group (same order as views)."""
    return [explain_claim(v, scores.values[i], scores.names, k, cms)
            for i, v in enumerate(views)]
