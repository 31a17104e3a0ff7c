"""Pydantic models of the claim contract (shared/contract/README.md), field names exact.

Lives in features/ because every layer reads claims: the generator validates what it
writes, features flatten it, serving receives it. Every validation error names the
field path (e.g. `lines[1].dx_pointers`) so the claim system can point the coder at it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reference.icd10 import DiagnosisCheck, check_icd10
from reference.vocab import MAX_DIAGNOSES, MAX_DX_POINTERS, MAX_LINES, MAX_MODIFIERS

Site = Literal[
    "face", "scalp", "neck", "ears", "eyelids", "nose", "lips", "hands", "feet",
    "genitalia", "trunk", "arms", "legs",
]


# Well-formed procedure codes: CPT category I (5 digits), II (4 digits + F), III (+ T),
# PLA (+ U), and HCPCS level II (a letter A-V + 4 digits). Any well-formed code is scored;
# one outside the reference tables is listed in the response's unknown_codes.
PROCEDURE_CODE = re.compile(r"^(?:\d{4}[0-9FTU]|[A-V]\d{4})$")
MODIFIER = re.compile(r"^[0-9A-Z]{2}$")
NDC = re.compile(r"^(?:\d{11}|\d{5}-\d{4}-\d{2}|\d{4}-\d{4}-\d{2}|\d{5}-\d{3}-\d{2}"
                 r"|\d{5}-\d{4}-\d{1})$")
DRUG_QUANTITY = re.compile(r"^(UN|ML|GR|F2|ME)\s?(\d+(?:\.\d+)?)$")
Laterality = Literal["left", "right", "bilateral", "midline"]


def normalize_ndc(value: str) -> str:
    """The 11-digit 5-4-2 form of an NDC given as 11 digits or hyphenated 4-4-2, 5-3-2 or
    5-4-1 (the zero padding the 837P LIN*N4 segment needs)."""
    if "-" not in value:
        return value
    labeler, product, package = value.split("-")
    return labeler.zfill(5) + product.zfill(4) + package.zfill(2)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Patient(_Strict):
    member_id: str = Field(min_length=1, max_length=40)
    birth_date: date
    sex: Literal["M", "F", "U"]

    @field_validator("birth_date")
    @classmethod
    def _plausible_birth(cls, value: date) -> date:
        if value > date.today() or value.year < 1900:
            raise ValueError("patient.birth_date must be between 1900-01-01 and today")
        return value


class Provider(_Strict):
    rendering_npi: str = Field(pattern=r"^\d{10}$")
    credentialed_with_payer: bool | None = None


class Eligibility(_Strict):
    verified: bool | None = None
    coverage_active: bool | None = None


class PriorAuthorization(_Strict):
    number: str = Field(min_length=1, max_length=50)
    cpt_codes: list[str] = Field(default_factory=list, max_length=50)


class Lesion(_Strict):
    count: int = Field(ge=1, le=100)
    site: Site
    size_cm: float | None = Field(default=None, gt=0, le=50)
    distinct_from_line: int | None = None
    laterality: Laterality | None = None


class Line(_Strict):
    line: int = Field(ge=1, le=MAX_LINES)
    cpt: str
    modifiers: list[str] = Field(default_factory=list)
    units: int = Field(ge=1, le=999)
    charge: float = Field(ge=0, le=1_000_000)
    dx_pointers: list[int] = Field(min_length=1, max_length=MAX_DX_POINTERS)
    date_of_service: date
    lesion: Lesion | None = None
    ndc: str | None = None
    drug_quantity: str | None = None

    @field_validator("cpt")
    @classmethod
    def _well_formed_code(cls, value: str) -> str:
        code = value.upper()
        if not PROCEDURE_CODE.match(code):
            raise ValueError(f"{value!r} is not a CPT/HCPCS code (5 characters: 5 digits, "
                             "4 digits + F/T/U, or a letter + 4 digits)")
        return code

    @field_validator("modifiers")
    @classmethod
    def _well_formed_modifiers(cls, value: list[str]) -> list[str]:
        if not value:  # most lines: nothing to check (this runs on every line of a batch)
            return value
        mods = [m.strip().upper() for m in value]
        if len(mods) > MAX_MODIFIERS:
            raise ValueError(f"at most {MAX_MODIFIERS} modifiers per line, got {len(mods)}")
        bad = [m for m in mods if not MODIFIER.match(m)]
        if bad:
            raise ValueError(f"malformed modifier(s) {bad} (2 letters or digits each)")
        if len(set(mods)) != len(mods):
            raise ValueError("a modifier is repeated on the line")
        return mods

    @field_validator("ndc")
    @classmethod
    def _ndc_11_digits(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        text = value.strip()
        if not NDC.match(text):
            raise ValueError(f"{value!r} is not an NDC (11 digits, or 5-4-2 / 4-4-2 / 5-3-2 / "
                             "5-4-1 with hyphens)")
        return normalize_ndc(text)

    @field_validator("drug_quantity")
    @classmethod
    def _unit_and_amount(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        found = DRUG_QUANTITY.match(value.strip().upper())
        if not found:
            raise ValueError(f"{value!r} is not a drug quantity (unit UN/ML/GR/F2/ME and an "
                             "amount, e.g. 'UN 4')")
        return f"{found.group(1)} {found.group(2)}"


class Documentation(_Strict):
    separate_em_note: bool | None = None
    lesion_size_documented: bool | None = None
    lesion_site_documented: bool | None = None
    symptoms_documented: bool | None = None
    margins_documented: bool | None = None
    pathology_report_attached: bool | None = None
    medical_necessity_note: bool | None = None
    prior_treatment_failed: bool | None = None


class History(_Strict):
    """The patient's earlier claims at the practice, as of this claim's date of service.

    The claim system may send it; when it sends none, the service looks it up in the
    practice's history store (interop/history.py) by hashed member id."""

    days_since_related_global_procedure: int | None = Field(default=None, ge=0, le=36500)
    related_global_days: Literal[0, 10, 90] | None = None
    related_procedure_code: str | None = Field(default=None, pattern=r"^[0-9A-Z]{5}$")
    sessions_this_year: int | None = Field(default=None, ge=0, le=1000)
    established_patient: bool | None = None
    days_since_last_visit: int | None = Field(default=None, ge=0, le=36500)
    prior_denials_same_code: int | None = Field(default=None, ge=0, le=1000)
    lines_billed_before: int | None = Field(
        default=None, ge=0, le=1000,
        description="Lines of this claim whose date of service and code the practice "
                    "already billed for this patient on a claim submitted earlier (an "
                    "original claim sent again is denied as a duplicate, CO/OA-18).")


class Claim(_Strict):
    claim_id: str = Field(min_length=1, max_length=64)
    payer_id: str = Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")
    submission_date: date
    place_of_service: str = Field(pattern=r"^\d{2}$")
    patient: Patient
    provider: Provider
    eligibility: Eligibility = Field(default_factory=Eligibility)
    prior_authorization: PriorAuthorization | None = None
    referral_on_file: bool | None = None
    cosmetic_intake: bool | None = None
    diagnoses: list[str] = Field(min_length=1, max_length=MAX_DIAGNOSES)
    lines: list[Line] = Field(min_length=1, max_length=MAX_LINES)
    documentation: Documentation = Field(default_factory=Documentation)
    history: History = Field(default_factory=History)
    claim_frequency: Literal["1", "7", "8"] = "1"
    original_claim_id: str | None = Field(default=None, max_length=64)

    @field_validator("diagnoses")
    @classmethod
    def _icd10_codes(cls, value: list[str]) -> list[str]:
        """Billable FY2026 codes in dotted form; a well-formed code outside the FY2026 set
        is kept (scored and listed in unknown_codes); malformed or header codes are not."""
        out = []
        for i, code in enumerate(value):
            check: DiagnosisCheck = check_icd10(code)
            if check.code is None:
                raise ValueError(f"diagnoses[{i}]: {code!r} {check.problem}")
            out.append(check.code)
        return out

    @field_validator("lines")
    @classmethod
    def _lines_consistent(cls, lines: list[Line], info) -> list[Line]:
        n_dx = len(info.data.get("diagnoses") or [])
        numbers = [ln.line for ln in lines]
        if len(set(numbers)) != len(numbers):
            raise ValueError("lines[].line numbers must be unique")
        for i, ln in enumerate(lines):
            bad = [p for p in ln.dx_pointers if not 1 <= p <= n_dx]
            if n_dx and bad:
                raise ValueError(
                    f"lines[{i}].dx_pointers: pointer(s) {bad} out of range 1..{n_dx}"
                )
            distinct = ln.lesion.distinct_from_line if ln.lesion else None
            if distinct is not None and (distinct == ln.line or distinct not in numbers):
                raise ValueError(
                    f"lines[{i}].lesion.distinct_from_line: {distinct} is not another line"
                )
        return lines

    @model_validator(mode="after")
    def _dates_in_order(self) -> Claim:
        today = date.today()
        for i, ln in enumerate(self.lines):
            if ln.date_of_service > self.submission_date:
                raise ValueError(
                    f"lines[{i}].date_of_service {ln.date_of_service} is after "
                    f"submission_date {self.submission_date}"
                )
            if ln.date_of_service > today:
                raise ValueError(
                    f"lines[{i}].date_of_service {ln.date_of_service} is in the future"
                )
            if ln.date_of_service < self.patient.birth_date:
                raise ValueError(f"lines[{i}].date_of_service is before patient.birth_date")
        return self


# ---------------------------------------------------------------- response


class Reason(BaseModel):
    carc: str
    group: str
    category: str
    probability: float
    lines: list[int] = Field(default_factory=list)


class ExplanationItem(BaseModel):
    factor: str
    contribution: float
    lines: list[int] = Field(default_factory=list)
    text: str
    source: str | None = None


class Change(BaseModel):
    """One edit of a claim (a Fix, or one of the changes a Fix makes together)."""

    action: str
    line: int | None = None
    value: str | None = None
    risk_after: float | None = None
    text: str
    old: str | None = None  # replace_modifier: the modifier replaced
    units: int | None = None  # change_code: units of the new code
    source: str | None = None  # the rule the change follows (CMS table, CPT, ICD-10-CM)
    lines: list[int] = Field(default_factory=list)  # every line the change is made on
    # change_units / change_code that splits a line: the remaining units go on a line of
    # add_code x add_units (new, or added to that code's line on the same date)
    add_code: str | None = None
    add_units: int | None = None


class Fix(Change):
    """A change to make before submitting, with the changes made `together` with it, in
    order, when the claim has several independent errors no single change cures: then
    risk_after is the claim's with all of them, each part's the claim's with it alone."""

    together: list[Change] = Field(default_factory=list)


class ModelInfo(BaseModel):
    name: str
    version: str
    fallback: bool


class Finding(BaseModel):
    """A coding inconsistency on the claim, with the correct change and its source."""

    rule: str
    line: int | None = None
    text: str
    change: Fix | None = None
    source: str


class ContextItem(BaseModel):
    """Context a coder cannot change (payer, patient age/sex, dates), with its weight."""

    factor: str
    contribution: float
    text: str


class Prediction(BaseModel):
    claim_id: str
    payer_id: str
    model: ModelInfo
    denial_probability: float
    risk_band: Literal["block", "warn", "pass"]
    reasons: list[Reason] = Field(default_factory=list, max_length=3)
    explanation: list[ExplanationItem] = Field(default_factory=list)
    fixes: list[Fix] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    context: list[ContextItem] = Field(default_factory=list)
    unknown_codes: list[str] = Field(default_factory=list)
