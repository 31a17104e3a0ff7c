"""The learned coding-check lift of a claim as an explanation factor (training/lifts.py).

When a claim carries a coding error its payer denied more often than the trees predict,
the bundle raises the risk by the rule's learned lift. Coders see it as a driver that
names the finding, its line and source, and quotes the history it was learned from
("MCR denied 31 of 32 training claims with it; the model alone expected 91%"). Both the
JSON path and the bulk columns rank it among the model's own factors by its log-odds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from contract.schema import ExplanationItem
from features.registry import CHECK_PREFIX
from reference.vocab import CATEGORY_CARC
from serving.explain import MIN_CONTRIBUTION, OTHER

LIFT_FACTOR = "learned_coding_check"


def lift_log_odds(bundle: Any, chosen: np.ndarray) -> np.ndarray:
    """Log-odds each row's applied lift added (chosen: position in bundle.lift_columns,
    -1 none, as ModelBundle.score_with_lifts returns it)."""
    value = np.array([lift.log_odds for _, lift in bundle.lift_columns] + [0.0])
    return value[np.where(chosen >= 0, chosen, len(value) - 1)]


def lift_item(bundle: Any, position: int, findings: list[Any]) -> ExplanationItem | None:
    """The explanation item of one claim's applied lift (None: no lift, or the finding
    is not on the claim's checked lines)."""
    if position < 0:
        return None
    j, lift = bundle.lift_columns[position]
    rule = bundle.feature_names[j].removeprefix(CHECK_PREFIX)
    found = next((f for f in findings if f.rule == rule), None)
    if found is None:
        return None
    meta = bundle.metadata
    text = (f"{found.text.rstrip('.')}. {lift_history(meta, lift)}{filed_as(lift, found)}: "
            "a learned payer habit")
    source = f"{found.source}; learned from training claims {meta.learned.window}".strip()
    return ExplanationItem(factor=LIFT_FACTOR, contribution=lift.log_odds,
                           lines=[found.line] if found.line is not None else [],
                           text=text, source=source)


def lift_history(meta: Any, lift: Any) -> str:
    """The history a lift was learned from: the model's own claims with the coding error
    (a pooled model's payer lift: that payer's claims) and, for a payer's lift, the
    practice-wide history it was shrunk toward."""
    who = lift.payer or (meta.payer if meta.kind == "payer" else
                         "The payers of the pooled model")
    own = (f"{who} denied {lift.denied} of {lift.n} training claims with this coding "
           f"error (the model alone expected {lift.predicted:.0%})" if lift.n
           else f"No {who} training claim had this coding error")
    if not lift.practice_n:
        return own
    return (f"{own}; the practice's payers denied {lift.practice_denied} of "
            f"{lift.practice_n}")


def filed_as(lift: Any, found: Any) -> str:
    """'; its remits file these denials as global period (CO-97)' when the payer's remits
    give the finding another reason than its rule's (the lift learned it), else ''."""
    if lift.category == found.category:
        return ""
    return (f"; its remits file these denials as {lift.category.replace('_', ' ')} "
            f"({CATEGORY_CARC[lift.category]})")


def with_lift_item(items: list[ExplanationItem], item: ExplanationItem | None,
                   k: int) -> list[ExplanationItem]:
    """Drivers with the lift item placed by its contribution (before weaker drivers and
    the `other_factors` remainder); at most k drivers, the weakest one folded into the
    remainder when the lift takes its place."""
    if item is None:
        return items
    drivers = [x for x in items if x.factor != OTHER]
    rest = sum(x.contribution for x in items if x.factor == OTHER)
    at = next((i for i, x in enumerate(drivers) if x.contribution < item.contribution),
              len(drivers))
    if at >= k:
        return items  # weaker than every shown driver: not shown
    drivers = [*drivers[:at], item, *drivers[at:]]
    rest += sum(x.contribution for x in drivers[k:])
    tail = [ExplanationItem(factor=OTHER, contribution=rest,
                            text="All other factors combined")] \
        if abs(rest) >= MIN_CONTRIBUTION else []
    return drivers[:k] + tail
