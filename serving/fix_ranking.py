"""The order of a claim's verified fixes (serving/fixes.py builds and checks them).

Changes that cure the claim as it stands (halve its risk) lead, lowest risk after first:
the change that removes the payer's likely denial. The rest follow by expected risk: a
definite change that helps a little by its risk after, documentation the claim says the
chart lacks by the share of charts that hold it. Every correction of a coding error stays
in the list whatever its place; billing a non-covered visit to the patient leads only
when the payer is likely to deny it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from contract.schema import Fix
from reference.vocab import CATEGORIES
from serving.candidates import Candidate

MIN_GAIN = 0.01  # smaller changes are model noise, not a fix worth a coder's time
CURED_SHARE = 0.5  # a change that halves the risk cures the claim as it stands
CHART_HOLDS_SHARE = 0.2
"""How often a note the claim marks as lacking an element (symptoms, a separate E/M, margins,
size, criteria) in fact documents it. The EHR's documentation flags are mostly right, and a
record cannot be amended for billing after the fact, so attaching what the claim says is
absent changes the payer's answer only this often: such a fix is ranked by its expected
risk, behind the changes that cure the claim as it stands (its risk_after stays the
model's, as the contract defines it)."""
ATTACHMENTS = frozenset({"pathology_report_attached"})  # exists once produced: definite
LIKELY_CAUSE_SHARE = 0.25  # P(category | denied) at which a reason is a cause worth mending


def is_likely_reason(category: str, category_probs: np.ndarray | None) -> bool:
    """The model gives this reason at least LIKELY_CAUSE_SHARE of the claim's denial
    probability (category_probs: P(category | denied), CATEGORIES columns)."""
    return category_probs is not None and bool(
        category_probs[CATEGORIES.index(category)] >= LIKELY_CAUSE_SHARE)


def is_conditional(c: Candidate, claim: dict[str, Any]) -> bool:
    """Attaching documentation the claim marks absent (not an attachment that exists once
    produced, like the pathology report): it helps only if the chart holds it."""
    return (c.action == "attach_documentation" and c.value not in ATTACHMENTS
            and (claim.get("documentation") or {}).get(str(c.value)) is False)


def is_correction(c: Candidate, claim: dict[str, Any]) -> bool:
    """A checker change that fixes a coding error: shown whatever the model thinks."""
    return c.finding is not None and c.finding.is_error and not is_conditional(c, claim)


def rank_key(c: Candidate, claim: dict[str, Any], before: float, p: float
             ) -> tuple[int, float]:
    """Changes that cure the claim as it stands (a definite change, coding correction or
    other, that at least halves the risk) by risk after, so the change that removes the
    payer's likely denial leads; then the rest by expected risk: a definite change that
    helps a little (an RT the payer hardly minds) by its risk after, documentation the
    claim says the chart lacks by the share of charts that hold it (CHART_HOLDS_SHARE).
    Every coding correction stays listed whatever its place (top_fixes)."""
    if is_conditional(c, claim):
        return 2, before - CHART_HOLDS_SHARE * (before - p)
    return (1 if p <= CURED_SHARE * before else 2), p


def top_fixes(ranked: list[tuple[int, float, Fix, bool]], max_fixes: int) -> list[Fix]:
    """The first max_fixes of the ranked items: the best one always leads (the top fix
    does not depend on how many fixes are asked for), then every coding correction (flag
    True) the list has room for, whatever the model thinks of it; corrections take the
    places of the last other items."""
    ranked = sorted(ranked, key=lambda x: (x[0], x[1]))
    if not ranked or max_fixes < 1:
        return []
    room = max_fixes - 1
    corrections = [k for k, item in enumerate(ranked) if k and item[3]][:room]
    others = [k for k, item in enumerate(ranked) if k and not item[3]]
    keep = sorted([0, *corrections, *others[:max(room - len(corrections), 0)]])
    return [ranked[k][2] for k in keep]


NOT_COVERED_FEATURES = frozenset({"cosmetic_dx", "benign_lesion_no_symptoms", "screening_only"})


def whole_visit_tier(c: Candidate, risk: float, bundle: Any) -> int:
    """Billing the whole visit to the patient cures a non-covered visit the payer is likely
    to deny (risk at the warn threshold or above: tier 1, beside the changes that cure the
    claim); otherwise (a benefit that may run out, a claim likely paid) it comes last."""
    warn = getattr(getattr(bundle, "thresholds", None), "warn", None)
    likely = warn is not None and risk >= warn
    return 1 if c.feature in NOT_COVERED_FEATURES and likely else 2
