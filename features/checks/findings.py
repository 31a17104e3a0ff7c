"""Findings: what a check reports, and the vectorised form the checks produce.

A check returns `Hits`: the line positions where its rule fires, which variant of the
rule (each variant fixes severity, fix action, text and source in features.checks.texts)
and the change's value per hit, plus the facts its text quotes. The same Hits feed
check_frames (per-line flags) and, rendered, check_claim (Finding objects), so both entry
points share one implementation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

SEVERITY_CODE = {"warning": 1, "error": 2}


@dataclass(frozen=True)
class Finding:
    """A coding inconsistency on one line (or the claim), with the change a coder submits.

    action/value/old/units use the contract fix vocabulary (shared/contract/README.md):
    change_code (value = code, units = the units to bill), replace_modifier (old -> value),
    link_diagnosis (value = the diagnosis to point to first, old = the pointed diagnosis
    or diagnoses, joined with ',', it replaces),
    attach_documentation (value = the documentation field), ...; action None = no change
    can be made without the chart. `removes` names lines the change makes redundant (17004
    describes every lesion, so the 17003 line goes with the recode; a removed primary
    takes its add-ons). `adds` (code, units) is the line the change moves the remaining
    units to (17000 x4 -> 17000 x1 + 17003 x3): a new line, or more units on the claim's
    line of that code on the same date, so no lesion that was treated goes unbilled."""

    rule: str
    line: int | None
    severity: str  # "error": the coding is wrong | "warning": payer-dependent / needs chart
    category: str  # contract reason category (modifier, bundling, units, ...)
    text: str
    action: str | None
    value: str | None = None
    old: str | None = None
    units: int | None = None
    source: str = ""
    removes: tuple[int, ...] = ()
    adds: tuple[str, int] | None = None
    variant: int = 0  # which case of the rule (features.checks.texts.RULES[rule].variants)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_contract(self) -> Any:
        """The response's contract.schema.Finding (its change as a contract Fix)."""
        from contract.schema import Finding as ContractFinding
        from contract.schema import Fix

        add_code, add_units = self.adds or (None, None)
        change = None if self.action is None else Fix(
            action=self.action, line=self.line, value=self.value, text=self.text,
            add_code=add_code, add_units=add_units)
        return ContractFinding(rule=self.rule, line=self.line, text=self.text,
                               change=change, source=self.source)


Values = np.ndarray | Any


@dataclass
class Hits:
    """One rule's firings over a batch: aligned arrays, one entry per firing."""

    rule: str
    pos: np.ndarray  # line positions in frames.lines
    variant: np.ndarray  # int8, index into the rule's variants
    value: np.ndarray  # object, the change's value (None when the variant has none)
    old: np.ndarray  # object
    units: np.ndarray  # int64, 0 = keep the line's units
    removes: np.ndarray  # object, tuple of line numbers or None
    fields: dict[str, np.ndarray] = field(default_factory=dict)  # text facts

    def __len__(self) -> int:
        return len(self.pos)


def _column(values: Values, n: int, dtype: Any) -> np.ndarray:
    """A scalar broadcast to n entries, or an aligned array as it is."""
    if isinstance(values, np.ndarray) and values.ndim == 1 and len(values) == n:
        return values.astype(dtype, copy=False) if dtype is not object else values
    out = np.empty(n, dtype=dtype)
    out[:] = values
    return out


def hits(rule: str, where: np.ndarray, variant: Values = 0, value: Values = None,
         old: Values = None, units: Values = 0, removes: Values = None,
         **facts: Values) -> Hits:
    """Hits of `rule` at `where` (a boolean line mask or line positions); every other
    argument is a scalar or an array aligned with the firing positions."""
    pos = np.flatnonzero(where) if where.dtype == bool else where.astype(np.int64)
    n = len(pos)
    if n == 0:
        return empty_hits(rule, tuple(facts))
    return Hits(rule, pos, _column(variant, n, np.int8), _column(value, n, object),
                _column(old, n, object), _column(units, n, np.int64),
                _column(removes, n, object),
                {k: _column(v, n, object) for k, v in facts.items()})


@lru_cache(maxsize=512)
def empty_hits(rule: str, facts: tuple[str, ...] = ()) -> Hits:
    """A rule that fires nowhere (shared: nothing may modify it)."""
    none, objects = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    return Hits(rule, none, none.astype(np.int8), objects, objects, none, objects,
                {k: objects for k in facts})


def select(h: Hits, keep: np.ndarray) -> Hits:
    """The firings of h where keep (aligned with h) is True."""
    return Hits(h.rule, h.pos[keep], h.variant[keep], h.value[keep], h.old[keep],
                h.units[keep], h.removes[keep], {k: v[keep] for k, v in h.fields.items()})


def first_per_line(h: Hits) -> Hits:
    """At most one firing per line (the first): a pair rule may hit a line twice."""
    if len(h) < 2:
        return h
    _, first = np.unique(h.pos, return_index=True)
    keep = np.zeros(len(h), dtype=bool)
    keep[first] = True
    return select(h, keep)
