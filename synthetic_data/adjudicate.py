"""Adjudication: the payers' rules applied to claims -> exact oracle probabilities and a
sampled outcome, re-runnable on any contract claims (true_risk).

Given the hidden factors, each rule r fires independently with probability
p_r = min(1, p0_r x s^review) x g_r(h_r), where p0_r is the payer's enforcement (profile,
dated changes), s the reviewer's strictness and g_r the rule's hidden factor term. The
payer reports the highest-priority rule that fires: P(reason = r) = p_r x prod_{q<r}
(1 - p_q), and P(denied) = 1 - prod_r (1 - p_r). oracle_p uses the realised factors;
oracle_p_visible averages over them given the claim alone: each g_r's expectation is
closed form and the three strictness levels are enumerated. The outcome is drawn from
the same rules: denied ~ Bernoulli(oracle_p), reason = first rule fired, denied lines =
its lines (all lines for claim-level rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from reference.cms import CmsTables, load_cms_tables
from reference.vocab import CATEGORIES
from synthetic_data import hidden as hf
from synthetic_data.arrays import object_index
from synthetic_data.profiles import get_profile
from synthetic_data.profiles.model import STRICTNESS_LEVELS, PracticeProfile
from synthetic_data.rules import REGISTRY, Rule
from synthetic_data.rules.view import ClaimView

DEFAULT_CMS_DIR = Path(__file__).resolve().parents[2] / "shared" / "cms"
RULE_INDEX = {r.id: i for i, r in enumerate(REGISTRY)}
CATEGORY_OF_RULE = np.array([CATEGORIES.index(r.category) for r in REGISTRY])
ORACLE_COLUMNS = ["oracle_p", "oracle_p_visible",
                  *[f"oracle_p_{c}" for c in CATEGORIES],
                  *[f"oracle_p_visible_{c}" for c in CATEGORIES]]


@dataclass
class Judgement:
    """Per claim and rule: firing probabilities with the realised factors (full) and per
    strictness level with the factors' expectations (visible), and each rule's lines."""

    view: ClaimView
    full: np.ndarray  # (claims x rules)
    visible: np.ndarray  # (levels x claims x rules)
    shares: np.ndarray  # (claims x levels)
    fault: list[np.ndarray]  # per rule: lines (view order) denied when it is the reason
    claim_level: np.ndarray  # per rule: denies every line


def evaluate(rule: Rule, view: ClaimView, strictness: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """(full p, visible p per level, lines at fault, claim-level?) of one rule."""
    hit = rule.condition(view)
    claim_level = hit.lines is None
    applies = hit.claims if claim_level else view.any_claim(hit.lines)
    p0 = view.rule_probability(rule.id, rule.enforce)
    if hit.probability is not None:
        p0 = p0 * hit.probability
    scale = np.ones(view.n) if hit.scale is None else hit.scale
    scale_vis = scale if hit.scale_visible is None else hit.scale_visible
    levels = np.asarray(STRICTNESS_LEVELS) if rule.review else np.ones(3)
    s = strictness if rule.review else 1.0
    full = np.where(applies, np.minimum(1.0, p0 * s) * scale, 0.0)
    visible = np.where(applies[None, :], np.minimum(1.0, p0[None, :] * levels[:, None])
                       * scale_vis[None, :], 0.0)
    fault = hit.denied_lines if hit.denied_lines is not None else hit.lines
    if claim_level:
        fault = view.to_lines(applies)
    return full, visible, fault, claim_level


def judge(view: ClaimView) -> Judgement:
    """Every rule on every claim of the view."""
    strictness = np.asarray(view.hidden["strictness"], dtype=float)
    results = [evaluate(rule, view, strictness) for rule in REGISTRY]
    return Judgement(
        view=view, full=np.stack([r[0] for r in results], axis=1),
        visible=np.stack([r[1] for r in results], axis=2),
        shares=hf.strictness_shares(view), fault=[r[2] for r in results],
        claim_level=np.array([r[3] for r in results]))


def reason_probabilities(p: np.ndarray) -> np.ndarray:
    """(..., rules) P(rule r is the reported reason): it fires, no earlier one does."""
    survive = np.cumprod(1.0 - p, axis=-1)
    before = np.concatenate([np.ones(p.shape[:-1] + (1,)), survive[..., :-1]], axis=-1)
    return p * before


def by_category(reason: np.ndarray) -> np.ndarray:
    """(claims x categories) summed reason probabilities."""
    out = np.zeros((reason.shape[0], len(CATEGORIES)))
    for k in range(len(CATEGORIES)):
        out[:, k] = reason[:, k == CATEGORY_OF_RULE].sum(axis=1)
    return out


def oracle_frame(j: Judgement, index: pd.Index) -> pd.DataFrame:
    """oracle_p, oracle_p_visible and their per-category splits."""
    full = reason_probabilities(j.full)
    visible = np.einsum("nl,lnr->nr", j.shares, reason_probabilities(j.visible))
    data = {"oracle_p": full.sum(axis=1).clip(0, 1),
            "oracle_p_visible": visible.sum(axis=1).clip(0, 1)}
    full_cat, vis_cat = by_category(full), by_category(visible)
    for k, c in enumerate(CATEGORIES):
        data[f"oracle_p_{c}"] = full_cat[:, k]
    for k, c in enumerate(CATEGORIES):
        data[f"oracle_p_visible_{c}"] = vis_cat[:, k]
    return pd.DataFrame(data, index=index)


def hidden_from_truth(claims: pd.DataFrame, truth: pd.DataFrame) -> dict[str, np.ndarray]:
    """The hidden factors of each claim, from a truth table with hidden_* columns and a
    claim_id column or index (KeyError names claims without truth)."""
    table = truth.set_index("claim_id") if "claim_id" in truth.columns else truth
    pos = object_index(table.index).get_indexer(object_index(claims["claim_id"]))
    if (pos < 0).any():
        missing = claims["claim_id"].to_numpy()[pos < 0][:5].tolist()
        raise KeyError(f"no hidden truth for claims {missing}")
    return {f: table[f"hidden_{f}"].to_numpy()[pos] for f in hf.FACTORS}


def payer_history(claims: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Claims with the payer's recorded history (hidden_payer_*) joined from the truth."""
    table = truth.set_index("claim_id") if "claim_id" in truth.columns else truth
    cols = [c for c in table.columns if c.startswith("hidden_payer_")]
    if not cols or all(c in claims for c in cols):
        return claims
    pos = object_index(table.index).get_indexer(object_index(claims["claim_id"]))
    extra = {c: table[c].to_numpy()[pos] for c in cols}
    return claims.drop(columns=[c for c in cols if c in claims]).assign(**extra)


def true_risk(frames: ClaimFrames, truth: pd.DataFrame, profile: str | PracticeProfile = "demo",
              cms_dir: Path | str = DEFAULT_CMS_DIR, drift: bool | None = None) -> pd.DataFrame:
    """Re-adjudicate ANY contract claims (e.g. a claim after a fix) with the hidden
    factors and payer-side record of the same claim_id in `truth` (the generated claims
    frame, or any table with claim_id and hidden_* columns). Returns oracle_p,
    oracle_p_visible and the per-category columns, indexed by claim_id. `drift` defaults
    to the truth's hidden_drift (quiet rule changes on)."""
    cms = load_cms_tables(Path(cms_dir))
    claims = frames.claims.reset_index(drop=True)
    table = truth.set_index("claim_id") if "claim_id" in truth.columns else truth
    if drift is None:
        drift = bool(table["hidden_drift"].iloc[0]) if "hidden_drift" in table else True
    scale = float(table["hidden_error_scale"].iloc[0]) if "hidden_error_scale" in table \
        else 1.0
    view = make_view(ClaimFrames(payer_history(claims, truth), frames.lines),
                     get_profile(profile), cms, hidden_from_truth(claims, truth), drift, scale)
    return oracle_frame(judge(view), pd.Index(claims["claim_id"], name="claim_id"))


def make_view(frames: ClaimFrames, profile: PracticeProfile, cms: CmsTables,
              hidden: dict[str, np.ndarray], drift: bool, error_scale: float) -> ClaimView:
    """A ClaimView with the practice's lag and duplicate parameters (exact duplicate odds)."""
    return ClaimView(frames, profile, cms, hidden, drift=drift,
                     late_share=min(1.0, profile.habits.late_submission * error_scale),
                     duplicate_rate=min(1.0, profile.habits.duplicate * error_scale))


@dataclass
class Outcome:
    """A sampled answer per claim: the reason rule (-1 paid) and the denied lines
    (a bool per row of frames.lines)."""

    reason: np.ndarray
    line_denied: np.ndarray


def draw_outcome(j: Judgement, uniforms: np.ndarray) -> Outcome:
    """Each rule fires when its uniform falls below its full probability; the first in
    priority order is the reason, its lines are denied."""
    fired = uniforms < j.full
    denied = fired.any(axis=1)
    reason = np.where(denied, np.argmax(fired, axis=1), -1)
    view = j.view
    line_reason = reason[view.claim_pos]
    in_view = np.zeros(view.m, dtype=bool)
    for r in np.unique(reason[reason >= 0]):
        in_view |= (line_reason == r) & j.fault[r]
    line_denied = np.zeros(view.m, dtype=bool)
    line_denied[view.line_order] = in_view
    return Outcome(reason=reason, line_denied=line_denied)


def rule_probabilities(frames: ClaimFrames, truth: pd.DataFrame,
                       profile: str | PracticeProfile = "demo",
                       cms_dir: Path | str = DEFAULT_CMS_DIR, drift: bool = True) -> pd.DataFrame:
    """P(rule fires | claim, hidden factors) per claim (rows, claim_id) and rule (columns):
    which rules stand behind a claim's oracle_p."""
    claims = frames.claims.reset_index(drop=True)
    view = make_view(ClaimFrames(payer_history(claims, truth), frames.lines),
                     get_profile(profile), load_cms_tables(Path(cms_dir)),
                     hidden_from_truth(claims, truth), drift, 1.0)
    return pd.DataFrame(judge(view).full, columns=[r.id for r in REGISTRY],
                        index=pd.Index(claims["claim_id"], name="claim_id"))
