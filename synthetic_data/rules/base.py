"""What a payer rule is: one declarative entry per payer behaviour.

A Rule names its id, the reason category it denies under (reference/vocab CATEGORY_CARC
keys) and the CARC/RARC payers send (per archetype when they differ: e.g. CO-B7 from
Medicare, CO-185 from others), its priority in the payer's edit order (eligibility,
timely filing and credentialing first, then authorization, coding edits, modifiers,
global periods, diagnosis, medical necessity, frequency, documentation), which
archetypes enforce it and with what probability (a payer profile may override, and
dated RuleChanges move it), whether the reviewer's strictness scales it, the hidden
factor it reads, the fix that cures it (contract fix vocabulary), the shared/domain
section it comes from, and its condition: a vectorised function of the claim view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from reference.vocab import CATEGORY_CARC, FIX_ACTIONS


@dataclass
class Hit:
    """Where a rule's condition holds. Line rules give `lines` (the lines at fault,
    denied when it is the reason); claim rules give `claims` (all lines denied).
    `scale` (per claim, default 1) multiplies the enforcement probability with the
    realised hidden factors; `scale_visible` is its expectation given the claim."""

    lines: np.ndarray | None = None
    claims: np.ndarray | None = None
    scale: np.ndarray | None = None
    scale_visible: np.ndarray | None = None
    probability: np.ndarray | None = None  # per-claim enforcement multiplier (0..1)
    denied_lines: np.ndarray | None = None  # lines denied when not all of `lines`


Condition = Callable[["object"], Hit]


@dataclass(frozen=True)
class Rule:
    """One payer behaviour (see the module docstring)."""

    id: str
    category: str
    carc: str
    priority: int
    fix: str
    section: str
    enforce: dict[str, float]
    condition: Condition
    rarc: str = ""
    carc_by_archetype: dict[str, str] = field(default_factory=dict)
    review: bool = False
    factor: str | None = None
    curable: bool = True
    description: str = ""

    def __post_init__(self) -> None:
        if self.category not in CATEGORY_CARC:
            raise ValueError(f"rule {self.id}: unknown category {self.category!r}")
        if self.fix.split()[0] not in FIX_ACTIONS:
            raise ValueError(f"rule {self.id}: fix {self.fix!r} is not a contract action")

    def carc_for(self, archetype: str) -> str:
        """The CARC (with group) this archetype sends for the rule."""
        return self.carc_by_archetype.get(archetype, self.carc)


ALL_ARCHETYPES = ("medicare_ffs", "medicare_advantage", "medicaid", "commercial_ppo",
                  "commercial_hmo", "commercial_small")


def everyone(p: float) -> dict[str, float]:
    """The same enforcement probability for every archetype."""
    return dict.fromkeys(ALL_ARCHETYPES, p)


def archetypes(mcr: float, mca: float, mcd: float, ppo: float, hmo: float,
               small: float) -> dict[str, float]:
    """Enforcement per archetype, in the §10 payer order (MCR, MCA, MCD, COA, COB, COC)."""
    return dict(zip(ALL_ARCHETYPES, (mcr, mca, mcd, ppo, hmo, small)))
