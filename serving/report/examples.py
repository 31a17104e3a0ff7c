"""Worked examples: real claims for each top driver, explained and fixed by the API's path.

For every driver, the claims on which the API lists it (flagged claims first, strongest
push first) are sent again through serving.scoring.Predictor with fixes: the explanation
and the verified fixes (each re-scored, `risk_after`) come back as a coder would see them.
One example per distinct claim pattern: two claims whose driver says the same thing (line
numbers, counts, dates and percentages aside) are one lesson, shown once. Patient
identifiers (member id, birth date, NPI) are never copied into the report.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from serving.explain import OTHER
from serving.report.drivers import MAX_FACTORS, Explained, summary_key
from serving.report.sections import ACTIVE_LOG_ODDS, FLAGGED
from serving.report.text import driver_text, prose, shown_reasons
from serving.scoring import Options, Predictor

SHOWN_FACTORS = 3
MIN_SHOWN_CONTRIBUTION = 0.01  # a driver printing as "+0.00" teaches nothing
# line numbers, counts, dates, sizes, shares; never a code (17000, J7308, C44.311)
NAMED_LINE = re.compile(r"\(line (\d+)\)")
NUMBERS = re.compile(r"(?<![\w.])\d{1,4}(?:[-.,]\d+)*%?(?!\w)")


def pattern_key(factor: str, text: str) -> tuple[str, str]:
    """What makes two examples the same lesson: the factor and its text with numbers that
    are not codes (line numbers, counts, dates, percentages) masked."""
    return factor, NUMBERS.sub("#", text)


def driver_hits(explained: Explained, key: str) -> list[tuple[int, Any]]:
    """(position, explanation item) of every claim the API explains with this driver row
    (drivers.summary_key: the primary code counts as its code, and so on)."""
    return [(i, item) for i, (p, claim) in enumerate(zip(explained.preds, explained.claims))
            for item in p.explanation if item.factor != OTHER
            and item.contribution >= ACTIVE_LOG_ODDS
            and summary_key(item.factor, item.lines, claim) == key]


def example_positions(explained: Explained, table: pd.DataFrame, factor: str, n: int,
                      taken: set[int]) -> list[int]:
    """Up to n claims the API explains with this driver (flagged claims only when there
    are any; strongest push first), one per distinct pattern, skipping claims shown."""
    hits = driver_hits(explained, factor)
    flagged = table["risk_band"].isin(FLAGGED).to_numpy()
    if any(flagged[i] for i, _ in hits):
        hits = [h for h in hits if flagged[h[0]]]
    hits.sort(key=lambda h: -h[1].contribution)
    seen: set[tuple[str, str]] = set()
    out: list[int] = []
    for i, item in hits:
        key = pattern_key(factor, item.text)
        if i in taken or key in seen:
            continue
        seen.add(key)
        out.append(i)
        if len(out) == n:
            break
    return out


def line_rows(claim: dict[str, Any]) -> list[dict[str, str]]:
    """Display rows of a claim's lines: code, modifiers, units, diagnoses, charge, lesion."""
    return [{"line": str(ln["line"]), "cpt": str(ln["cpt"]),
             "modifiers": ", ".join(ln.get("modifiers") or []) or "—",
             "units": str(ln["units"]), "diagnoses": pointed(claim, ln),
             "charge": f"${ln['charge']:,.2f}", "lesion": lesion_text(ln)}
            for ln in claim["lines"]]


def lesion_text(line: dict[str, Any]) -> str:
    """'left face 0.6 cm': the lesion a line treats, so a reader sees distinct lesions."""
    lesion = line.get("lesion") or {}
    size = f"{lesion['size_cm']} cm" if lesion.get("size_cm") else ""
    return " ".join(str(x) for x in (lesion.get("laterality"), lesion.get("site"), size)
                    if x) or "—"


def pointed(claim: dict[str, Any], line: dict[str, Any]) -> str:
    """The diagnosis codes a line points to ('C44.311, L57.0')."""
    dx = claim["diagnoses"]
    return ", ".join(dx[p - 1] for p in line.get("dx_pointers") or [] if 0 < p <= len(dx)) \
        or "—"


def drops_other_lesion(fix: Any, claim: dict[str, Any]) -> bool:
    """True for a fix removing a line as "the same lesion" as lines it names, when the
    claim records a different site for them: that would delete work done on another
    lesion, which a coding educator never teaches (issue 16: never misrepresent the
    service)."""
    if fix.action != "remove_line":
        return False
    sites = {ln["line"]: (ln.get("lesion") or {}).get("site") for ln in claim["lines"]}
    named = {int(n) for n in NAMED_LINE.findall(fix.text)} - {fix.line}
    own = sites.get(fix.line)
    return own is not None and any(sites.get(n) not in (None, own) for n in named)


def example_record(claim: dict[str, Any], pred: Any) -> dict[str, Any]:
    """One worked example: the claim (no identifiers), risk, drivers, context, fixes."""
    drivers = [e for e in pred.explanation if e.factor != OTHER
               and e.contribution >= MIN_SHOWN_CONTRIBUTION]
    fixes = [f for f in pred.fixes
             if f.risk_after is not None and not drops_other_lesion(f, claim)]
    # the worked fix lowers the risk; a correction the model does not reward comes after
    fixes.sort(key=lambda f: f.risk_after > pred.denial_probability)
    best = fixes[0] if fixes else None
    return {
        "claim_id": claim["claim_id"], "date": str(claim["lines"][0]["date_of_service"]),
        "diagnoses": ", ".join(claim["diagnoses"]), "lines": line_rows(claim),
        "risk": pred.denial_probability, "band": pred.risk_band,
        "reasons": shown_reasons(pred.reasons),
        "explanation": [(prose(driver_text(e.factor, e.text, e.lines, claim)), e.contribution)
                        for e in drivers[:SHOWN_FACTORS]],
        "context": [prose(c.text) for c in pred.context if c.contribution > 0][:2],
        "findings": [(prose(f.text), prose(f.source)) for f in pred.findings],
        "best_fix": (prose(best.text), best.risk_after) if best else None,
        "other_fixes": [(prose(f.text), f.risk_after) for f in fixes[1:3]],
        "not_fixable": [prose(f.text) for f in pred.fixes if f.action == "not_fixable"],
        "withheld": any(drops_other_lesion(f, claim) for f in pred.fixes),
    }


def predict_with_fixes(explained: Explained, positions: list[int],
                       predictor: Predictor) -> dict[int, Any]:
    """Predictions with verified fixes of the claims at these positions (one call)."""
    if not positions:
        return {}
    claims = [explained.claims[i] for i in positions]
    preds = predictor.predict(claims, Options(explain=True, fixes=True,
                                              max_factors=MAX_FACTORS, max_fixes=3))
    return dict(zip(positions, preds))


def worked_examples(explained: Explained, table: pd.DataFrame, drivers: pd.DataFrame,
                    predictor: Predictor, per_driver: int) -> list[dict[str, Any]]:
    """Per top driver: its label and up to `per_driver` explained, fixed claims."""
    taken: set[int] = set()
    chosen: dict[str, list[int]] = {}
    for factor in drivers.index:
        chosen[factor] = example_positions(explained, table, factor, per_driver, taken)
        taken.update(chosen[factor])
    preds = predict_with_fixes(explained, sorted(taken), predictor)
    groups, shown = [], set()
    for f, positions in chosen.items():
        records = new_lessons([example_record(explained.claims[i], preds[i])
                               for i in positions], shown)
        if records:
            groups.append({"factor": f, "label": drivers.at[f, "label"], "examples": records})
    return groups


def new_lessons(records: list[dict[str, Any]], shown: set[str]) -> list[dict[str, Any]]:
    """The records whose lesson is not shown yet (theirs marked shown)."""
    out = []
    for record in records:
        key = lesson_key(record)
        if key not in shown:
            shown.add(key)
            out.append(record)
    return out


def lesson_key(record: dict[str, Any]) -> str:
    """What a reader learns from an example (its drivers, context, findings and fixes,
    numbers masked): two claims under different drivers can teach the same lesson, and
    the report shows it once."""
    parts = [t for t, _ in record["explanation"]] + record["context"] + [
        t for t, _ in record["findings"]] + [t for t, _ in record["other_fixes"]] + \
        record["not_fixable"] + ([record["best_fix"][0]] if record["best_fix"] else [])
    return NUMBERS.sub("#", "\n".join(str(p) for p in parts))


def shown_claims(groups: list[dict[str, Any]]) -> set[str]:
    """Claim ids already shown as worked examples."""
    return {ex["claim_id"] for g in groups for ex in g["examples"]}


def examples_table(groups: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per worked example: driver, claim, risk, best fix and risk after it."""
    return pd.DataFrame([{
        "driver": g["label"], "claim_id": ex["claim_id"], "risk": round(ex["risk"], 3),
        "band": ex["band"],
        "why": ex["explanation"][0][0].striptags() if ex["explanation"] else "",
        "fix": ex["best_fix"][0].striptags() if ex["best_fix"] else "",
        "risk_after": round(ex["best_fix"][1], 3) if ex["best_fix"] else np.nan}
        for g in groups for ex in g["examples"]])
