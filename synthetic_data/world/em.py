"""Office E/M lines: new (99202-99205) vs established (99211-99215) from the patient's
history, level by medical decision making, and whether an E/M billed with a procedure is
really separately identifiable (the truth the chart holds; shared/domain §2: dermatology
bills an E/M with ~60-70% of minor procedures, <25% with Mohs).
"""

from __future__ import annotations

import numpy as np

from synthetic_data.world.context import WorldCtx
from synthetic_data.world.diagnoses import em_problems, pick
from synthetic_data.world.lines import ORDER_EM, Lines, make_block
from synthetic_data.world.timeline import Visits

ESTABLISHED = ("99212", "99213", "99214", "99215")
ESTABLISHED_WEIGHTS = (0.12, 0.55, 0.29, 0.04)
NEW = ("99202", "99203", "99204", "99205")
NEW_WEIGHTS = (0.08, 0.52, 0.35, 0.05)
SEPARATE_SHARE = 0.85  # E/Ms billed with a procedure that are really separate work


def em_codes(ctx: WorldCtx, new_patient: np.ndarray) -> np.ndarray:
    """E/M code per visit from new/established status and an MDM level draw."""
    n = len(new_patient)
    est = pick(ctx.rng, ESTABLISHED, n, ESTABLISHED_WEIGHTS)
    new = pick(ctx.rng, NEW, n, NEW_WEIGHTS)
    return np.where(new_patient, new, est)


def em_block(ctx: WorldCtx, visits: Visits, v: np.ndarray, dx, dx2=None,
             gmod="") -> Lines:
    """One E/M line for each visit in `v`."""
    return make_block(v, em_codes(ctx, visits["new_patient"][v]), order=ORDER_EM, dx=dx,
                      dx2=dx2, gmod=gmod)


def procedure_em(ctx: WorldCtx, visits: Visits, v: np.ndarray, rate: float,
                 lesion_dx: np.ndarray) -> Lines:
    """An E/M on a `rate` share of procedure visits. Most address a separate problem
    (separately identifiable: its own diagnosis); the rest restate the procedure's
    decision (not separate). The truth goes to visits['em_separate']."""
    keep = ctx.chance(rate, len(v))
    sub = v[keep]
    separate = ctx.chance(SEPARATE_SHARE, len(sub))
    visits["em_separate"][sub] = separate
    problem = em_problems(ctx.rng, len(sub))
    dx = np.where(separate, problem, lesion_dx[keep]).astype(object)
    second = np.where(separate & ctx.chance(0.3, len(sub)), lesion_dx[keep], None)
    return em_block(ctx, visits, sub, dx, second)
