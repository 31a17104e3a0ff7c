"""The promotion gate: when a newly trained model may take the `champion` alias.

A model is judged against what it would replace, on the same test claims: the payer's
current champion, else the model serving the payer today (the pooled one). A payer with
nothing serving it always gets the new model: a warning, not a refusal, when its test
ECE is above the limit (refusing would leave the payer unscored). Pure function of test
metrics, so the rule is unit-testable and the CLI prints exactly why a version was held
back and which option moves the limit.
"""

from __future__ import annotations

import math

from pydantic import BaseModel

AUC_OPTION, ECE_OPTION = "--gate-max-auc-drop", "--gate-max-ece"


class GateDecision(BaseModel):
    """Whether the new version becomes champion, and the one-line reason."""

    promote: bool
    reason: str


def first_model(ece: float, max_ece: float) -> GateDecision:
    """Nothing serves the payer yet: promote, warning when calibration is off."""
    if math.isnan(ece) or ece > max_ece:
        return GateDecision(promote=True, reason=(
            f"promoted with a warning: nothing else serves this payer; test ECE {ece:.4f} "
            f"is above {max_ece:.4f} (probabilities less reliable; {ECE_OPTION} sets the "
            "limit)"))
    return GateDecision(promote=True, reason=f"no model served this payer; test ECE {ece:.4f}")


def gate_decision(new: dict[str, float], replaced: dict[str, float] | None,
                  max_auc_drop: float = 0.005, max_ece: float = 0.03,
                  replaced_name: str = "the champion") -> GateDecision:
    """Promote when the new model is not worse than `replaced` (its metrics on the same
    test claims) by more than the AUC margin, and its ECE is within max_ece or no worse
    than the replaced model's. `replaced` None: nothing serves the payer.

    The margin is max_auc_drop, or less when `replaced` carries `auc_se`, the paired
    bootstrap standard error of the AUC difference on those claims: a drop beyond two of
    them is no noise (a payer model .004 below the pooled one on 9,000 claims ranks them
    worse), while on a thin payer's few claims max_auc_drop still caps the tolerance."""
    auc, ece = new.get("auc", math.nan), new.get("ece", math.nan)
    if replaced is None:
        return first_model(ece, max_ece)
    best, old_ece = replaced.get("auc", math.nan), replaced.get("ece", math.nan)
    se = replaced.get("auc_se", math.nan)
    margin = round(min(max_auc_drop, 2 * se), 4) if se > 0 else max_auc_drop
    if math.isnan(auc) or (not math.isnan(best) and auc < best - margin):
        why = (f"{AUC_OPTION} sets the margin" if margin == max_auc_drop else
               f"two standard errors of the paired difference; {AUC_OPTION} caps the margin")
        return GateDecision(promote=False, reason=(
            f"kept {replaced_name}: test AUC {auc:.4f} is more than {margin} below its "
            f"{best:.4f} on the same claims ({why})"))
    ece_limit = max(max_ece, old_ece) if not math.isnan(old_ece) else max_ece
    if math.isnan(ece) or ece > ece_limit:
        return GateDecision(promote=False, reason=(
            f"kept {replaced_name}: test ECE {ece:.4f} is above {ece_limit:.4f} "
            f"({ECE_OPTION} sets the limit)"))
    return GateDecision(promote=True, reason=(
        f"test AUC {auc:.4f} vs {best:.4f} of {replaced_name}, ECE {ece:.4f} ok"))
