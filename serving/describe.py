"""Claim-language text for the line findings behind explanation factors.

A describer looks at one ClaimView and returns a Finding (text naming the line, code,
modifier or diagnosis, the lines, and the source it follows) when the finding is present
on the claim, or None: an absent finding is never a driver. CMS-derived findings cite
their release ("NCCI PTP practitioner 2024Q3 11402/11102, modifier indicator 1"); a
learned payer habit says it is learned, from how many claims of this practice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reference.cms import CmsTables
from reference.codes import load_code_table
from reference.modifiers import MODIFIER_MEANINGS
from serving.context import ClaimView


@dataclass(frozen=True)
class Finding:
    text: str
    lines: list[int] = field(default_factory=list)
    source: str | None = None


Describer = Callable[[ClaimView, CmsTables], Finding | None]


def lines_text(view: ClaimView, lines: list[int], limit: int = 3) -> str:
    """'17110 (line 2), 17000 (line 3)' for up to `limit` lines."""
    shown = ", ".join(f"{view.cpt(n)} (line {n})" for n in lines[:limit])
    return shown + (" ..." if len(lines) > limit else "")


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
    """Lines an E/M needs 25 beside (000/010 procedures, injections, phototherapy: the
    em_bundling line flag, features.billing_rules.em_bundling_codes)."""
    return view.lines_where("em_bundling")


def em_without_25(view: ClaimView, cms: CmsTables) -> Finding | None:
    em_lines, procs = view.lines_where("em_needs_25"), minor_procedure_lines(view)
    if not em_lines or not procs:
        return None
    em, proc = em_lines[0], procs[0]
    mi = cms.ptp_indicator(view.cpt(proc), view.cpt(em))
    return Finding(f"E/M {view.cpt(em)} on line {em} billed with a minor procedure "
                   f"({view.cpt(proc)}, line {proc}) and no modifier 25", [em, proc],
                   ptp_source(cms, view.cpt(proc), view.cpt(em), mi) if mi is not None
                   else "NCCI policy manual ch. XI (E/M with minor procedures)")


def em_25_with_procedure(view: ClaimView, cms: CmsTables) -> Finding | None:
    em_lines, procs = view.lines_where("em_has_25_with_proc"), minor_procedure_lines(view)
    if not em_lines or not procs:
        return None
    em, proc = em_lines[0], procs[0]
    return Finding(f"E/M {view.cpt(em)} on line {em} carries modifier 25 next to "
                   f"{view.cpt(proc)} (line {proc}): the payer may review whether the E/M "
                   "is separately identifiable", [em, proc], learned_source(view))


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
    lines = [n for n in sorted({ln["line"] for ln in view.claim["lines"]})
             if "59" in view.line(n)["modifiers"]]
    if not lines:
        return None
    n = lines[0]
    both = [m for m in ("XS", "XE", "XP", "XU") if m in view.line(n)["modifiers"]]
    text = (f"Modifier 59 and {both[0]} together on {view.cpt(n)} (line {n}): never both"
            if both else f"Modifier 59 on {view.cpt(n)} (line {n}) where an X modifier (XS "
                         "for a separate lesion) is the specific one")
    return Finding(text, lines, "CMS CR 8863 (X{EPSU} modifiers); NCCI policy manual")


def units_over_mue(view: ClaimView, cms: CmsTables) -> Finding | None:
    lines = sorted({*view.lines_where("units_over_mue"), *view.lines_where("per_session_units")})
    if not lines:
        return None
    n = lines[0]
    code, units = view.cpt(n), int(view.line(n)["units"])
    mue, mai = int(view.flag_of(n, "mue_units") or 0), int(view.flag_of(n, "mue_mai") or 0)
    if not mue:
        return Finding(f"{code} on line {n} billed with {units} units: the code is billed "
                       "once per session", lines, f"CPT descriptor {code}")
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
                   f"({parents})", lines, f"CPT add-on code {view.cpt(n)}")


def inside_global(view: ClaimView, cms: CmsTables) -> Finding | None:
    days, glob = view.feature("days_since_global"), view.feature("related_global_days")
    if not (glob > 0 and days <= glob):
        return None
    lines = view.lines_where("in_global_unmodified")
    related = (view.claim.get("history") or {}).get("related_procedure_code") or "a procedure"
    if not lines:
        return Finding(f"Date of service {days:.0f} days after {related}, inside its "
                       f"{glob:.0f}-day global period", [],
                       f"{cms.releases.get('mpfs', 'MPFS')} global surgery indicator")
    n = lines[0]
    mods = "24" if view.flag_of(n, "family") == "em" else "58, 78 or 79"
    return Finding(f"{view.cpt(n)} on line {n} is {days:.0f} days after {related}, inside its "
                   f"{glob:.0f}-day global period, without modifier {mods}", lines,
                   f"{cms.releases.get('mpfs', 'MPFS')} global surgery indicator; CMS Claims "
                   "Processing Manual ch. 12 §40")


def learned_source(view: ClaimView) -> str | None:
    """'learned from N claims of this practice (window)' for the claim's payer."""
    learned = view.learned
    payer = str(view.claim["payer_id"])
    if learned is None or payer not in learned.n_claims:
        return None
    return (f"learned from {learned.n_claims[payer]:,} {payer} claims of this practice "
            f"({learned.window})")


def code_habit(code: str) -> Describer:
    """Describer of one billed code: its lines and the payer's learned denial rate."""
    def describe(view: ClaimView, cms: CmsTables) -> Finding | None:
        lines = [ln["line"] for ln in view.claim["lines"] if ln["cpt"] == code]
        if not lines:
            return None
        payer = str(view.claim["payer_id"])
        rate = (view.learned.code_rates.get(payer, {}).get(code)
                if view.learned is not None else None)
        habit = (f": {payer} denied {rate.denied_share:.0%} of {rate.n:,} claims billing it"
                 if rate is not None else "")
        return Finding(f"{lines_text(view, lines)}{habit}", lines, learned_source(view))
    return describe


def modifier_on_lines(modifier: str) -> Describer:
    """Describer of one modifier: the lines carrying it and what it says."""
    def describe(view: ClaimView, cms: CmsTables) -> Finding | None:
        lines = [ln["line"] for ln in view.claim["lines"] if modifier in ln["modifiers"]]
        if not lines:
            return None
        meaning = MODIFIER_MEANINGS.get(modifier, "a modifier outside our reference table")
        return Finding(f"Modifier {modifier} ({meaning}) on {lines_text(view, lines)}", lines,
                       learned_source(view))
    return describe


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
    "modifier_59": modifier_59,
    "units_over_mue": units_over_mue,
    "addon_without_primary": orphan_addon,
    "inside_global_period": inside_global,
}
