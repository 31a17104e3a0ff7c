"""Medical necessity per line pointer (LCD L35498/L34200, NCD 250.4, reference/linkage.py;
shared/domain §4, §11).

Necessity is judged on the diagnoses each line points to, never on the claim's list as
a whole: a line pointing to a supporting diagnosis is supported even when the claim also
carries Z12.83. When a line's pointers do not support it but another diagnosis on the
claim does and describes the same lesion (site, side), the fix is to point the line to
it; otherwise it is a warning for the coder (the model learns how payers treat it).
"""

from __future__ import annotations

import numpy as np

from features.checks.context import FAMILIES, Ctx
from features.checks.dxfacts import CHECKED_FAMILIES, SCREENING
from features.checks.findings import Hits, empty_hits, hits
from features.checks.match import alternative_dx, known_side, lesion_bits
from reference.families import BENIGN_REMOVAL_FAMILIES

CHECKED = np.array([f in CHECKED_FAMILIES for f in FAMILIES])


def check_pointers(ctx: Ctx) -> list[Hits]:
    """Pointer-necessity findings of the batch."""
    return [dx_not_supporting(ctx), screening_dx_only(ctx), symptoms_not_documented(ctx)]


def pointed(ctx: Ctx) -> np.ndarray:
    """(n_lines, 4): the pointer names a diagnosis."""
    return ctx.ptr_dx != ctx.dx.none


def screening_only(ctx: Ctx) -> np.ndarray:
    """Lines whose every pointed diagnosis is a screening code (Z12.83, Z41.1)."""
    present = pointed(ctx)
    screening = ctx.dx.cls[ctx.ptr_dx] == SCREENING
    return present.any(axis=1) & (screening | ~present).all(axis=1)


def relink(ctx: Ctx, pos: np.ndarray, rule: str) -> Hits:
    """Point lines `pos` to a diagnosis on the claim that supports them and describes the
    same lesion (variant 0), or report that none does (variant 1)."""
    alt = alternative_dx(ctx, pos, lesion_bits(ctx)[pos], known_side(ctx)[pos],
                         strict_side=False, siteless=True)
    found = alt != ctx.dx.none
    first = ctx.ptr_dx[pos, 0]
    return hits(rule, pos, variant=np.where(found, 0, 1),
                value=np.where(found, ctx.dx_code(alt), None),
                old=np.where(found, ctx.dx_code(first), None), dx=ctx.dx_code(first),
                family=ctx.ix.family[pos].astype(object))


def dx_not_supporting(ctx: Ctx) -> Hits:
    """A procedure line none of whose pointed diagnoses supports its family (outright or
    with symptoms): link the supporting diagnosis of that lesion when the claim has it."""
    checked = CHECKED[ctx.family_idx]
    if not checked.any():
        return empty_hits("dx_not_supporting")
    support, conditional = ctx.line_support
    present = pointed(ctx)
    unsupported = present.any(axis=1) & ~((support | conditional) & present).any(axis=1)
    pos = np.flatnonzero(unsupported & checked & ~screening_only(ctx))
    return relink(ctx, pos, "dx_not_supporting")


def screening_dx_only(ctx: Ctx) -> Hits:
    """A line pointing only to a screening code: Medicare does not cover screening; link
    the diagnosis that made it necessary, if the claim has one. A procedure needs it (an
    error); a visit may be a covered preventive exam under some plans (a warning)."""
    if not (ctx.dx.cls == SCREENING).any():
        return empty_hits("screening_dx_only")
    h = relink(ctx, np.flatnonzero(screening_only(ctx)), "screening_dx_only")
    h.variant[(h.variant == 0) & ctx.ix.is_em[h.pos]] = 2
    return h


def symptoms_not_documented(ctx: Ctx) -> Hits:
    """Benign-lesion removal pointing only to a diagnosis that supports it with documented
    symptoms (L82.1, L91.8) while the claim does not say symptoms are documented."""
    removal = ctx.ix.in_family(*BENIGN_REMOVAL_FAMILIES)
    if not removal.any():
        return empty_hits("symptoms_not_documented")
    support, conditional = ctx.line_support
    present = pointed(ctx)
    only_conditional = (conditional & present).any(axis=1) & ~(support & present).any(axis=1)
    symptoms = ctx.claim_value("doc_symptoms_documented") == 1
    fire = removal & only_conditional & ~symptoms
    return hits("symptoms_not_documented", fire, value="symptoms_documented",
                dx=ctx.dx_code(ctx.ptr_dx[fire, 0]))
