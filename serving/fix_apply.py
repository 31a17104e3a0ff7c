"""Applying a fix to a claim: the edit the service re-scores is the edit a coder makes.

A candidate from a checker finding is applied through the checker's own apply_fix (which
also absorbs the lines a code change replaces); a model candidate through serving.edits.
A returned Fix is applied the same way by finding its finding again on the claim, and a
fix of several changes (`together`, serving/fix_combos.py) applies them in turn, each
found again on the claim the previous one left.
"""

from __future__ import annotations

from typing import Any

from contract.schema import Fix
from features.checks import Finding, apply_fix, check_claim
from features.registry import CHECK_PREFIX
from reference.cms import CmsTables
from serving.candidates import Candidate
from serving.edits import NDC_PLACEHOLDER, apply_candidate
from serving.edits import apply_fix as apply_contract_fix

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
    any other through serving.edits; then the changes it makes `together` with it, in
    order. None as serving.edits.apply_fix (a change that no longer applies)."""
    lines = fix.lines or [fix.line]
    found = [f for f in check_claim(claim, cms)
             if (f.action, f.value) == (fix.action, fix.value) and f.line in lines]
    edited = edited_claim(claim, finding_candidates(found)[0]) if found \
        else apply_contract_fix(claim, fix)
    for part in fix.together:
        if edited is None:
            return None
        edited = apply_returned_fix(edited, part, cms)
    return edited


def as_fix(c: Candidate, risk_after: float) -> Fix:
    """The contract Fix of a candidate, with the model's risk after it."""
    source = c.finding.source if c.finding is not None else None
    add_code, add_units = (c.finding.adds if c.finding is not None else None) or (None, None)
    return Fix(action=c.action, line=c.line, value=c.value, risk_after=float(risk_after),
               text=c.text, old=c.old, units=c.units, source=source, lines=c.lines,
               add_code=add_code, add_units=add_units)
