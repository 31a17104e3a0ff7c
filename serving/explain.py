"""SHAP explanations: LightGBM pred_contrib aggregated into claim-language factors.

`bundle.contributions` (TreeSHAP inside LightGBM, no shap import) gives per-feature
log-odds contributions plus the bias; they are summed into factors with one matrix
product for all claims, so base + sum(factors) is still the model's raw score. A claim
shows as drivers its largest factors that are ON the claim (a finding a coder can read and
act on: a line, code, modifier, diagnosis or document), risk-raising first; context a
coder cannot change (payer, patient age and sex, provider, dates, size) is listed apart,
never as a driver; what is not on the claim is never a driver. An `other_factors` item
carries the remainder, so drivers + context + other add up to raw score - base value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from contract.schema import ContextItem, ExplanationItem
from reference.cms import CmsTables
from serving.context import ClaimView
from serving.describe import Finding
from serving.describe_claim import context_text, describe
from serving.factors import factor_matrix, is_context

MIN_CONTRIBUTION = 1e-4
MIN_DRIVER = 0.05  # log-odds: smaller effects are noise to a coder, left in other_factors
MAX_CONTEXT = 4
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


@dataclass(frozen=True)
class Explanation:
    """One claim's drivers and context."""

    drivers: list[ExplanationItem]
    context: list[ContextItem]


def factor_scores(contributions: np.ndarray, features: list[str]) -> FactorScores:
    """Sum pred_contrib columns (bias last) into factors for every claim at once."""
    names, matrix = factor_matrix(features)
    contributions = np.asarray(contributions, dtype=np.float64)
    return FactorScores(names, contributions[:, :-1] @ matrix, contributions[:, -1])


def present_drivers(view: ClaimView, row: np.ndarray, names: list[str], k: int,
                    cms: CmsTables) -> list[tuple[int, Finding]]:
    """Up to k (factor position, finding) pairs on the claim: risk-raising ones by
    contribution, then risk-lowering ones by size, skipping context and absent factors."""
    order = np.argsort(-row, kind="stable")
    raising = [i for i in order if row[i] >= MIN_DRIVER]
    lowering = [i for i in order[::-1] if row[i] <= -2 * MIN_DRIVER]
    out: list[tuple[int, Finding]] = []
    for i in (*raising, *lowering):
        if len(out) == k:
            break
        if is_context(names[i]):
            continue
        found = describe(names[i], view, cms)
        if found is not None:
            out.append((int(i), found))
    return out


def context_items(view: ClaimView, row: np.ndarray, names: list[str]) -> list[ContextItem]:
    """The largest context factors (by |contribution|) with their plain text."""
    shown = [i for i in np.argsort(-np.abs(row), kind="stable")
             if is_context(names[i]) and abs(row[i]) >= MIN_CONTRIBUTION][:MAX_CONTEXT]
    return [ContextItem(factor=names[i], contribution=float(row[i]),
                        text=context_text(names[i], view)) for i in shown]


def explain_claim(view: ClaimView, row: np.ndarray, names: list[str], k: int,
                  cms: CmsTables) -> Explanation:
    """Drivers (plus the remainder as `other_factors`) and context of one claim."""
    drivers = present_drivers(view, row, names, k, cms)
    items = [ExplanationItem(factor=names[i], contribution=float(row[i]), lines=f.lines,
                             text=f.text, source=f.source) for i, f in drivers]
    context = context_items(view, row, names)
    rest = float(row.sum() - sum(x.contribution for x in items)
                 - sum(c.contribution for c in context))
    if abs(rest) >= MIN_CONTRIBUTION:
        items.append(ExplanationItem(factor=OTHER, contribution=rest,
                                     text="All other factors combined"))
    return Explanation(items, context)


def explain_claims(views: list[ClaimView], scores: FactorScores, k: int,
                   cms: CmsTables) -> list[Explanation]:
    """Explanations of every claim of a group (same order as views)."""
    return [explain_claim(v, scores.values[i], scores.names, k, cms)
            for i, v in enumerate(views)]
