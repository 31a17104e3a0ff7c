"""Verified fix suggestions a coder can submit: candidates, applied, checked, re-scored.

Candidates come from two places: the coding-consistency checker's findings (the change
that makes the coding right: change_code to the code that describes the work, replace a
wrong modifier, link the same-lesion same-side diagnosis, add RT/LT, ...) and the
changeable model features (modifier 25 on a separately documented E/M, documentation,
prior auth, eligibility, credentialing, referral, billing a cosmetic service to the
patient). Every candidate is applied to a copy of the claim and checked: a change that
introduces a coding error (another side's diagnosis, a deleted service a recode would
describe...) is dropped. The survivors of all claims of a payer group are re-scored in
one call through the claim's own path. Coding corrections of errors are always listed
(they are right whatever the model thinks); the others must lower the risk by MIN_GAIN.
Fixes that cure the claim as it stands lead, lowest risk after first (the change that
removes the payer's likely denial); documentation the claim says the chart lacks comes
after them. A claim past the payer's learned filing limit gets a single `not_fixable`
item instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from contract.schema import Fix
from features.checks import Finding, apply_fix, check_claim, check_claims
from features.registry import CHECK_PREFIX, is_changeable
from reference.cms import CmsTables
from serving.candidates import DOC_GAP_FEATURES, GENERATORS, Candidate, merge_patient_lines
from serving.context import ClaimView
from serving.edits import NDC_PLACEHOLDER, apply_candidate, is_whole_visit_to_patient
from serving.edits import apply_fix as apply_contract_fix
from serving.fix_ranking import is_correction, rank_key, top_fixes, whole_visit_tier

MIN_GAIN = 0.01  # smaller changes are model noise, not a fix worth a coder's time


def claim_level_candidates(view: ClaimView) -> list[Candidate]:
    """Documentation, prior auth, eligibility, credentialing and referral candidates."""
    claim, out = view.claim, []
    doc = claim.get("documentation") or {}
    for feature, field in DOC_GAP_FEATURES.items():
        if view.feature(feature, 0.0) >= 1 and doc.get(field) is not True:
            out.append(Candidate("attach_documentation", feature, f"Attach the "
                                 f"{field.replace('_', ' ')} from the chart, if it documents "
                                 "it.", value=field))
    pa_lines = view.lines_where("pa_missing")
    if pa_lines:
        codes = sorted({view.cpt(n) for n in pa_lines})
        out.append(Candidate("obtain_prior_auth", "pa_missing", "Obtain prior authorization "
                             f"for {', '.join(codes)} before submitting.",
                             value=",".join(codes)))
    elig = claim.get("eligibility") or {}
    if elig.get("verified") is not True or elig.get("coverage_active") is not True:
        feature = "coverage_inactive" if elig.get("coverage_active") is False \
            else "eligibility_verified"
        out.append(Candidate("verify_eligibility", feature, "Verify eligibility for the date "
                             "of service; if coverage is not active, bill the active plan."))
    if (claim.get("provider") or {}).get("credentialed_with_payer") is not True:
        out.append(Candidate("credential_provider", "not_credentialed", "Hold the claim until "
                             f"the rendering provider is enrolled with {claim['payer_id']}."))
    if claim.get("referral_on_file") is not True and referral_habit(view):
        out.append(Candidate("attach_documentation", "referral_on_file",
                             "Obtain the referral and mark it on file.",
                             value="referral_on_file"))
    return out


def referral_habit(view: ClaimView) -> bool:
    """The payer denied claims for a missing referral in the history the model learned
    from (or that history is unknown): a plan that never asks for one (traditional
    Medicare) gets no "obtain the referral" fix, whatever noise the model shows."""
    learned = view.learned
    payer = str(view.claim.get("payer_id"))
    if learned is None or payer not in learned.referral_denials:
        return True
    return learned.referral_denials[payer] > 0


SAME_EDIT_ACTIONS = ("add_modifier", "replace_modifier", "remove_modifier")


def finding_candidates(findings: list[Finding]) -> list[Candidate]:
    """One candidate per checker finding that carries a change; the same modifier change
    the same rule asks on several lines (79 -> 58 on the excision and its repair, LT on
    each left-side procedure) is one candidate: a coder makes it on every line at once,
    and half of it leaves the claim denied."""
    groups: dict[tuple[Any, ...], list[Finding]] = {}
    for f in findings:
        if f.action:
            same = f.action in SAME_EDIT_ACTIONS and f.line is not None
            key = (f.rule, f.action, f.value, f.old) if same else (id(f),)
            groups.setdefault(key, []).append(f)
    return [Candidate(f.action, CHECK_PREFIX + f.rule, joined_text(f, rest), f.line, f.value,
                      f.old, f.units, finding=f, also=tuple(rest))
            for f, *rest in groups.values()]


def joined_text(first: Finding, rest: list[Finding]) -> str:
    if not rest:
        return first.text
    others = ", ".join(str(f.line) for f in rest)
    return f"{first.text} The same change on line{'s' if len(rest) > 1 else ''} {others}."


def candidates_for(view: ClaimView, cms: CmsTables,
                   findings: list[Finding] | None = None) -> list[Candidate]:
    """Unique, changeable candidates of one claim: checker changes first, then the model's
    (a model candidate on a line a checker finding already changes is dropped)."""
    checked = finding_candidates(findings or [])
    fixed_lines = {n for c in checked if c.action != "attach_documentation"
                   for n in c.lines}  # a document attached changes no line
    model = merge_patient_lines(view, [c for gen in GENERATORS for c in gen(view, cms)
                                       if c.line not in fixed_lines])
    unique: dict[tuple[Any, ...], Candidate] = {}
    for c in [*checked, *model, *claim_level_candidates(view)]:
        if is_changeable(c.feature):  # a document is attached once, whatever line asks
            line = None if c.action == "attach_documentation" else c.line
            unique.setdefault((c.action, line, c.value), c)
    return list(unique.values())


def filing_limit_passed(view: ClaimView, bundle: Any) -> Fix | None:
    """The not_fixable item of a claim submitted after the filing limit this payer's
    history shows (training/learned.py); no assumed limit: without a learned one, no
    claim is declared past it."""
    payer = str(view.claim["payer_id"])
    learned = bundle.metadata.learned.filing.get(payer)
    days = view.feature("days_to_submit")
    if learned is None or not days > learned.days:
        return None
    reason = (f"submitted {days:.0f} days after the date of service; in this practice's "
              f"history {payer} denied {learned.denied_share:.0%} of the {learned.n_after} "
              f"claims submitted more than {learned.days} days after it (timely filing)")
    return Fix(action="not_fixable", value=reason, text=f"Not fixable: {reason}. No edit "
               "makes the claim timely; submit only with proof of timely filing.")


def edited_claim(claim: dict[str, Any], c: Candidate) -> dict[str, Any]:
    """The claim with a candidate applied (checker changes through the checker's own
    apply_fix; an NDC to add gets a placeholder so re-scoring sees one on the line)."""
    if c.finding is None:
        return apply_candidate(claim, c)
    edited = apply_fix(claim, c.finding)
    for finding in c.also:
        edited = apply_fix(edited, finding)
    if c.value == "ndc":
        edited = {**edited, "lines": [dict(ln, ndc=NDC_PLACEHOLDER) if ln["line"] == c.line
                                      else ln for ln in edited["lines"]]}
    return edited


def apply_returned_fix(claim: dict[str, Any], fix: Fix,
                       cms: CmsTables) -> dict[str, Any] | None:
    """The claim with a returned fix applied exactly as the service re-scored it: a fix
    that came from a coding-consistency finding is applied through the checker (which
    also absorbs the lines its code change replaces, e.g. 17000 + 17003 x15 -> 17004),
    any other through serving.edits. None as serving.edits.apply_fix."""
    lines = fix.lines or [fix.line]
    found = [f for f in check_claim(claim, cms)
             if (f.action, f.value) == (fix.action, fix.value) and f.line in lines]
    if found:
        return edited_claim(claim, finding_candidates(found)[0])
    return apply_contract_fix(claim, fix)


def coding_errors(claims: list[dict[str, Any]], cms: CmsTables) -> list[set[tuple]]:
    """(rule, line, code) of every error-severity finding of each claim."""
    return [{(f.rule, f.line, line_code(c, f.line)) for f in found if f.is_error}
            for c, found in zip(claims, check_claims(claims, cms))]


def line_code(claim: dict[str, Any], number: int | None) -> str | None:
    return next((str(ln["cpt"]) for ln in claim["lines"] if ln["line"] == number), None)


def rescore(bundle: Any, cms: CmsTables, claims: list[dict[str, Any]]) -> np.ndarray:
    """P(denied) of edited claims (unique claim ids) in one featurisation + predict call.
    An edit that removed every line (the post-op visit that was the whole claim) leaves
    nothing to send: risk 0, and no featurisation of a claim without lines."""
    p = np.zeros(len(claims))
    billed = [i for i, c in enumerate(claims) if c.get("lines")]
    if billed:
        p[billed] = bundle.predict_proba(bundle.model_input([claims[i] for i in billed], cms))
    return p


def as_fix(c: Candidate, risk_after: float) -> Fix:
    source = c.finding.source if c.finding is not None else None
    add_code, add_units = (c.finding.adds if c.finding is not None else None) or (None, None)
    return Fix(action=c.action, line=c.line, value=c.value, risk_after=float(risk_after),
               text=c.text, old=c.old, units=c.units, source=source, lines=c.lines,
               add_code=add_code, add_units=add_units)


def build_candidates(views: Sequence[ClaimView], findings: Sequence[list[Finding]],
                     bundle: Any, cms: CmsTables, risks: np.ndarray, out: list[list[Fix]]
                     ) -> tuple[list[dict[str, Any]], list[tuple[int, Candidate]],
                                list[list[tuple[int, float, Fix, bool]]]]:
    """Edited claims (ids made unique) and their (claim index, candidate) owners, for the
    claims not blocked by the filing limit (those get their not_fixable item in out), and
    each claim's ranked whole-visit items (nothing is sent to the payer: risk 0)."""
    edited, owners = [], []
    whole: list[list[tuple[int, float, Fix, bool]]] = [[] for _ in views]
    for i, view in enumerate(views):
        blocked = filing_limit_passed(view, bundle)
        if blocked is not None:
            out[i] = [blocked]
            continue
        for k, cand in enumerate(candidates_for(view, cms, findings[i])):
            if is_whole_visit_to_patient(cand.action, cand.line):
                tier = whole_visit_tier(cand, float(risks[i]), bundle)
                whole[i].append((tier, 0.0, as_fix(cand, 0.0), False))
                continue
            claim = edited_claim(view.claim, cand)
            edited.append({**claim, "claim_id": f"{view.claim['claim_id']}~{k}"})
            owners.append((i, cand))
    return edited, owners, whole


def suggest_fixes(views: Sequence[ClaimView], risks: np.ndarray, bundle: Any,
                  cms: CmsTables, max_fixes: int,
                  findings: Sequence[list[Finding]] | None = None) -> list[list[Fix]]:
    """Coding-valid, risk-lowering fixes of each claim (same order as views), by risk
    after (rank_key), every correction of a coding error kept (top_fixes)."""
    findings = findings if findings is not None else check_claims(
        [v.claim for v in views], cms)
    out: list[list[Fix]] = [[] for _ in views]
    edited, owners, ranked = build_candidates(views, findings, bundle, cms, risks, out)
    before = [{(f.rule, f.line, line_code(v.claim, f.line)) for f in found if f.is_error}
              for v, found in zip(views, findings)]  # the findings already computed
    after_errors = coding_errors(edited, cms)
    after = rescore(bundle, cms, edited)
    for (i, cand), p, errors in zip(owners, after, after_errors):
        if errors - before[i]:
            continue  # the change would introduce a coding error
        claim = views[i].claim
        correction = is_correction(cand, claim)
        if correction or p < risks[i] - MIN_GAIN:
            ranked[i].append((*rank_key(cand, claim, float(risks[i]), float(p)),
                              as_fix(cand, p), correction))
    for i, items in enumerate(ranked):
        if items and not (out[i] and out[i][0].action == "not_fixable"):
            out[i] = top_fixes(items, max_fixes)
    return [f[:max_fixes] for f in out]

