"""Several changes as one fix, for a claim no single change cures.

A claim can carry independent errors: an E/M without 25 beside a J-code without its NDC,
a wrong side modifier on one line and an unlinked diagnosis on another. The payer denies
it for either, so each change alone leaves it likely denied, and a list of single fixes
ranked by risk after shows the coder no way to get it paid. When no verified change halves
the risk, the definite ones that touch different lines or different parts of one line
(its code, a modifier, its diagnosis pointers; a document attached counts once) are made
together, lowest risk after first, at most MAX_CHANGES; the joint edit is checked like
any other (no coding error introduced) and re-scored in one call for all claims. It is
offered when it cures the claim (halves its risk) and beats the best single change:
the first change is the Fix, the others its `together` list (each with its own risk
after), in the order a coder makes them.

A change can also look useless alone because another error masks it: a J-code without its
NDC and without prior auth stays denied whichever one is mended, so "obtain prior auth"
does not lower the risk by itself. Such a change joins the pool (`masked`) when the model
names its reason as a likely cause of the denial (fix_ranking.is_likely_reason); the
joint change must still cure the claim as a whole.

A change can also make another necessary: recoding a lone 17003 to 17000 + 17003 puts a
same-day primary procedure beside the E/M, which then needs 25; removing the procedure an
E/M's 25 stood for leaves a 25 with nothing to be separate from. The checker run on the
changed claim names such follow-ups (findings with a change the claim did not have); the
definite ones are made with the change (with_follow_ups), and its Fix lists them as
`together` parts without a risk of their own (they are not made alone).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from contract.schema import Change, Fix
from features.checks import Finding
from features.registry import CHANGE_REASONS
from reference.cms import CmsTables
from serving.candidates import Candidate
from serving.context import ClaimView
from serving.edits import is_whole_visit_to_patient
from serving.fix_apply import (
    apply_returned_fix,
    as_fix,
    edited_claim,
    finding_candidates,
    introduced,
)
from serving.fix_authorization import authorize_recodes
from serving.fix_ranking import (
    CURED_SHARE,
    MIN_GAIN,
    is_conditional,
    is_correction,
    is_likely_reason,
)

MAX_CHANGES = 3  # a coder's worklist item, not a rewrite of the claim

Verified = list[tuple[Candidate, float]]  # one claim's checked candidates, risk after each


def joinable(c: Candidate, claim: dict[str, Any]) -> bool:
    """A definite change that keeps the claim with the payer: not documentation the claim
    says the chart lacks (it helps only if the chart holds it) and not the whole visit to
    the patient (nothing is sent)."""
    return not is_conditional(c, claim) and not is_whole_visit_to_patient(c.action, c.line)


MODIFIER_ACTIONS = ("add_modifier", "replace_modifier", "remove_modifier")


def aspects(c: Candidate) -> set[Any]:
    """What of a line a change rewrites: its code and units, each modifier it adds or
    takes off, or its diagnosis pointers; removing the line rewrites all of it."""
    if c.action in MODIFIER_ACTIONS:
        return {("modifier", m) for m in (c.value, c.old) if m}
    if c.action == "link_diagnosis":
        return {"pointers"}
    if c.action in ("change_code", "change_units"):
        return {"service"}
    return {"line"}


def touched(c: Candidate) -> set[Any]:
    """What a change occupies: (line, aspect) of each line it changes, so a recode and a
    modifier or a diagnosis link on one line (11422 -> 11622 and 79 -> 58) are made
    together, two changes of the same thing never; a document attached or a claim-level
    step occupies its action and value."""
    if (c.action == "attach_documentation" and c.value != "ndc") or not c.lines:
        return {(c.action, c.value)}
    return {(line, kind) for line in c.lines for kind in aspects(c)}


def collide(a: set[Any], b: set[Any]) -> bool:
    """Two changes occupy the same thing, or one removes a line the other changes."""
    def lines(t: set[Any]) -> set[int]:
        return {x[0] for x in t if isinstance(x[0], int)}

    def removed(t: set[Any]) -> set[int]:
        return {x[0] for x in t if x[1] == "line"}
    return bool(a & b or removed(a) & lines(b) or removed(b) & lines(a))


def pick_changes(verified: Verified, claim: dict[str, Any]) -> list[tuple[Candidate, float]]:
    """Greedy, lowest risk after first: each joinable change that touches nothing a chosen
    one touches, up to MAX_CHANGES."""
    chosen: list[tuple[Candidate, float]] = []
    used: set[Any] = set()
    for c, p in sorted(verified, key=lambda x: x[1]):
        if joinable(c, claim) and not collide(touched(c), used):
            chosen.append((c, p))
            used |= touched(c)
            if len(chosen) == MAX_CHANGES:
                break
    return chosen


def edit_order(chosen: Verified) -> Verified:
    """The order the changes are made in: diagnosis links first, so a line a later change
    splits (17000 x4 -> 17000 + 17003 x3) hands its corrected pointers to the new line;
    otherwise as chosen."""
    return sorted(chosen, key=lambda x: x[0].action != "link_diagnosis")


def needs_joint_fix(verified: Verified, masked: Verified, risk: float) -> bool:
    """Two or more changes to join (verified or masked), no verified one halving the risk
    alone."""
    return len(verified) + len(masked) > 1 and min(
        (p for _, p in verified), default=risk) > CURED_SHARE * risk


def likely_cause(c: Candidate, category_probs: np.ndarray | None) -> bool:
    """The model names the reason the candidate's feature indicates (registry
    CHANGE_REASONS) as a likely cause of the claim's denial."""
    category = CHANGE_REASONS.get(c.feature)
    return category is not None and is_likely_reason(category, category_probs)


def joint_claim(claim: dict[str, Any], changes: list[Candidate],
                cms: CmsTables) -> dict[str, Any] | None:
    """The claim with the changes made in order, each after the first found again on the
    claim the previous one left (as fix_apply.apply_returned_fix applies the Fix)."""
    return apply_changes(edited_claim(claim, changes[0]), changes[1:], cms)


SEVERAL_ERRORS = "the claim has several errors; each change alone leaves most of its risk"


def joint_fix(chosen: list[tuple[Candidate, float]], risk_after: float,
              why: str = SEVERAL_ERRORS) -> Fix:
    """The first change as the Fix, the others `together` with it (each followed by the
    parts it makes itself, e.g. a paired recode's add-on); the text lists them."""
    fixes = [as_fix(c, p) for c, p in chosen]
    steps = " ".join(f"({k}) {f.text}" for k, f in enumerate(fixes, 1))
    text = f"Make these {len(fixes)} changes together ({why}): {steps}"
    parts = [*fixes[0].together, *(c for f in fixes[1:] for c in flat_changes(f))]
    return fixes[0].model_copy(update={"risk_after": float(risk_after), "text": text,
                                       "together": parts})


def flat_changes(fix: Fix) -> list[Change]:
    """A fix as the list of changes it makes: itself, then its own parts."""
    return [Change(**fix.model_dump(exclude={"together"})), *fix.together]


def joint_fixes(views: Sequence[ClaimView], risks: np.ndarray, verified: Sequence[Verified],
                cms: CmsTables, errors_before: Sequence[set[tuple]],
                score: Callable[[list[dict[str, Any]]], np.ndarray],
                errors_of: Callable[[list[dict[str, Any]]], list[set[tuple]]],
                masked: Sequence[Verified] | None = None
                ) -> list[tuple[int, tuple[int, float, Fix, bool]]]:
    """(claim index, ranked item) of each claim a joint change cures: tier 1 beside the
    single cures, a coding correction when any of its changes is one (so top_fixes keeps
    it). `score` and `errors_of` are serving.fixes' rescore and coding_errors; `masked`:
    each claim's valid changes that lowered nothing alone but mend a likely cause."""
    masked = masked if masked is not None else [[] for _ in views]
    picks = [(i, edit_order(authorize_recodes(pick_changes([*items, *masked[i]], view.claim),
                                              view.claim)))
             for i, (view, items) in enumerate(zip(views, verified))
             if needs_joint_fix(items, masked[i], float(risks[i]))]
    out = []
    for i, chosen, p in scored_joints([v.claim for v in views], picks, cms, errors_before,
                                      score, errors_of, "joint"):
        best = min((q for _, q in verified[i]), default=float(risks[i]))
        if p > CURED_SHARE * risks[i] or p > best - MIN_GAIN:
            continue
        correction = any(is_correction(c, views[i].claim) for c, _ in chosen)
        out.append((i, (1, p, joint_fix(chosen, p), correction)))
    return out


def scored_joints(claims: Sequence[dict[str, Any]], picks: list[tuple[int, Verified]],
                  cms: CmsTables, errors_before: Sequence[set[tuple]],
                  score: Callable[[list[dict[str, Any]]], np.ndarray],
                  errors_of: Callable[[list[dict[str, Any]]], list[set[tuple]]], tag: str
                  ) -> list[tuple[int, Verified, float]]:
    """Each (claim index, changes) pick made as one edit of its claim, in order, checked
    and re-scored in one call: (index, changes, risk after) of the picks of two or more
    changes that still apply and bring no coding error (fix_apply.introduced)."""
    owners, edited = [], []
    for i, chosen in picks:
        joint = joint_claim(claims[i], [c for c, _ in chosen], cms) if len(chosen) > 1 \
            else None
        if joint is not None:
            owners.append((i, chosen))
            edited.append({**joint, "claim_id": f"{claims[i]['claim_id']}~{tag}"})
    if not edited:
        return []
    return [(i, chosen, float(p))
            for (i, chosen), p, errors in zip(owners, score(edited), errors_of(edited))
            if not introduced(errors, errors_before[i], [c for c, _ in chosen])]


def follow_ups(claim: dict[str, Any], found: list[Finding], keys_before: set[tuple]
               ) -> list[Candidate]:
    """The definite changes the checker asks of a changed claim that it did not ask of
    the claim before the change (keys_before: (rule, line) of the changes asked before;
    a recoded line keeps its number, so a side modifier it lacked before is not one)."""
    new = [f for f in found if f.action and (f.rule, f.line) not in keys_before]
    return [c for c in finding_candidates(new) if not is_conditional(c, claim)]


def with_follow_ups(edited: list[dict[str, Any]], owners: Sequence[tuple[int, Candidate]],
                    found: Sequence[list[Finding]], cms: CmsTables,
                    keys_before: Sequence[set[tuple]]
                    ) -> tuple[list[dict[str, Any]], dict[int, list[Candidate]]]:
    """The edited claims with their follow-up changes made (position -> follow-ups) where
    they apply; the coding check that follows judges the change with them. Lines billed
    to the patient under a signed ABN (GA) stay on the claim sent, so the checker's asks
    of a claim without them (e.g. drop 25 from the E/M) do not follow."""
    out, follow = list(edited), {}
    for k, ((i, cand), claim, after) in enumerate(zip(owners, edited, found)):
        extra = [] if cand.abn else follow_ups(claim, after, keys_before[i])
        changed = apply_changes(claim, extra, cms) if extra else None
        if changed is not None:
            out[k], follow[k] = changed, extra
    return out, follow


def apply_changes(claim: dict[str, Any], changes: list[Candidate],
                  cms: CmsTables) -> dict[str, Any] | None:
    """The claim with the changes (and the parts each makes) made in turn, as
    apply_returned_fix applies them (None when one no longer applies)."""
    edited: dict[str, Any] | None = claim
    for c in changes:
        if edited is None:
            return None
        edited = apply_returned_fix(edited, as_fix(c, 0.0), cms)
    return edited


def followed_fix(cand: Candidate, extra: list[Candidate], risk_after: float) -> Fix:
    """The Fix of a change and the follow-ups made with it (no risk of their own), after
    the parts the change makes itself."""
    fix = as_fix(cand, risk_after)
    if not extra:
        return fix
    then = [c.model_copy(update={"risk_after": None})
            for f in extra for c in flat_changes(as_fix(f, 0.0))]
    text = " ".join(f.text for f in extra)
    return fix.model_copy(update={"text": f"{fix.text} Then, as the changed claim needs: "
                                          f"{text}", "together": [*fix.together, *then]})
