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
from reference.families import BENIGN_REMOVAL_FAMILIES, RESURFACING_FAMILIES
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
    also: tuple[Any, ...] = ()  # the same change on other lines (one coder edit)
    extra_lines: tuple[int, ...] = ()  # other lines a model candidate changes alike
    why: str = ""  # a bill_patient change's reason (patient_pays; merges join them)
    abn: bool = False  # a bill_patient change of GA lines: they stay on the claim sent

    @property
    def lines(self) -> list[int]:
        """Every line the change is made on."""
        first = [] if self.line is None else [self.line]
        return first + [f.line for f in self.also] + list(self.extra_lines)


def label(view: ClaimView, n: int) -> str:
    return f"{view.cpt(n)} (line {n})"


def can_add_modifier(view: ClaimView, n: int, modifier: str) -> bool:
    mods = view.line(n)["modifiers"]
    return modifier not in mods and len(mods) < MAX_MODIFIERS


def fix_em_25(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    """25 on an E/M billed beside a minor procedure. Not on an E/M carrying 57: that one
    was the decision for surgery, and the checker replaces a 57 that has no 090-day
    procedure with 25 (features/checks/global_period.py); stacking 25 on 57 is wrong."""
    note = (view.claim.get("documentation") or {}).get("separate_em_note") is True
    why = ("the note documents a separate E/M" if note else "only if a separately "
           "identifiable E/M is documented (documentation.separate_em_note)")
    return [Candidate("add_modifier", "em_needs_25", f"Add modifier 25 to {label(view, n)}; "
                      f"{why}.", n, "25")
            for n in view.lines_where("em_needs_25")
            if view.flag_of(n, "family") == "em" and can_add_modifier(view, n, "25")
            and "57" not in view.line(n)["modifiers"]]


def patient_pays(view: ClaimView, lines: list[int], feature: str, why: str) -> list[Candidate]:
    """bill_patient for some lines, or for the whole visit (line None: the claim is not
    sent to the payer) when every line is one of them."""
    if not lines:
        return []
    if len(set(lines)) >= len(view.claim["lines"]):
        return [Candidate("bill_patient", feature, patient_text(view, lines, why, True),
                          why=why, abn=under_abn(view, lines))]
    return [Candidate("bill_patient", feature, patient_text(view, [n], why, False), n,
                      why=why, abn=under_abn(view, [n])) for n in lines]


def patient_text(view: ClaimView, lines: list[int], why: str, whole: bool) -> str:
    """What a bill_patient change tells the coder. Lines carrying GA already have the
    patient's signed ABN: the payer is expected to deny them to the patient (PR-50) and
    Medicare's rules want them submitted with GA, so the advice is to submit and collect
    after the remit, not to keep the claim from the payer (shared/domain §1)."""
    payer = view.claim["payer_id"]
    if under_abn(view, lines):
        what = "The visit" if whole else ", ".join(label(view, n) for n in lines)
        return (f"{what} carries GA (the patient signed an ABN): {payer} is expected to "
                f"deny it to the patient (PR-50; {why}). Submit it with GA, as the ABN "
                "requires, and collect from the patient after the remit.")
    if whole:
        return f"Bill the whole visit to the patient instead of {payer}: {why}."
    return (f"Bill {', '.join(label(view, n) for n in lines)} to the patient instead of "
            f"the payer: {why}.")


def under_abn(view: ClaimView, lines: list[int] | set[int]) -> bool:
    """Every one of the (non-empty) lines carries GA: the patient signed an ABN for it."""
    return bool(lines) and all("GA" in view.line(n)["modifiers"] for n in lines)


def merge_patient_lines(view: ClaimView, cands: list[Candidate]) -> list[Candidate]:
    """Lines of one visit the payer does not cover (cosmetic, benign without symptoms,
    screening) go to the patient together, under one waiver: one candidate for all of
    them (the whole visit when they are every line), not one per line that leaves the
    other non-covered lines on the claim."""
    lines = [c for c in cands if c.action == "bill_patient" and c.line is not None
             and c.feature != "sessions_on_claim"]
    numbers = sorted({c.line for c in lines})
    if len(numbers) < 2:
        return cands
    rest = [c for c in cands if not any(c is x for x in lines)]
    why = "; ".join(dict.fromkeys(c.why for c in lines))
    if len(numbers) >= len(view.claim["lines"]):
        return [*rest, Candidate("bill_patient", lines[0].feature,
                                 patient_text(view, numbers, why, True), why=why,
                                 abn=under_abn(view, numbers))]
    return [*rest, Candidate("bill_patient", lines[0].feature,
                             patient_text(view, numbers, why, False), numbers[0],
                             extra_lines=tuple(numbers[1:]), why=why,
                             abn=under_abn(view, numbers))]


def fix_cosmetic(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    """Cosmetic services (cosmetic-reading diagnosis, a peel or dermabrasion no linked
    diagnosis supports, cosmetic intake, GY) are the patient's to pay under a signed
    waiver (shared/domain §4, §6: CO-96 / PR-96). Medicare excludes them by statute: no
    ABN is needed, and a claim the patient asks for goes with GY (shared/domain §1, §4)."""
    lines = set(view.lines_where("cosmetic_dx"))
    if view.claim.get("cosmetic_intake"):
        lines |= set(view.lines_in(*BENIGN_REMOVAL_FAMILIES, *RESURFACING_FAMILIES))
    lines |= {ln["line"] for ln in view.claim["lines"] if "GY" in ln["modifiers"]}
    if under_abn(view, lines):  # the ABN is signed: no note on needing none
        return patient_pays(view, sorted(lines), "cosmetic_dx", "a cosmetic service")
    return patient_pays(view, sorted(lines), "cosmetic_dx",
                        "a cosmetic service, not covered: the patient pays under a "
                        "waiver signed before the service (Medicare excludes it by statute: "
                        "no ABN is needed; a claim the patient asks for goes with GY, PR-96)")


def fix_learned_cosmetic(view: ClaimView, likely: bool) -> list[Candidate]:
    """A peel or dermabrasion whose diagnosis the reference linkage accepts (17360 for
    acne) but that this payer denies as cosmetic: the model names cosmetic a likely reason
    for the claim (`likely`, a habit learned from the payer's remits). The patient's to
    pay under a waiver signed before the service (shared/domain §6: CO-96 / PR-96)."""
    if not likely:
        return []
    return patient_pays(view, view.lines_in(*RESURFACING_FAMILIES), "cosmetic_dx",
                        "this payer denies it as cosmetic (CO-96) in the remits the model "
                        "learned from: non-covered, billed under a waiver the patient signs "
                        "before the service")


def fix_benefit_cap(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    """Phototherapy past the plan's yearly sessions: the patient pays, or it waits for the
    next benefit period (CO-119, shared/domain §5-§6). Offered only where re-scoring shows
    the sessions are what makes the claim risky."""
    before = (view.claim.get("history") or {}).get("sessions_this_year")
    lines = view.lines_in("phototherapy")
    if before is None or not lines:
        return []
    here = sum(int(ln.get("units") or 1) for ln in view.claim["lines"] if ln["line"] in lines)
    return patient_pays(view, lines, "sessions_on_claim", f"{sessions_text(before, here)} "
                        "may pass the plan's yearly session limit (signed waiver), or hold "
                        "until the next benefit period")


def sessions_text(before: int, here: int) -> str:
    """'12 sessions earlier this year and 3 on this claim' (no 'earlier' part at 0)."""
    on_claim = f"{here} session{'s' if here != 1 else ''} on this claim"
    if not before:
        return on_claim
    return f"{before} session{'s' if before != 1 else ''} earlier this year and {on_claim}"


def fix_em_not_separate(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    """An E/M billed with 25 beside a minor procedure while the note documents no separate
    E/M: the evaluation that led to the procedure is part of its global package (CPT
    surgical package; NCCI Policy Manual ch. I; shared/domain §2-§3), so the E/M comes
    off the claim, unless the chart does hold a separately identifiable service (then
    the note is attached: the documentation candidate)."""
    if (view.claim.get("documentation") or {}).get("separate_em_note") is not False:
        return []
    return [Candidate("remove_line", "em_25_no_separate_note", f"Remove {label(view, n)}: "
                      "no separately identifiable E/M is documented, so the evaluation is "
                      "part of the procedure's global package (CPT surgical package). If "
                      "the chart does document one, attach that note instead.", n)
            for n in view.lines_where("em_has_25_with_proc")]


def fix_benign_without_symptoms(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    """A benign-lesion removal the note gives no LCD indication for (bleeding, itching,
    inflammation, change: L35498/L34200, shared/domain §4) is not medically necessary:
    the patient pays under an ABN / waiver signed before the service (GA), else it is
    written off; a chart that does document symptoms takes the documentation candidate."""
    if (view.claim.get("documentation") or {}).get("symptoms_documented") is not False:
        return []
    return patient_pays(view, view.lines_where("benign_lesion_no_symptoms"),
                        "benign_lesion_no_symptoms", "no symptom the benign-lesion LCD "
                        "covers is documented (L35498/L34200), so the removal is not "
                        "medically necessary; with an ABN or waiver signed before the service "
                        "(GA) the patient pays, otherwise write it off. If the chart does "
                        "document bleeding, itching, inflammation or change, attach it instead")


def fix_screening_only(view: ClaimView, cms: CmsTables) -> list[Candidate]:
    """A visit whose lines point only to a screening code (Z12.83): Medicare does not cover
    a dermatologist's skin-cancer screening, some plans cover a preventive visit
    (shared/domain §4). The model weighs the payer; where it denies, the patient pays
    (GY / a signed waiver), unless the chart records a finding to code instead."""
    return patient_pays(view, view.lines_where("screening_only"), "screening_only",
                        "a screening-only visit (Z12.83) this payer does not cover; if the "
                        "chart records a finding (a lesion, a symptom), point the line to "
                        "that diagnosis instead")


# Coding changes (NCCI pairs, 59/X, units, add-ons, global modifiers, pointers) come from
# the coding-consistency checker (features/checks) in serving/fixes.py; these generators
# add what the checker leaves to the model: 25 on a documented separate E/M, an E/M the
# note does not separate, services the payer does not cover (cosmetic, benign without
# symptoms, screening, sessions past a cap) billed to the patient.
GENERATORS: tuple[Callable[[ClaimView, CmsTables], list[Candidate]], ...] = (
    fix_em_25, fix_cosmetic, fix_benefit_cap, fix_em_not_separate, fix_benign_without_symptoms,
    fix_screening_only,
)
DOC_GAP_FEATURES: dict[str, str] = {
    f: field.removeprefix("documentation.") for f, field in CHANGEABLE.items()
    if field.startswith("documentation.")
}

