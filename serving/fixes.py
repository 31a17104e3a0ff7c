"""Verified fix suggestions: generate candidates, apply each to a copy, re-score, keep wins.

All candidates of all claims in a payer group are re-scored in one call through the same
path as the claim itself (bundle.model_input: the build_features matrix, then
bundle.predict_proba, which is what bundle.score returns as denial_probability). Only
candidates that lower the probability by at least MIN_GAIN are returned, lowest risk
first. A claim past the payer's filing limit gets a single `not_fixable` item instead: no
edit can make it timely.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from contract.schema import Fix
from features.registry import is_changeable
from reference.cms import CmsTables
from serving.candidates import DOC_GAP_FEATURES, GENERATORS, Candidate
from serving.context import ClaimView
from serving.edits import apply_candidate

MIN_GAIN = 0.01  # smaller changes are model noise, not a fix worth a coder's time


def claim_level_candidates(view: ClaimView) -> list[Candidate]:
    """Documentation, prior auth, eligibility and credentialing candidates."""
    claim, out = view.claim, []
    doc = claim.get("documentation") or {}
    for feature, field in DOC_GAP_FEATURES.items():
        if view.feature(feature, 0.0) >= 1 and doc.get(field) is not True:
            out.append(Candidate("attach_documentation", feature, f"Attach documentation: "
                                 f"{field.replace('_', ' ')} (documentation.{field}).",
                                 value=field))
    pa_lines = view.lines_where("pa_missing")
    if pa_lines:
        codes = sorted({view.cpt(n) for n in pa_lines})
        out.append(Candidate("obtain_prior_auth", "pa_missing", "Obtain prior authorization "
                             f"for {', '.join(codes)} before submitting.",
                             value=",".join(codes)))
    elig = claim.get("eligibility") or {}
    if elig.get("verified") is not True or elig.get("coverage_active") is not True:
        feature = "coverage_inactive" if elig.get("coverage_active") is False \
            else "eligibility_verified"
        out.append(Candidate("verify_eligibility", feature, "Verify eligibility for the date "
                             "of service; if coverage is not active, bill the active plan."))
    if (claim.get("provider") or {}).get("credentialed_with_payer") is not True:
        out.append(Candidate("credential_provider", "not_credentialed", "Hold the claim until "
                             f"the rendering provider is enrolled with {claim['payer_id']}."))
    if claim.get("referral_on_file") is not True:
        out.append(Candidate("attach_documentation", "referral_on_file",
                             "Obtain and attach the referral (referral_on_file).",
                             value="referral_on_file"))
    return out


def candidates_for(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    """Unique, changeable candidates of one claim (line-level first)."""
    found = [c for gen in GENERATORS for c in gen(view, cms)] + claim_level_candidates(view)
    unique: dict[tuple[Any, ...], Candidate] = {}
    for c in found:
        if is_changeable(c.feature):
            unique.setdefault((c.action, c.line, c.value), c)
    return list(unique.values())


def filing_limit_passed(view: ClaimView, bundle: Any) -> Fix | None:
    """The not_fixable item of a claim submitted after the filing limit this payer's
    history shows (training/learned.py); no assumed limit: without a learned one, no
    claim is declared past it."""
    payer = str(view.claim["payer_id"])
    learned = bundle.metadata.learned.filing.get(payer)
    days = view.feature("days_to_submit")
    if learned is None or not days > learned.days:
        return None
    reason = (f"submitted {days:.0f} days after the date of service; in this practice's "
              f"history {payer} denied {learned.denied_share:.0%} of the {learned.n_after} "
              f"claims submitted more than {learned.days} days after it (timely filing)")
    return Fix(action="not_fixable", value=reason, text=f"Not fixable: {reason}. No edit "
               "makes the claim timely; submit only with proof of timely filing.")


def rescore(bundle: Any, cms: CmsTables, claims: list[dict[str, Any]]) -> np.ndarray:
    """P(denied) of edited claims (unique claim ids) in one featurisation + predict call."""
    if not claims:
        return np.zeros(0)
    return np.asarray(bundle.predict_proba(bundle.model_input(claims, cms)), dtype=float)


def as_fix(c: Candidate, risk_after: float) -> Fix:
    return Fix(action=c.action, line=c.line, value=c.value, risk_after=float(risk_after),
               text=c.text, old=c.old, units=c.units)


def suggest_fixes(views: Sequence[ClaimView], risks: np.ndarray, bundle: Any,
                  cms: CmsTables, max_fixes: int) -> list[list[Fix]]:
    """Risk-lowering fixes of each claim (same order as views), best first."""
    out: list[list[Fix]] = [[] for _ in views]
    edited, owners = [], []
    for i, view in enumerate(views):
        blocked = filing_limit_passed(view, bundle)
        if blocked is not None:
            out[i] = [blocked]
            continue
        for k, cand in enumerate(candidates_for(view, cms)):
            claim = apply_candidate(view.claim, cand)
            edited.append({**claim, "claim_id": f"{view.claim['claim_id']}~{k}"})
            owners.append((i, cand))
    after = rescore(bundle, cms, edited)
    for (i, cand), p in zip(owners, after):
        if p < risks[i] - MIN_GAIN:
            out[i].append(as_fix(cand, p))
    for fixes in out:
        fixes.sort(key=lambda f: f.risk_after if f.risk_after is not None else -1.0)
    return [f[:max_fixes] for f in out]
