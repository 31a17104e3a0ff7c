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
    test claims) by more than max_auc_drop in AUC, and its ECE is within max_ece or no
    worse than the replaced model's. `replaced` None: nothing serves the payer."""
    auc, ece = new.get("auc", math.nan), new.get("ece", math.nan)
    if replaced is None:
        return first_model(ece, max_ece)
    best, old_ece = replaced.get("auc", math.nan), replaced.get("ece", math.nan)
    if math.isnan(auc) or (not math.isnan(best) and auc < best - max_auc_drop):
        return GateDecision(promote=False, reason=(
            f"kept {replaced_name}: test AUC {auc:.4f} is more than {max_auc_drop} below its "
            f"{best:.4f} on the same claims ({AUC_OPTION} sets the margin)"))
    ece_limit = max(max_ece, old_ece) if not math.isnan(old_ece) else max_ece
    if math.isnan(ece) or ece > ece_limit:
        return GateDecision(promote=False, reason=(
            f"kept {replaced_name}: test ECE {ece:.4f} is above {ece_limit:.4f} "
            f"({ECE_OPTION} sets the limit)"))
    return GateDecision(promote=True, reason=(
        f"test AUC {auc:.4f} vs {best:.4f} of {replaced_name}, ECE {ece:.4f} ok"))
