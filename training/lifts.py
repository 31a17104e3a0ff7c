"""Coding-check lifts: what the practice's history says about claims with a coding error
that the trees could not learn from a handful of examples.

Every coding-consistency rule (features/checks) is a model feature (check_<rule>), and a
common one (E/M without 25 next to a biopsy) the booster learns well. A rare one (an NCCI
mutually exclusive pair billed together, 20 times in 60,000 claims) falls under the
trees' minimum leaf size: the model scores the wrong claim like its corrected version.
For each rule, training compares the observed denial rate of the model's training claims
with the finding to the model's own mean prediction on them; the log-odds gap, shrunk by
PRIOR_CLAIMS pseudo-claims at the model's own rate, is the rule's lift. Scoring adds the
largest positive lift among a claim's findings to its log-odds, and credits the added
probability to the rule's denial category, so a claim with a coding error its payer
denies ranks above the corrected claim and names why. Lifts only raise (a coding error
never makes a claim safer), are learned from data (no history, no lift) and are quoted
("MCR denied 9 of 10 training claims with this finding; the model alone said 14%").

The category a lift credits is learned too: the one whose denials among the training
claims with the finding most exceed what the model already expects of it (the lift adds
the probability the trees miss, so it goes to the reason they miss), where the rule's
own CARC category (or the practice-wide lift's) counts PRIOR_CATEGORY_DENIALS more and
another category must hold at least half of the unexpected denials. Payers file the
same error under different CARCs (many deny an NCCI pair with CO-97, which reads as
global period, where others send CO-236), and the reason a claim names should be the
one its payer's remit will carry.

A payer model's lift is shrunk toward the practice-wide lift of the same run's pooled
model (empirical Bayes), not toward zero: a coding error MCR saw twice but all the
practice's payers denied 37 times in 41 is not treated as unknown. With no claim of
its own the payer inherits the practice-wide lift; its own history outweighs the prior
as it grows. The pooled model, which serves payers too thin for their own model, learns
the same per payer (payer_lifts) on its training claims: one payer denies 59 where it
wants XS and another does not, so a payer's claims take its own lifts (shrunk toward
the practice-wide ones), and the practice-wide lifts serve payers it has not seen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from pydantic import BaseModel
from scipy.special import expit, logit

from features.checks import RULES
from features.registry import CHECK_PREFIX
from reference.vocab import CATEGORIES

PRIOR_CLAIMS = 5.0  # pseudo-claims at the model's own rate: few findings, small lift
MIN_LIFT = 0.05  # log-odds; smaller gaps are the model's own noise
PRIOR_CATEGORY_DENIALS = 3.0  # pseudo-denials of a rule's own category (learned_category)


class FindingLift(BaseModel):
    """One coding rule's lift, with the history it was learned from."""

    category: str
    n: int  # training claims with the finding
    denied: int  # of them denied
    predicted: float  # the model's mean P(denied) on them (0 when n is 0)
    log_odds: float  # added to a claim's log-odds when the finding is on it
    practice_n: int = 0  # the pooled model's claims with the finding (the prior), if any
    practice_denied: int = 0
    payer: str | None = None  # a pooled model's lift for this payer's claims only


def rule_lift(has: np.ndarray, y: np.ndarray, p: np.ndarray,
              prior_gap: float = 0.0) -> tuple[int, int, float, float]:
    """(n, denied, mean prediction, shrunk log-odds gap) of the claims in `has`: the
    observed rate is shrunk by PRIOR_CLAIMS pseudo-claims at the model's rate moved by
    `prior_gap` (0: toward the model itself)."""
    n, denied = int(has.sum()), int(y[has].sum())
    if n == 0:
        return 0, 0, 0.0, float(prior_gap)
    predicted = float(np.clip(p[has].mean(), 1e-4, 1 - 1e-4))
    prior = float(expit(logit(predicted) + prior_gap))
    observed = (denied + PRIOR_CLAIMS * prior) / (n + PRIOR_CLAIMS)
    gap = logit(np.clip(observed, 1e-4, 1 - 1e-4)) - logit(predicted)
    return n, denied, predicted, float(gap)


def learned_category(labels: np.ndarray, prior_category: str,
                     expected: np.ndarray | None = None) -> str:
    """The reason category whose count among `labels` (the denial categories of the
    training denials with a finding; missing ones skipped) most exceeds `expected` (the
    model's expected denials of each CATEGORIES entry on those claims; None: zero),
    `prior_category` counting PRIOR_CATEGORY_DENIALS more and winning ties; another
    category wins only with at least half of the unexpected denials."""
    score = dict.fromkeys(CATEGORIES, 0.0) | Counter(c for c in labels if isinstance(c, str))
    if expected is not None:
        for k, name in enumerate(CATEGORIES):
            score[name] -= float(expected[k])
    excess = sum(max(v, 0.0) for v in score.values())
    score[prior_category] += PRIOR_CATEGORY_DENIALS
    best = max(score, key=lambda c: (score[c], c == prior_category))
    # another reason must carry most of the unexpected denials: spread over several (a
    # finding that merely co-occurs with other errors), they keep the rule's own reason
    return best if best == prior_category or score[best] >= 0.5 * excess else prior_category


def learn_lifts(X: pd.DataFrame, y: np.ndarray, p: np.ndarray,
                prior: Mapping[str, FindingLift] | None = None,
                category: np.ndarray | None = None,
                expected: np.ndarray | None = None) -> dict[str, FindingLift]:
    """Lifts of the coding rules whose findings the model under-predicts on X (training
    claims of the model, p = its calibrated predictions on them), each shrunk toward
    `prior` (the pooled model's lifts of the same run; None or a missing rule: zero).
    `category`: each row's denial category (object array; None: every lift keeps its
    rule's category), from which each lift learns the reason it credits, net of
    `expected` (rows x CATEGORIES: the model's P(denied) x P(category | denied))."""
    prior = prior or {}
    out = {}
    for column in (c for c in X.columns if c.startswith(CHECK_PREFIX)):
        rule = column.removeprefix(CHECK_PREFIX)
        has = X[column].to_numpy(dtype=float) > 0
        base = prior.get(rule)
        if rule not in RULES or not (has.any() or base is not None):
            continue
        n, denied, predicted, gap = rule_lift(has, y, p, base.log_odds if base else 0.0)
        if gap >= MIN_LIFT:
            own = base.category if base else RULES[rule].category
            out[rule] = FindingLift(
                category=own if category is None else learned_category(
                    category[has & (y == 1)], own,
                    None if expected is None else expected[has].sum(axis=0)),
                n=n, denied=denied,
                predicted=round(predicted, 4), log_odds=round(gap, 4),
                practice_n=base.n if base else 0, practice_denied=base.denied if base else 0)
    return out


def learn_payer_lifts(X: pd.DataFrame, y: np.ndarray, p: np.ndarray, payer: np.ndarray,
                      practice: Mapping[str, FindingLift], category: np.ndarray | None = None,
                      expected: np.ndarray | None = None) -> dict[str, dict[str, FindingLift]]:
    """A pooled model's lifts per payer among its training claims (`payer` per row),
    each shrunk toward the practice-wide lift of the same rule (learn_lifts)."""
    out = {}
    for name in sorted({str(v) for v in payer if v is not None and v == v}):
        sel = np.asarray(payer == name, dtype=bool)
        found = learn_lifts(X[sel], y[sel], p[sel], practice,
                            None if category is None else category[sel],
                            None if expected is None else expected[sel])
        out[name] = {rule: lift.model_copy(update={"payer": name})
                     for rule, lift in found.items()}
    return out


def lift_columns(names: Sequence[str], lifts: Mapping[str, FindingLift],
                 payer_lifts: Mapping[str, Mapping[str, FindingLift]] | None = None
                 ) -> list[tuple[int, FindingLift]]:
    """(matrix column, lift) of each lift whose check column the model has: the
    practice-wide ones, then each payer's own (FindingLift.payer set)."""
    position = {n: j for j, n in enumerate(names)}
    own = payer_lifts or {}
    rules = sorted(lifts.items()) + [item for payer in sorted(own)
                                     for item in sorted(own[payer].items())]
    return [(position[CHECK_PREFIX + r], lift) for r, lift in rules
            if CHECK_PREFIX + r in position]


def lift_applies(lift: FindingLift, payers: np.ndarray | None,
                 scoped: np.ndarray | None) -> np.ndarray | bool:
    """Rows a lift may apply to: a payer's own lift to its claims; a practice-wide one
    to the claims of payers without lifts of their own (every row without payers)."""
    if payers is None or scoped is None:
        return lift.payer is None
    return payers == lift.payer if lift.payer is not None else ~scoped


def apply_lifts(M: np.ndarray, p: np.ndarray, columns: list[tuple[int, FindingLift]],
                payers: np.ndarray | None = None, learned: Sequence[str] = ()
                ) -> tuple[np.ndarray, np.ndarray]:
    """(lifted P(denied), position in `columns` of the lift applied or -1) per row of M;
    `payers` (each row's payer id) and `learned` (the payers whose own lifts were learned,
    none of them possibly) select the payer-scoped lifts."""
    best = np.zeros(len(p))
    chosen = np.full(len(p), -1)
    scoped = np.isin(payers, list(learned)) if payers is not None and learned else None
    for k, (j, lift) in enumerate(columns):
        better = (M[:, j] > 0) & (lift.log_odds > best) & lift_applies(lift, payers, scoped)
        best[better] = lift.log_odds
        chosen[better] = k
    if not (chosen >= 0).any():
        return p, chosen
    clipped = np.clip(p, 1e-6, 1 - 1e-6)
    return np.where(chosen >= 0, expit(logit(clipped) + best), p), chosen


def lift_categories(chosen: np.ndarray, columns: list[tuple[int, FindingLift]]) -> np.ndarray:
    """CATEGORIES index of each row's applied lift (-1: none)."""
    index = np.array([CATEGORIES.index(lift.category) for _, lift in columns] + [-1])
    return index[np.where(chosen >= 0, chosen, len(columns))]


def lifted_reasons(q: np.ndarray, p_model: np.ndarray, p: np.ndarray,
                   category: np.ndarray) -> np.ndarray:
    """P(category | denied) after a lift: the added probability goes to the lifted
    rule's category (rows without a lift keep the model's)."""
    rows = np.flatnonzero(category >= 0)
    if len(rows) == 0:
        return q
    out = q.copy()
    joint = q[rows] * p_model[rows, None]
    joint[np.arange(len(rows)), category[rows]] += p[rows] - p_model[rows]
    out[rows] = joint / np.maximum(joint.sum(axis=1, keepdims=True), 1e-12)
    return out
