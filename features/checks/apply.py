"""Apply a finding's change to a contract claim dict (pure: a new dict, the input is not
touched; only the parts that change are copied). The service applies each fix candidate
with it and re-checks the result with is_coding_valid before re-scoring it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from features.checks.findings import Finding
from reference.vocab import DOCUMENTATION_FIELDS, MAX_DIAGNOSES, MAX_DX_POINTERS

Claim = dict[str, Any]
EM_ONLY = frozenset({"24", "25", "57"})  # E/M modifiers: a procedure line's add-on drops them


def as_claim_dict(claim: Any) -> Claim:
    """A contract claim as a dict (a pydantic Claim is dumped in JSON form)."""
    return claim if isinstance(claim, dict) else claim.model_dump(mode="json")


def edit_line(claim: Claim, number: int | None, update: Callable[[dict], None]) -> Claim:
    """A copy of the claim whose line `number` is a copy changed by `update`."""
    lines = []
    for ln in claim["lines"]:
        if ln["line"] == number:
            ln = dict(ln)
            update(ln)
        lines.append(ln)
    return {**claim, "lines": lines}


def without_lines(claim: Claim, numbers: set[int]) -> Claim:
    """A copy without lines `numbers`; lesions naming them as distinct lose that link."""
    lines = []
    for ln in claim["lines"]:
        if ln["line"] in numbers:
            continue
        lesion = ln.get("lesion")
        if lesion and lesion.get("distinct_from_line") in numbers:
            ln = {**ln, "lesion": {**lesion, "distinct_from_line": None}}
        lines.append(ln)
    return {**claim, "lines": lines}


def set_modifiers(f: Finding) -> Callable[[dict], None]:
    def update(ln: dict) -> None:
        mods = list(ln.get("modifiers") or [])
        if f.action == "add_modifier" and f.value not in mods:
            mods.append(f.value)
        elif f.action == "replace_modifier":
            mods = [f.value if m == f.old else m for m in mods]
        elif f.action == "remove_modifier":
            mods = [m for m in mods if m != f.value]
        ln["modifiers"] = list(dict.fromkeys(mods))
    return update


def change_code(f: Finding) -> Callable[[dict], None]:
    def update(ln: dict) -> None:
        ln["cpt"] = f.value
        if f.units:
            ln["units"] = f.units
    return update


def change_units(f: Finding) -> Callable[[dict], None]:
    def update(ln: dict) -> None:
        ln["units"] = int(f.units or f.value)
    return update


def link_diagnosis(claim: Claim, f: Finding) -> Claim:
    """Point line f.line first to diagnosis f.value (added to the claim's list if absent),
    dropping its pointers to f.old (one code, or several joined with ',')."""
    diagnoses = list(claim["diagnoses"])
    if f.value not in diagnoses and len(diagnoses) < MAX_DIAGNOSES:
        diagnoses.append(f.value)
    new = diagnoses.index(f.value) + 1
    olds = {diagnoses.index(c) + 1 for c in (f.old or "").split(",") if c in diagnoses}

    def update(ln: dict) -> None:
        rest = [p for p in ln["dx_pointers"] if p != new and p not in olds]
        ln["dx_pointers"] = [new, *rest][:MAX_DX_POINTERS]
    return edit_line({**claim, "diagnoses": diagnoses}, f.line, update)


def attach(claim: Claim, f: Finding) -> Claim:
    """Documentation the chart has: the claim states it (an NDC must come from the chart:
    nothing to set without it)."""
    if f.value in DOCUMENTATION_FIELDS:
        return {**claim, "documentation": {**(claim.get("documentation") or {}), f.value: True}}
    return claim


def apply_fix(claim: Any, finding: Finding) -> Claim:
    """The claim (a new dict) with the finding's change and its `removes` applied; a
    finding without an action returns the claim unchanged."""
    claim = as_claim_dict(claim)
    action = finding.action
    if action in ("add_modifier", "replace_modifier", "remove_modifier"):
        claim = edit_line(claim, finding.line, set_modifiers(finding))
    elif action == "change_code":
        claim = edit_line(claim, finding.line, change_code(finding))
    elif action == "change_units":
        claim = edit_line(claim, finding.line, change_units(finding))
    elif action == "remove_line":
        claim = without_lines(claim, {finding.line})
    elif action == "link_diagnosis":
        claim = link_diagnosis(claim, finding)
    elif action == "attach_documentation":
        claim = attach(claim, finding)
    if action and finding.removes:
        claim = absorb_lines(claim, finding.line, set(finding.removes))
    if action and finding.adds:
        claim = add_units_line(claim, finding.line, *finding.adds)
    return claim


def add_units_line(claim: Claim, number: int | None, code: str, units: int) -> Claim:
    """Put `units` of `code` beside line `number` (its date, pointers, lesion site and
    modifiers): more units on the claim's line of that code on the same date, else a new
    last line; the split line's charge is shared by units, the lesion counts follow."""
    source = next((ln for ln in claim["lines"] if ln["line"] == number), None)
    if source is None:
        return claim
    dos = source.get("date_of_service")
    same = next((ln for ln in claim["lines"] if str(ln["cpt"]) == code
                 and ln.get("date_of_service") == dos and ln["line"] != number), None)
    if same is not None:
        return edit_line(claim, same["line"], lambda ln: ln.update(
            units=ln["units"] + units, lesion=counted(ln.get("lesion"), ln["units"] + units)))
    moved = round(float(source.get("charge") or 0) * units / (units + source["units"]), 2)
    added = {**source, "line": max(ln["line"] for ln in claim["lines"]) + 1, "cpt": code,
             "units": units, "charge": moved, "lesion": counted(source.get("lesion"), units),
             "modifiers": [m for m in source.get("modifiers") or [] if m not in EM_ONLY]}

    def update(ln: dict) -> None:
        ln["charge"] = round(float(ln.get("charge") or 0) - moved, 2)
        ln["lesion"] = counted(ln.get("lesion"), ln["units"])
    claim = edit_line(claim, number, update)
    return {**claim, "lines": [*claim["lines"], added]}


def counted(lesion: dict | None, count: int) -> dict | None:
    """The lesion record with `count` lesions (None stays None)."""
    return None if lesion is None else {**lesion, "count": count}


def absorb_lines(claim: Claim, number: int | None, removed: set[int]) -> Claim:
    """Drop lines a recode made redundant; the recoded line's lesion record takes over
    their lesions (17004 x1 for 16 AKs: its lesion count becomes 16)."""
    gone = [ln for ln in claim["lines"] if ln["line"] in removed]
    extra = sum(((ln.get("lesion") or {}).get("count") or ln["units"]) for ln in gone)

    def update(ln: dict) -> None:
        if ln.get("lesion") and extra:
            ln["lesion"] = {**ln["lesion"], "count": min(ln["lesion"]["count"] + extra, 100)}
    return without_lines(edit_line(claim, number, update), removed)
