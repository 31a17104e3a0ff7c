"""The change that cures a claim, made with the claim's other coding corrections.

The change that removes the payer's likely denial (add 25 to the E/M) often leaves
another coding error on the claim: a right-arm biopsy without RT, a line pointing to a
history-of code where the claim has the lesion's own diagnosis. The model may weigh that
error lightly for this payer, but it is an error all the same, and the claim goes out
once: a coder corrects it with the cure. So the top fix carries the error-severity
corrections (checker findings), and the two warnings whose change is a fact of the claim
(RT/LT from the lesion's own side, the drug's NDC), that touch nothing the cure touches, up to
fix_combos.MAX_CHANGES, `together` with it. The joint edit is checked (no coding error
introduced) and re-scored like any other; it leads when its risk after is no higher than
the cure's alone (MIN_GAIN allowed for model noise), else the cure stands alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from contract.schema import Fix
from reference.cms import CmsTables
from serving.candidates import Candidate
from serving.context import ClaimView
from serving.fix_combos import (
    MAX_CHANGES,
    collide,
    edit_order,
    joinable,
    joint_fix,
    scored_joints,
    touched,
)
from serving.fix_ranking import CURED_SHARE, MIN_GAIN, is_correction

WITH_CORRECTIONS = ("one removes the payer's likely denial, the others are coding "
                    "corrections the claim also needs")
LEAD = 1e-6  # ranks the bundle just ahead of its cure alone
FACTUAL_WARNINGS = frozenset({"side_modifier_missing", "drug_ndc_missing"})
"""Warnings whose change only states what the claim already says (the lesion's side, the
drug given): right whatever the payer, unlike "79 if unrelated" or "25 if documented"."""

Verified = list[tuple[Candidate, float]]


def best_cure(items: Verified, claim: dict[str, Any], risk: float
              ) -> tuple[Candidate, float] | None:
    """The definite change with the lowest risk after that halves the risk (None: no
    single change cures the claim; fix_combos joins changes for that case)."""
    cures = [(c, p) for c, p in items if p <= CURED_SHARE * risk and joinable(c, claim)]
    return min(cures, key=lambda x: x[1]) if cures else None


def is_bundled(c: Candidate, claim: dict[str, Any]) -> bool:
    """A coding correction of an error, or a change FACTUAL_WARNINGS states."""
    return is_correction(c, claim) or (c.finding is not None
                                       and c.finding.rule in FACTUAL_WARNINGS)


def with_corrections(cure: tuple[Candidate, float], items: Verified,
                     claim: dict[str, Any]) -> Verified:
    """The cure, then each bundled correction of the claim that touches nothing already
    chosen, lowest risk after first, up to MAX_CHANGES in all."""
    chosen, used = [cure], set(touched(cure[0]))
    for c, p in sorted(items, key=lambda x: x[1]):
        if c is cure[0] or not is_bundled(c, claim) or not joinable(c, claim) \
                or collide(touched(c), used):
            continue
        chosen.append((c, p))
        used |= touched(c)
        if len(chosen) == MAX_CHANGES:
            break
    return chosen


def cures_with_corrections(views: Sequence[ClaimView], risks: np.ndarray,
                           verified: Sequence[Verified], cms: CmsTables,
                           errors_before: Sequence[set[tuple]],
                           score: Callable[[list[dict[str, Any]]], np.ndarray],
                           errors_of: Callable[[list[dict[str, Any]]], list[set[tuple]]]
                           ) -> list[tuple[int, tuple[int, float, Fix, bool]]]:
    """(claim index, ranked item) of each claim whose cure is made with its other coding
    corrections: tier 1, ranked just ahead of the cure alone, a coding correction (so
    top_fixes keeps it). `score` and `errors_of` are serving.fixes' rescore and
    coding_errors."""
    picks, alone = [], {}
    for i, (view, items) in enumerate(zip(views, verified)):
        cure = best_cure(items, view.claim, float(risks[i]))
        if cure is not None:
            picks.append((i, edit_order(with_corrections(cure, items, view.claim))))
            alone[i] = cure[1]
    out = []
    for i, chosen, p in scored_joints([v.claim for v in views], picks, cms, errors_before,
                                      score, errors_of, "bundle"):
        if p <= alone[i] + MIN_GAIN:
            fix = joint_fix(chosen, p, WITH_CORRECTIONS)
            out.append((i, (1, alone[i] - LEAD, fix, True)))
    return out
