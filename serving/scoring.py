"""The one scoring path of the API and the offline scorer: route, score, explain, fix.

A request's claims are flattened and featurised once (features do not depend on the
model); they are then grouped by the model that serves their payer and each group's rows
are scored with one predict call (plus one pred_contrib call and one re-scoring call for
all fix candidates when explanations are asked for). Internally claims get positional
ids, so duplicate claim ids in a batch cannot mix up rows; the responses carry the
caller's ids and keep the request order.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from contract.columns import claims_to_columns
from contract.schema import History, ModelInfo, Reason
from features.build import compute_raw_columns
from features.checks import check_claims
from reference.cms import CmsTables
from reference.vocab import CATEGORIES, CATEGORY_CARC
from serving.audit import audit_predictions
from serving.context import ClaimView, LineTable, MatrixColumns, build_line_table
from serving.explain import explain_claims, factor_scores
from serving.fixes import suggest_fixes
from serving.known import outside_reference
from serving.lift_notes import lift_item, with_lift_item
from serving.modelset import ModelSet, ServedModel
from serving.schemas import ScoredClaim

MAX_REASONS = 3
CARC_GROUP = tuple(CATEGORY_CARC[c].split("-")[0] for c in CATEGORIES)  # "CO-4" -> "CO"
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


def reason_lines(category: str, view: ClaimView | None,
                 findings: Sequence[Any] = ()) -> list[int]:
    """Lines whose rule flags or coding findings point at a denial category (empty
    without line flags)."""
    if view is None:
        return []
    checked = {f.line for f in findings if f.category == category and f.line is not None}
    if category == "diagnosis_mismatch":
        ok = view.table.flags["dx_supported"][view.rows].astype(bool)
        return sorted(checked | {int(n) for n in view.table.line_no[view.rows][~ok]})
    return sorted(checked | {n for f in REASON_LINE_FLAGS.get(category, ())
                             for n in view.lines_where(f)})


def top_reasons(p: np.ndarray, category_probs: np.ndarray,
                views: Sequence[ClaimView | None],
                findings: Sequence[Sequence[Any]] | None = None) -> list[list[Reason]]:
    """Up to 3 reasons per claim, probability = P(denied) * P(category | denied).

    The joint probabilities and their ranking are computed for all claims at once."""
    joint = p[:, None] * category_probs
    order = np.argsort(-joint, axis=1, kind="stable")[:, :MAX_REASONS]
    top = np.take_along_axis(joint, order, axis=1)
    keep = (top >= MIN_REASON_PROBABILITY).sum(axis=1).tolist()
    out = []
    findings = findings if findings is not None else [()] * len(views)
    for cats, probs, n, view, found in zip(order.tolist(), top.tolist(), keep, views,
                                           findings):
        out.append([Reason(carc=CATEGORY_CARC[CATEGORIES[j]], group=CARC_GROUP[j],
                           category=CATEGORIES[j], probability=prob,
                           lines=reason_lines(CATEGORIES[j], view, found))
                    for j, prob in zip(cats[:n], probs[:n])])
    return out


@dataclass
class BatchFeatures:
    """A request's claims featurised once, shared by every model group.

    Claims carry positional ids inside (duplicate ids in a batch cannot mix up lines);
    `table` (the line flags per claim) is only built when explanations or fixes are
    asked for."""

    size: int
    raw: dict[str, Any]
    table: LineTable | None

    def rows(self, positions: list[int]) -> dict[str, Any]:
        """Raw feature columns of some claims (all of them: no copy)."""
        if len(positions) == self.size:
            return self.raw
        index = np.asarray(positions)
        return {k: np.asarray(v)[index] for k, v in self.raw.items()}


def featurize(claims: Sequence[Any], cms: CmsTables, line_flags: bool) -> BatchFeatures:
    """build_features' raw columns (and, for explanations or fixes, the line flags) of
    all claims of a request."""
    frames = claims_to_columns(claims, ids=[str(i) for i in range(len(claims))])
    flags: dict[str, Any] = {}
    raw = compute_raw_columns(frames, cms, flags)
    table = build_line_table(frames, cms, flags) if line_flags else None
    return BatchFeatures(len(claims), raw, table)


@dataclass
class GroupScores:
    """What one model said about its claims (group order)."""

    p: np.ndarray
    bands: np.ndarray
    categories: np.ndarray
    views: list[ClaimView | None]
    explanations: list[Any]  # serving.explain.Explanation per claim (None: not asked)
    fixes: list[list[Any]]
    base: list[float | None]
    findings: list[list[Any]]  # features.checks.Finding lists (explained or fixed)


def score_group(served: ServedModel, batch: BatchFeatures, positions: list[int],
                claims: Sequence[Any], cms: CmsTables, options: Options) -> GroupScores:
    """Scores of the claims at `positions` (served by one model): probability, band,
    reason categories and, when asked for, explanations and verified fixes."""
    bundle, n = served.bundle, len(positions)
    M = bundle.raw_input(batch.rows(positions), n)  # built once, scored up to three times
    p, categories, chosen = bundle.score_with_lifts(M)
    out = GroupScores(p, bundle.risk_band(p), categories, [None] * n,
                      [None] * n, [[] for _ in range(n)], [None] * n, [[] for _ in range(n)])
    if not (options.explain or options.fixes) or batch.table is None:
        return out
    columns = MatrixColumns(M, bundle.layout)
    learned = bundle.metadata.learned
    out.views = [ClaimView(internal_dict(claims[i], i), batch.table.rows(i), batch.table,
                           columns, k, learned) for k, i in enumerate(positions)]
    out.findings = check_claims([v.claim for v in out.views], cms)
    if options.explain:  # SHAP contributions: the costly part, only when asked for
        scores = factor_scores(bundle.contributions(M), bundle.feature_names)
        out.base = scores.base.tolist()
        out.explanations = [replace(e, drivers=with_lift_item(
            e.drivers, lift_item(bundle, int(chosen[k]), out.findings[k]), options.max_factors))
            for k, e in enumerate(explain_claims(out.views, scores, options.max_factors, cms))]
    if options.fixes:  # asked for without an explanation, fixes and findings still come
        out.fixes = suggest_fixes(out.views, p, bundle, cms, options.max_fixes, out.findings,
                                  categories)
    return out


def internal_dict(claim: Any, position: int) -> dict[str, Any]:
    """The contract dict explanations and fixes read: positional id, upper-case payer."""
    d = claim.model_dump() if hasattr(claim, "model_dump") else dict(claim)
    return {**d, "claim_id": str(position), "payer_id": str(d["payer_id"]).upper()}


def unknown_codes(claim: Any, cms: CmsTables) -> list[str]:
    """Well-formed codes and modifiers of the claim outside the reference tables (scored,
    and listed so the claim system can tell the coder: shared/contract/README.md)."""
    return outside_reference(claim_field(claim, "lines"), claim_field(claim, "diagnoses"),
                             cms)


def claim_field(claim: Any, name: str) -> Any:
    """A top-level contract field of a Claim object or a claim dict."""
    return claim[name] if isinstance(claim, dict) else getattr(claim, name)


def responses(claims: Sequence[Any], payers: Sequence[str], model: ModelInfo,
              g: GroupScores, positions: list[int], cms: CmsTables) -> list[ScoredClaim]:
    """The group's answers, with the caller's claim and payer ids."""
    reasons = top_reasons(g.p, g.categories, g.views, g.findings)
    out = []
    for k, (i, prob, band) in enumerate(zip(positions, g.p.tolist(), g.bands)):
        explained = g.explanations[k]
        out.append(ScoredClaim(
            claim_id=str(claim_field(claims[i], "claim_id")), payer_id=payers[i], model=model,
            denial_probability=prob, risk_band=str(band), reasons=reasons[k],
            explanation=explained.drivers if explained else [],
            context=explained.context if explained else [], fixes=g.fixes[k],
            findings=[f.as_contract() for f in g.findings[k]],
            unknown_codes=unknown_codes(claims[i], cms), base_value=g.base[k]))
    return out


@dataclass
class Predictor:
    """Loaded models + CMS tables; `predict` is what every entry point calls."""

    models: ModelSet
    cms: CmsTables
    history: Any = None  # interop.history.HistoryStore of the practice (None: not looked up)
    practice: Any = None  # serving.practice_store.PracticeStore: models and store, refreshed

    def route_groups(self, payers: Sequence[str]) -> dict[str, list[int]]:
        """Positions of the claims per serving model key."""
        groups: dict[str, list[int]] = {}
        for i, payer in enumerate(payers):
            groups.setdefault(self.models.route(payer)[0].key, []).append(i)
        return groups

    def predict(self, claims: Sequence[Any], options: Options = Options()) -> list[ScoredClaim]:
        """Predictions in request order (claims: Claim objects or contract dicts); one
        audit line per claim. Features are built once for the whole request; each model
        then scores its own payers' rows."""
        start = time.perf_counter()
        if self.practice is not None:  # an ingest since the last look: its remits
            self.models, self.history = self.practice.current()
        claims = with_history(claims, self.history)
        payers = [str(claim_field(c, "payer_id")) for c in claims]
        batch = featurize(claims, self.cms, options.explain or options.fixes)
        out: list[ScoredClaim | None] = [None] * len(claims)
        for positions in self.route_groups(payers).values():
            served, fallback = self.models.route(payers[positions[0]])
            model = ModelInfo(name=served.name, version=served.version, fallback=fallback)
            group = score_group(served, batch, positions, claims, self.cms, options)
            for i, pred in zip(positions, responses(claims, payers, model, group, positions,
                                                  self.cms)):
                out[i] = pred
        preds = [p for p in out if p is not None]
        audit_predictions(preds, (time.perf_counter() - start) * 1000)
        return preds


def has_no_history(claim: Any) -> bool:
    """The caller sent no history fact at all (the block is absent or all null)."""
    history = claim_field(claim, "history")
    values = history.__dict__ if hasattr(history, "__dict__") else (history or {})
    return all(v is None for v in values.values())


def with_history(claims: Sequence[Any], store: Any) -> Sequence[Any]:
    """Claims whose caller sent no history get it from the practice's history store (the
    patient's earlier claims, by hashed member id, as of the date of service); a claim
    with any history fact keeps what its caller sent."""
    if store is None:
        return claims
    out = list(claims)
    for i, claim in enumerate(out):
        if has_no_history(claim):
            facts = store.lookup(claim)
            out[i] = (claim.model_copy(update={"history": History(**facts)})
                      if hasattr(claim, "model_copy") else {**claim, "history": facts})
    return out


def load_predictor(home: Path, cms_dir: Path, tags: list[str] | None = None,
                   history: Path | None = None) -> Predictor:
    """Champion models from the BentoML store at `home` (only `tags` when given: a Bento's
    models) plus the CMS tables, and the practice's history store at `history` when one
    is there: claims are looked up in it, and the providers' credentialing standing is
    read from its remits; an ingest that rewrites it is read within a minute
    (serving/practice_store.py).

    The loaded models and tables (~0.8M long-lived objects) are moved out of the garbage
    collector's reach (gc.freeze): otherwise every full collection rescans them, which
    cost up to ~20% of batch scoring time."""
    from reference.cms import load_cms_tables
    from serving.modelset import load_model_set
    from serving.practice_store import PracticeStore

    practice = PracticeStore(history, load_model_set(home, tags))
    predictor = Predictor(practice.models, load_cms_tables(cms_dir), practice.store,
                          practice if history is not None else None)
    warm_up(predictor.cms)
    gc.collect()
    gc.freeze()
    return predictor


WARM_UP_CLAIM: dict[str, Any] = {
    "claim_id": "warm-up", "payer_id": "warm-up", "submission_date": "2026-01-05",
    "place_of_service": "11",
    "patient": {"member_id": "0", "birth_date": "1950-01-01", "sex": "F"},
    "provider": {"rendering_npi": "1234567893"},
    "diagnoses": ["C44.619", "L57.0"],
    "lines": [{"line": 1, "cpt": "11602", "modifiers": ["LT"], "units": 1, "charge": 1.0,
               "dx_pointers": [1], "date_of_service": "2026-01-02",
               "lesion": {"count": 1, "site": "arms", "size_cm": 1.4}}],
}


def warm_up(cms: CmsTables) -> None:
    """Load what the first request would otherwise wait for: the ICD-10-CM code set and
    the checker's caches (2-4 s once per process)."""
    check_claims([WARM_UP_CLAIM], cms)
