"""Pydantic models of the claim contract (shared/contract/README.md), field names exact.

Lives in features/ because every layer reads claims: the generator validates what it
writes, features flatten it, serving receives it. Every validation error names the
field path (e.g. `lines[1].dx_pointers`) so the claim system can point the coder at it.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reference.codes import load_code_table
from reference.icd10 import normalize_icd10
from reference.vocab import MAX_DIAGNOSES, MAX_DX_POINTERS, MAX_LINES, MAX_MODIFIERS, MODIFIERS

Site = Literal[
    "face", "scalp", "neck", "ears", "eyelids", "nose", "lips", "hands", "feet",
    "genitalia", "trunk", "arms", "legs",
]


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


class Line(_Strict):
    line: int = Field(ge=1, le=MAX_LINES)
    cpt: str
    modifiers: list[str] = Field(default_factory=list)
    units: int = Field(ge=1, le=999)
    charge: float = Field(ge=0, le=1_000_000)
    dx_pointers: list[int] = Field(min_length=1, max_length=MAX_DX_POINTERS)
    date_of_service: date
    lesion: Lesion | None = None

    @field_validator("cpt")
    @classmethod
    def _known_code(cls, value: str) -> str:
        code = value.upper()
        if code not in load_code_table().codes:
            raise ValueError(f"unknown CPT/HCPCS code {value!r} (not a dermatology code we know)")
        return code

    @field_validator("modifiers")
    @classmethod
    def _known_modifiers(cls, value: list[str]) -> list[str]:
        if not value:  # most lines: nothing to check (this runs on every line of a batch)
            return value
        mods = [m.strip().upper() for m in value]
        if len(mods) > MAX_MODIFIERS:
            raise ValueError(f"at most {MAX_MODIFIERS} modifiers per line, got {len(mods)}")
        unknown = [m for m in mods if m not in MODIFIERS]
        if unknown:
            raise ValueError(f"unknown modifier(s) {unknown}")
        if len(set(mods)) != len(mods):
            raise ValueError("a modifier is repeated on the line")
        return mods


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
    days_since_related_global_procedure: int | None = Field(default=None, ge=0, le=36500)
    related_global_days: Literal[0, 10, 90] | None = None


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

    @field_validator("diagnoses")
    @classmethod
    def _billable_icd10(cls, value: list[str]) -> list[str]:
        out = []
        for i, code in enumerate(value):
            norm = normalize_icd10(code)
            if norm is None:
                raise ValueError(
                    f"diagnoses[{i}]: {code!r} is not a billable ICD-10-CM code (FY2026 set)"
                )
            out.append(norm)
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


class Fix(BaseModel):
    action: str
    line: int | None = None
    value: str | None = None
    risk_after: float | None = None
    text: str


class ModelInfo(BaseModel):
    name: str
    version: str
    fallback: bool


class Prediction(BaseModel):
    claim_id: str
    payer_id: str
    model: ModelInfo
    denial_probability: float
    risk_band: Literal["block", "warn", "pass"]
    reasons: list[Reason] = Field(default_factory=list, max_length=3)
    explanation: list[ExplanationItem] = Field(default_factory=list)
    fixes: list[Fix] = Field(default_factory=list)
