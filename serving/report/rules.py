"""The rule a worked fix follows, and the driver it answers, for the report's citations.

A fix cites, in order: its own `source`; a coding-consistency finding on the same line;
the published source of a driver the fix answers (a driver of the matching factor, e.g.
provider_credentialing for credential_provider, or a driver on the fixed line); a known
rule of such a driver whose service text cites none; a learned payer habit of such a
driver; else the model's learned history for the payer. A driver the fix does not answer
is never cited: an NCCI edit is no rule for enrolling a provider.
"""

from __future__ import annotations

from typing import Any

from serving.describe_claim import DOC_FACTORS
from serving.describe_dx import LCD_SOURCE
from serving.explain import OTHER
from serving.scoring import Predictor

LEARNED = "learned from"  # serving.describe.learned_source wording
# published rules of drivers whose service text cites none (same citations as describe_dx)
DRIVER_RULES: dict[str, str] = {"documentation_symptoms": LCD_SOURCE,
                                "diagnosis_needs_symptoms": LCD_SOURCE}
ACTION_FACTORS: dict[str, tuple[str, ...]] = {
    "credential_provider": ("provider_credentialing",),
    "verify_eligibility": ("eligibility",),
    "obtain_prior_auth": ("prior_auth_missing",),
    "bill_patient": ("cosmetic_service", "diagnosis_not_supporting_procedure",
                     "diagnosis_needs_symptoms", "documentation_symptoms"),
}
FIELD_FACTORS: dict[str, str] = {field: factor for factor, (field, _) in DOC_FACTORS.items()}
FIELD_FACTORS["referral_on_file"] = "referral"


def fix_factors(fix: Any) -> tuple[str, ...]:
    """The driver factors a fix answers by its action (and documented field)."""
    if fix.action == "attach_documentation":
        factor = FIELD_FACTORS.get(str(fix.value))
        return (factor,) if factor else ()
    return ACTION_FACTORS.get(fix.action, ())


def related_drivers(pred: Any, fix: Any) -> list[Any]:
    """Risk-raising drivers the fix answers: of its factors first, then on its line."""
    drivers = [e for e in pred.explanation if e.factor != OTHER and e.contribution > 0]
    factors = fix_factors(fix)
    by_factor = [e for e in drivers if e.factor in factors]
    on_line = [e for e in drivers if fix.line is not None and fix.line in e.lines
               and e not in by_factor]
    return by_factor + on_line


def addressed_driver(pred: Any, fix: Any) -> Any:
    """The driver to quote as why the claim is at risk: the first one the fix answers,
    else the claim's top driver (None without drivers)."""
    related = related_drivers(pred, fix)
    drivers = [e for e in pred.explanation if e.factor != OTHER and e.contribution > 0]
    return (related or drivers or [None])[0]


def published(source: str | None) -> bool:
    return bool(source) and not str(source).startswith(LEARNED)


def cited_rule(pred: Any, fix: Any, learned: str | None) -> str:
    """The rule the fix follows, in the order of the module docstring."""
    if fix.source:
        return fix.source
    for finding in pred.findings:
        if finding.source and finding.line == fix.line and finding.change is not None:
            return finding.source
    related = related_drivers(pred, fix)
    source = next((e.source for e in related if published(e.source)), None) \
        or next((DRIVER_RULES[e.factor] for e in related if e.factor in DRIVER_RULES), None) \
        or next((e.source for e in related if e.source), None) or learned
    if source is None:
        return "No rule cited by the service: the model learned it from this practice's " \
               "denials."
    if source.startswith(LEARNED):
        return f"No rule cited by the service: the model {source}."
    return source


def learned_note(predictor: Predictor, payer: str) -> str | None:
    """'learned from 5,210 MCR claims of this practice (2025-01 to 2026-02)' (the
    wording of serving.describe.learned_source), None when nothing was learned."""
    learned = predictor.models.route(payer)[0].bundle.metadata.learned
    n = learned.n_claims.get(payer) if learned is not None else None
    return f"{LEARNED} {n:,} {payer} claims of this practice ({learned.window})" if n \
        else None
