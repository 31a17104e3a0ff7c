"""The checker's entry points, all on one vectorised implementation.

- check_frames(frames, cms): per-line int8 arrays per rule over a whole ClaimFrames
  (0 = no finding, 1 = warning, 2 = error), for model features and fix candidates;
- check_claims(claims, cms) / check_claim(claim, cms): Finding lists for contract
  claims (dicts or Claim objects), flattened with contract.columns (no DataFrames);
- is_coding_valid(claim, cms): no error-severity finding (a fix must leave this true);
- errors_added(before, after, cms): the errors a change introduced.

Checks run in a fixed order; the code-recoding checks (descriptors, counts) run first
and the NCCI pair checks leave the lines they recode or remove alone, so a claim never
gets "remove line" and "recode line" for the same work. The global-period checks run
after the pair checks and do not count the lines those remove as the day's procedures
(an excision a same-day flap includes leaves a 090 decision visit: 57).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from contract.columns import claims_to_columns
from contract.frames import ClaimFrames
from features.billing_rules import addon_codes
from features.checks.bypass import check_bypass
from features.checks.context import Ctx, build_context
from features.checks.counts import check_counts
from features.checks.descriptors import check_descriptors
from features.checks.drugs import check_drugs
from features.checks.findings import SEVERITY_CODE, Finding, Hits
from features.checks.global_period import check_global_period
from features.checks.laterality import check_laterality
from features.checks.match import pointed_side
from features.checks.pointers import check_pointers
from features.checks.render import render_all
from features.checks.texts import RULES
from reference.cms import CmsTables

RULE_IDS: tuple[str, ...] = tuple(RULES)
SEVERITY = {rule: np.array([SEVERITY_CODE[v.severity] for v in r.variants], dtype=np.int8)
            for rule, r in RULES.items()}
REMOVING_ACTIONS = {rule: np.array([v.action == "remove_line" for v in r.variants])
                    for rule, r in RULES.items()}
RECODING_ACTIONS = {rule: np.array([v.action in ("change_code", "remove_line")
                                    for v in r.variants]) for rule, r in RULES.items()}


def run_checks(ctx: Ctx) -> list[Hits]:
    """Every check over the batch, recoding checks first (see module docstring)."""
    results = [*check_descriptors(ctx), *check_counts(ctx)]
    bypass = check_bypass(ctx, recoded_lines(ctx, results))
    results += [*check_laterality(ctx), *check_pointers(ctx),
                *check_global_period(ctx, recoded_lines(ctx, bypass, REMOVING_ACTIONS)),
                *bypass, *check_drugs(ctx)]
    attach_dependent_addons(ctx, results)
    return results


def attach_dependent_addons(ctx: Ctx, results: list[Hits]) -> None:
    """Line removals on claim-days with add-on lines: see take_dependent_addons."""
    parents = dict(addon_codes())
    addons = ctx.ix.is_code(*parents)
    if not addons.any():
        return
    with_addons = ctx.same_day_any(addons)
    for h in results:
        removing = REMOVING_ACTIONS[h.rule][h.variant] & with_addons[h.pos]
        if removing.any():
            take_dependent_addons(ctx, h, np.flatnonzero(removing), addons, parents)


def take_dependent_addons(ctx: Ctx, h: Hits, which: np.ndarray, addons: np.ndarray,
                          parents: dict[str, tuple[str, ...]]) -> None:
    """A removed line takes its add-on lines with it when no other primary of theirs
    stays that day (13153 goes with 13152, G2211 with the E/M): else they are orphans."""
    order = np.argsort(ctx.day_group, kind="stable")
    keys = ctx.day_group[order]
    for i in which:
        pos = h.pos[i]
        g = ctx.day_group[pos]
        group = order[np.searchsorted(keys, g, "left"):np.searchsorted(keys, g, "right")]
        kept = {ctx.codes[p] for p in group if p != pos}
        taken = tuple(int(ctx.line_no[p]) for p in group if addons[p] and p != pos
                      and not kept & set(parents[ctx.codes[p]]))
        if taken:
            h.removes[i] = tuple(h.removes[i] or ()) + taken


def recoded_lines(ctx: Ctx, results: list[Hits],
                  actions: dict[str, np.ndarray] = RECODING_ACTIONS) -> np.ndarray:
    """Lines a finding changes the code of, or removes (its own line or `removes`);
    with REMOVING_ACTIONS only the removed ones."""
    mask = np.zeros(ctx.n, dtype=bool)
    for h in results:
        if not len(h):
            continue
        recode = actions[h.rule][h.variant]
        mask[h.pos[recode]] = True
        extra = [(int(ctx.ix.claim_pos[p]), n) for p, r in zip(h.pos, h.removes) if r
                 for n in r]
        if extra:
            mask |= lines_at(ctx, extra)
    return mask


def lines_at(ctx: Ctx, keys: list[tuple[int, int]]) -> np.ndarray:
    """Mask of the lines with these (claim position, line number)."""
    line_key = ctx.ix.claim_pos.astype(np.int64) * 1000 + ctx.line_no
    return np.isin(line_key, [c * 1000 + n for c, n in keys])


def check_hits(frames: ClaimFrames, cms: CmsTables) -> tuple[Ctx, list[Hits]]:
    """The raw vectorised results (and the context they index): what check_frames and
    check_claims summarise; fix-candidate builders read value/old/units from them."""
    ctx = build_context(frames, cms)
    return ctx, run_checks(ctx)


def check_frames(frames: ClaimFrames, cms: CmsTables,
                 evidence: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Per rule, an int8 array over frames.lines: 0 none, 1 warning, 2 error. `evidence`,
    when given, receives per-line facts the findings were judged on (line_evidence)."""
    ctx, results = check_hits(frames, cms)
    out = {rule: np.zeros(ctx.n, dtype=np.int8) for rule in RULE_IDS}
    for h in results:
        np.maximum.at(out[h.rule], h.pos, SEVERITY[h.rule][h.variant])
    if evidence is not None:
        evidence.update(line_evidence(ctx))
    return out


def line_evidence(ctx: Ctx) -> dict[str, np.ndarray]:
    """Per-line facts behind the findings that the claim itself shows a payer:
    dx_names_side, the line's pointed diagnoses name its side (C44.612: right upper limb),
    which a payer's edit can read from the 837P, unlike a side known from the chart's
    lesion record only."""
    return {"dx_names_side": pointed_side(ctx) > 0}


def check_claims(claims: Iterable[Mapping[str, Any] | Any], cms: CmsTables
                 ) -> list[list[Finding]]:
    """Findings of each claim (contract dicts or Claim objects), in input order."""
    claims = list(claims)
    if not claims:
        return []
    frames = claims_to_columns(claims, ids=[str(i) for i in range(len(claims))])
    ctx, results = check_hits(frames, cms)
    return render_all(ctx, results)


def check_claim(claim: Mapping[str, Any] | Any, cms: CmsTables) -> list[Finding]:
    """Findings of one claim, sorted by line."""
    return check_claims([claim], cms)[0]


def is_coding_valid(claim: Mapping[str, Any] | Any, cms: CmsTables) -> bool:
    """True when the claim has no error-severity finding (warnings are payer-dependent
    or need the chart: the model weighs them)."""
    return not any(f.is_error for f in check_claim(claim, cms))


def errors_added(before: Mapping[str, Any] | Any, after: Mapping[str, Any] | Any,
                 cms: CmsTables) -> list[Finding]:
    """Error findings of `after` that `before` did not have (by rule and line): what a
    fix broke. A claim with several errors is coding-valid only after all their fixes, but
    each single fix can still add nothing."""
    old, new = check_claims([before, after], cms)
    known = {(f.rule, f.line) for f in old if f.is_error}
    return [f for f in new if f.is_error and (f.rule, f.line) not in known]
