"""Worked examples: real claims for each top driver, explained and fixed by the API's path.

For every driver the claims it pushes up most (flagged claims first) are sent through
serving.scoring.Predictor, the same code the API runs: the explanation items and the
verified fixes (each re-scored, `risk_after`) come back exactly as a coder would see them.
Patient identifiers (member id, birth date, NPI) are never copied into the report.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from contract.frames import frames_to_claims
from serving.report.sections import ACTIVE_LOG_ODDS, FLAGGED, PayerScores
from serving.scoring import Options, Predictor
from training.split import subset_frames

SHOWN_FACTORS = 3


def example_positions(scores: PayerScores, factor: str, n: int, taken: set[int]) -> list[int]:
    """Claims the driver pushes up (flagged first, strongest push first), not yet shown."""
    push = scores.factors.values[:, scores.factors.names.index(factor)]
    flagged = scores.table["risk_band"].isin(FLAGGED).to_numpy()
    candidates = np.flatnonzero(push >= ACTIVE_LOG_ODDS)
    order = candidates[np.lexsort((-push[candidates], ~flagged[candidates]))]
    return [int(i) for i in order if int(i) not in taken][:n]


def line_rows(claim: dict[str, Any]) -> list[dict[str, str]]:
    """Display rows of a claim's lines: code, modifiers, units, charge, lesion."""
    rows = []
    for ln in claim["lines"]:
        lesion = ln.get("lesion") or {}
        where = f"{lesion.get('site') or ''} {lesion.get('size_cm') or ''}".strip()
        rows.append({"line": str(ln["line"]), "cpt": str(ln["cpt"]),
                     "modifiers": ", ".join(ln.get("modifiers") or []) or "—",
                     "units": str(ln["units"]), "charge": f"${ln['charge']:,.2f}",
                     "lesion": f"{where} cm" if lesion.get("size_cm") else where or "—"})
    return rows


def example_record(claim: dict[str, Any], pred: Any) -> dict[str, Any]:
    """One worked example: the claim (no identifiers), risk, explanation and fixes."""
    factors = [e for e in pred.explanation if e.contribution > 0][:SHOWN_FACTORS]
    fixes = [f for f in pred.fixes if f.risk_after is not None]
    best = fixes[0] if fixes else None
    return {
        "claim_id": claim["claim_id"], "date": str(claim["lines"][0]["date_of_service"]),
        "diagnoses": ", ".join(claim["diagnoses"]), "lines": line_rows(claim),
        "risk": pred.denial_probability,
        "band": pred.risk_band, "reasons": [f"{r.carc} {r.category} ({r.probability:.0%})"
                                            for r in pred.reasons],
        "explanation": [(e.text, e.contribution) for e in factors],
        "best_fix": (best.text, best.risk_after) if best else None,
        "other_fixes": [(f.text, f.risk_after) for f in fixes[1:3]],
        "not_fixable": [f.text for f in pred.fixes if f.action == "not_fixable"],
    }


def predict_positions(scores: PayerScores, positions: list[int],
                      predictor: Predictor) -> dict[int, dict[str, Any]]:
    """Worked-example records of the claims at these positions (one predict call)."""
    if not positions:
        return {}
    mask = np.zeros(len(scores.table), dtype=bool)
    mask[positions] = True
    claims = frames_to_claims(subset_frames(scores.frames, mask))
    preds = predictor.predict(claims, Options(explain=True, fixes=True, max_factors=5,
                                              max_fixes=3))
    by_id = {c["claim_id"]: example_record(c, p) for c, p in zip(claims, preds)}
    ids = scores.table["claim_id"].to_numpy()
    return {i: by_id[ids[i]] for i in positions}


def worked_examples(scores: PayerScores, drivers: pd.DataFrame, predictor: Predictor,
                    per_driver: int) -> list[dict[str, Any]]:
    """Per top driver: its label and up to `per_driver` explained, fixed claims."""
    taken: set[int] = set()
    chosen: dict[str, list[int]] = {}
    for factor in drivers.index:
        chosen[factor] = example_positions(scores, factor, per_driver, taken)
        taken.update(chosen[factor])
    records = predict_positions(scores, sorted(taken), predictor)
    return [{"factor": f, "label": drivers.at[f, "label"],
             "examples": [records[i] for i in positions]}
            for f, positions in chosen.items() if positions]


def examples_table(groups: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per worked example: driver, claim, risk, best fix and risk after it."""
    return pd.DataFrame([{
        "driver": g["label"], "claim_id": ex["claim_id"], "risk": round(ex["risk"], 3),
        "band": ex["band"], "why": ex["explanation"][0][0] if ex["explanation"] else "",
        "fix": ex["best_fix"][0] if ex["best_fix"] else "",
        "risk_after": round(ex["best_fix"][1], 3) if ex["best_fix"] else None}
        for g in groups for ex in g["examples"]])
