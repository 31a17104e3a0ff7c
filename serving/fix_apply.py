"""Applying a fix to a claim: the edit the service re-scores is the edit a coder makes.

A candidate from a checker finding is applied through the checker's own apply_fix (which
also absorbs the lines a code change replaces); a model candidate through serving.edits.
A returned Fix is applied the same way by finding its finding again on the claim, and a
fix of several changes (`together`, serving/fix_combos.py) applies them in turn, each
found again on the claim the previous one left.
"""

from __future__ import annotations

from typing import Any

from contract.schema import Change, Fix
from features.checks import Finding, apply_fix, check_claim
from features.registry import CHECK_PREFIX
from reference.cms import CmsTables
from reference.codes import load_code_table
from serving.candidates import Candidate
from serving.edits import NDC_PLACEHOLDER, apply_candidate
from serving.edits import apply_fix as apply_contract_fix

SAME_EDIT_ACTIONS = ("add_modifier", "replace_modifier", "remove_modifier", "link_diagnosis")


def finding_candidates(findings: list[Finding]) -> list[Candidate]:
    """One candidate per checker finding that carries a change; the same modifier change
    the same rule asks on several lines (79 -> 58 on the excision and its repair, LT on
    each left-side procedure, the right-side code for the excision and its repair of one
    lesion, the NDC of each J-code) is one candidate: a coder makes it on every line at
    once, and half of it leaves the claim denied. So are a primary's and its add-on's recodes
    by one rule (17313 -> 17311 and 17314 -> 17312 for a facial tumour): each alone
    leaves an add-on without its primary."""
    paired = paired_recodes(findings)
    groups: dict[tuple[Any, ...], list[Finding]] = {}
    for f in findings:
        if f.action:
            same = (f.action in SAME_EDIT_ACTIONS or f.value == "ndc") and f.line is not None
            key = (f.rule, f.action, f.value, f.old) if same \
                else (f.rule, "recode") if f.rule in paired and f.action == "change_code" \
                else (id(f),)
            groups.setdefault(key, []).append(f)
    return [Candidate(f.action, CHECK_PREFIX + f.rule, joined_text(f, rest), f.line, f.value,
                      f.old, f.units, finding=f, also=tuple(rest))
            for f, *rest in groups.values()]


def paired_recodes(findings: list[Finding]) -> set[str]:
    """Rules whose recodes on a claim include an add-on and its primary."""
    codes = load_code_table()
    values: dict[str, set[str]] = {}
    for f in findings:
        if f.action == "change_code" and f.line is not None:
            values.setdefault(f.rule, set()).add(str(f.value))
    return {rule for rule, new in values.items()
            if any(set(codes.addon_parents(v)) & new for v in new)}


def joined_text(first: Finding, rest: list[Finding]) -> str:
    """The candidate's text: the first finding's, then the same change's other lines, or
    the other changes (a paired recode) in full."""
    if not rest:
        return first.text
    if any(f.value != first.value for f in rest):
        return " ".join([first.text, *(f.text for f in rest)])
    others = ", ".join(str(f.line) for f in rest)
    return f"{first.text} The same change on line{'s' if len(rest) > 1 else ''} {others}."


def edited_claim(claim: dict[str, Any], c: Candidate) -> dict[str, Any]:
    """The claim with a candidate applied (checker changes through the checker's own
    apply_fix; an NDC to add gets a placeholder so re-scoring sees one on the line)."""
    if c.finding is None:
        return apply_candidate(claim, c)
    edited = apply_fix(claim, c.finding)
    for finding in c.also:
        edited = apply_fix(edited, finding)
    if c.value == "ndc":
        drugs = set(c.lines)
        edited = {**edited, "lines": [dict(ln, ndc=NDC_PLACEHOLDER) if ln["line"] in drugs
                                      else ln for ln in edited["lines"]]}
    return edited


def apply_returned_fix(claim: dict[str, Any], fix: Fix,
                       cms: CmsTables) -> dict[str, Any] | None:
    """The claim with a returned fix applied exactly as the service re-scored it: the fix,
    then the changes it makes `together` with it, in order (apply_change). None as
    serving.edits.apply_fix (a change that no longer applies)."""
    edited: dict[str, Any] | None = claim
    for change in [fix, *fix.together]:
        if edited is None:
            return None
        edited = apply_change(edited, change, cms)
    return edited


def apply_change(claim: dict[str, Any], change: Change,
                 cms: CmsTables) -> dict[str, Any] | None:
    """One change: a change that came from a coding-consistency finding (found again on
    the claim) is applied through the checker, which also absorbs the lines its code
    change replaces (17000 + 17003 x15 -> 17004); any other through serving.edits."""
    lines = change.lines or [change.line]
    found = [f for f in check_claim(claim, cms)
             if (f.action, f.value) == (change.action, change.value) and f.line in lines]
    if found:
        return edited_claim(claim, finding_candidates(found)[0])
    return apply_contract_fix(claim, change)


def line_code(claim: dict[str, Any], number: int | None) -> str | None:
    return next((str(ln["cpt"]) for ln in claim["lines"] if ln["line"] == number), None)


def finding_keys(claim: dict[str, Any], found: list[Finding]) -> set[tuple]:
    """(rule, line, code) of the claim's coding errors (error-severity findings)."""
    return {(f.rule, f.line, line_code(claim, f.line)) for f in found if f.is_error}


def introduced(after: set[tuple], before: set[tuple], changes: list[Candidate]) -> set[tuple]:
    """The coding errors changes bring to a claim (finding_keys after vs before). A line
    the changes recode keeps its number, so an error of its new code counts as new, except
    one of another rule the line already had (11404 -> 11604 for a malignant report leaves
    the line's 79 to be replaced by its own fix): the changes' own rules must be gone."""
    had = {(rule, line) for rule, line, _ in before}
    own = {c.finding.rule for c in changes if c.finding is not None}
    return {k for k in after - before if (k[0], k[1]) not in had or k[0] in own}


def as_fix(c: Candidate, risk_after: float) -> Fix:
    """The contract Fix of a candidate, with the model's risk after it; the other lines'
    different changes of a paired recode are its `together` parts (no risk of their own)."""
    source = c.finding.source if c.finding is not None else None
    add_code, add_units = (c.finding.adds if c.finding is not None else None) or (None, None)
    same = [f for f in c.also if f.value == c.value]
    parts = [finding_change(f) for f in c.also if f.value != c.value]
    lines = c.lines if not parts else [c.line, *(f.line for f in same)]
    return Fix(action=c.action, line=c.line, value=c.value, risk_after=float(risk_after),
               text=c.text, old=c.old, units=c.units, source=source, lines=lines,
               add_code=add_code, add_units=add_units, together=parts)


def finding_change(f: Finding) -> Change:
    """A checker finding's change as a contract Change."""
    add_code, add_units = f.adds or (None, None)
    return Change(action=str(f.action), line=f.line, value=f.value, text=f.text, old=f.old,
                  units=f.units, source=f.source, lines=[] if f.line is None else [f.line],
                  add_code=add_code, add_units=add_units)
