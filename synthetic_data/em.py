"""Office E/M lines (99202-99205 new, 99211-99215 established) added to encounters.

Level mix follows dermatology practice (99213 most common, then 99214). Modifier 25 is
not set here: the coding pass adds it when the claim also bills a procedure.
"""

from __future__ import annotations

import numpy as np

from synthetic_data.context import Ctx
from synthetic_data.dxpools import pick
from synthetic_data.lines import ORDER_EM, Lines, make_block

ESTABLISHED = ("99212", "99213", "99214", "99215")
ESTABLISHED_WEIGHTS = (0.12, 0.55, 0.29, 0.04)
NEW = ("99202", "99203", "99204", "99205")
NEW_WEIGHTS = (0.08, 0.52, 0.35, 0.05)
NEW_PATIENT_RATE = 0.18


def em_codes(ctx: Ctx, n: int) -> np.ndarray:
    """E/M code per visit: new patients 99202-99205, established 99212-99215."""
    est = pick(ctx.rng, ESTABLISHED, n, ESTABLISHED_WEIGHTS)
    new = pick(ctx.rng, NEW, n, NEW_WEIGHTS)
    return np.where(ctx.chance(NEW_PATIENT_RATE, n), new, est)


def em_block(ctx: Ctx, claims: np.ndarray, dx, dx2=None, mod=None) -> Lines:
    """One E/M line for each claim position in `claims`."""
    return make_block(claims, em_codes(ctx, len(claims)), order=ORDER_EM, dx=dx, dx2=dx2,
                      mod=mod)


def optional_em(ctx: Ctx, claims: np.ndarray, rate: float, dx: np.ndarray,
                dx2: np.ndarray | None = None) -> Lines:
    """An E/M on a `rate` share of procedure visits (a separately identifiable problem)."""
    keep = ctx.chance(rate, len(claims))
    second = None if dx2 is None else dx2[keep]
    return em_block(ctx, claims[keep], dx[keep], second)
