"""The numpy view of a batch of claims every check reads: built once per call.

Line facts (code, family, modifiers, lesion site/side/size/count, the diagnoses each line
points to) and claim facts (diagnosis list, history, documentation) as aligned arrays;
diagnosis facts are gathered over the batch's distinct codes (features.checks.dxfacts).
Grouping helpers answer "is there such a line on the same claim and date of service".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from contract.frames import DX_COLS, DXP_COLS, ClaimFrames
from contract.typed import as_float, as_int64, as_objects
from features.checks.dxfacts import NO_DX, SITE_BITS, dx_facts, support_row
from features.encode import encode, is_small_objects, to_arrow_strings
from features.lineindex import MODIFIER_VOCAB, LineIndex, code_families, index_lines
from reference.cms import CmsTables
from reference.families import SITE_GROUP_ORDER, site_group_of
from reference.modifiers import modifier_side
from reference.vocab import SITES

FAMILIES: tuple[str, ...] = (*code_families(), "")  # "" = a code outside the table
SIDES: tuple[str, ...] = ("", "left", "right", "unspecified")
LATERALITY_SIDE = {"left": 1, "right": 2}
SITE_GROUP_OF_SITE = np.array([SITE_GROUP_ORDER.index(site_group_of(s)) for s in SITES] + [-1],
                              dtype=np.int8)
MOD_SIDE = np.array([{"left": 1, "right": 2}.get(modifier_side(m), 0) for m in MODIFIER_VOCAB]
                    + [0], dtype=np.int8)


@dataclass
class DxTable:
    """Facts of the batch's distinct diagnosis codes; the last row is the empty pointer."""

    codes: np.ndarray  # object
    cls: np.ndarray  # int8 lesion class
    sites: np.ndarray  # int32 site bit set
    side: np.ndarray  # int8 0 none / 1 left / 2 right / 3 unspecified
    lid: np.ndarray  # int8 eyelid 1 upper / 2 lower
    group: np.ndarray  # int8 descriptor site group of the sites, -1 none or several
    support: np.ndarray  # (codes, families) bool
    conditional: np.ndarray  # (codes, families) bool

    @property
    def none(self) -> int:
        return len(self.codes) - 1


@lru_cache(maxsize=4096)
def _group_of_bits(bits: int) -> int:
    groups = {SITE_GROUP_OF_SITE[i] for i, s in enumerate(SITES) if bits & SITE_BITS[s]}
    return int(groups.pop()) if len(groups) == 1 else -1


def dx_table(codes: list[str]) -> DxTable:
    """Gather the facts of `codes` (+ the empty pointer) into arrays."""
    codes = [*codes, NO_DX]
    facts = np.array([dx_facts(c) for c in codes], dtype=np.int32).reshape(-1, 4)
    rows = [support_row(c, FAMILIES) for c in codes]
    return DxTable(
        codes=np.array(codes, dtype=object), cls=facts[:, 0].astype(np.int8),
        sites=facts[:, 1], side=facts[:, 2].astype(np.int8), lid=facts[:, 3].astype(np.int8),
        group=np.array([_group_of_bits(int(b)) for b in facts[:, 1]], dtype=np.int8),
        support=np.stack([r[0] for r in rows]), conditional=np.stack([r[1] for r in rows]))


def claim_diagnoses(frames: ClaimFrames) -> tuple[np.ndarray, list[str]]:
    """(n_claims, 13) positions of each claim's diagnoses in the batch vocabulary (the
    vocabulary's length = empty; column 12 always empty) and that vocabulary."""
    columns = []
    for col in DX_COLS:
        values = frames.claims[col]
        if not any_present(values):
            break
        columns.append(values)
    vocab = distinct_codes(columns)
    out = np.full((len(frames.claims), len(DX_COLS) + 1), len(vocab), dtype=np.int64)
    for i, values in enumerate(columns):
        pos = encode(values, tuple(vocab))
        out[:, i] = np.where(pos < 0, len(vocab), pos)
    return out, vocab


def any_present(values) -> bool:
    if is_small_objects(values):
        return any(v is not None for v in values)
    return to_arrow_strings(values).null_count < len(values)


def distinct_codes(columns: list) -> list[str]:
    """The distinct non-missing codes of some string columns, sorted."""
    if all(is_small_objects(c) for c in columns):
        return sorted({v for c in columns for v in c if v is not None})
    arrays = [to_arrow_strings(c).cast(pa.string()) for c in columns]
    values = pc.unique(pa.chunked_array(arrays, type=pa.string())).drop_null()
    return sorted(values.to_pylist())


@dataclass
class Ctx:
    """Everything the checks read, aligned with frames.lines (lines) / frames.claims."""

    frames: ClaimFrames
    cms: CmsTables
    ix: LineIndex
    line_no: np.ndarray
    site: np.ndarray  # int8 position in SITES, -1 none
    side: np.ndarray  # lesion laterality as a side: 0 unknown / 1 left / 2 right
    size: np.ndarray  # float, NaN none
    count: np.ndarray  # float, NaN none
    distinct: np.ndarray  # int64 line number of a distinct lesion, -1 none
    ptr_dx: np.ndarray  # (n_lines, 4) position in dx table (dx.none = no pointer)
    claim_dx: np.ndarray  # (n_claims, 13)
    dx: DxTable
    _cache: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.ix.n_lines

    @cached_property
    def site_group(self) -> np.ndarray:
        return SITE_GROUP_OF_SITE[self.site]

    @cached_property
    def family_idx(self) -> np.ndarray:
        return encode(self.ix.family, FAMILIES[:-1]) % len(FAMILIES)

    @cached_property
    def mod_side(self) -> np.ndarray:
        """Side of the line's modifiers: 0 none, 1 left, 2 right, 3 both."""
        sides = MOD_SIDE[self.ix.mod_codes]
        return ((sides == 1).any(1) * 1 + (sides == 2).any(1) * 2).astype(np.int8)

    @cached_property
    def side_mod(self) -> np.ndarray:
        """The first side modifier on each line (object, None when none)."""
        sides = MOD_SIDE[self.ix.mod_codes]
        slot = np.argmax(sides > 0, axis=1)
        code = self.ix.mod_codes[np.arange(self.n), slot]
        vocab = np.array([*MODIFIER_VOCAB, None], dtype=object)
        return np.where(sides.max(axis=1) > 0, vocab[code], None)

    @cached_property
    def day_key(self) -> np.ndarray:
        """A key per claim and date of service (key + 1 = the same claim, the next day)."""
        day = self.ix.service_day - (self.ix.service_day.min() if self.n else 0)
        return self.ix.claim_pos.astype(np.int64) * (int(day.max(initial=0)) + 2) + day

    @cached_property
    def day_group(self) -> np.ndarray:
        return np.unique(self.day_key, return_inverse=True)[1].reshape(-1)

    def same_day_any(self, mask: np.ndarray) -> np.ndarray:
        """Per line: some line of the same claim and date of service has `mask`."""
        return np.bincount(self.day_group[mask], minlength=self.n)[self.day_group] > 0

    def same_day_count(self, mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        w = None if weights is None else weights[mask]
        return np.bincount(self.day_group[mask], weights=w, minlength=self.n)[self.day_group]

    def pairs(self, eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All ordered pairs (a, b), a != b, of eligible lines on the same claim and date
        of service. Lines sorted by claim-day; at offset d only groups with more than d
        eligible lines can pair, so the candidates shrink fast (most claims: 1-3 lines)."""
        order = np.flatnonzero(eligible & (self.ix.claim_pos >= 0))
        order = order[np.argsort(self.day_group[order], kind="stable")]
        counts = np.bincount(self.day_group[order], minlength=self.n)
        firsts, seconds = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        d = 1
        while len(order) > d:
            order = order[counts[self.day_group[order]] > d]
            a, b = order[:-d], order[d:]
            same = self.day_group[a] == self.day_group[b]
            firsts += [a[same], b[same]]
            seconds += [b[same], a[same]]
            d += 1
        return np.concatenate(firsts), np.concatenate(seconds)

    def next_day_any(self, mask: np.ndarray) -> np.ndarray:
        """Per line: some line of the same claim dated the next day has `mask`."""
        if not mask.any():
            return np.zeros(self.n, dtype=bool)
        return np.isin(self.day_key + 1, self.day_key[mask])

    def claim_value(self, column: str) -> np.ndarray:
        """A claim-level numeric/boolean column (NaN missing), per line."""
        return as_float(self.frames.claims[column])[self.ix.claim_pos]

    @cached_property
    def codes(self) -> np.ndarray:
        """The line's code as billed (object; unknown codes kept, unlike ix.cpt)."""
        return as_objects(self.frames.lines["cpt"])

    def dx_code(self, positions: np.ndarray) -> np.ndarray:
        return self.dx.codes[positions]

    @cached_property
    def line_support(self) -> tuple[np.ndarray, np.ndarray]:
        """(n_lines, 4) per pointer: the diagnosis supports the line's family outright /
        with documented symptoms."""
        fam = self.family_idx[:, None]
        return self.dx.support[self.ptr_dx, fam], self.dx.conditional[self.ptr_dx, fam]


def build_context(frames: ClaimFrames, cms: CmsTables) -> Ctx:
    """Index the lines and gather the line, lesion and diagnosis facts of frames."""
    ix = index_lines(frames)
    lines = frames.lines
    claim_dx, vocab = claim_diagnoses(frames)
    ptrs = np.stack([as_int64(lines[c], 0) for c in DXP_COLS], axis=1) - 1
    ptrs[(ptrs < 0) | (ptrs >= len(DX_COLS))] = len(DX_COLS)  # -> the empty column
    lat = encode(lines["lesion_laterality"], ("left", "right"))
    return Ctx(
        frames=frames, cms=cms, ix=ix, line_no=as_int64(lines["line"], 0),
        site=encode(lines["lesion_site"], SITES).astype(np.int8),
        side=(lat + 1).astype(np.int8), size=as_float(lines["lesion_size_cm"]),
        count=as_float(lines["lesion_count"]),
        distinct=as_int64(lines["lesion_distinct_from_line"], -1),
        ptr_dx=claim_dx[np.maximum(ix.claim_pos, 0)[:, None], ptrs], claim_dx=claim_dx,
        dx=dx_table(vocab))
