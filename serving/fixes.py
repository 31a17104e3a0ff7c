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
after them. A claim that no single change cures gets its definite changes made together
as one fix when that cures it (serving/fix_combos.py); a cure that leaves other coding
errors on the claim makes their corrections with it (serving/fix_bundle.py). A claim
past the payer's learned
filing limit gets a single `not_fixable` item instead, and so does an original claim
whose every line the practice already billed on an earlier claim (a duplicate: do not
send it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from contract.schema import Fix
from features.checks import Finding, check_claims
from features.registry import is_changeable
from reference.cms import CmsTables
from reference.vocab import DOCUMENTATION_LABELS
from serving.candidates import (
    DOC_GAP_FEATURES,
    GENERATORS,
    Candidate,
    fix_learned_cosmetic,
    merge_patient_lines,
)
from serving.context import ClaimView
from serving.edits import DUPLICATE_SUBMISSION, is_whole_visit_to_patient
from serving.fix_apply import (
    as_fix,
    edited_claim,
    finding_candidates,
    finding_keys,
    introduced,
)
from serving.fix_authorization import dropped, with_authorizations
from serving.fix_bundle import cures_with_corrections, is_bundled
from serving.fix_combos import followed_fix, joint_fixes, likely_cause, with_follow_ups
from serving.fix_ranking import (
    MIN_GAIN,
    is_correction,
    is_likely_reason,
    rank_key,
    top_fixes,
    whole_visit_tier,
)
from serving.habits import authorization_habit, referral_habit


def claim_level_candidates(view: ClaimView) -> list[Candidate]:
    """Documentation, prior auth, eligibility, credentialing and referral candidates."""
    claim, out = view.claim, []
    doc = claim.get("documentation") or {}
    for feature, field in DOC_GAP_FEATURES.items():
        if view.feature(feature, 0.0) >= 1 and doc.get(field) is not True:
            name = DOCUMENTATION_LABELS.get(field, ("", field.replace("_", " ")))[1]
            out.append(Candidate("attach_documentation", feature, f"Attach the chart's "
                                 f"documentation of {name}, if it documents it.",
                                 value=field))
    pa_lines = view.lines_where("pa_missing")
    if pa_lines and authorization_habit(view):
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


def candidates_for(view: ClaimView, cms: CmsTables, findings: list[Finding] | None = None,
                   cosmetic_likely: bool = False) -> list[Candidate]:
    """Unique, changeable candidates of one claim: checker changes first, then the model's
    (a model candidate on a line a checker finding already changes is dropped, except
    billing the line to the patient: a non-covered removal missing its RT is still the
    patient's to pay, and taking it off the claim makes the checker's change moot).
    cosmetic_likely: the model names cosmetic a likely reason (fix_learned_cosmetic)."""
    checked = finding_candidates(findings or [])
    fixed_lines = {n for c in checked if c.action != "attach_documentation"
                   for n in c.lines}  # a document attached changes no line
    generated = [c for gen in GENERATORS for c in gen(view, cms)]
    model = merge_patient_lines(view, [c for c in [
        *generated, *fix_learned_cosmetic(view, cosmetic_likely)]
        if c.line not in fixed_lines or c.action == "bill_patient"])
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


def resent_copy(view: ClaimView) -> Fix | None:
    """The not_fixable item of an original claim (frequency 1) whose every line the
    practice already billed for the patient, same date of service and code, on a claim
    submitted earlier (history lines_billed_before): payers deny the copy as an exact
    duplicate (CARC 18), so it is not to be sent; a billed claim is changed by a
    replacement (frequency 7) naming the payer's claim number."""
    claim = view.claim
    billed = (claim.get("history") or {}).get("lines_billed_before")
    if str(claim.get("claim_frequency") or "1") != "1" or billed is None \
            or billed < len(claim["lines"]):
        return None
    return Fix(action="not_fixable", value=DUPLICATE_SUBMISSION, text=(
        f"Do not send: all {len(claim['lines'])} line(s) of this original claim (same "
        "patient, dates of service and codes) were billed on a claim submitted earlier, "
        "and payers deny the copy as an exact duplicate (CO/OA-18). Wait for the first "
        "claim's 835; to change what was billed, send a replacement claim (frequency 7) "
        "with the payer's claim number."))


def coding_errors(claims: list[dict[str, Any]], cms: CmsTables) -> list[set[tuple]]:
    """(rule, line, code) of every error-severity finding of each claim."""
    return [finding_keys(c, found) for c, found in zip(claims, check_claims(claims, cms))]


def rescore(bundle: Any, cms: CmsTables, claims: list[dict[str, Any]]) -> np.ndarray:
    """P(denied) of edited claims (unique claim ids) in one featurisation + predict call.
    An edit that removed every line (the post-op visit that was the whole claim) leaves
    nothing to send: risk 0, and no featurisation of a claim without lines."""
    p = np.zeros(len(claims))
    billed = [i for i, c in enumerate(claims) if c.get("lines")]
    if billed:
        p[billed] = bundle.predict_proba(bundle.model_input([claims[i] for i in billed], cms))
    return p


def build_candidates(views: Sequence[ClaimView], findings: Sequence[list[Finding]],
                     bundle: Any, cms: CmsTables, risks: np.ndarray, out: list[list[Fix]],
                     categories: np.ndarray | None = None
                     ) -> tuple[list[dict[str, Any]], list[tuple[int, Candidate]],
                                list[list[tuple[int, float, Fix, bool]]]]:
    """Edited claims (ids made unique) and their (claim index, candidate) owners, for the
    claims not blocked by the filing limit (those get their not_fixable item in out), and
    each claim's ranked whole-visit items (nothing is sent to the payer: risk 0)."""
    edited, owners = [], []
    whole: list[list[tuple[int, float, Fix, bool]]] = [[] for _ in views]
    for i, view in enumerate(views):
        blocked = filing_limit_passed(view, bundle) or resent_copy(view)
        if blocked is not None:
            out[i] = [blocked]
            continue
        cosmetic = is_likely_reason("cosmetic", None if categories is None else categories[i])
        for k, cand in enumerate(candidates_for(view, cms, findings[i], cosmetic)):
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
                  findings: Sequence[list[Finding]] | None = None,
                  categories: np.ndarray | None = None) -> list[list[Fix]]:
    """Coding-valid, risk-lowering fixes of each claim (same order as views), by risk
    after (rank_key), every correction of a coding error kept (top_fixes). categories:
    P(category | denied) per claim (CATEGORIES columns), which lets a change another
    error masks join a joint fix (fix_combos.likely_cause)."""
    findings = findings if findings is not None else check_claims(
        [v.claim for v in views], cms)
    out: list[list[Fix]] = [[] for _ in views]
    edited, owners, ranked = build_candidates(views, findings, bundle, cms, risks, out,
                                              categories)
    before = [finding_keys(v.claim, found) for v, found in zip(views, findings)]
    found = check_claims(edited, cms)
    edited, follow = with_follow_ups(edited, owners, found, cms, [
        {(f.rule, f.line) for f in claim_found if f.action} for claim_found in findings])
    rechecked = iter(check_claims([edited[k] for k in follow], cms))  # what follow-ups changed
    found = [next(rechecked) if k in follow else f for k, f in enumerate(found)]
    auth = with_authorizations(edited, owners, found, follow,
                               [authorization_habit(v) for v in views])
    edited, owners, follow = auth.edited, auth.owners, auth.follow
    after_errors = [finding_keys(c, f) for c, f in zip(edited, auth.found)]
    after = rescore(bundle, cms, edited)
    skip = dropped(auth.base_of, after, MIN_GAIN, {
        v for v in auth.base_of if is_likely_reason(
            "authorization", None if categories is None else categories[owners[v][0]])})
    verified: list[list[tuple[Candidate, float]]] = [[] for _ in views]
    masked: list[list[tuple[Candidate, float]]] = [[] for _ in views]
    factual: list[list[tuple[Candidate, float]]] = [[] for _ in views]
    for k, ((i, cand), p, errors) in enumerate(zip(owners, after, after_errors)):
        if introduced(errors, before[i], [cand]) or k in skip:
            continue  # the change would introduce a coding error, or a variant lost
        claim = views[i].claim
        correction = is_correction(cand, claim)
        if correction or p < risks[i] - MIN_GAIN:
            verified[i].append((cand, float(p)))
            ranked[i].append((*rank_key(cand, claim, float(risks[i]), float(p)),
                              followed_fix(cand, follow.get(k, []), p), correction))
        else:
            if likely_cause(cand, None if categories is None else categories[i]):
                masked[i].append((cand, float(p)))
            if is_bundled(cand, claim):
                factual[i].append((cand, float(p)))  # RT/NDC: made with the top fix anyway
    score = lambda claims: rescore(bundle, cms, claims)  # noqa: E731
    errors_of = lambda claims: coding_errors(claims, cms)  # noqa: E731
    for i, item in [*joint_fixes(views, risks, verified, cms, before, score, errors_of,
                                 masked),
                    *cures_with_corrections(views, risks, [v + f for v, f in zip(
                        verified, factual)], cms, before, score, errors_of, categories)]:
        ranked[i].append(item)
    for i, items in enumerate(ranked):
        if items and not (out[i] and out[i][0].action == "not_fixable"):
            out[i] = top_fixes(items, max_fixes)
    return [f[:max_fixes] for f in out]

