"""Global-period and E/M modifiers (CMS Claims Processing Manual ch. 12 §40; MPFS global
indicators; shared/domain §2, §11).

The right modifier is a fact of the case: 24 unrelated E/M and 58/78/79 procedures in an
earlier surgery's global, 57 for the decision visit of a 090-day surgery, 25 for a
separate E/M with a 000/010 procedure or a service whose NCCI edit bundles the E/M
(injections, phototherapy). A wrong one is replaced, never stacked. The
earlier surgery comes from the claim's history block (days since it, its global days
and code); whether this service relates to it is read from the line's own diagnoses.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from contract.typed import as_objects
from features.billing_rules import em_bundling_codes
from features.checks.context import FAMILIES, Ctx
from features.checks.dxfacts import AFTERCARE, COMPLICATION, MALIGNANT, relates
from features.checks.findings import Hits, empty_hits, hits
from features.encode import encode
from features.lineindex import code_columns, code_vocab
from reference.linkage import HISTORY_STATUS_PREFIXES

# Surgery that can be the planned next step on the same lesion (re-excision, Mohs,
# repair, flap), and earlier surgery whose code names the kind of lesion it treated (a
# repair or flap does not: whether a later lesion procedure relates to it stays open).
EXTENSIVE = ("excision_benign", "excision_malignant", "mohs", "repair_intermediate",
             "repair_complex", "tissue_transfer", "destruction_malignant")
LESION_SURGERY = ("excision_benign", "excision_malignant", "mohs", "destruction_malignant",
                  "shave")
NOT_PROCEDURE = ("em", "em_addon", "drug", "pathology")


def check_global_period(ctx: Ctx, included: np.ndarray | None = None) -> list[Hits]:
    """Global-period and 24/25/57 findings of the batch. `included` lines (NCCI says
    another same-day service includes them: the bypass check removes them) do not count
    as the day's procedures: an excision inside a same-day flap leaves a 090 decision
    visit, whose modifier is 57."""
    ctx._cache["same_day"] = _same_day_services(ctx, included)
    out = []
    postop = np.zeros(ctx.n, dtype=bool)
    if inside_global(ctx).any():
        em = em_in_global(ctx)
        postop[em.pos[(em.variant == 1) | (em.variant == 3)]] = True
        out += [em, procedure_in_global(ctx)]
    if ctx.ix.is_em.any():
        out += [modifier_57_for_090(ctx), modifier_57_minor(ctx),
                modifier_25_no_procedure(ctx), em_without_25(ctx, postop), g2211_with_25(ctx)]
    if ctx.ix.has("25").any():
        out.append(modifier_25_not_em(ctx))
    return out


def inside_global(ctx: Ctx) -> np.ndarray:
    """Per line: the claim's history puts its date inside an earlier 010/090 global."""
    days = ctx.claim_value("days_since_related_global_procedure")
    glob = ctx.claim_value("related_global_days")
    return (glob >= 10) & (days <= glob)


@lru_cache(maxsize=4096)
def _relates(code: str, family: str) -> bool:
    return bool(code) and bool(family) and relates(code, family)


def earlier_surgery(ctx: Ctx) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per line: inside an earlier 010/090 global (history), the earlier code, its family."""
    inside = inside_global(ctx)
    code = as_objects(ctx.frames.claims["related_procedure_code"])[ctx.ix.claim_pos]
    family = code_columns()[1][encode(code, code_vocab())]  # -1 -> '' (unknown or none)
    return inside, code, family


def relation_matrix(ctx: Ctx) -> np.ndarray:
    """(dx table rows, FAMILIES): the diagnosis relates to a surgery of that family."""
    if "relation" not in ctx._cache:
        ctx._cache["relation"] = np.array(
            [[_relates(c, f) for f in FAMILIES] for c in ctx.dx.codes], dtype=bool)
    return ctx._cache["relation"]


def status_rows(ctx: Ctx) -> np.ndarray:
    """Per dx table row: a personal-history or status code (Z85-Z87, Z92), which says
    what the patient had, not a problem the visit evaluated."""
    if "status" not in ctx._cache:
        ctx._cache["status"] = np.array(
            [str(c).startswith(HISTORY_STATUS_PREFIXES) for c in ctx.dx.codes], dtype=bool)
    return ctx._cache["status"]


def relation(ctx: Ctx, pos: np.ndarray, family: np.ndarray) -> tuple[np.ndarray, ...]:
    """For lines pos: (a pointed diagnosis relates to the earlier surgery's family,
    one is aftercare, one is a complication, one is none of these nor a history code: a
    problem of its own)."""
    dx = ctx.ptr_dx[pos]
    if len(pos) == 0:
        empty = np.zeros(0, dtype=bool)
        return empty, empty, empty, empty
    fam = encode(family[pos], FAMILIES[:-1]) % len(FAMILIES)
    rel = relation_matrix(ctx)[dx, fam[:, None]]
    cls = ctx.dx.cls[dx]
    aftercare, complication = cls == AFTERCARE, cls == COMPLICATION
    own = (dx != ctx.dx.none) & ~rel & ~aftercare & ~complication & ~status_rows(ctx)[dx]
    return (rel.any(axis=1), aftercare.any(axis=1), complication.any(axis=1),
            own.any(axis=1))


def em_in_global(ctx: Ctx) -> Hits:
    """An E/M inside an earlier surgery's global without 24/57: 24 when it points to a
    problem that surgery did not treat (beside its follow-up or not: the post-op care is
    in the package, the evaluation of the other problem is not, CMS Claims Processing
    Manual ch. 12 §40.1), else it is the post-op visit the surgical package already paid.
    An E/M carrying 25 (for today's minor procedure) that evaluates such an unrelated
    problem still needs 24 beside it: 25 answers today's procedure, 24 the earlier
    surgery's global (shared/domain §2); a 25-E/M on the surgery's own problem is left
    to the 25 rules."""
    inside, code, family = earlier_surgery(ctx)
    has24, has25 = ctx.ix.has("24"), ctx.ix.has("25")
    em = ctx.ix.is_em & inside & ~ctx.ix.has("57") & ~(has24 & has25)
    pos = np.flatnonzero(em)
    rel, aftercare, complication, other = relation(ctx, pos, family)
    known = family[pos] != ""
    related = (rel | aftercare | complication) & ~other
    variant = np.where(has24[pos], np.where(aftercare & ~other, 3, -1),
                       np.where(~known, 2, np.where(related, 1, 0)))
    keep = (variant >= 0) & (~has25[pos] | (variant == 0))
    pos, variant = pos[keep], variant[keep]
    return hits("em_in_global", pos, variant=variant,
                value=np.where(variant == 0, "24", np.where(variant == 2, "24", None)),
                earlier=code[pos], days=_ints(ctx.claim_value(
                    "days_since_related_global_procedure")[pos]),
                glob=_ints(ctx.claim_value("related_global_days")[pos]))


def procedure_in_global(ctx: Ctx) -> Hits:
    """A 000/010/090 procedure inside an earlier surgery's global without 58/78/79 (or
    with the wrong one): 58 staged/more extensive on the same problem, 79 unrelated,
    78 a return for a complication."""
    inside, code, family = earlier_surgery(ctx)
    proc = ~ctx.ix.is_em & ctx.ix.in_global("000", "010", "090") & inside & ~ctx.ix.has("78")
    pos = np.flatnonzero(proc)
    rel, _, complication, _ = relation(ctx, pos, family)
    known = family[pos] != ""
    next_step = ctx.ix.in_family(*EXTENSIVE)[pos]
    named = np.isin(family[pos], LESION_SURGERY)
    related = known & rel & next_step & named
    # after a flap or repair (which close cancer defects) a malignancy's next procedure
    # may be the staged step: the code does not say which lesion it closed
    malignant = (ctx.dx.cls[ctx.ptr_dx[pos]] == MALIGNANT).any(axis=1)
    maybe_staged = known & rel & next_step & ~named & malignant
    unrelated = known & ~rel & ~complication
    has58, has79 = ctx.ix.has("58")[pos], ctx.ix.has("79")[pos]
    none = ~has58 & ~has79
    variant = np.select(
        [related & none, related & has79, unrelated & none, unrelated & has58,
         complication & none, maybe_staged & none, none, complication & has79,
         maybe_staged & has79],
        [0, 1, 2, 3, 4, 8, 5, 6, 7], default=-1)
    keep = variant >= 0
    pos, variant = pos[keep], variant[keep]
    value = np.array(["58", "58", "79", "79", "78", "79", "78", "58", "58"],
                     dtype=object)[variant]
    old = np.array([None, "79", None, "58", None, None, "79", "79", None],
                   dtype=object)[variant]
    return hits("procedure_in_global", pos, variant=variant, value=value, old=old,
                earlier=code[pos],
                days=_ints(ctx.claim_value("days_since_related_global_procedure")[pos]),
                glob=_ints(ctx.claim_value("related_global_days")[pos]))


def same_day_services(ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """Per line: a procedure an E/M needs 25 beside that day (000/010 global, or an NCCI
    edit bundling the E/M: injections, phototherapy); a 090 surgery that day or the next."""
    if "same_day" not in ctx._cache:
        ctx._cache["same_day"] = _same_day_services(ctx)
    return ctx._cache["same_day"]


def _same_day_services(ctx: Ctx, included: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    procedure = ~ctx.ix.is_em & ~ctx.ix.in_family(*NOT_PROCEDURE)
    if included is not None:
        procedure &= ~included
    minor = ctx.same_day_any(procedure & em_bundling_codes(ctx.cms)[ctx.ix.code_idx])
    major_mask = procedure & ctx.ix.in_global("090")
    major = ctx.same_day_any(major_mask) | ctx.next_day_any(major_mask)
    return minor, major


def modifier_57_for_090(ctx: Ctx) -> Hits:
    """The decision visit for a 090-day surgery (that day or the day before) takes 57:
    25 there is replaced (removed when 57 is already on: never stacked); an E/M with
    neither is a warning (57 if it made the decision)."""
    if not ctx.ix.in_global("090").any():
        return empty_hits("modifier_57_for_090")
    minor, major = same_day_services(ctx)
    has25, has57 = ctx.ix.has("25"), ctx.ix.has("57")
    fire = ctx.ix.is_em & major & ~minor & (has25 | (~has57 & ~ctx.ix.has("24")))
    pos = np.flatnonzero(fire)
    variant = np.where(has25[pos], np.where(has57[pos], 2, 0), 1)
    return hits("modifier_57_for_090", pos, variant=variant,
                value=np.array(["57", "57", "25"], dtype=object)[variant],
                old=np.where(variant == 0, "25", None))


def modifier_57_minor(ctx: Ctx) -> Hits:
    """57 on an E/M whose same-day procedures are 000/010 (no 090 surgery): 25 (57 is
    removed when 25 is already on)."""
    if not ctx.ix.has("57").any():
        return empty_hits("modifier_57_minor")
    minor, major = same_day_services(ctx)
    fire = ctx.ix.is_em & ctx.ix.has("57") & minor & ~major
    stacked = ctx.ix.has("25")[fire]
    return hits("modifier_57_minor", fire, variant=stacked.astype(np.int8),
                value=np.where(stacked, "57", "25"), old=np.where(stacked, None, "57"))


def modifier_25_not_em(ctx: Ctx) -> Hits:
    """25 on a line that is not an E/M: 25 only modifies evaluation and management."""
    fire = ~ctx.ix.is_em & ctx.ix.has("25") & (ctx.family_idx != len(FAMILIES) - 1)
    return hits("modifier_25_not_em", fire, value="25")


def modifier_25_no_procedure(ctx: Ctx) -> Hits:
    """25 on an E/M with no procedure that day on the claim: nothing to separate it from
    (a warning: the procedure may sit on another claim)."""
    em25 = ctx.ix.is_em & ctx.ix.has("25")
    if not em25.any():
        return empty_hits("modifier_25_no_procedure")
    procedure = ~ctx.ix.is_em & ~ctx.ix.in_family(*NOT_PROCEDURE)
    fire = em25 & ~ctx.same_day_any(procedure)
    return hits("modifier_25_no_procedure", fire, value="25")


def em_without_25(ctx: Ctx, postop: np.ndarray) -> Hits:
    """An E/M with a same-day 000/010 procedure and no 25/57: included in the procedure
    unless significant and separately identifiable (then 25; a 24 for an earlier surgery's
    global does not say that, so it is no substitute). A post-op visit of an earlier
    surgery (`postop`) is not billable at all: em_in_global says so."""
    bare = ctx.ix.is_em & ~ctx.ix.has("25") & ~ctx.ix.has("57") & ~postop
    if not bare.any():
        return empty_hits("em_without_25")
    minor, major = same_day_services(ctx)
    fire = minor & ~major & bare
    note = ctx.claim_value("doc_separate_em_note")
    pos = np.flatnonzero(fire)
    variant = np.where(note[pos] == 0, 1, 0)
    return hits("em_without_25", pos, variant=variant, value=np.where(variant == 0, "25", None))


def g2211_with_25(ctx: Ctx) -> Hits:
    """G2211 with a modifier-25 E/M the same day: not payable (CMS 2024; from 2025 only
    when that day also has a preventive service, vaccine or wellness visit)."""
    g2211 = ctx.ix.is_code("G2211")
    if not g2211.any():
        return empty_hits("g2211_with_25")
    return hits("g2211_with_25", g2211 & ctx.same_day_any(ctx.ix.is_em & ctx.ix.has("25")))


def _ints(values: np.ndarray) -> np.ndarray:
    return np.array([None if np.isnan(v) else int(v) for v in values], dtype=object)
