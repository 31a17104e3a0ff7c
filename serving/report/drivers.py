"""Top denial drivers of a payer's recent claims, from the explanations the API returns.

Every recent claim is scored through serving.scoring.Predictor (the API's own path, with
explanations, without fixes). A factor counts as a driver of a claim only where the API
lists it as one: a finding on the claim (line, code, modifier, diagnosis or document)
that raises the risk by at least ACTIVE_LOG_ODDS. Context a coder cannot change (payer,
patient, provider, dates, size) is summarised apart; absent features are never drivers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from contract.frames import frames_to_claims
from reference.linkage import dx_class
from serving.explain import OTHER
from serving.report.labels import FACTOR_LABELS, factor_label
from serving.report.sections import ACTIVE_LOG_ODDS, FLAGGED, PayerScores
from serving.scoring import Options, Predictor

MAX_FACTORS = 5  # the API's default number of drivers per claim
INVOLVED = 3  # codes shown per driver


@dataclass
class Explained:
    """Recent claims (contract dicts) and their predictions, in scores.table order."""

    claims: list[dict[str, Any]]
    preds: list[Any]  # serving.schemas.ScoredClaim


def explain_recent(scores: PayerScores, predictor: Predictor) -> Explained:
    """Every recent claim scored and explained by the API's path (no fixes: cheap)."""
    claims = frames_to_claims(scores.frames)
    preds = predictor.predict(claims, Options(explain=True, fixes=False,
                                              max_factors=MAX_FACTORS))
    return Explained(claims, preds)


def summary_key(factor: str, lines: list[int], claim: dict[str, Any]) -> str:
    """The driver row a claim's driver counts in. The generic "primary procedure code" and
    "first-listed diagnosis" factors count under the code or diagnosis class they are
    about (code_17110, diagnosis_bcc), so every row names something a coder can look up."""
    if factor == "primary_service" and lines:
        cpt = {ln["line"]: str(ln["cpt"]) for ln in claim["lines"]}
        return f"code_{cpt.get(lines[0], '')}" if lines[0] in cpt else factor
    if factor == "primary_diagnosis" and claim["diagnoses"]:
        return f"diagnosis_{dx_class(claim['diagnoses'][0])}"
    return factor


def involved_codes(factor: str, lines: list[int], claim: dict[str, Any]) -> list[str]:
    """The codes a driver is about on one claim: its lines' CPT codes (the first-listed
    diagnosis for the primary-diagnosis factor)."""
    if factor.startswith("diagnosis_") and factor not in FACTOR_LABELS:
        cls = factor.removeprefix("diagnosis_")
        return sorted({d for d in claim["diagnoses"] if dx_class(d) == cls})
    cpt = {ln["line"]: str(ln["cpt"]) for ln in claim["lines"]}
    return sorted({cpt[n] for n in lines if n in cpt})


def claim_drivers(pred: Any, claim: dict[str, Any]) -> dict[str, tuple[float, list[str]]]:
    """A claim's risk-raising drivers by summary key: summed contribution, codes."""
    out: dict[str, tuple[float, list[str]]] = {}
    for item in pred.explanation:
        if item.factor == OTHER or item.contribution < ACTIVE_LOG_ODDS:
            continue
        key = summary_key(item.factor, item.lines, claim)
        total, codes = out.get(key, (0.0, []))
        out[key] = (total + item.contribution, codes + involved_codes(key, item.lines, claim))
    return out


def driver_rows(explained: Explained) -> pd.DataFrame:
    """One row per (claim position, driver key): contribution and the codes involved."""
    rows = [(i, key, total, tuple(dict.fromkeys(codes)))
            for i, (pred, claim) in enumerate(zip(explained.preds, explained.claims))
            for key, (total, codes) in claim_drivers(pred, claim).items()]
    return pd.DataFrame(rows, columns=["position", "factor", "contribution", "codes"])


def most_involved(codes: pd.Series) -> str:
    """'17000, 11102, 11104': the codes most often involved, most frequent first."""
    counts = Counter(c for group in codes for c in group)
    return ", ".join(c for c, _ in counts.most_common(INVOLVED)) or "—"


def driver_summary(explained: Explained, table: pd.DataFrame, top: int) -> pd.DataFrame:
    """Top drivers: mean push over recent claims, claims, denials, money at stake, codes.

    Ranked by the mean risk-raising contribution over all recent claims (zero where the
    factor is not a driver): a SHAP summary of what the API tells coders. `money_at_stake`
    is the charge of the driver's claims that the model flags (warn or block)."""
    long = driver_rows(explained)
    columns = ["label", "mean_push", "claims", "share", "denied", "denial_rate",
               "money_at_stake", "codes"]
    if long.empty:
        return pd.DataFrame(columns=columns).rename_axis("factor")
    pos = long["position"].to_numpy()
    long = long.assign(denied=table["denied"].to_numpy(bool)[pos],
                       at_stake=np.where(table["risk_band"].isin(FLAGGED).to_numpy()[pos],
                                         table["charge"].to_numpy(float)[pos], 0.0))
    g = long.groupby("factor")
    n = max(len(table), 1)
    out = pd.DataFrame({"mean_push": g["contribution"].sum() / n, "claims": g.size(),
                        "denied": g["denied"].sum(), "money_at_stake": g["at_stake"].sum(),
                        "codes": g["codes"].agg(most_involved)})
    out["share"] = out["claims"] / n
    out["denial_rate"] = out["denied"] / out["claims"]
    out["label"] = [factor_label(f) for f in out.index]
    return out.sort_values("mean_push", ascending=False)[columns].head(top)


def context_summary(explained: Explained, top: int = 5) -> pd.DataFrame:
    """Context that raises risk (payer, patient, provider, dates, size): how often and by
    how much, shown apart from the drivers because no coder can change it."""
    rows = [(c.factor, c.contribution) for p in explained.preds for c in p.context
            if c.contribution >= ACTIVE_LOG_ODDS]
    frame = pd.DataFrame(rows, columns=["factor", "contribution"])
    n = max(len(explained.preds), 1)
    g = frame.groupby("factor")["contribution"]
    out = pd.DataFrame({"claims": g.size(), "mean_push": g.sum() / n})
    out["share"] = out["claims"] / n
    out["label"] = [factor_label(f) for f in out.index]
    return out.sort_values("mean_push", ascending=False).head(top)
