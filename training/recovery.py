"""Retraining after a drift alert, and measuring the recovery (notebooks/01-retrain).

A payer rule change makes some old labels wrong for the future: before COA's change of
2026-04-01, an E/M+25 without a separate note next to a 17000-series destruction was paid;
since then it is denied. The features carry no date, so a model trained on all history
learns a mix of both rules, mostly the old one. What a billing analyst does after
confirming the change: keep the history, but leave out the payer's claims that fall under
the changed rule from before its first week (the alert's scope: the segments of that
payer and reason whose CUSUM crossed). The retrained model then learns the rule from the
claims since the change and everything else from the whole history.
`recovery_table` compares champion, retrained model and the generator's oracle on the
claims after the retrained model's training data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from training.metrics import expected_calibration_error, safe_auc
from training.monitor import ALL_CLAIMS, Alert, MonitorResult, segment_tokens
from training.split import claim_service_dates


def training_table(outcomes: list[Any]) -> pd.DataFrame:
    """One row per trained model: test AUC/ECE, registry version and the gate's decision."""
    return pd.DataFrame([{
        "model": o.name, "kind": o.kind, "test_auc": o.test_metrics.get("auc"),
        "test_ece": o.test_metrics.get("ece"), "version": o.version,
        "promoted": bool(o.decision and o.decision.promote),
        "gate": o.decision.reason if o.decision else "not tracked"} for o in outcomes])


def with_oracle(table: pd.DataFrame, frames: ClaimFrames) -> pd.DataFrame:
    """The scored table with the generator's oracle P(denied) as the prediction."""
    if "oracle_p_denied" not in frames.claims:
        raise ValueError("this data set has no oracle_p_denied column (not generated)")
    oracle = frames.claims["oracle_p_denied"].to_numpy(dtype=float)
    return table.assign(denial_probability=oracle)


def find_alert(result: MonitorResult, payer: str, category: str) -> Alert | None:
    """The alert for payer x category, if the monitor raised one."""
    found = [a for a in result.alerts if a.payer_id == payer and a.category == category]
    return found[0] if found else None


def segment_claims(frames: ClaimFrames, alert: Alert | None) -> tuple[str, pd.Series | None]:
    """The alert's segment and its claim ids (None: all claims, or no alert)."""
    if alert is None or alert.segment == ALL_CLAIMS:
        return ALL_CLAIMS, None
    tokens = segment_tokens(frames)
    return alert.segment, tokens.loc[tokens["token"] == alert.segment, "claim_id"]


def scope_claims(tokens: pd.DataFrame, alert: Alert) -> pd.Series | None:
    """Claim ids (of segment_tokens pairs) in any segment of the alert's scope (None: the
    scope is all claims)."""
    if ALL_CLAIMS in alert.scope:
        return None
    return tokens.loc[tokens["token"].isin(alert.scope), "claim_id"].drop_duplicates()


def stale_weights(frames: ClaimFrames, alerts: list[Alert | None]) -> np.ndarray:
    """Training weight per claim: 0 for labels an alerted rule change made stale, else 1.

    Stale: a claim of the alert's payer, in its scope, with a date of service before the
    week the alert's run began (claims since then already follow the new rule). None
    entries (no alert) change nothing.
    """
    ids = frames.claims["claim_id"].astype(str)
    payer = frames.claims["payer_id"].astype(str).to_numpy()
    dates = claim_service_dates(frames)
    weight = np.ones(len(ids))
    alerts = [a for a in alerts if a is not None]
    tokens = segment_tokens(frames) if alerts else None
    for alert in alerts:
        scoped = scope_claims(tokens, alert)
        inside = np.ones(len(ids), bool) if scoped is None else ids.isin(scoped).to_numpy()
        stale = inside & (payer == alert.payer_id) & (dates < alert.first_week).to_numpy()
        weight[stale] = 0.0
    return weight


def left_out_line(weights: np.ndarray) -> str:
    """How many training labels the weights leave out."""
    return f"labels left out as stale: {int((weights == 0).sum()):,} of {len(weights):,} claims"


def system_quality(table: pd.DataFrame, segment: pd.Series | None) -> dict[str, float]:
    """AUC / ECE on a payer's claims and predicted vs observed denial rate in the segment."""
    y, p = table["denied"].to_numpy(int), table["denial_probability"].to_numpy(float)
    inside = table["claim_id"].isin(segment).to_numpy() if segment is not None else \
        np.ones(len(table), bool)
    return {"claims": len(table), "auc": safe_auc(y, p),
            "ece": expected_calibration_error(y, p), "segment_claims": int(inside.sum()),
            "segment_observed_rate": float(y[inside].mean()) if inside.any() else np.nan,
            "segment_predicted_rate": float(p[inside].mean()) if inside.any() else np.nan}


def recovery_table(tables: dict[str, pd.DataFrame], payer: str, since: str,
                   segment: pd.Series | None) -> pd.DataFrame:
    """Per system (champion, retrained, oracle, ...): quality on the payer's claims from
    month `since` ('YYYY-MM') on, and its calibration gap in the alert's segment."""
    rows = {}
    for name, table in tables.items():
        part = table[(table["payer_id"] == payer) & (table["month"] >= since)]
        rows[name] = system_quality(part, segment)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out["segment_gap"] = out["segment_predicted_rate"] - out["segment_observed_rate"]
    return out.rename_axis("system")


def first_test_month(bundles: dict[str, Any]) -> str:
    """The newest test-window start among bundles: claims no model was fitted or tuned on."""
    return max(b.metadata.training_window["test_start"] for b in bundles.values())
