"""Apply a candidate fix to a copy of a contract claim dict (the original is never touched).

Only the parts that change are copied (the edited line, the lines list, the documentation
or eligibility block), so building many candidate claims stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from features.checks.apply import edit_line, without_lines
from reference.vocab import DOCUMENTATION_FIELDS, MAX_DIAGNOSES, MAX_DX_POINTERS
from serving.candidates import Candidate

Claim = dict[str, Any]
PENDING_AUTH = "PENDING"


def set_modifiers(c: Candidate) -> Callable[[dict[str, Any]], None]:
    """Line updater for add/replace/remove_modifier."""
    def update(ln: dict[str, Any]) -> None:
        mods = list(ln["modifiers"])
        if c.action == "add_modifier":
            mods.append(c.value)
        elif c.action == "replace_modifier":
            mods = [c.value if m == c.old else m for m in mods]
        else:
            mods = [m for m in mods if m != c.value]
        ln["modifiers"] = mods
    return update


def link_diagnosis(claim: Claim, c: Candidate) -> Claim:
    """Point line c.line first to diagnosis c.value (added to the claim's list when the
    change brings a sided code the claim lacks), dropping its pointers to c.old (one code
    or several joined with ','), as the checker's own apply_fix does."""
    diagnoses = list(claim["diagnoses"])
    if c.value not in diagnoses and len(diagnoses) < MAX_DIAGNOSES:
        diagnoses.append(c.value)
    position = diagnoses.index(c.value) + 1
    olds = {diagnoses.index(d) + 1 for d in (c.old or "").split(",") if d in diagnoses}

    def update(ln: dict[str, Any]) -> None:
        rest = [p for p in ln["dx_pointers"] if p != position and p not in olds]
        ln["dx_pointers"] = [position, *rest][:MAX_DX_POINTERS]
    return edit_line({**claim, "diagnoses": diagnoses}, c.line, update)


NDC_PLACEHOLDER = "00000000000"  # "the coder adds the drug's NDC from the chart"


def attach(claim: Claim, c: Candidate) -> Claim:
    if c.value == "ndc":
        return edit_line(claim, c.line, lambda ln: ln.update(ndc=NDC_PLACEHOLDER))
    if c.value in DOCUMENTATION_FIELDS:
        return {**claim, "documentation": {**(claim.get("documentation") or {}), c.value: True}}
    return {**claim, c.value: True}  # referral_on_file


def prior_auth(claim: Claim, c: Candidate) -> Claim:
    pa = claim.get("prior_authorization") or {"number": PENDING_AUTH, "cpt_codes": []}
    codes = list(dict.fromkeys([*pa.get("cpt_codes", []), *str(c.value).split(",")]))
    return {**claim, "prior_authorization": {**pa, "cpt_codes": codes}}


def verify_eligibility(claim: Claim, c: Candidate) -> Claim:
    elig = dict(claim.get("eligibility") or {})
    elig["verified"] = True
    if elig.get("coverage_active") is not True:
        elig["coverage_active"] = True
    return {**claim, "eligibility": elig}


def credential(claim: Claim, c: Candidate) -> Claim:
    return {**claim, "provider": {**claim["provider"], "credentialed_with_payer": True}}


def change_code(claim: Claim, c: Candidate) -> Claim:
    def update(ln: dict[str, Any]) -> None:
        ln["cpt"] = c.value
        ln["units"] = c.units or ln["units"]
    return edit_line(claim, c.line, update)


def change_units(claim: Claim, c: Candidate) -> Claim:
    return edit_line(claim, c.line, lambda ln: ln.update(units=int(c.value)))


APPLY: dict[str, Callable[[Claim, Candidate], Claim]] = {
    "add_modifier": lambda cl, c: edit_line(cl, c.line, set_modifiers(c)),
    "replace_modifier": lambda cl, c: edit_line(cl, c.line, set_modifiers(c)),
    "remove_modifier": lambda cl, c: edit_line(cl, c.line, set_modifiers(c)),
    "change_units": change_units,
    "change_code": change_code,
    "remove_line": lambda cl, c: without_lines(cl, {c.line}),
    "bill_patient": lambda cl, c: without_lines(cl, set(c.lines)),
    "link_diagnosis": link_diagnosis,
    "attach_documentation": attach,
    "obtain_prior_auth": prior_auth,
    "verify_eligibility": verify_eligibility,
    "credential_provider": credential,
}


def apply_candidate(claim: Claim, c: Candidate) -> Claim:
    """The claim with the candidate's edit applied (a new dict)."""
    return APPLY[c.action](claim, c)


def is_whole_visit_to_patient(action: str, line: int | None) -> bool:
    """bill_patient without a line: the claim is not sent to the payer at all."""
    return action == "bill_patient" and line is None


DUPLICATE_SUBMISSION = "duplicate submission"  # not_fixable value of a copy not to send


def is_not_sent(action: str, line: int | None, value: str | None) -> bool:
    """The fix keeps the claim away from the payer: the whole visit billed to the
    patient, or a copy of a claim already billed (the first claim carries the services,
    so not sending the copy loses nothing and avoids its duplicate denial)."""
    return is_whole_visit_to_patient(action, line) or (
        action == "not_fixable" and value == DUPLICATE_SUBMISSION)


def apply_fix(claim: Claim, fix: Any) -> Claim | None:
    """The claim with a returned fix (contract Fix) applied, as the coder would submit it;
    None for not_fixable, actions without an edit, and a visit billed to the patient
    (nothing goes to the payer)."""
    if fix.action not in APPLY or is_whole_visit_to_patient(fix.action, fix.line):
        return None
    candidate = Candidate(fix.action, "", fix.text, fix.line, fix.value,
                          getattr(fix, "old", None), getattr(fix, "units", None),
                          extra_lines=tuple(n for n in getattr(fix, "lines", None) or ()
                                            if n != fix.line))
    return APPLY[fix.action](claim, candidate)
