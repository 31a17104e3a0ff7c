"""Do the service's fixes lower the TRUE risk of a claim? (issue 14 item 4)

Fixes judged by the model alone prove nothing: a fix the model likes may not cure what
the payer denies. For each test claim whose claim-only truth is risky (oracle_p_visible
>= MIN_VISIBLE), the claim is scored through the service path with fixes, its top fix is
applied as a coder would submit it, and the edited claim is re-adjudicated by the
world's own rules: a callable handed in by the CLI (the generator's true_risk, with the
original claim's hidden factors); serving never imports the generator. A claim counts as
lowered when its true probability at least halves; a claim with no applicable fix
(none returned, or not_fixable) counts as not lowered, except a copy of a claim already
billed: "do not send it" avoids its duplicate denial and loses nothing (NOT_SENT).
Claims the service answers not_fixable (submitted past the payer's filing limit: no edit
cures them) are also counted apart (`n_not_fixable`), with the share lowered among the
others (`lowered_true_risk_fixable`): a billing team reads the first as claims to write
off and the second as how often a change the service proposes cures the claim.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from contract.frames import ClaimFrames, frames_to_claims
from contract.schema import Fix
from serving.edits import is_not_sent
from serving.fix_apply import apply_returned_fix
from serving.scoring import Options, Predictor

MIN_VISIBLE = 0.3
TrueRisk = Callable[[list[dict[str, Any]]], np.ndarray]


def risky_rows(claims: Any, rows: np.ndarray, min_visible: float = MIN_VISIBLE) -> np.ndarray:
    """Positions among `rows` of claims whose claim-only truth is at least min_visible."""
    visible = claims["oracle_p_visible"].to_numpy(dtype=float)
    return np.flatnonzero(rows & (visible >= min_visible))


NOT_SENT = "not sent"  # the whole visit billed to the patient, or a duplicate not sent


def top_answers(predictor: Predictor, claims: Sequence[dict[str, Any]],
                batch: int = 256) -> list[Fix | None]:
    """Each claim's first fix item as the service returns it (not_fixable included;
    None when it returns none)."""
    options = Options(explain=True, fixes=True, max_fixes=1)
    out: list[Fix | None] = []
    for start in range(0, len(claims), batch):
        part = list(claims[start:start + batch])
        out += [next(iter(scored.fixes), None) for scored in predictor.predict(part, options)]
    return out


def is_unfixable(fix: Fix | None) -> bool:
    """A not_fixable answer that is not "do not send this duplicate" (which cures)."""
    return fix is not None and fix.action == "not_fixable" and not is_not_sent(
        fix.action, fix.line, fix.value)


def fixed_claims(claims: Sequence[dict[str, Any]], fixes: Sequence[Fix | None],
                 cms: Any) -> list[dict[str, Any] | str | None]:
    """Each claim with its fix applied as a coder submits it (None without a fix;
    NOT_SENT when the fix keeps the claim from the payer)."""
    return [None if fix is None else NOT_SENT if is_not_sent(fix.action, fix.line, fix.value)
            else apply_returned_fix(claim, fix, cms) for claim, fix in zip(claims, fixes)]


def summarise(before: np.ndarray, after: np.ndarray,
              unfixable: np.ndarray | None = None) -> dict[str, float]:
    """n, share whose true probability at least halved, mean drop; with `unfixable`
    (claims answered not_fixable) their count and the share lowered among the others."""
    if len(before) == 0:
        return {"n": 0, "lowered_true_risk": float("nan"), "mean_true_drop": float("nan")}
    lowered = after <= 0.5 * before
    out = {"n": int(len(before)), "lowered_true_risk": float(np.mean(lowered)),
           "mean_true_drop": float(np.mean(before - after))}
    if unfixable is not None:
        rest = lowered[~unfixable]
        out |= {"n_not_fixable": int(unfixable.sum()),
                "lowered_true_risk_fixable": float(rest.mean()) if len(rest) else float("nan")}
    return out


def audit_fixes(frames: ClaimFrames, rows: np.ndarray, predictor: Predictor,
                true_risk: TrueRisk, min_visible: float = MIN_VISIBLE
                ) -> dict[str, dict[str, float]]:
    """Per payer: {n, lowered_true_risk, mean_true_drop, n_with_fix} over risky test
    claims (frames rows selected by the boolean `rows`, e.g. the test window)."""
    from training.split import subset_frames

    picked = risky_rows(frames.claims.reset_index(drop=True), rows, min_visible)
    mask = np.zeros(len(frames.claims), dtype=bool)
    mask[picked] = True
    sub = subset_frames(frames, mask)
    claims = frames_to_claims(sub)
    before = sub.claims["oracle_p"].to_numpy(dtype=float)
    answers = top_answers(predictor, claims)
    unfixable = np.array([is_unfixable(f) for f in answers], dtype=bool)
    fixed = fixed_claims(claims, [None if u else f for f, u in zip(answers, unfixable)],
                         predictor.cms)
    after = before.copy()
    edited = [i for i, c in enumerate(fixed) if isinstance(c, dict)]
    if edited:
        after[edited] = true_risk([fixed[i] for i in edited])
    after[[i for i, c in enumerate(fixed) if c == NOT_SENT]] = 0.0
    payer = sub.claims["payer_id"].astype(str).to_numpy()
    has_fix = np.array([c is not None for c in fixed], dtype=bool)
    out = {}
    for p in sorted(set(payer)):
        sel = payer == p
        out[p] = summarise(before[sel], after[sel], unfixable[sel]) | {
            "n_with_fix": int(has_fix[sel].sum())}
    out["overall"] = summarise(before, after, unfixable) | {"n_with_fix": int(has_fix.sum())}
    return out


def add_fixes_to_report(report: dict[str, Any], frames: ClaimFrames, test: np.ndarray,
                        predictor: Predictor, true_risk: TrueRisk) -> dict[str, Any]:
    """The evaluation report with a `fixes` block per payer and overall (in place)."""
    audit = audit_fixes(frames, test, predictor, true_risk)
    for payer, block in report["payers"].items():
        block["fixes"] = audit.get(payer, summarise(np.zeros(0), np.zeros(0)))
    report["overall"]["fixes"] = audit["overall"]
    return report
