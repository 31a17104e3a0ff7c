"""Candidate fixes of one claim, generated from its rule flags and documentation gaps.

Every candidate names the changeable model feature it acts on (features/registry.py) and
is valid by construction: 25 only on an E/M line, XS only on a procedure line whose lesion
is marked distinct (lesion.distinct_from_line), a diagnosis link only to a code already on
the claim that supports the procedure family (features/linkage.py). Whether a candidate is
worth showing is decided later by re-scoring it (serving/fixes.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from features.registry import CHANGEABLE
from reference.cms import CmsTables
from serving.context import ClaimView

MAX_MODIFIERS = 4


@dataclass(frozen=True)
class Candidate:
    """One edit of a claim, in the contract's fix vocabulary."""

    action: str
    feature: str
    text: str
    line: int | None = None
    value: str | None = None
    old: str | None = None  # modifier replaced by replace_modifier
    units: int | None = None  # units after change_code
    finding: Any = None  # the checker finding (features.checks.Finding) it comes from


def label(view: ClaimView, n: int) -> str:
    return f"{view.cpt(n)} (line {n})"


def can_add_modifier(view: ClaimView, n: int, modifier: str) -> bool:
    mods = view.line(n)["modifiers"]
    return modifier not in mods and len(mods) < MAX_MODIFIERS


def fix_em_25(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    note = (view.claim.get("documentation") or {}).get("separate_em_note") is True
    why = ("the note documents a separate E/M" if note else "only if a separately "
           "identifiable E/M is documented (documentation.separate_em_note)")
    return [Candidate("add_modifier", "em_needs_25", f"Add modifier 25 to {label(view, n)}; "
                      f"{why}.", n, "25")
            for n in view.lines_where("em_needs_25")
            if view.flag_of(n, "family") == "em" and can_add_modifier(view, n, "25")]


def fix_cosmetic(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    lines = view.lines_where("cosmetic_dx")
    if not lines or len(lines) >= len(view.claim["lines"]):
        return []
    return [Candidate("bill_patient", "cosmetic_dx", f"Bill {label(view, n)} to the patient "
                      "as a cosmetic service (signed waiver) instead of the payer.", n)
            for n in lines]


# Coding changes (NCCI pairs, 59/X, units, add-ons, global modifiers, pointers) come from
# the coding-consistency checker (features/checks) in serving/fixes.py; these generators
# add what the checker leaves to the model: 25 on a documented separate E/M, billing a
# cosmetic service to the patient.
GENERATORS: tuple[Callable[[ClaimView, CmsTables], list[Candidate]], ...] = (
    fix_em_25, fix_cosmetic,
)
DOC_GAP_FEATURES: dict[str, str] = {
    f: field.removeprefix("documentation.") for f, field in CHANGEABLE.items()
    if field.startswith("documentation.")
}
