"""Claim-language findings about diagnoses: linkage per line, classes, pointers, screening,
cosmetic diagnoses, prior authorization.

Medical necessity is judged per line, on the diagnoses each line points to (shared/domain
§11); texts name the line, its code and the diagnoses it points to, and cite the LCD or
ICD-10-CM release the judgement follows. None = the finding is not on the claim.
"""

from __future__ import annotations

from reference.cms import CmsTables
from reference.families import RESURFACING_FAMILIES
from reference.icd10 import RELEASE, description
from reference.linkage import COSMETIC_CLASSES, dx_class
from serving.context import ClaimView
from serving.describe import Describer, Finding, learned_source, lines_text

LCD_SOURCE = "LCD L35498/L34200 diagnosis linkage (shared/domain §4)"


def pointed_dx(view: ClaimView, line: int) -> list[str]:
    dx = view.claim["diagnoses"]
    return [dx[p - 1] for p in view.line(line)["dx_pointers"] if 0 < p <= len(dx)]


def dx_label(code: str) -> str:
    """'C44.619 (Basal cell carcinoma of skin of left upper limb, including shoulder)'."""
    text = description(code)
    return f"{code} ({text})" if text else code


def dx_not_supporting(view: ClaimView, cms: CmsTables) -> Finding | None:
    ok = view.table.flags["dx_supported"][view.rows].astype(bool)
    bad = sorted(int(n) for n in view.table.line_no[view.rows][~ok])
    if not bad:
        return None
    n = bad[0]
    pointed = ", ".join(dx_label(d) for d in pointed_dx(view, n)) or "no diagnosis"
    return Finding(f"{view.cpt(n)} on line {n} points to {pointed}, which does not support "
                   "it", bad, LCD_SOURCE)


def dx_needs_symptoms(view: ClaimView, cms: CmsTables) -> Finding | None:
    lines = view.lines_where("dx_conditional_only")
    if not lines:
        return None
    n = lines[0]
    return Finding(f"{', '.join(pointed_dx(view, n))} supports {view.cpt(n)} (line {n}) only "
                   "with documented symptoms (documentation.symptoms_documented)", lines,
                   LCD_SOURCE)


def cosmetic(view: ClaimView, cms: CmsTables) -> Finding | None:
    lines = view.lines_where("cosmetic_dx")
    resurfacing = sorted(set(lines) & set(view.lines_in(*RESURFACING_FAMILIES)))
    if resurfacing:
        n = resurfacing[0]
        return Finding(f"{view.cpt(n)} (line {n}) for {', '.join(pointed_dx(view, n))}: skin "
                       "resurfacing plans exclude as cosmetic unless the diagnosis supports "
                       "it (a chemical peel for acne or actinic keratoses)", lines, LCD_SOURCE)
    if lines:
        n = lines[0]
        return Finding(f"Cosmetic-reading diagnosis {', '.join(pointed_dx(view, n))} on "
                       f"{view.cpt(n)} (line {n}): non-covered unless symptoms are "
                       "documented", lines, LCD_SOURCE)
    if view.claim.get("cosmetic_intake"):
        return Finding("The visit was marked cosmetic at intake (cosmetic_intake)")
    codes = [d for d in view.claim["diagnoses"] if dx_class(d) in COSMETIC_CLASSES]
    return Finding(f"Cosmetic-reading diagnosis {', '.join(codes)} on the claim", [],
                   LCD_SOURCE) if codes else None


def prior_auth(view: ClaimView, cms: CmsTables) -> Finding | None:
    lines = view.lines_where("pa_missing")
    if not lines:
        return None
    return Finding(f"{lines_text(view, lines)} needs prior authorization and none on file "
                   "lists it", lines, learned_source(view))


def screening(view: ClaimView, cms: CmsTables) -> Finding | None:
    lines = view.lines_where("screening_only")
    if lines:
        n = lines[0]
        return Finding(f"{view.cpt(n)} on line {n} points only to the screening diagnosis "
                       f"{', '.join(pointed_dx(view, n))}", lines,
                       "shared/domain §4 (Medicare does not cover skin-cancer screening)")
    codes = [d for d in view.claim["diagnoses"] if dx_class(d) == "screening"]
    return Finding(f"Screening diagnosis {', '.join(codes)} on the claim") if codes else None


def diagnosis_class(cls: str) -> Describer:
    """Describer of the claim's diagnoses of one class and the lines pointing to them."""
    def describe(view: ClaimView, cms: CmsTables) -> Finding | None:
        codes = [d for d in view.claim["diagnoses"] if dx_class(d) == cls]
        if not codes:
            return None
        lines = [ln["line"] for ln in view.claim["lines"]
                 if set(pointed_dx(view, ln["line"])) & set(codes)]
        where = f", pointed to by {lines_text(view, lines)}" if lines else ""
        return Finding(f"Diagnosis {', '.join(dx_label(c) for c in codes[:2])}{where}",
                       lines, RELEASE)
    return describe


def primary_diagnosis(view: ClaimView, cms: CmsTables) -> Finding | None:
    first = view.claim["diagnoses"][0] if view.claim["diagnoses"] else None
    return Finding(f"First diagnosis {dx_label(first)}", [], RELEASE) if first else None


def pointers(view: ClaimView, cms: CmsTables) -> Finding | None:
    bad = [ln["line"] for ln in view.claim["lines"] if not pointed_dx(view, ln["line"])]
    multi = [ln["line"] for ln in view.claim["lines"] if len(ln["dx_pointers"]) >= 2]
    if bad:
        return Finding(f"{lines_text(view, bad)} points to no diagnosis on the claim", bad)
    if multi:
        return Finding(f"{lines_text(view, multi)} points to several diagnoses", multi)
    return None


DX_DESCRIBERS: dict[str, Describer] = {
    "diagnosis_not_supporting_procedure": dx_not_supporting,
    "diagnosis_needs_symptoms": dx_needs_symptoms,
    "cosmetic_service": cosmetic,
    "prior_auth_missing": prior_auth,
    "screening_diagnosis": screening,
    "primary_diagnosis": primary_diagnosis,
    "diagnosis_pointers": pointers,
}
