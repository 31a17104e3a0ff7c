"""Per-claim views over the vectorised rule flags, for explanations, reasons and fixes.

`line_rule_flags` runs once per payer group (all claims at once); a ClaimView then answers
"which lines of this claim carry flag X" from numpy slices, and gives the contract dict of
the claim and its feature values, so text and fix generation never rebuild frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from contract.typed import as_float
from features.billing_rules import line_rule_flags
from features.build import MatrixLayout
from features.encode import encode
from reference.cms import CmsTables


@dataclass
class LineTable:
    """Rule flags of all lines of a group, with line numbers, grouped by claim position."""

    flags: dict[str, np.ndarray]
    line_no: np.ndarray
    starts: np.ndarray  # claim position -> first row in `order`
    order: np.ndarray  # line rows sorted by claim position

    def rows(self, pos: int) -> np.ndarray:
        """Line rows of the claim at position `pos`."""
        return self.order[self.starts[pos]:self.starts[pos + 1]]


def build_line_table(frames: ClaimFrames, cms: CmsTables,
                     flags: dict[str, Any] | None = None) -> LineTable:
    """Rule flags of every line, grouped by the claim's position in frames.claims.

    `flags` are the per-line flags build_features already computed for these frames
    (computed here when not given)."""
    if not flags:
        table = line_rule_flags(frames, cms)
        flags = {c: table[c].to_numpy() for c in table.columns}
    pos = encode(frames.lines["claim_id"], frames.claims["claim_id"])
    order = np.argsort(pos, kind="stable")
    starts = np.searchsorted(pos[order], np.arange(len(frames.claims) + 1))
    cols = {c: np.asarray(v) for c, v in flags.items()}
    return LineTable(cols, as_float(frames.lines["line"]).astype(np.int64), starts, order)


class MatrixColumns:
    """Numeric model features of a group read from the model matrix (serving path).

    The matrix holds each numeric feature as the float32 value of the feature frame
    widened to float64, i.e. what FeatureColumns reads from that frame."""

    def __init__(self, M: np.ndarray, layout: MatrixLayout) -> None:
        self.M = M
        self.positions = layout.numeric_column  # built once per model

    def value(self, name: str, row: int, default: float) -> float:
        j = self.positions.get(name)
        return default if j is None else float(self.M[row, j])


class FeatureColumns:
    """Numeric model features of a group, column arrays fetched lazily (cheap per claim)."""

    def __init__(self, X: pd.DataFrame) -> None:
        self.X = X
        self.cache: dict[str, np.ndarray | None] = {}

    def value(self, name: str, row: int, default: float) -> float:
        if name not in self.cache:
            col = self.X[name] if name in self.X.columns else None
            numeric = col is not None and not isinstance(col.dtype, pd.CategoricalDtype)
            self.cache[name] = col.to_numpy(dtype=np.float64) if numeric else None
        values = self.cache[name]
        return default if values is None else float(values[row])


@dataclass
class ClaimView:
    """One claim: its contract dict, line flags and model feature values."""

    claim: dict[str, Any]
    rows: np.ndarray
    table: LineTable
    columns: FeatureColumns | MatrixColumns
    position: int
    learned: Any = None  # training.learned.LearnedLimits of the model scoring the claim

    def lines_where(self, flag: str) -> list[int]:
        """Line numbers of the claim where a boolean rule flag is set."""
        if flag not in self.table.flags:
            return []
        hit = self.table.flags[flag][self.rows].astype(bool)
        return sorted(int(n) for n in self.table.line_no[self.rows][hit])

    def flag_of(self, line: int, flag: str) -> Any:
        """Value of a per-line flag (e.g. mue_units) on one line."""
        rows = self.rows[self.table.line_no[self.rows] == line]
        return self.table.flags[flag][rows[0]] if len(rows) else None

    def line(self, number: int) -> dict[str, Any]:
        """The claim's line dict with that line number."""
        return next(ln for ln in self.claim["lines"] if ln["line"] == number)

    def cpt(self, number: int) -> str:
        return str(self.line(number)["cpt"])

    def lines_in(self, *families: str) -> list[int]:
        """Line numbers whose code belongs to one of the families (a claim has a few
        lines: plain Python beats np.isin's ~20 us set-up here)."""
        fam = self.table.flags["family"][self.rows].tolist()
        numbers = self.table.line_no[self.rows].tolist()
        return sorted(n for n, f in zip(numbers, fam) if f in families)

    def feature(self, name: str, default: float = float("nan")) -> float:
        """The claim's value of a numeric model feature (default when absent/categorical)."""
        return self.columns.value(name, self.position, default)


def claim_views(claims: list[dict[str, Any]], frames: ClaimFrames,
                X: pd.DataFrame | MatrixColumns, cms: CmsTables,
                flags: dict[str, Any] | None = None) -> list[ClaimView]:
    """Views of the claims (same order as frames.claims and X: a feature frame or the
    model matrix's MatrixColumns); `flags` as in build_line_table."""
    table = build_line_table(frames, cms, flags)
    columns = X if isinstance(X, MatrixColumns) else FeatureColumns(X)
    return [ClaimView(c, table.rows(i), table, columns, i) for i, c in enumerate(claims)]
