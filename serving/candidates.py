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

from features.registry import CHANGEABLE
from reference.cms import CmsTables
from reference.codes import load_code_table
from reference.icd10 import dx_site_side
from reference.linkage import supports
from reference.modifiers import modifier_side
from serving.context import ClaimView
from serving.describe import ptp_partner

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


def label(view: ClaimView, n: int) -> str:
    return f"{view.cpt(n)} (line {n})"


def can_add_modifier(view: ClaimView, n: int, modifier: str) -> bool:
    mods = view.line(n)["modifiers"]
    return modifier not in mods and len(mods) < MAX_MODIFIERS


def is_distinct_lesion_line(view: ClaimView, n: int) -> bool:
    """A procedure line whose lesion is marked distinct from another line (XS is valid)."""
    lesion = view.line(n).get("lesion") or {}
    return view.flag_of(n, "family") != "em" and lesion.get("distinct_from_line") is not None


def fix_em_25(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    note = (view.claim.get("documentation") or {}).get("separate_em_note") is True
    why = ("the note documents a separate E/M" if note else "only if a separately "
           "identifiable E/M is documented (documentation.separate_em_note)")
    return [Candidate("add_modifier", "em_needs_25", f"Add modifier 25 to {label(view, n)}; "
                      f"{why}.", n, "25")
            for n in view.lines_where("em_needs_25")
            if view.flag_of(n, "family") == "em" and can_add_modifier(view, n, "25")]


def fix_ptp(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    """XS on a distinct-lesion line of an unbypassed pair, else drop the bundled line."""
    out = []
    for n in view.lines_where("ptp_unbypassed"):
        partner = ptp_partner(view, n, cms)
        if view.flag_of(n, "family") == "em" or partner is None:
            continue
        col1 = partner[0]
        target = next((m for m in (n, col1) if is_distinct_lesion_line(view, m)), None)
        if target is not None and can_add_modifier(view, target, "XS"):
            out.append(Candidate("add_modifier", "ptp_unbypassed", f"Add XS to "
                                 f"{label(view, target)}: separate lesion from line "
                                 f"{col1 if target == n else n} (NCCI pair "
                                 f"{view.cpt(col1)}/{view.cpt(n)}).", target, "XS"))
        elif target is None:
            out.append(Candidate("remove_line", "ptp_mi0", f"Remove {label(view, n)}: same "
                                 f"lesion as {label(view, col1)}, bundled into it (NCCI).", n))
    out += [Candidate("remove_line", "ptp_mi0", f"Remove {label(view, n)}: never payable "
                      "with its NCCI column-1 code (modifier indicator 0).", n)
            for n in view.lines_where("ptp_mi0")]
    return out


def fix_59(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    lines = set(view.lines_where("ptp_bypass_59")) | set(view.lines_where("x_would_fit"))
    return [Candidate("replace_modifier", "ptp_bypass_59", f"Replace 59 with XS on "
                      f"{label(view, n)}: the lesion is separate, XS is the specific "
                      "modifier.", n, "XS", old="59")
            for n in sorted(lines)
            if "59" in view.line(n)["modifiers"] and is_distinct_lesion_line(view, n)
            and "XS" not in view.line(n)["modifiers"]]


def fix_bypass_without_distinct(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    return [Candidate("remove_line", "ptp_bypass_no_distinct", f"Remove {label(view, n)}: "
                      "the bypass modifier is not supported (no distinct lesion); the "
                      "service is bundled.", n)
            for n in view.lines_where("ptp_bypass_no_distinct")
            if view.flag_of(n, "family") != "em" and len(view.claim["lines"]) > 1]


def fix_units(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    out = []
    for n in view.lines_where("units_over_mue"):
        code, units = view.cpt(n), int(view.line(n)["units"])
        mue = int(view.flag_of(n, "mue_units"))
        others = sum(int(ln["units"]) for ln in view.claim["lines"]
                     if ln["cpt"] == code and ln["line"] != n)
        new = max(1, mue - others)
        if new < units:
            out.append(Candidate("change_units", "units_over_mue", f"Bill {new} unit(s) of "
                                 f"{label(view, n)}: MUE {mue}/day for {code}.", n, str(new)))
    return out


def fix_orphan_addon(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    out = []
    for n in view.lines_where("orphan_addon"):
        parents = load_code_table().addon_parents(view.cpt(n))
        if parents:
            cap = int(cms.mue["mue_units"].get(parents[0], 1) or 1)
            units = min(int(view.line(n)["units"]), cap)
            out.append(Candidate("change_code", "orphan_addon", f"Bill the primary code "
                                 f"{parents[0]} on line {n} instead of the add-on "
                                 f"{view.cpt(n)} billed without it.", n, parents[0],
                                 units=units))
    return out


def fix_global(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    out = []
    for n in view.lines_where("in_global_unmodified"):
        em = view.flag_of(n, "family") == "em"
        mod, why = ("24", "an E/M unrelated to the surgery") if em else (
            "79", "a procedure unrelated to the earlier surgery")
        if can_add_modifier(view, n, mod):
            out.append(Candidate("add_modifier", "in_global_unmodified", f"Add {mod} to "
                                 f"{label(view, n)} if it is {why} (post-op period).", n, mod))
    return out


def line_side(view: ClaimView, n: int) -> str:
    """The side of line n's lesion: lesion.laterality, else its side modifier, else ''."""
    lesion = view.line(n).get("lesion") or {}
    if lesion.get("laterality") in ("left", "right"):
        return str(lesion["laterality"])
    sides = {modifier_side(m) for m in view.line(n)["modifiers"]} - {""}
    return sides.pop() if len(sides) == 1 else ""


def same_lesion(view: ClaimView, n: int, dx: str) -> bool:
    """Can `dx` describe line n's lesion? Its encoded site must include the lesion's site
    and its encoded side must be the lesion's side (when both sides are known): a coder
    never points a line to a diagnosis of another site or the other side (§11)."""
    where = dx_site_side(dx)
    site = (view.line(n).get("lesion") or {}).get("site")
    if where.sites and site and site not in where.sites:
        return False
    side = line_side(view, n)
    return not (side and where.side in ("left", "right") and where.side != side)


def supporting_dx(view: ClaimView, n: int) -> str | None:
    """A diagnosis already on the claim that supports line n's procedure family and
    describes the same lesion (site and side)."""
    family = str(view.flag_of(n, "family"))
    symptoms = (view.claim.get("documentation") or {}).get("symptoms_documented") is True
    pointed = {view.claim["diagnoses"][p - 1] for p in view.line(n)["dx_pointers"]}
    return next((d for d in view.claim["diagnoses"] if d not in pointed
                 and supports(family, d, symptoms) and same_lesion(view, n, d)), None)


def fix_dx(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    ok = view.table.flags["dx_supported"][view.rows].astype(bool)
    out = []
    for n in sorted(int(x) for x in view.table.line_no[view.rows][~ok]):
        dx = supporting_dx(view, n)
        if dx is not None:
            pos = view.claim["diagnoses"].index(dx) + 1
            out.append(Candidate("link_diagnosis", "dx_unsupported", f"Point "
                                 f"{label(view, n)} to diagnosis {dx} (diagnoses #{pos}), "
                                 "which supports it.", n, dx))
    return out


def fix_cosmetic(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    lines = view.lines_where("cosmetic_dx")
    if not lines or len(lines) >= len(view.claim["lines"]):
        return []
    return [Candidate("bill_patient", "cosmetic_dx", f"Bill {label(view, n)} to the patient "
                      "as a cosmetic service (signed waiver) instead of the payer.", n)
            for n in lines]


GENERATORS: tuple[Callable[[ClaimView, CmsTables], list[Candidate]], ...] = (
    fix_em_25, fix_ptp, fix_59, fix_bypass_without_distinct, fix_units, fix_orphan_addon,
    fix_global, fix_dx, fix_cosmetic,
)
DOC_GAP_FEATURES: dict[str, str] = {
    f: field.removeprefix("documentation.") for f, field in CHANGEABLE.items()
    if field.startswith("documentation.")
}
