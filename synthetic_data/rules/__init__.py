"""The payers' rules, written from shared/domain: one declarative entry per behaviour
(rules/base.py Rule), grouped by module, collected in REGISTRY in the payers' edit order
(priority: eligibility, duplicates, timely filing and credentialing first, then
authorization, coding edits, modifiers, global periods, diagnosis, cosmetic, medical
necessity, frequency, documentation).

Rules read the claim through rules/view.py ClaimView (what the payer sees, its own
record of the patient, its parameters, the hidden factors) and never the model's
feature code.
"""

from __future__ import annotations

from synthetic_data.rules import (
    admin,
    authorization,
    coding_edits,
    coverage,
    diagnosis,
    globals,
    lesion_record,
    modifiers,
    necessity,
)
from synthetic_data.rules.base import Rule

REGISTRY: tuple[Rule, ...] = tuple(sorted(
    admin.RULES + authorization.RULES + coding_edits.RULES + modifiers.RULES
    + globals.RULES + lesion_record.RULES + diagnosis.RULES + coverage.RULES + necessity.RULES,
    key=lambda r: r.priority))
RULES_BY_ID: dict[str, Rule] = {r.id: r for r in REGISTRY}
assert len(RULES_BY_ID) == len(REGISTRY), "rule ids must be unique"
