"""Worked fixes: recent risky claims of the payer, before and after their top fix.

The newest flagged claims (warn or block) are sent through the API's path with fixes; for
a handful whose top verified fix lowers the risk, the report shows the claim lines before
and after the fix is applied (serving.fixes.apply_returned_fix: the edit the coder would
submit), the risk before and after (the fix's re-scored `risk_after`) and the rule the change
follows (rules.py: the fix's source, else that of the finding or driver it answers). One
claim per distinct fix (action, value, code), distinct actions first, so the section
teaches several corrections rather than one five times. A fix that would drop work done
on another lesion is never worked through (examples.drops_other_lesion).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reference.vocab import DOCUMENTATION_FIELDS
from serving.describe_dx import dx_label
from serving.edits import PENDING_AUTH
from serving.fix_apply import apply_returned_fix
from serving.fix_ranking import MIN_GAIN
from serving.report.drivers import Explained
from serving.report.examples import (
    drops_other_lesion,
    lesion_text,
    pointed,
    predict_with_fixes,
)
from serving.report.rules import addressed_driver, cited_rule, learned_note
from serving.report.sections import FLAGGED
from serving.report.text import DOC_FIELDS, driver_text, prose
from serving.scoring import Predictor

CANDIDATES = 40  # newest flagged claims sent through the fixer
CELLS = ("cpt", "modifiers", "units", "diagnoses")
GONE = {"bill_patient": "billed to the patient (signed waiver), not to the payer"}
LAST = ("remove_line",)  # drops billed work: shown after fixes that recode


def recent_risky(explained: Explained, table: pd.DataFrame, shown: set[str]) -> list[int]:
    """Positions of flagged claims, newest date of service first (claims already shown
    as worked examples last)."""
    flagged = [i for i, p in enumerate(explained.preds) if p.risk_band in FLAGGED]
    dates = table["service_date"].to_numpy()
    ids = [str(c["claim_id"]) for c in explained.claims]
    return sorted(flagged, key=lambda i: (ids[i] in shown, -dates[i].astype("int64")))


def top_fix(pred: Any, claim: dict[str, Any],
            cms: Any) -> tuple[Any, dict[str, Any]] | None:
    """The best verified fix that lowers the risk and edits the claim (and does not drop
    another lesion's work), with the claim after it; None when there is none."""
    for fix in pred.fixes:
        if fix.risk_after is None or fix.risk_after > pred.denial_probability - MIN_GAIN \
                or drops_other_lesion(fix, claim):
            continue
        after = apply_returned_fix(claim, fix, cms)
        if after is not None:
            return fix, after
    return None


def fix_key(fix: Any, claim: dict[str, Any]) -> tuple[str, str, str]:
    """(action, value, code of the fixed line): one worked fix per distinct correction."""
    code = next((str(ln["cpt"]) for ln in claim["lines"] if ln["line"] == fix.line), "")
    return fix.action, str(fix.value or ""), code


def pick(fixed: list[tuple[int, Any, dict[str, Any]]], claims: list[dict[str, Any]],
         n: int) -> list[tuple[int, Any, dict[str, Any]]]:
    """Up to n fixed claims, newest first within each rank: fixes that recode a line, then
    those that drop one (LAST), then claim-level ones (the lines are what the section
    teaches); distinct actions first, then distinct fixes."""
    out: list[tuple[int, Any, dict[str, Any]]] = []
    actions: set[str] = set()
    keys: set[tuple[str, str, str]] = set()
    fixed = sorted(fixed, key=lambda f: (f[1].line is None, f[1].action in LAST))
    for distinct_action in (True, False):
        for i, fix, after in fixed:
            key = fix_key(fix, claims[i])
            if len(out) == n or key in keys or (distinct_action and fix.action in actions):
                continue
            actions.add(fix.action)
            keys.add(key)
            out.append((i, fix, after))
    return out


def cells(claim: dict[str, Any], line: dict[str, Any] | None) -> dict[str, str] | None:
    """The cells a coder edits: code, modifiers, units and the pointed diagnoses."""
    if line is None:
        return None
    code = str(line["cpt"]) + (" + NDC" if line.get("ndc") else "")  # the drug's NDC added
    return {"cpt": code, "modifiers": ", ".join(line.get("modifiers") or []) or
            "—", "units": str(line["units"]), "diagnoses": pointed(claim, line)}


def before_after(before: dict[str, Any], after: dict[str, Any],
                 action: str) -> list[dict[str, Any]]:
    """Rows of the before/after table: each line's cells, the changed ones named; a line
    that leaves the claim has no `after` but a note (removed, or billed to the patient)."""
    after_lines = {ln["line"]: ln for ln in after["lines"]}
    rows = []
    for ln in before["lines"]:
        b, a = cells(before, ln), cells(after, after_lines.get(ln["line"]))
        changed = [k for k in CELLS if a is not None and a[k] != b[k]]
        rows.append({"line": ln["line"], "lesion": lesion_text(ln), "before": b, "after": a,
                     "changed": changed,
                     "gone": GONE.get(action, "line removed")})
    return rows


def claim_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Claim-level changes in words (documentation, authorization, eligibility, ...)."""
    out = []
    doc_b, doc_a = before.get("documentation") or {}, after.get("documentation") or {}
    for field in DOCUMENTATION_FIELDS:
        if doc_a.get(field) is True and doc_b.get(field) is not True:
            out.append(f"Documentation of {DOC_FIELDS[field][1]} attached")
    pa_b = set((before.get("prior_authorization") or {}).get("cpt_codes") or [])
    pa = after.get("prior_authorization") or {}
    if set(pa.get("cpt_codes") or []) - pa_b:
        number = "to be obtained" if pa.get("number") == PENDING_AUTH else pa.get("number")
        out.append(f"Prior authorization ({number}) lists "
                   f"{', '.join(sorted(set(pa['cpt_codes']) - pa_b))}")
    elig_b, elig_a = before.get("eligibility") or {}, after.get("eligibility") or {}
    if elig_a != elig_b:
        out.append("Eligibility verified for the date of service, coverage active")
    if (after.get("provider") or {}).get("credentialed_with_payer") and not \
            (before.get("provider") or {}).get("credentialed_with_payer"):
        out.append(f"Rendering provider enrolled with {after['payer_id']}")
    if after.get("referral_on_file") and not before.get("referral_on_file"):
        out.append("Referral on file")
    return out


def fix_record(claim: dict[str, Any], pred: Any, fix: Any, after: dict[str, Any],
               learned: str | None) -> dict[str, Any]:
    """One worked fix: the claim before and after, the risks, the fix and its rule."""
    driver = addressed_driver(pred, fix)
    return {
        "claim_id": claim["claim_id"], "date": str(claim["lines"][0]["date_of_service"]),
        "band": pred.risk_band, "risk_before": pred.denial_probability,
        "risk_after": fix.risk_after, "fix": prose(fix.text),
        "why": prose(driver_text(driver.factor, driver.text, driver.lines, claim))
        if driver is not None else None,
        "rule": prose(cited_rule(pred, fix, learned)),
        "rows": before_after(claim, after, fix.action),
        "claim_changes": claim_changes(claim, after),
        "diagnoses": [f"{i}. {dx_label(d)}" for i, d in enumerate(claim["diagnoses"], 1)],
    }


def worked_fixes(explained: Explained, table: pd.DataFrame, predictor: Predictor,
                 payer: str, shown: set[str], n: int) -> list[dict[str, Any]]:
    """Up to n recent risky claims with their top fix worked through, newest first."""
    positions = recent_risky(explained, table, shown)[:CANDIDATES]
    preds = predict_with_fixes(explained, positions, predictor)
    fixed = []
    for i in positions:
        found = top_fix(preds[i], explained.claims[i], predictor.cms)
        if found is not None:
            fixed.append((i, *found))
    learned = learned_note(predictor, payer)
    return [fix_record(explained.claims[i], preds[i], fix, after, learned)
            for i, fix, after in pick(fixed, explained.claims, n)]


def fixes_table(fixes: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per worked fix: claim, risk before and after, the fix and its rule."""
    return pd.DataFrame([{
        "claim_id": fx["claim_id"], "risk_before": round(fx["risk_before"], 3),
        "risk_after": round(fx["risk_after"], 3), "fix": fx["fix"].striptags(),
        "rule": fx["rule"].striptags()} for fx in fixes])
