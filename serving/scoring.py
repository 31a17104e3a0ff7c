"""The one scoring path of the API and the offline scorer: route, score, explain, fix.

Claims are grouped by the model that serves their payer; each group is flattened once,
built into features once and scored with one predict call (plus one pred_contrib call and
one re-scoring call for all fix candidates when explanations are asked for). Internally
claims get positional ids, so duplicate claim ids in a batch cannot mix up rows; the
caller's ids are restored in the responses, which keep the request order.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from features.cms import CmsTables
from features.columns import claims_to_columns
from features.contract import ModelInfo, Reason
from features.vocab import CATEGORIES, CATEGORY_CARC
from serving.audit import audit_predictions
from serving.context import ClaimView, MatrixColumns, claim_views
from serving.explain import explain_claims, factor_scores
from serving.fixes import suggest_fixes
from serving.modelset import ModelSet, ServedModel
from serving.schemas import ScoredClaim

MAX_REASONS = 3
MIN_REASON_PROBABILITY = 0.001
REASON_LINE_FLAGS: dict[str, tuple[str, ...]] = {
    "modifier": ("em_needs_25", "ptp_bypass_59", "x_would_fit"),
    "bundling": ("ptp_unbypassed", "ptp_mi0", "orphan_addon"),
    "global_period": ("in_global_unmodified",),
    "units": ("units_over_mue",),
    "medical_necessity": ("benign_lesion_no_symptoms", "dx_conditional_only"),
    "cosmetic": ("cosmetic_dx",),
    "authorization": ("pa_missing",),
}


@dataclass(frozen=True)
class Options:
    """What to compute besides the probability."""

    explain: bool = True
    fixes: bool = True
    max_factors: int = 5
    max_fixes: int = 5


def reason_lines(category: str, view: ClaimView | None) -> list[int]:
    """Lines whose rule flags point at a denial category (empty without line flags)."""
    if view is None:
        return []
    if category == "diagnosis_mismatch":
        ok = view.table.flags["dx_supported"][view.rows].astype(bool)
        return sorted(int(n) for n in view.table.line_no[view.rows][~ok])
    return sorted({n for f in REASON_LINE_FLAGS.get(category, ()) for n in view.lines_where(f)})


def top_reasons(p: np.ndarray, category_probs: np.ndarray,
                views: list[ClaimView | None]) -> list[list[Reason]]:
    """Up to 3 reasons per claim, probability = P(denied) * P(category | denied).

    The joint probabilities and their ranking are computed for all claims at once.
    """
    joint = p[:, None] * category_probs
    order = np.argsort(-joint, axis=1, kind="stable")[:, :MAX_REASONS]
    top = np.take_along_axis(joint, order, axis=1)
    out = []
    for i, view in enumerate(views):
        reasons = []
        for j, prob in zip(order[i], top[i]):
            if prob < MIN_REASON_PROBABILITY:
                break
            cat = CATEGORIES[j]
            carc = CATEGORY_CARC[cat]
            reasons.append(Reason(carc=carc, group=carc.split("-")[0], category=cat,
                                  probability=float(prob), lines=reason_lines(cat, view)))
        out.append(reasons)
    return out


def score_group(served: ServedModel, fallback: bool, claims: list[dict[str, Any]],
                cms: CmsTables, options: Options) -> list[ScoredClaim]:
    """Predictions of claims served by one model (claims carry internal ids)."""
    bundle = served.bundle
    frames = claims_to_columns(claims)  # ColumnTables: no DataFrames on this path
    flags: dict[str, Any] = {}
    M = bundle.model_input(frames, cms, flags)  # built once, scored three times
    p = np.asarray(bundle.predict_proba(M), dtype=float)
    bands = bundle.risk_band(p)
    cat = bundle.reason_matrix(M)
    views: list[ClaimView | None] = [None] * len(claims)
    explanations: list[list[Any]] = [[] for _ in claims]
    fixes: list[list[Any]] = [[] for _ in claims]
    base: list[float | None] = [None] * len(claims)
    if options.explain:
        scores = factor_scores(bundle.contributions(M), bundle.feature_names)
        views = claim_views(claims, frames, MatrixColumns(M, bundle.layout), cms, flags)
        explanations = explain_claims(views, scores, options.max_factors, cms)
        base = scores.base.tolist()
        if options.fixes:
            fixes = suggest_fixes(views, p, bundle, cms, options.max_fixes)
    model = ModelInfo(name=served.name, version=served.version, fallback=fallback)
    reasons = top_reasons(p, cat, views)
    return [ScoredClaim(claim_id=c["claim_id"], payer_id=c["payer_id"], model=model,
                        denial_probability=float(p[i]), risk_band=str(bands[i]),
                        reasons=reasons[i],
                        explanation=explanations[i], fixes=fixes[i], base_value=base[i])
            for i, c in enumerate(claims)]


def as_dict(claim: Any) -> dict[str, Any]:
    """Contract dict of a Claim model (or a dict already)."""
    return claim.model_dump() if hasattr(claim, "model_dump") else dict(claim)


@dataclass
class Predictor:
    """Loaded models + CMS tables; `predict` is what every entry point calls."""

    models: ModelSet
    cms: CmsTables

    def route_groups(self, claims: list[dict[str, Any]]) -> dict[str, list[int]]:
        """Positions of the claims per serving model key."""
        groups: dict[str, list[int]] = {}
        for i, c in enumerate(claims):
            groups.setdefault(self.models.route(c["payer_id"])[0].key, []).append(i)
        return groups

    def predict(self, claims: Sequence[Any], options: Options = Options()) -> list[ScoredClaim]:
        """Predictions in request order; one audit line per claim."""
        start = time.perf_counter()
        dicts = [as_dict(c) for c in claims]
        out: list[ScoredClaim | None] = [None] * len(dicts)
        for positions in self.route_groups(dicts).values():
            served, fallback = self.models.route(dicts[positions[0]]["payer_id"])
            group = [{**dicts[i], "claim_id": str(i),
                      "payer_id": str(dicts[i]["payer_id"]).upper()} for i in positions]
            for i, pred in zip(positions, score_group(served, fallback, group, self.cms,
                                                      options)):
                pred.claim_id = str(dicts[i]["claim_id"])
                pred.payer_id = str(dicts[i]["payer_id"])
                out[i] = pred
        preds = [p for p in out if p is not None]
        audit_predictions(preds, (time.perf_counter() - start) * 1000)
        return preds


def load_predictor(home: Path, cms_dir: Path) -> Predictor:
    """Champion models from the BentoML store at `home` plus the CMS tables.

    The loaded models and tables (~0.8M long-lived objects) are moved out of the garbage
    collector's reach (gc.freeze): otherwise every full collection rescans them, which
    cost up to ~20% of batch scoring time."""
    from features.cms import load_cms_tables
    from serving.modelset import load_model_set

    predictor = Predictor(load_model_set(home), load_cms_tables(cms_dir))
    gc.collect()
    gc.freeze()
    return predictor
