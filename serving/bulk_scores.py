"""Scores of a chunk's claims, one predict call per model and booster (the bulk path).

Claims are routed as serving.modelset routes them (a payer's own champion, else the
pooled model with fallback = true), but per distinct payer instead of per claim; each
model then lays out its rows of the shared raw feature columns (ModelBundle.raw_input)
and scores them at once. With explanations, pred_contrib runs in batches of
EXPLAIN_BATCH rows (its output is rows x features float64) and the factors are chosen
as serving.explain chooses them, vectorised over the batch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reference.vocab import CATEGORIES
from serving.explain import MIN_CONTRIBUTION, MIN_DRIVER, factor_scores
from serving.factors import is_context
from serving.lift_notes import LIFT_FACTOR, lift_log_odds
from serving.modelset import ModelSet, ServedModel
from serving.scoring import Options

EXPLAIN_BATCH = 20_000


@dataclass
class ModelScores:
    """Per-claim results of a chunk: probability, P(category | denied), other columns."""

    p: np.ndarray
    categories: np.ndarray
    columns: dict[str, np.ndarray] = field(default_factory=dict)

    def expand(self, rows: np.ndarray) -> ModelScores:
        """These scores placed at the True positions of a longer chunk (missing elsewhere)."""
        if rows.all():
            return self
        n = len(rows)
        p = np.full(n, np.nan)
        p[rows] = self.p
        categories = np.full((n, self.categories.shape[1]), np.nan)
        categories[rows] = self.categories
        columns = {}
        for name, values in self.columns.items():
            full = np.full(n, np.nan if values.dtype.kind == "f" else None,
                           dtype=values.dtype if values.dtype.kind == "f" else object)
            full[rows] = values
            columns[name] = full
        return ModelScores(p, categories, columns)


def route_rows(models: ModelSet, payers: pd.Series) -> list[tuple[ServedModel, bool, np.ndarray]]:
    """(model, fallback, row positions) per serving model, routing each distinct payer
    id once (upper case, as the service routes)."""
    codes, distinct = pd.factorize(payers.str.upper(), use_na_sentinel=False)
    groups: dict[str, tuple[ServedModel, bool, list[int]]] = {}
    for code, payer in enumerate(distinct):
        served, fallback = models.route(str(payer))
        groups.setdefault(served.key, (served, fallback, []))[2].append(code)
    return [(served, fallback, np.flatnonzero(np.isin(codes, payer_codes)))
            for served, fallback, payer_codes in groups.values()]


def rows_of(raw: Mapping[str, Any], rows: np.ndarray, n: int) -> Mapping[str, Any]:
    """Raw feature columns of some claims (all of them: no copy)."""
    if len(rows) == n:
        return raw
    return {k: np.asarray(v)[rows] for k, v in raw.items()}


def top_factors(values: np.ndarray, names: list[str], k: int) -> dict[str, np.ndarray]:
    """Every row's k strongest non-context factors, as serving.explain ranks drivers:
    risk-raising ones (>= MIN_DRIVER) by contribution, then risk-lowering ones (<=
    -2 x MIN_DRIVER); context (payer, patient, provider, dates...) is never a factor here.
    The JSON path further keeps only findings present on the claim, with their text; the
    bulk path leaves that claim-by-claim reading out. other_factors = the remainder."""
    context = np.array([is_context(n) for n in names])
    raising = (values >= MIN_DRIVER) & ~context
    lowering = (values <= -2 * MIN_DRIVER) & ~context
    key = np.where(raising, -values, np.where(lowering, 1e6 + values, np.inf))
    order = np.argsort(key, axis=1, kind="stable")[:, :k]
    top = np.take_along_axis(values, order, axis=1)
    keep = np.isfinite(np.take_along_axis(key, order, axis=1))
    labels, n = np.array(names, dtype=object), len(values)
    out: dict[str, np.ndarray] = {}
    for j in range(k):
        name, contribution = f"factor_{j + 1}_name", f"factor_{j + 1}_contribution"
        if j < order.shape[1]:  # a model with fewer factors than k leaves the rest empty
            out[name] = np.where(keep[:, j], labels[order[:, j]], None)
            out[contribution] = np.where(keep[:, j], top[:, j], np.nan)
        else:
            out[name], out[contribution] = np.full(n, None, dtype=object), np.full(n, np.nan)
    rest = values.sum(axis=1) - np.where(keep, top, 0.0).sum(axis=1)
    out["other_factors"] = np.where(np.abs(rest) >= MIN_CONTRIBUTION, rest, np.nan)
    return out


def explanation_columns(served: ServedModel, M: np.ndarray, k: int,
                        lifts: np.ndarray) -> dict[str, np.ndarray]:
    """base_value and the top factors of every row of M (the learned coding-check lift,
    log-odds per row, ranked among them), pred_contrib in batches."""
    bundle = served.bundle
    parts = []
    for start in range(0, len(M), EXPLAIN_BATCH):
        stop = start + EXPLAIN_BATCH
        scores = factor_scores(bundle.contributions(M[start:stop]), bundle.feature_names)
        values = np.column_stack([scores.values, lifts[start:stop]])
        parts.append({"base_value": scores.base,
                      **top_factors(values, [*scores.names, LIFT_FACTOR], k)})
    if not parts:
        return {}
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def score_group(served: ServedModel, fallback: bool, raw: Mapping[str, Any],
                rows: np.ndarray, n: int, options: Options) -> dict[str, np.ndarray]:
    """One model's columns for its rows (group order)."""
    bundle, m = served.bundle, len(rows)
    M = bundle.raw_input(rows_of(raw, rows, n), m)
    p, categories, chosen = bundle.score_with_lifts(M)
    out = {"p": p, "categories": categories,
           "risk_band": bundle.risk_band(p).astype(object),
           "model_name": np.full(m, served.name, dtype=object),
           "model_version": np.full(m, served.version, dtype=object),
           "fallback": np.full(m, fallback, dtype=object)}
    if options.explain:
        out |= explanation_columns(served, M, options.max_factors,
                                   lift_log_odds(bundle, chosen))
    return out


def score_models(models: ModelSet, raw: Mapping[str, Any], payers: pd.Series,
                 options: Options) -> ModelScores:
    """Every claim's scores (claims order): each model scores its rows in one call."""
    n = len(payers)
    p, categories = np.full(n, np.nan), np.zeros((n, len(CATEGORIES)))
    columns: dict[str, np.ndarray] = {}
    for served, fallback, rows in route_rows(models, payers):
        group = score_group(served, fallback, raw, rows, n, options)
        p[rows], categories[rows] = group.pop("p"), group.pop("categories")
        for name, values in group.items():
            if name not in columns:
                columns[name] = np.full(n, np.nan) if values.dtype.kind == "f" else \
                    np.full(n, None, dtype=object)
            columns[name][rows] = values
    return ModelScores(p, categories, columns)
