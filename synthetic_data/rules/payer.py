"""A payer's parameters as the rules read them per claim: the profile's values, its
overrides of rule probabilities, and dated rule changes by date of service (quiet ones
only when GeneratorConfig.drift is on)."""

from __future__ import annotations

from datetime import date

import numpy as np


class PayerParameters:
    """Mixin of ClaimView: needs payer (position per claim), payer_profiles, first_dos,
    claim_pos, cpt_in, m and drift."""

    def param(self, name: str) -> np.ndarray:
        """A payer parameter per claim, with dated changes applied by first DOS."""
        values = np.array([getattr(p, name) for p in self.payer_profiles], dtype=object)
        out = values[self.payer]
        for i, p in enumerate(self.payer_profiles):
            for change in p.changes:
                if name in change.params and (self.drift or not change.quiet):
                    after = (self.payer == i) & (self.first_dos >= _day(change.effective))
                    out = np.where(after, change.params[name], out)
        return out

    def line_in_payer_list(self, name: str) -> np.ndarray:
        """Lines whose code is in the claim's payer's code-list parameter `name`."""
        out = np.zeros(self.m, dtype=bool)
        line_payer = self.payer[self.claim_pos]
        for i, p in enumerate(self.payer_profiles):
            codes = getattr(p, name)
            if codes:
                out |= (line_payer == i) & self.cpt_in(codes)
        return out

    def rule_probability(self, rule_id: str, enforce: dict[str, float]) -> np.ndarray:
        """Enforcement probability per claim: archetype default, payer override, and
        dated changes of the rule (quiet ones only with drift)."""
        base = np.array([p.rule_probability.get(rule_id, enforce.get(p.archetype, 0.0))
                         for p in self.payer_profiles])
        out = base[self.payer]
        for i, p in enumerate(self.payer_profiles):
            for change in p.changes:
                if change.rule == rule_id and change.probability is not None and (
                        self.drift or not change.quiet):
                    after = (self.payer == i) & (self.first_dos >= _day(change.effective))
                    out = np.where(after, change.probability, out)
        return out




def _day(value: date) -> int:
    return int(np.datetime64(value, "D").astype(np.int64))
