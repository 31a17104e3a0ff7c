"""`denialrisk evaluate`: model vs oracle vs logreg vs rules on the test window.

Each test claim is scored by the model that would serve it (its payer's own bundle, else
the pooled one); the logreg and rules baselines are fitted per the same tiers on the
claims before the test window. Metrics per payer, overall, and model AUC per test month
(the COA rule change of 2026-04-01 shows as a dip, not averaged away). Where the data has
an oracle, `auc_gap_oracle_visible` / `auc_gap_oracle_837` give the oracle's AUC minus
the model's with a paired-bootstrap standard error (a small payer's gap can be noise).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from features.build import live_state
from reference.vocab import CATEGORIES
from settings import Settings
from training import baselines as bl
from training.bundle import BUNDLE_FILE, BundleError, ModelBundle
from training.data import POOLED, labels, split_frames
from training.matrix import model_matrix
from training.metrics import auc_gap, binary_metrics, reason_metrics, safe_auc

LOGREG_MAX_ROWS = 100_000  # a linear model gains nothing from more rows; keeps evaluate fast


@dataclass
class SystemPreds:
    """One system's predictions on the test claims (aligned with the test rows)."""

    p: np.ndarray
    score: np.ndarray
    reasons: pd.DataFrame


def load_bundles(models_dir: Path) -> dict[str, ModelBundle]:
    """Every bundle under models_dir (folder name -> bundle); error when there is none."""
    dirs = sorted(d for d in Path(models_dir).glob("*") if (d / BUNDLE_FILE).is_file())
    if not dirs:
        raise BundleError(f"no trained model bundles in {models_dir}; run `denialrisk train`")
    return {d.name: ModelBundle.load(d) for d in dirs}


def serving_tier(bundles: dict[str, ModelBundle], payer: str) -> str:
    """Name of the bundle serving a payer: its own, else the pooled one."""
    own = bundles.get(payer)
    if own is not None and own.metadata.kind == "payer":
        return payer
    if POOLED not in bundles:
        raise BundleError(f"payer {payer!r} has no model and no pooled bundle was trained")
    return POOLED


def tier_rows(payer: pd.Series, tier: str, tiers: dict[str, str]) -> np.ndarray:
    """Rows a tier's baselines learn from: its payer, or all claims for the pooled tier."""
    return np.ones(len(payer), bool) if tier == POOLED else (payer == tier).to_numpy()


def fit_rows(rows: np.ndarray, seed: int = 0) -> np.ndarray:
    """At most LOGREG_MAX_ROWS of the given rows, chosen at random (reproducibly)."""
    idx = np.flatnonzero(rows)
    if len(idx) > LOGREG_MAX_ROWS:
        idx = np.sort(np.random.default_rng(seed).choice(idx, LOGREG_MAX_ROWS, replace=False))
    return idx


def predict_tier(bundle: ModelBundle, X: pd.DataFrame, y: np.ndarray, cat: pd.Series,
                 fit: np.ndarray, serve: np.ndarray) -> dict[str, SystemPreds]:
    """Model, logreg and rules predictions for the `serve` rows of one tier."""
    Xs = X[serve]
    p = bundle.predict_proba(Xs)
    out = {"model": SystemPreds(p, p, bundle.predict_reasons(Xs))}
    idx = fit_rows(fit)
    denied = idx[(y[idx] == 1) & cat.iloc[idx].notna().to_numpy()]  # a category to learn
    lr = bl.fit_logreg(X.iloc[idx], y[idx])
    lr_reasons = bl.fit_logreg_reasons(X.iloc[denied], cat.iloc[denied])
    p_lr = lr.predict_proba(Xs)[:, 1]
    out["logreg"] = SystemPreds(p_lr, p_lr, bl.logreg_reason_probs(lr_reasons, Xs))
    fired = bl.fired_rules(X, bundle_rules())
    rates = bl.rule_count_rates(fired[fit], y[fit])
    score, p_rules = bl.rules_scores(fired[serve], rates)
    prior = bl.category_prior(cat[fit & (y == 1)])
    out["rules"] = SystemPreds(p_rules, score,
                               bl.rules_reason_scores(fired[serve], bundle_rules(), prior))
    return out


def bundle_rules() -> dict[str, str]:
    """The billing-rule feature -> category map of the features package."""
    from features.registry import RULE_FEATURES

    return RULE_FEATURES


ORACLES = {"oracle": "oracle_p", "oracle_visible": "oracle_p_visible",
           "oracle_837": "oracle_p_837"}  # generated X12 history: what an 837P shows


def oracle_preds(claims: pd.DataFrame, column: str = "oracle_p") -> SystemPreds | None:
    """Ground-truth probabilities of a generated data set (None for real data):
    `oracle_p` knows every factor of the world, hidden ones included; `oracle_p_visible`
    is its expectation given what the claim shows, the best any model can do."""
    if column == "oracle_p" and column not in claims and "oracle_p_denied" in claims:
        column = "oracle_p_denied"  # data sets written before the world generator
    if column not in claims:
        return None
    p = claims[column].to_numpy(dtype=float)
    reasons = pd.DataFrame(0.0, index=claims.index, columns=list(CATEGORIES))
    for cat in CATEGORIES:
        name = f"{column.removesuffix('_denied')}_{cat}"
        if name in claims:
            reasons[cat] = claims[name].to_numpy(dtype=float)
    return SystemPreds(p, p, reasons)


def merge_preds(parts: list[tuple[np.ndarray, SystemPreds]], n: int) -> SystemPreds:
    """Scatter per-tier predictions (with their test positions) into test-row order."""
    p, score = np.zeros(n), np.zeros(n)
    reasons = pd.DataFrame(0.0, index=range(n), columns=list(CATEGORIES))
    for pos, sp in parts:
        p[pos], score[pos] = sp.p, sp.score
        reasons.iloc[pos] = sp.reasons.to_numpy()
    return SystemPreds(p, score, reasons)


def system_metrics(sp: SystemPreds, y: np.ndarray, cat: pd.Series, rows: np.ndarray) -> dict:
    """Binary metrics on rows plus reason accuracy on the denied ones."""
    d = rows & (y == 1) & cat.notna().to_numpy()  # denials the payer gave a reason for
    return binary_metrics(y[rows], sp.p[rows], sp.score[rows]) | reason_metrics(
        cat[d], sp.reasons[d])


def monthly(sp: dict[str, SystemPreds], y: np.ndarray, months: pd.Series,
            rows: np.ndarray) -> dict[str, dict[str, float]]:
    """Per test month: claims, denial rate, model AUC/ECE and oracle AUC when known."""
    out = {}
    for month in sorted(months[rows].unique()):
        m = rows & (months == month).to_numpy()
        entry = {"n": int(m.sum()), "denial_rate": float(y[m].mean()),
                 "model_auc": safe_auc(y[m], sp["model"].p[m]),
                 "model_ece": binary_metrics(y[m], sp["model"].p[m])["ece"]}
        if "oracle" in sp:
            entry["oracle_auc"] = safe_auc(y[m], sp["oracle"].p[m])
        out[str(month)] = entry
    return out


def scope_report(sp: dict[str, SystemPreds], y: np.ndarray, cat: pd.Series,
                 months: pd.Series, rows: np.ndarray) -> dict[str, Any]:
    """Report block for one payer (or overall): n_test, each system's metrics, monthly."""
    block: dict[str, Any] = {"n_test": int(rows.sum()), "denial_rate": float(y[rows].mean())}
    block |= {name: system_metrics(s, y, cat, rows) for name, s in sp.items()}
    for oracle in ("oracle_visible", "oracle_837"):  # the gaps the issues measure
        if oracle in sp and "model" in sp:
            block[f"auc_gap_{oracle}"] = auc_gap(y[rows], sp["model"].p[rows],
                                                 sp[oracle].p[rows])
    block["monthly"] = monthly(sp, y, months, rows)
    return block


def evaluate_frames(frames: ClaimFrames, cms: Any, settings: Settings,
                    bundles: dict[str, ModelBundle],
                    model: SystemPreds | None = None) -> dict[str, Any]:
    """The evaluation report of a data set (see module docstring for its layout);
    `model`: the model's test-row predictions made elsewhere (training/walk_forward.py)
    in place of the bundles' own (the baselines still follow the bundles' tiers)."""
    split = split_frames(frames, settings)
    claims = frames.claims.reset_index(drop=True)
    payer = claims["payer_id"].astype(object)
    y, cat = labels(frames)
    ref = bundles.get(POOLED) or next(iter(bundles.values()))
    X = model_matrix(frames, live_state(ref.state, frames.claims), cms,
                     ref.metadata.payer_column)
    test = split.test
    tpos = np.flatnonzero(test)
    payers = sorted(payer[test].unique())
    tiers = {p: serving_tier(bundles, p) for p in payers}
    parts: dict[str, list] = {"model": [], "logreg": [], "rules": []}
    for tier in sorted(set(tiers.values())):
        serve = test & payer.isin([p for p, t in tiers.items() if t == tier]).to_numpy()
        fit = tier_rows(payer, tier, tiers) & ~test
        preds = predict_tier(bundles[tier], X, y, cat, fit, serve)
        pos = np.searchsorted(tpos, np.flatnonzero(serve))
        for name, sp in preds.items():
            parts[name].append((pos, sp))
    sp = {name: merge_preds(v, len(tpos)) for name, v in parts.items()}
    if model is not None:
        sp["model"] = model
    for system, column in ORACLES.items():
        oracle = oracle_preds(claims.iloc[tpos].reset_index(drop=True), column)
        if oracle is not None:
            sp[system] = oracle
    return build_report(sp, y[tpos], cat.iloc[tpos].reset_index(drop=True),
                        payer.iloc[tpos].reset_index(drop=True),
                        split.months.iloc[tpos].reset_index(drop=True), tiers, split, ref)


def build_report(sp: dict[str, SystemPreds], y: np.ndarray, cat: pd.Series, payer: pd.Series,
                 months: pd.Series, tiers: dict[str, str], split: Any,
                 ref: ModelBundle) -> dict[str, Any]:
    """Assemble payers/overall blocks plus the test window and model provenance."""
    everyone = np.ones(len(y), bool)
    report = {"test_window": split.window(), "feature_version": ref.metadata.feature_version,
              "systems": sorted(sp), "payers": {}}
    for p, tier in tiers.items():
        block = scope_report(sp, y, cat, months, (payer == p).to_numpy())
        report["payers"][p] = {"model_kind": "payer" if tier == p else "pooled"} | block
    report["overall"] = scope_report(sp, y, cat, months, everyone)
    return report
