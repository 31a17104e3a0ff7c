"""Positional arrays over the lines of a ClaimFrames, shared by the rule detectors.

Built once per call to line_rule_flags/build_features so that every detector works on
plain numpy arrays (claim position, code index, family, modifier presence) instead of
re-deriving them from strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from contract.frames import DX_COLS, DXP_COLS, MOD_COLS, ClaimFrames
from contract.typed import as_datetime, as_float, as_int64, as_objects, is_present
from features.encode import encode, group_positions
from reference.codes import load_code_table
from reference.linkage import DX_CLASSES, dx_class
from reference.modifiers import ANATOMIC_MODIFIERS, MODIFIERS, X_MODIFIERS

MODIFIER_VOCAB: tuple[str, ...] = tuple(sorted(MODIFIERS))
DX_CLASS_POSITION: dict[str, int] = {c: i for i, c in enumerate(DX_CLASSES)}


@dataclass
class LineIndex:
    """Numpy views of the lines frame, aligned with frames.lines row order."""

    n_claims: int
    claim_pos: np.ndarray  # position of each line's claim in frames.claims
    order: np.ndarray  # line positions sorted by claim position (stable)
    max_lines: int
    cpt: np.ndarray  # the code-table code ('' for a code outside the table)
    code_idx: np.ndarray  # index into the code table; K for an unknown code
    family: np.ndarray  # '' for an unknown code
    global_days: np.ndarray
    units: np.ndarray
    mod_codes: np.ndarray  # (n_lines, 4) index into MODIFIER_VOCAB, -1 empty
    has_distinct_lesion: np.ndarray
    service_day: np.ndarray  # date of service as days since 1970-01-01 (int64)
    _has: dict[str, np.ndarray] = field(default_factory=dict)
    _seg: dict[str, Any] = field(default_factory=dict)

    @property
    def n_lines(self) -> int:
        return len(self.cpt)

    @property
    def is_em(self) -> np.ndarray:
        if "__em" not in self._has:
            self._has["__em"] = self.in_family("em")
        return self._has["__em"]

    def in_family(self, *families: str) -> np.ndarray:
        """Boolean per line: the line's code belongs to one of families (table lookup)."""
        return code_mask("family", families)[self.code_idx]

    def in_global(self, *globals_: str) -> np.ndarray:
        """Boolean per line: the code's global indicator is one of globals_."""
        return code_mask("global_days", globals_)[self.code_idx]

    @property
    def mod_bits(self) -> np.ndarray:
        """Per line, a uint64 bit set of its modifiers (bit i = MODIFIER_VOCAB[i])."""
        if "__bits" not in self._has:
            bits = np.zeros(self.n_lines, dtype=np.uint64)
            for slot in range(self.mod_codes.shape[1]):
                codes = self.mod_codes[:, slot]
                present = codes >= 0
                bits[present] |= np.left_shift(np.uint64(1), codes[present].astype(np.uint64))
            self._has["__bits"] = bits
        return self._has["__bits"]

    def has(self, modifier: str) -> np.ndarray:
        """Boolean per line: the modifier is on the line."""
        if modifier not in self._has:
            self._has[modifier] = self.has_any(frozenset({modifier}))
        return self._has[modifier]

    def is_code(self, *codes: str) -> np.ndarray:
        """Boolean per line: the line's code is one of codes."""
        return code_mask("code", codes)[self.code_idx]

    def has_any(self, modifiers: frozenset[str]) -> np.ndarray:
        """Boolean per line: any of modifiers is on the line (one AND on the bit set)."""
        return (self.mod_bits & modifier_mask(modifiers)) != 0

    @property
    def has_x(self) -> np.ndarray:
        return self.has_any(X_MODIFIERS)

    @property
    def has_bypass(self) -> np.ndarray:
        """59, an X{EPSU} or an NCCI anatomic modifier on the line."""
        return self.has("59") | self.has_x | self.has_any(ANATOMIC_MODIFIERS)

    def pair_bypassed(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The NCCI pairs of lines (a, b) a modifier bypasses: 59 or an X{EPSU} on either
        line, or anatomic modifiers on both lines that differ (RT vs LT, F1 vs F2: two
        sites). One line's side alone shows no second site (a midline trunk biopsy beside
        a 17000-LT): that pair needs XS on the distinct lesion's line."""
        distinct = self.has("59") | self.has_x
        side = self.mod_bits & modifier_mask(ANATOMIC_MODIFIERS)
        two_sites = (side[a] != 0) & (side[b] != 0) & (side[a] != side[b])
        return distinct[a] | distinct[b] | two_sites


@lru_cache(maxsize=64)
def modifier_mask(modifiers: frozenset[str]) -> np.uint64:
    """The LineIndex.mod_bits bit set of some modifiers."""
    return np.uint64(sum(1 << MODIFIER_VOCAB.index(m) for m in modifiers))


EMPTY_DX = len(DX_CLASSES)  # class position of an empty diagnosis slot


@lru_cache(maxsize=64)
def class_mask(classes: frozenset[str] | tuple[str, ...]) -> np.ndarray:
    """Boolean over DX_CLASSES positions (+ the empty slot): the class is in `classes`."""
    return np.append(np.isin(np.array(DX_CLASSES, dtype=object), list(classes)), False)


def dx_classes_of(values: Any) -> np.ndarray:
    """Linkage class position (DX_CLASSES) of each diagnosis value, EMPTY_DX when missing.

    Classes are looked up once per distinct code of the batch (dx_class is cached), so a
    million claims cost one pyarrow hash of the column and a few hundred lookups."""
    objects = as_objects(values)
    uniques = list(dict.fromkeys(v for v in objects if v is not None))
    if not uniques:
        return np.full(len(objects), EMPTY_DX, dtype=np.int64)
    cls = np.array([DX_CLASS_POSITION[dx_class(u)] for u in uniques] + [EMPTY_DX])
    pos = encode(values, uniques)
    return cls[np.where(pos < 0, len(uniques), pos)]


def claim_dx_classes(frames: ClaimFrames, ix: LineIndex) -> np.ndarray:
    """(n_claims, 13) class positions of each claim's diagnoses (EMPTY_DX for an empty
    slot); column 12 is always empty (where out-of-range pointers point). Built once per
    LineIndex and shared by the linkage flags and the claim features, only for the
    diagnosis columns that hold any code (usually 1-4 of the 12)."""
    if "__dx" not in ix._seg:
        out = np.full((ix.n_claims, len(DX_COLS) + 1), EMPTY_DX, dtype=np.int64)
        count = np.zeros(ix.n_claims, dtype=np.float64)
        for i, col in enumerate(DX_COLS):
            values = frames.claims[col]
            present = is_present(values)
            if not present.any():
                break
            count += present
            out[:, i] = dx_classes_of(values)
        ix._seg["__dx"], ix._seg["__dx_count"] = out, count
    return ix._seg["__dx"]


def claim_dx_count(frames: ClaimFrames, ix: LineIndex) -> np.ndarray:
    """Number of diagnoses on each claim (diagnosis lists are packed: no gaps)."""
    claim_dx_classes(frames, ix)
    return ix._seg["__dx_count"]


def line_dx_classes(frames: ClaimFrames, ix: LineIndex) -> np.ndarray:
    """(n_lines, 4) class positions of the diagnoses each line points to (EMPTY_DX for
    an unused or out-of-range pointer): necessity is judged per line (§11)."""
    if "__line_dx" not in ix._seg:
        claim_dx = claim_dx_classes(frames, ix)
        ptrs = np.stack([as_int64(frames.lines[c]) for c in DXP_COLS], axis=1) - 1
        ptrs[(ptrs < 0) | (ptrs >= len(DX_COLS))] = len(DX_COLS)  # -> the empty column
        ix._seg["__line_dx"] = claim_dx[np.maximum(ix.claim_pos, 0)[:, None], ptrs]
    return ix._seg["__line_dx"]


@lru_cache(maxsize=1)
def code_vocab() -> tuple[str, ...]:
    """The code table's codes in table order (code_idx positions)."""
    return tuple(load_code_table().frame.index)


@lru_cache(maxsize=1)
def code_families() -> tuple[str, ...]:
    """The code table's procedure families, sorted (one count feature each)."""
    return tuple(sorted(load_code_table().frame["family"].unique()))


@lru_cache(maxsize=1)
def code_columns() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Code, family and global indicator of each code-table row, plus '' for unknown codes."""
    table = load_code_table().frame
    return tuple(np.append(values.to_numpy(dtype=object), "")  # type: ignore[return-value]
                 for values in (table.index, table["family"], table["global_days"]))


@lru_cache(maxsize=512)
def code_mask(column: str, values: tuple[str, ...]) -> np.ndarray:
    """Boolean over the code table (+1 slot for unknown codes): row's `column` in values.

    Cached: the same few lookups run for every claim batch, and for single claims the
    table scan would otherwise dominate."""
    frame = load_code_table().frame
    keys = frame.index if column == "code" else frame[column]
    return np.append(np.isin(keys.to_numpy(dtype=object), list(values)), False)


def index_lines(frames: ClaimFrames) -> LineIndex:
    """Build the LineIndex of frames (lines whose claim is absent get position -1)."""
    lines, claims = frames.lines, frames.claims
    claim_pos = group_positions(lines["claim_id"], claims["claim_id"])
    order = np.argsort(claim_pos, kind="stable")
    counts = np.bincount(claim_pos[claim_pos >= 0], minlength=1)
    code_idx = encode(lines["cpt"], code_vocab())
    cpt, family, global_days = code_columns()
    code_idx[code_idx < 0] = len(cpt) - 1
    mods = np.stack([encode(lines[c], MODIFIER_VOCAB) for c in MOD_COLS], axis=1)
    return LineIndex(
        n_claims=len(claims),
        claim_pos=claim_pos,
        order=order,
        max_lines=int(counts.max()) if len(counts) else 0,
        cpt=cpt[code_idx],
        code_idx=code_idx,
        family=family[code_idx],
        global_days=global_days[code_idx],
        units=as_float(lines["units"], 1.0),
        mod_codes=mods,
        has_distinct_lesion=is_present(lines["lesion_distinct_from_line"]),
        service_day=as_datetime(lines["date_of_service"], "D").astype(np.int64),
    )
