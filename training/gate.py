"""The promotion gate: when a newly registered version may take the `champion` alias.

Pure function of test metrics (both models scored on the same test window), so the rule
is unit-testable and the CLI can print exactly why a version was held back.
"""

from __future__ import annotations

import math

from pydantic import BaseModel


class GateDecision(BaseModel):
    """Whether the new version becomes champion, and the one-line reason."""

    promote: bool
    reason: str


def gate_decision(new: dict[str, float], champion: dict[str, float] | None,
                  max_auc_drop: float = 0.005, max_ece: float = 0.03) -> GateDecision:
    """Promote when ECE <= max_ece and AUC is not worse than the champion's by > max_auc_drop.

    `champion` is None when there is no (loadable) champion: only the ECE check applies.
    """
    auc, ece = new.get("auc", math.nan), new.get("ece", math.nan)
    if math.isnan(ece) or ece > max_ece:
        return GateDecision(promote=False,
                            reason=f"test ECE {ece:.4f} > {max_ece:.4f}")
    if champion is None:
        return GateDecision(promote=True, reason=f"no champion yet; test ECE {ece:.4f} ok")
    best = champion.get("auc", math.nan)
    if math.isnan(auc) or (not math.isnan(best) and auc < best - max_auc_drop):
        return GateDecision(promote=False, reason=(
            f"test AUC {auc:.4f} is more than {max_auc_drop} below the champion's {best:.4f}"))
    return GateDecision(promote=True, reason=(
        f"test AUC {auc:.4f} vs champion {best:.4f}, ECE {ece:.4f} ok"))
