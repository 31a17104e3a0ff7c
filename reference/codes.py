"""The project's curated table of dermatology CPT/HCPCS codes: family, global days, add-on parents.

Global days come from CMS MPFS CY2025 (RVU25D); the `source` column names the release of
each row. Families group codes the way billing rules and features reason about them; named
groups of families and codes live in reference/families.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

import pandas as pd

CODE_TABLE_FILE = "derm_codes.csv"

@dataclass(frozen=True)
class CodeTable:
    """Curated code facts, indexed by code."""

    frame: pd.DataFrame  # index: code; columns family, global_days, addon_parents, source

    @cached_property
    def codes(self) -> frozenset[str]:
        return frozenset(self.frame.index)

    def family(self, code: str) -> str | None:
        return self.frame["family"].get(code)

    def global_days(self, code: str) -> str | None:
        return self.frame["global_days"].get(code)

    def addon_parents(self, code: str) -> tuple[str, ...]:
        parents = self.frame["addon_parents"].get(code) or ""
        return tuple(p for p in parents.split("|") if p)


@lru_cache(maxsize=1)
def load_code_table() -> CodeTable:
    """Read the packaged code table once per process."""
    with resources.files("reference.data").joinpath(CODE_TABLE_FILE).open() as fh:
        frame = pd.read_csv(fh, dtype=str, keep_default_na=False).set_index("code")
    return CodeTable(frame=frame)


def family_of(codes: pd.Series) -> pd.Series:
    """Map a Series of codes to their family (NaN for unknown codes), vectorised."""
    return codes.map(load_code_table().frame["family"])
