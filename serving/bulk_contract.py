"""The claim contract's normalisation and validation, vectorised over a chunk of a data set.

The JSON path validates each claim with pydantic (contract/schema.py), which also
normalises it (whitespace stripped, codes upper case, ICD-10 codes dotted). The bulk path
does the same on Arrow columns: `normalise` first, then `claim_errors` gives each claim
its first contract error as `field: message` (None when valid), so an invalid claim gets
an error row in the output instead of a score, as it gets an error record in JSON lines.
Checked: required fields, the field patterns, well-formed CPT/HCPCS codes and modifiers
(a well-formed code outside the reference tables is scored, as on the JSON path),
ICD-10-CM codes (malformed or header codes refused; codes outside the FY2026 set kept),
NDC and drug-quantity formats, ranges of line numbers, units, charges, pointers and
history, and the order of dates. Lesion details are not checked (the features treat them as
optional); messages differ in wording from pydantic's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from contract.frames import (
    CLAIM_BOOL_COLS,
    CLAIM_COLUMNS,
    CLAIM_DATE_COLS,
    CLAIM_INT_COLS,
    DX_COLS,
    DXP_COLS,
    LINE_COLUMNS,
    LINE_INT_COLS,
    MOD_COLS,
    ClaimFrames,
    coerce_claims,
    coerce_lines,
)
from contract.schema import DRUG_QUANTITY, MODIFIER, NDC, PROCEDURE_CODE
from features.encode import group_positions
from reference.icd10 import check_icd10
from reference.vocab import MAX_LINES

KIND_OF = {**{c: "boolean" for c in CLAIM_BOOL_COLS},
           **{c: "date" for c in (*CLAIM_DATE_COLS, "date_of_service")},
           **{c: "integer" for c in (*CLAIM_INT_COLS, *LINE_INT_COLS)},
           "charge": "number", "lesion_size_cm": "number"}  # any other column: string
STRING = pd.StringDtype("pyarrow")
NULL_TYPES = {"string": pa.large_string(), "boolean": pa.bool_(), "integer": pa.int32(),
              "number": pa.float64(), "date": pa.timestamp("ns")}
Check = tuple[str, np.ndarray]  # (error text, bad mask)


def with_columns(table: pa.Table, names: list[str]) -> pa.Table:
    """`table` with every contract column in `names` order (absent ones all null), dates as
    timestamp[ns] and strings stripped of surrounding whitespace."""
    columns = []
    for name in names:
        kind = KIND_OF.get(name, "string")
        if name not in table.column_names:
            columns.append(pa.nulls(table.num_rows, NULL_TYPES[kind]))
            continue
        col = table.column(name)
        if pa.types.is_null(col.type) or (kind == "date" and col.type != NULL_TYPES[kind]):
            col = col.cast(NULL_TYPES[kind])
        elif kind == "string":
            col = pc.utf8_trim_whitespace(col)
        columns.append(col)
    return pa.table(columns, names=names)


def canonical_dx(column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, np.ndarray]:
    """Diagnosis codes in dotted form, plus a mask of the codes the contract refuses
    (malformed, or a category header: reference.icd10.check_icd10; kept as given).
    Normalised once per distinct code."""
    distinct = pc.unique(column).drop_null()
    if len(distinct) == 0:
        return column, np.zeros(len(column), dtype=bool)
    given = distinct.to_pylist()
    mapped = [check_icd10(code).code for code in given]
    canonical = pa.array([m or g for m, g in zip(mapped, given)], type=column.type)
    index = pc.index_in(column, value_set=distinct)
    bad = np.array([m is None for m in mapped])[index.fill_null(0).to_numpy(
        zero_copy_only=False)] & column.is_valid().to_numpy(zero_copy_only=False)
    return canonical.take(index), bad


def normalise(claims: pa.Table, lines: pa.Table) -> tuple[pa.Table, pa.Table, np.ndarray]:
    """Claims and lines with every contract column, normalised as pydantic would, and per
    claim whether one of its diagnoses is not billable."""
    claims = with_columns(claims, CLAIM_COLUMNS)
    lines = with_columns(lines, LINE_COLUMNS)
    bad_dx = np.zeros(claims.num_rows, dtype=bool)
    for col in DX_COLS:
        values, bad = canonical_dx(claims.column(col))
        claims = claims.set_column(claims.schema.get_field_index(col), col, values)
        bad_dx |= bad
    for col in ("cpt", *MOD_COLS, "drug_quantity"):
        i = lines.schema.get_field_index(col)
        lines = lines.set_column(i, col, pc.utf8_upper(lines.column(i)))
    return claims, lines, bad_dx


def values(table: pa.Table, column: str) -> np.ndarray:
    """A column as numpy (NaN / NaT / None for nulls)."""
    return table.column(column).to_numpy(zero_copy_only=False)


def matches(table: pa.Table, column: str, pattern: str) -> np.ndarray:
    """True where the string matches the regex (False for nulls)."""
    hit = pc.match_substring_regex(table.column(column), pattern)
    return pc.fill_null(hit, False).to_numpy(zero_copy_only=False)


def in_set(table: pa.Table, column: str, allowed: frozenset[str] | tuple[str, ...]) -> np.ndarray:
    """True where the value is one of `allowed` (False for nulls)."""
    value_set = pa.array(sorted(allowed), type=table.column(column).type)
    return pc.is_in(table.column(column), value_set=value_set).to_numpy(zero_copy_only=False)


def outside(x: np.ndarray, low: float, high: float, required: bool = True) -> np.ndarray:
    """Values outside [low, high] (missing ones too when required)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = (x < low) | (x > high)
    return bad | np.isnan(x) if required else bad


def claim_checks(claims: pa.Table, bad_dx: np.ndarray) -> Iterator[Check]:
    """Claim-level contract checks, in the order errors are reported."""
    today = np.datetime64(date.today(), "ns")
    birth = values(claims, "birth_date")
    yield "claim_id: must have 1 to 64 characters", ~matches(claims, "claim_id", r"^.{1,64}$")
    yield ("payer_id: must be 1 to 16 letters, digits, '_' or '-'",
           ~matches(claims, "payer_id", r"^[A-Za-z0-9_-]{1,16}$"))
    yield "submission_date: missing", np.isnat(values(claims, "submission_date"))
    yield "place_of_service: must be 2 digits", ~matches(claims, "place_of_service", r"^\d{2}$")
    yield "patient.member_id: must have 1 to 40 characters", ~matches(
        claims, "member_id", r"^.{1,40}$")
    yield "patient.birth_date: must be between 1900-01-01 and today", np.isnat(birth) | (
        birth > today) | (birth < np.datetime64("1900-01-01", "ns"))
    yield "patient.sex: must be M, F or U", ~in_set(claims, "sex", ("M", "F", "U"))
    yield "provider.rendering_npi: must be 10 digits", ~matches(
        claims, "rendering_npi", r"^\d{10}$")
    yield "diagnoses: at least 1 diagnosis is required", claims.column("dx_1").is_null(
        ).to_numpy(zero_copy_only=False)
    yield ("diagnoses: a code is malformed or a non-billable category (ICD-10-CM FY2026)",
           bad_dx)
    yield "history.days_since_related_global_procedure: must be 0 to 36500", outside(
        values(claims, "days_since_related_global_procedure"), 0, 36500, required=False)
    related = values(claims, "related_global_days").astype(np.float64)
    yield "history.related_global_days: must be 0, 10 or 90", ~np.isnan(related) & ~np.isin(
        related, (0, 10, 90))


def line_checks(lines: pa.Table, claims: pa.Table, claim: np.ndarray) -> Iterator[Check]:
    """Line-level contract checks (`claim`: each line's claim position)."""
    number = values(lines, "line").astype(np.float64)
    n_dx = sum(claims.column(c).is_valid().to_numpy(zero_copy_only=False).astype(int)
               for c in DX_COLS)[claim]
    dos = values(lines, "date_of_service")
    yield "line: must be 1 to 50", outside(number, 1, MAX_LINES)
    yield "line: line numbers must be unique within the claim", duplicated(claim, number)
    yield "cpt: not a CPT/HCPCS code", ~matches(lines, "cpt", PROCEDURE_CODE.pattern)
    yield "modifiers: malformed or repeated modifier", bad_modifiers(lines)
    yield "ndc: not an NDC", present(lines, "ndc") & ~matches(lines, "ndc", NDC.pattern)
    yield "drug_quantity: not a drug quantity", present(lines, "drug_quantity") & ~matches(
        lines, "drug_quantity", DRUG_QUANTITY.pattern)
    yield "units: must be 1 to 999", outside(values(lines, "units"), 1, 999)
    yield "charge: must be 0 to 1000000", outside(values(lines, "charge"), 0, 1_000_000)
    pointers = np.stack([values(lines, c).astype(np.float64) for c in DXP_COLS], axis=1)
    with np.errstate(invalid="ignore"):
        out_of_range = ((pointers < 1) | (pointers > n_dx[:, None])).any(axis=1)
    yield "dx_pointers: at least 1 pointer, each to one of the claim's diagnoses", np.isnan(
        pointers[:, 0]) | out_of_range
    yield "date_of_service: missing", np.isnat(dos)
    yield "date_of_service: after submission_date", dos > values(claims, "submission_date")[claim]
    yield "date_of_service: in the future", dos > np.datetime64(date.today(), "ns")
    yield "date_of_service: before patient.birth_date", dos < values(claims, "birth_date")[claim]


def duplicated(claim: np.ndarray, number: np.ndarray) -> np.ndarray:
    """True on a line whose (claim, line number) an earlier line already has."""
    key = claim.astype(np.float64) * (MAX_LINES + 1000) + np.nan_to_num(number, nan=-1)
    _, first = np.unique(key, return_index=True)
    out = np.ones(len(key), dtype=bool)
    out[first] = False
    return out


def present(table: pa.Table, column: str) -> np.ndarray:
    """True where the column holds a value."""
    return table.column(column).is_valid().to_numpy(zero_copy_only=False)


def bad_modifiers(lines: pa.Table) -> np.ndarray:
    """True where a line has a malformed modifier or one modifier twice."""
    present = [lines.column(c).is_valid().to_numpy(zero_copy_only=False) for c in MOD_COLS]
    known = [matches(lines, c, MODIFIER.pattern) for c in MOD_COLS]
    bad = np.any([p & ~k for p, k in zip(present, known)], axis=0)
    mods = [values(lines, c) for c in MOD_COLS]
    for i in range(len(mods)):
        for j in range(i + 1, len(mods)):
            bad |= present[i] & present[j] & (mods[i] == mods[j])
    return bad


def first_errors(n_claims: int, claim_level: Iterator[Check], line_level: Iterator[Check],
                 claim: np.ndarray, rank: np.ndarray, no_lines: np.ndarray) -> np.ndarray:
    """Each claim's first error text (object array, None when valid)."""
    errors = np.full(n_claims, None, dtype=object)
    for text, bad in claim_level:
        errors[np.flatnonzero(bad & (errors == None))] = text  # noqa: E711
    errors[np.flatnonzero(no_lines & (errors == None))] = "lines: at least 1 line is required"  # noqa: E711
    for text, bad in line_level:
        hit = np.flatnonzero(bad)
        if len(hit) == 0:
            continue
        owners, first = np.unique(claim[hit], return_index=True)
        todo = errors[owners] == None  # noqa: E711
        for owner, line in zip(owners[todo], hit[first][todo]):
            errors[owner] = f"lines[{rank[line]}].{text}"
    return errors


def claim_errors(claims: pa.Table, lines: pa.Table, claim: np.ndarray,
                 bad_dx: np.ndarray) -> np.ndarray:
    """First contract error per claim of normalised tables (`claim`: each line's claim
    position, lines grouped by claim); None for a valid claim."""
    n = claims.num_rows
    counts = np.bincount(claim, minlength=n)
    rank = np.arange(len(claim)) - np.repeat(np.cumsum(counts) - counts, counts)
    return first_errors(n, claim_checks(claims, bad_dx), line_checks(lines, claims, claim),
                        claim, rank, counts == 0)


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a frame, strings kept in Arrow ("string[pyarrow]", no copy into
    Python objects)."""
    return table.to_pandas(types_mapper={pa.large_string(): STRING, pa.string(): STRING}.get)


def checked_frames(claims: pa.Table, lines: pa.Table) -> tuple[ClaimFrames, np.ndarray]:
    """A chunk (its lines grouped by claim in claims order) as normalised ClaimFrames with
    the canonical dtypes, plus each claim's first contract error (None when valid)."""
    claims, lines, bad_dx = normalise(claims, lines)
    frames = ClaimFrames(coerce_claims(to_pandas(claims)), coerce_lines(to_pandas(lines)))
    claim = group_positions(frames.lines["claim_id"], frames.claims["claim_id"])
    return frames, claim_errors(claims, lines, claim, bad_dx)
