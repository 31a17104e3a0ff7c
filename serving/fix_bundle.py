"""The change that cures a claim, made with the claim's other coding corrections.

The change that removes the payer's likely denial (add 25 to the E/M) often leaves
another coding error on the claim: a right-arm biopsy without RT, a line pointing to a
history-of code where the claim has the lesion's own diagnosis. The model may weigh that
error lightly for this payer, but it is an error all the same, and the claim goes out
once: a coder corrects it with the cure. So the top fix carries the error-severity
corrections (checker findings), and the two warnings whose change is a fact of the claim
(RT/LT from the lesion's own side, the drug's NDC), that touch nothing the cure
touches, up to fix_combos.MAX_CHANGES, `together` with it (a correction made alike on
several lines goes on those the cure leaves: RT on the repair when the excision goes to
the patient). With no single cure, the change that lowers the risk most carries them
the same way. The joint edit is checked (no coding error introduced) and re-scored like
any other; it leads when its risk after is no higher than the cure's alone (MIN_GAIN
allowed for model noise), else the cure stands alone.

When the model names another likely reason the cure leaves (a missing referral beside
the 79 of a visit inside a global), the change that mends it joins too (it lowers the
risk alone, touches nothing chosen): that fuller edit leads when it beats both the cure
and the corrections-only bundle by MIN_GAIN.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from contract.schema import Fix
from features.registry import CHANGE_REASONS
from reference.cms import CmsTables
from serving.candidates import Candidate
from serving.context import ClaimView
from serving.fix_apply import edited_claim, finding_candidates
from serving.fix_combos import (
    MAX_CHANGES,
    collide,
    edit_order,
    joinable,
    joint_fix,
    likely_cause,
    scored_joints,
    touched,
)
from serving.fix_ranking import CURED_SHARE, MIN_GAIN, is_correction

CURES, HELPS = "one removes the payer's likely denial", "one lowers the risk most"
WITH_CORRECTIONS = "the others are coding corrections the claim also needs"
WITH_OTHER_CAUSES = ("the others mend another reason it is likely to deny the claim or "
                     "correct its coding")
LEAD = 1e-6  # ranks the bundle just ahead of its cure alone
FACTUAL_WARNINGS = frozenset({"side_modifier_missing", "drug_ndc_missing"})
"""Warnings whose change only states what the claim already says (the lesion's side, the
drug given): right whatever the payer, unlike "79 if unrelated" or "25 if documented"."""

Verified = list[tuple[Candidate, float]]


def best_lead(items: Verified, claim: dict[str, Any], risk: float
              ) -> tuple[Candidate, float] | None:
    """The change a bundle is built on: the definite change with the lowest risk after
    that lowers the risk (by MIN_GAIN). Mostly a cure (it halves the risk); when no
    single change cures the claim, the one that helps most still carries the corrections,
    since the claim goes out once (a side coded into the diagnosis takes the LT its
    repair line lacks)."""
    leads = [(c, p) for c, p in items if p < risk - MIN_GAIN and joinable(c, claim)]
    return min(leads, key=lambda x: x[1]) if leads else None


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


def reason_of(c: Candidate) -> str | None:
    """The denial reason a change mends: its checker finding's category, else the
    registry's for the feature it changes (CHANGE_REASONS)."""
    return c.finding.category if c.finding is not None else CHANGE_REASONS.get(c.feature)


def with_other_causes(chosen: Verified, items: Verified, claim: dict[str, Any],
                      probs: np.ndarray | None, risk: float) -> Verified:
    """The chosen changes (the cure first) plus each change that lowers the risk alone (by
    MIN_GAIN) and mends a reason other than the cure's that the model names likely
    (CHANGE_REASONS), touching nothing chosen, lowest risk after first, up to
    MAX_CHANGES in all."""
    cured = reason_of(chosen[0][0])
    out, used = list(chosen), set().union(*(touched(c) for c, _ in chosen))
    for c, p in sorted(items, key=lambda x: x[1]):
        if len(out) == MAX_CHANGES:
            break
        if p < risk - MIN_GAIN and reason_of(c) != cured \
                and likely_cause(c, probs) and joinable(c, claim) \
                and not any(c is x for x, _ in out) and not collide(touched(c), used):
            out.append((c, p))
            used |= touched(c)
    return out


def narrowed(c: Candidate, used: set[Any]) -> Candidate | None:
    """A correction made alike on several lines (RT on an excision and its repair) without
    the lines the cure takes (a line billed to the patient or removed): the same change
    on the others, grouped as the checker's findings are (None: no line left, or none
    to leave out)."""
    if c.finding is None or not c.also:
        return None
    parts = [c.finding, *c.also]
    free = [f for f in parts if not collide(touched(finding_candidates([f])[0]), used)]
    return finding_candidates(free)[0] if free and len(free) < len(parts) else None


def narrowed_corrections(cure: Candidate, items: Verified, claim: dict[str, Any]
                         ) -> list[Candidate]:
    """The claim's bundled corrections that collide with the cure, narrowed to the lines
    it leaves."""
    used = touched(cure)
    out = [narrowed(c, used) for c, _ in items
           if is_bundled(c, claim) and joinable(c, claim) and collide(touched(c), used)]
    return [c for c in out if c is not None]


def with_narrowed(picks: list[tuple[int, tuple[Candidate, float]]], views: Sequence[ClaimView],
                  verified: Sequence[Verified],
                  score: Callable[[list[dict[str, Any]]], np.ndarray]) -> dict[int, Verified]:
    """Each picked claim's verified changes plus its narrowed corrections, these re-scored
    alone in one call (their risk after is the claim's with that change only)."""
    extra = [(i, c) for i, (cure, _) in picks
             for c in narrowed_corrections(cure, verified[i], views[i].claim)]
    risks = score([{**edited_claim(views[i].claim, c),
                    "claim_id": f"{views[i].claim['claim_id']}~narrow{k}"}
                   for k, (i, c) in enumerate(extra)]) if extra else []
    out = {i: list(verified[i]) for i, _ in picks}
    for (i, c), p in zip(extra, risks):
        out[i].append((c, float(p)))
    return out


def cures_with_corrections(views: Sequence[ClaimView], risks: np.ndarray,
                           verified: Sequence[Verified], cms: CmsTables,
                           errors_before: Sequence[set[tuple]],
                           score: Callable[[list[dict[str, Any]]], np.ndarray],
                           errors_of: Callable[[list[dict[str, Any]]], list[set[tuple]]],
                           categories: np.ndarray | None = None
                           ) -> list[tuple[int, tuple[int, float, Fix, bool]]]:
    """(claim index, ranked item) of each claim whose cure is made with its other coding
    corrections (and, where it scores lower, the changes mending the other likely reasons:
    `categories`, P(category | denied) per claim): in the cure's tier (1, or 2 for a
    change that helps without curing), ranked just ahead of it alone, a coding
    correction (so top_fixes keeps it). `score` and `errors_of` are serving.fixes'
    rescore and coding_errors."""
    claims = [v.claim for v in views]
    cures = [(i, cure) for i, (claim, items) in enumerate(zip(claims, verified))
             if (cure := best_lead(items, claim, float(risks[i]))) is not None]
    items_of = with_narrowed(cures, views, verified, score)
    bundles = [(i, with_corrections(cure, items_of[i], claims[i])) for i, cure in cures]
    picks = [(i, edit_order(chosen)) for i, chosen in bundles]
    fuller = [(i, edit_order(more)) for i, chosen in bundles if len(more := with_other_causes(
        chosen, items_of[i], claims[i], None if categories is None else categories[i],
        float(risks[i]))) > len(chosen)]
    alone = {i: cure[1] for i, cure in cures}
    plain = {i: (chosen, p) for i, chosen, p in scored_joints(
        claims, picks, cms, errors_before, score, errors_of, "bundle")
        if p <= alone[i] + MIN_GAIN}
    best = {i: min(alone[i], plain[i][1]) if i in plain else alone[i] for i in alone}
    more = {i: (chosen, p) for i, chosen, p in scored_joints(
        claims, fuller, cms, errors_before, score, errors_of, "causes")
        if p <= best[i] - MIN_GAIN}
    out = []
    for i in sorted(set(plain) | set(more)):
        chosen, p = more.get(i) or plain[i]
        tier = 1 if alone[i] <= CURED_SHARE * float(risks[i]) else 2
        why = f"{CURES if tier == 1 else HELPS}, " \
              f"{WITH_OTHER_CAUSES if i in more else WITH_CORRECTIONS}"
        out.append((i, (tier, alone[i] - LEAD, joint_fix(chosen, p, why), True)))
    return out
