"""Claim-language text for each explanation factor: which line, code, modifier or field.

A describer looks at one ClaimView and returns a Finding (text, lines, CMS source) when the
finding is present on the claim, or None; absent findings (a contribution that lowers risk
because something is *not* there) get "Not on this claim: <label>". CMS-derived findings
cite their release, e.g. "NCCI PTP practitioner 2024Q3 11402/11102, modifier indicator 1".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reference.cms import CmsTables
from reference.codes import load_code_table
from serving.context import ClaimView


@dataclass(frozen=True)
class Finding:
    text: str
    lines: list[int] = field(default_factory=list)
    source: str | None = None


Describer = Callable[[ClaimView, CmsTables], Finding | None]
MINOR_GLOBALS = ("000", "010")


def ptp_partner(view: ClaimView, line: int, cms: CmsTables) -> tuple[int, int] | None:
    """(column-1 line, modifier indicator) of an NCCI pair whose column 2 is `line`."""
    cpt = view.cpt(line)
    for other in view.claim["lines"]:
        mi = cms.ptp_indicator(str(other["cpt"]), cpt) if other["line"] != line else None
        if mi is not None:
            return int(other["line"]), int(mi)
    return None


def ptp_source(cms: CmsTables, col1: str, col2: str, mi: int) -> str:
    return f"{cms.releases.get('ptp', 'NCCI PTP')} {col1}/{col2}, modifier indicator {mi}"


def minor_procedure_lines(view: ClaimView) -> list[int]:
    """Non-E/M lines with a 000/010 global (the procedures an E/M needs 25 next to)."""
    glob = view.table.flags["global_days"][view.rows]
    fam = view.table.flags["family"][view.rows]
    keep = [g in MINOR_GLOBALS and f != "em" for g, f in zip(glob, fam)]
    return sorted(int(n) for n, k in zip(view.table.line_no[view.rows], keep) if k)


def em_without_25(view: ClaimView, cms: CmsTables) -> Finding | None:
    em_lines, procs = view.lines_where("em_needs_25"), minor_procedure_lines(view)
    if not em_lines or not procs:
        return None
    em, proc = em_lines[0], procs[0]
    mi = cms.ptp_indicator(view.cpt(proc), view.cpt(em))
    return Finding(f"E/M {view.cpt(em)} on line {em} billed with a minor procedure "
                   f"({view.cpt(proc)}, line {proc}) and no modifier 25", [em, proc],
                   ptp_source(cms, view.cpt(proc), view.cpt(em), mi) if mi is not None else None)


def em_25_with_procedure(view: ClaimView, cms: CmsTables) -> Finding | None:
    em_lines, procs = view.lines_where("em_has_25_with_proc"), minor_procedure_lines(view)
    if not em_lines or not procs:
        return None
    em, proc = em_lines[0], procs[0]
    return Finding(f"E/M {view.cpt(em)} on line {em} carries modifier 25 next to "
                   f"{view.cpt(proc)} (line {proc}); payers audit 25 with minor procedures",
                   [em, proc])


def ptp_finding(flag: str, wording: str) -> Describer:
    """Describer for a PTP flag on the column-2 line, naming the column-1 partner."""
    def describe(view: ClaimView, cms: CmsTables) -> Finding | None:
        lines = view.lines_where(flag)
        if not lines:
            return None
        col2 = lines[0]
        partner = ptp_partner(view, col2, cms)
        if partner is None:
            return Finding(f"{view.cpt(col2)} on line {col2} {wording}", lines)
        col1, mi = partner
        text = f"{view.cpt(col2)} on line {col2} {wording} with {view.cpt(col1)} (line {col1})"
        if view.flag_of(col2, "family") == "em" and mi == 1:
            text = (f"E/M {view.cpt(col2)} on line {col2} is bundled into {view.cpt(col1)} "
                    f"(line {col1}) without modifier 25")
        return Finding(text, sorted({col1, *lines}),
                       ptp_source(cms, view.cpt(col1), view.cpt(col2), mi))
    return describe


def modifier_59(view: ClaimView, cms: CmsTables) -> Finding | None:
    lines = sorted(set(view.lines_where("ptp_bypass_59")) | set(view.lines_where("x_would_fit")))
    with59 = [n for n in lines if "59" in view.line(n)["modifiers"]] or lines
    if not with59:
        return None
    n = with59[0]
    return Finding(f"Modifier 59 on {view.cpt(n)} (line {n}) where payers expect an X "
                   "modifier (XS for a separate lesion)", with59)


def units_over_mue(view: ClaimView, cms: CmsTables) -> Finding | None:
    lines = view.lines_where("units_over_mue")
    if not lines:
        return None
    n = lines[0]
    code, units = view.cpt(n), int(view.line(n)["units"])
    mue, mai = int(view.flag_of(n, "mue_units")), int(view.flag_of(n, "mue_mai"))
    return Finding(f"{code} on line {n} billed with {units} units; the MUE allows {mue} "
                   "per day", lines,
                   f"{cms.releases.get('mue', 'NCCI MUE')}: {code} max {mue} unit(s)/day, "
                   f"MAI {mai}")


def orphan_addon(view: ClaimView, cms: CmsTables) -> Finding | None:
    lines = view.lines_where("orphan_addon")
    if not lines:
        return None
    n = lines[0]
    parents = "/".join(load_code_table().addon_parents(view.cpt(n))) or "its primary code"
    return Finding(f"Add-on {view.cpt(n)} on line {n} billed without its primary code "
                   f"({parents})", lines)


def inside_global(view: ClaimView, cms: CmsTables) -> Finding | None:
    lines = view.lines_where("in_global_unmodified")
    if not lines:
        return None
    n = lines[0]
    days, glob = view.feature("days_since_global"), view.feature("related_global_days")
    mods = "24" if view.flag_of(n, "family") == "em" else "79/58/78"
    return Finding(f"{view.cpt(n)} on line {n} is {days:.0f} days into a {glob:.0f}-day global "
                   f"period without modifier {mods}", lines,
                   f"{cms.releases.get('mpfs', 'MPFS')} global surgery indicator")


def pointed_dx(view: ClaimView, line: int) -> list[str]:
    dx = view.claim["diagnoses"]
    return [dx[p - 1] for p in view.line(line)["dx_pointers"] if 0 < p <= len(dx)]


def dx_not_supporting(view: ClaimView, cms: CmsTables) -> Finding | None:
    ok = view.table.flags["dx_supported"][view.rows].astype(bool)
    bad = sorted(int(n) for n in view.table.line_no[view.rows][~ok])
    if not bad:
        return None
    n = bad[0]
    return Finding(f"{view.cpt(n)} on line {n} points to {', '.join(pointed_dx(view, n))}, "
                   "which does not support it", bad)


def dx_needs_symptoms(view: ClaimView, cms: CmsTables) -> Finding | None:
    lines = view.lines_where("dx_conditional_only")
    if not lines:
        return None
    n = lines[0]
    return Finding(f"{', '.join(pointed_dx(view, n))} supports {view.cpt(n)} (line {n}) only "
                   "with documented symptoms (documentation.symptoms_documented)", lines)


def cosmetic(view: ClaimView, cms: CmsTables) -> Finding | None:
    lines = view.lines_where("cosmetic_dx")
    if lines:
        n = lines[0]
        return Finding(f"Cosmetic diagnosis {', '.join(pointed_dx(view, n))} on "
                       f"{view.cpt(n)} (line {n}): non-covered unless symptoms are documented",
                       lines)
    if view.claim.get("cosmetic_intake"):
        return Finding("Visit marked cosmetic at intake (cosmetic_intake)")
    return None


def prior_auth(view: ClaimView, cms: CmsTables) -> Finding | None:
    lines = view.lines_where("pa_missing")
    if not lines:
        return None
    codes = ", ".join(f"{view.cpt(n)} (line {n})" for n in lines)
    return Finding(f"{codes} needs prior authorization and none on file lists it", lines)


LINE_DESCRIBERS: dict[str, Describer] = {
    "em_with_procedure_without_25": em_without_25,
    "em_25_with_procedure": em_25_with_procedure,
    "ptp_pair_without_bypass_modifier": ptp_finding(
        "ptp_unbypassed", "is bundled (NCCI pair, no 59/X/anatomic modifier)"),
    "ptp_pair_never_payable": ptp_finding("ptp_mi0", "is never payable together"),
    "bypass_without_distinct_lesion": ptp_finding(
        "ptp_bypass_no_distinct", "has a bypass modifier but no lesion marked distinct "
        "(lesion.distinct_from_line)"),
    "ncci_pair_on_claim": ptp_finding("ptp_any", "forms an NCCI PTP pair"),
    "modifier_59_where_x_expected": modifier_59,
    "units_over_mue": units_over_mue,
    "addon_without_primary": orphan_addon,
    "inside_global_period": inside_global,
    "diagnosis_not_supporting_procedure": dx_not_supporting,
    "diagnosis_needs_symptoms": dx_needs_symptoms,
    "cosmetic_service": cosmetic,
    "prior_auth_missing": prior_auth,
}
