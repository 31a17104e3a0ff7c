"""Generic claim encodings the models learn payer behaviour from (not one flag per rule).

What a claim bills, in columns any payer's habits can be read from: a bag of codes over
the reference code table, a bag of modifiers, modifiers by the kind of line they sit on
(E/M vs procedure), the diagnosis classes on the claim and on each line's pointers, the
pointer structure, and the categorical codes of the primary service. Whether a payer
denies 59 on biopsies, reviews 25 on destructions or cares about RT/LT is not written
here: a payer's model learns it from these columns and its outcomes.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from contract.frames import ClaimFrames
from contract.typed import as_float, as_objects
from features.lineindex import (
    EMPTY_DX,
    LineIndex,
    claim_dx_classes,
    code_vocab,
    line_dx_classes,
)
from features.sums import per_claim_first, sum_per_claim
from reference.families import NON_PROCEDURE_FAMILIES
from reference.linkage import DX_CLASSES
from reference.modifiers import ANATOMIC_MODIFIERS, LIABILITY_MODIFIERS, MODIFIERS

# Modifier groups by the line they sit on (their meaning depends on it).
EM_MODIFIERS: tuple[str, ...] = ("25", "24", "57", "95", "GT", "GA", "GZ")
PROCEDURE_MODIFIERS: tuple[str, ...] = ("59", "XS", "XE", "XU", "XP", "58", "78", "79", "76",
                                        "51", "GA", "GY", "GZ", "KX")


@lru_cache(maxsize=1)
def code_columns() -> tuple[str, ...]:
    """Feature name of each code-table code's line count (bag of codes)."""
    return tuple(f"code_{c}" for c in code_vocab())


@lru_cache(maxsize=1)
def modifier_columns() -> tuple[str, ...]:
    """Feature name of each reference modifier's count, plus unknown modifiers."""
    return tuple(f"mod_{m}" for m in sorted(MODIFIERS))


def bag_of_codes(ix: LineIndex) -> dict[str, np.ndarray]:
    """Lines of each code-table code per claim (one bincount over claim x code)."""
    k = len(code_vocab()) + 1  # last slot: codes outside the table
    valid = ix.claim_pos >= 0
    keys = ix.claim_pos[valid].astype(np.int64) * k + ix.code_idx[valid]
    counts = np.bincount(keys, minlength=ix.n_claims * k).reshape(ix.n_claims, k)
    out = {name: counts[:, j].astype(np.float32) for j, name in enumerate(code_columns())}
    out["n_unknown_codes"] = counts[:, -1].astype(np.float32)
    return out


def bag_of_modifiers(ix: LineIndex, lines: ClaimFrames) -> dict[str, np.ndarray]:
    """Count of each modifier on the claim, by line kind where its meaning depends on it."""
    em, drug_or_path = ix.is_em, ix.in_family(*NON_PROCEDURE_FAMILIES) & ~ix.is_em
    proc = ~em & ~drug_or_path
    cols: dict[str, np.ndarray] = {f"mod_{m}": ix.has(m) for m in sorted(MODIFIERS)}
    cols |= {f"em_mod_{m}": em & ix.has(m) for m in EM_MODIFIERS}
    cols |= {f"proc_mod_{m}": proc & ix.has(m) for m in PROCEDURE_MODIFIERS}
    cols["proc_side_modifier"] = proc & ix.has_any(ANATOMIC_MODIFIERS)
    cols["proc_no_modifier"] = proc & (ix.mod_codes < 0).all(axis=1)
    cols["liability_modifier"] = ix.has_any(LIABILITY_MODIFIERS)
    cols["mod_unknown"] = unknown_modifier_lines(lines)
    return sum_per_claim(ix, cols)


def unknown_modifier_lines(frames: ClaimFrames) -> np.ndarray:
    """Lines carrying a well-formed modifier outside the reference table."""
    from contract.frames import MOD_COLS
    from contract.typed import as_strings

    known = MODIFIERS | {""}
    out = np.zeros(len(frames.lines), dtype=bool)
    for col in MOD_COLS:
        values = as_strings(frames.lines[col])
        out |= np.fromiter((v not in known for v in values), dtype=bool, count=len(values))
    return out


def diagnosis_classes(frames: ClaimFrames, ix: LineIndex) -> dict[str, np.ndarray]:
    """Diagnoses on the claim per linkage class, and the class of the first diagnosis."""
    dx = claim_dx_classes(frames, ix)
    counts = np.zeros((ix.n_claims, len(DX_CLASSES) + 1), dtype=np.float32)
    rows = np.repeat(np.arange(ix.n_claims), dx.shape[1])
    np.add.at(counts, (rows, dx.ravel()), 1.0)
    out = {f"dx_{c}": counts[:, j] for j, c in enumerate(DX_CLASSES)}
    names = np.array([*DX_CLASSES, None], dtype=object)
    out["dx1_class"] = names[dx[:, 0]]
    return out


def pointer_structure(frames: ClaimFrames, ix: LineIndex) -> dict[str, np.ndarray]:
    """How lines point at diagnoses: several pointers, none resolvable, E/M sharing a
    diagnosis with a procedure, and the class of the primary procedure's diagnosis."""
    line_dx = line_dx_classes(frames, ix)
    pointed = (line_dx != EMPTY_DX).sum(axis=1)
    cols = {"lines_multi_pointer": pointed >= 2, "lines_no_valid_pointer": pointed == 0}
    out = sum_per_claim(ix, cols)
    first_dx, number = as_float(frames.lines["dxp_1"], 0.0), line_numbers(frames)
    em_dx = per_claim_first(ix, ix.is_em, first_dx, number)
    proc_dx = per_claim_first(ix, ~ix.in_family(*NON_PROCEDURE_FAMILIES), first_dx, number)
    out["em_shares_dx_with_procedure"] = ((em_dx > 0) & (em_dx == proc_dx)).astype(np.float32)
    primary = primary_line(frames, ix)
    names = np.array([*DX_CLASSES, None], dtype=object)
    out["primary_dx_class"] = np.where(primary >= 0, names[line_dx[np.maximum(primary, 0), 0]],
                                       None)
    return out


def line_numbers(frames: ClaimFrames) -> np.ndarray:
    """The claim line number of each line (float)."""
    return as_float(frames.lines["line"], 0.0)


def primary_line(frames: ClaimFrames, ix: LineIndex) -> np.ndarray:
    """Per claim, the row of its primary procedure line (the highest charge among
    procedure lines, the lowest line number on a tie; the E/M when there is none); -1
    for a claim without lines."""
    charge = as_float(frames.lines["charge"], 0.0)
    procedure = ~ix.in_family(*NON_PROCEDURE_FAMILIES)
    score = (charge + np.where(procedure, 1e7, 0.0) + np.where(ix.is_em, 1e6, 0.0)
             - line_numbers(frames) * 1e-4)  # charges are in cents: a tie-break only
    best = np.full(ix.n_claims, -np.inf)
    valid = ix.claim_pos >= 0
    np.maximum.at(best, ix.claim_pos[valid], score[valid])
    is_best = valid & (score == best[np.maximum(ix.claim_pos, 0)])
    out = np.full(ix.n_claims, -1, dtype=np.int64)
    rows = np.flatnonzero(is_best)[::-1]  # first line wins a tie
    out[ix.claim_pos[rows]] = rows
    return out


def strings_at(column: Any, rows: np.ndarray) -> np.ndarray:
    """Object values of a string column at some rows, None where a row is -1 (taken
    before converting: converting a million-line column to objects costs more)."""
    safe = np.maximum(rows, 0)
    if isinstance(column, np.ndarray):
        values = column[safe]
    else:
        values = as_objects(column.iloc[safe]) if len(safe) else np.array([], dtype=object)
    return np.where(rows >= 0, values, None)


def service_codes(frames: ClaimFrames, ix: LineIndex) -> dict[str, np.ndarray]:
    """The codes of the primary service and of the E/M as categorical values (as billed:
    a code outside the table keeps its identity)."""
    em_row = per_claim_first(ix, ix.is_em, np.arange(ix.n_lines, dtype=np.float64),
                             line_numbers(frames))
    cpt = frames.lines["cpt"]
    return {"primary_code": strings_at(cpt, primary_line(frames, ix)),
            "em_code": strings_at(cpt, em_row.astype(np.int64))}


def encodings(frames: ClaimFrames, ix: LineIndex, flags: Mapping[str, Any]) -> dict:
    """Every generic encoding column of the claims (see module docstring)."""
    out = bag_of_codes(ix)
    out.update(bag_of_modifiers(ix, frames))
    out.update(diagnosis_classes(frames, ix))
    out.update(pointer_structure(frames, ix))
    out.update(service_codes(frames, ix))
    return out
