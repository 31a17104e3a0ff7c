"""Describing payer-drift alerts: the codes involved, the ALERT line, detection delay.

training/monitor.py finds the alerts; here each gets the codes, modifiers and procedure
families of its payer with the most unexpected denials in the alert's run, relative to
their own history, and is written as one line starting `ALERT`.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from reference.vocab import CATEGORY_CARC
from training.monitor import Alert, MonitorConfig, ratio_bound


def involved_codes(table: pd.DataFrame, tokens: pd.DataFrame, alert: Alert,
                   config: MonitorConfig) -> list[tuple[str, float, float]]:
    """Codes, modifiers and families of the payer with the most unexpected denials.

    Per token (E/M patterns left out: the segment names the pattern): denials for the
    category in the alert's run (first week to alarm week) vs the model's expectation
    rescaled by the token's own history before the run (ratio_bound), ranked by the
    Poisson deviance of that excess; a token needs at least two denials to be named.
    """
    p_col = f"p_{alert.category}"
    rows = table.loc[(table["payer_id"] == alert.payer_id)
                     & (table["week"] <= alert.alarm_week),
                     ["claim_id", "week", "denial_category", p_col]]
    pairs = tokens[~tokens["token"].str.startswith("E/M")].merge(rows, on="claim_id")
    if pairs.empty:
        return []
    pairs["o"] = (pairs["denial_category"] == alert.category).astype(float)
    pairs["run"] = pairs["week"] >= alert.first_week
    sums = pairs.groupby(["token", "run"])[["o", p_col]].sum().unstack("run", fill_value=0.0)
    sums = sums.reindex(columns=pd.MultiIndex.from_product([["o", p_col], [False, True]]),
                        fill_value=0.0)
    run_o = sums[("o", True)].to_numpy()
    expected = np.maximum(sums[(p_col, True)].to_numpy() * ratio_bound(
        sums[("o", False)], sums[(p_col, False)], config.pseudo_expected,
        config.baseline_quantile), 1e-9)
    score = run_o * np.log(np.maximum(run_o, 1.0) / expected) - (run_o - expected)
    named = np.flatnonzero((run_o >= 2) & (run_o > expected))
    best = named[np.argsort(-score[named], kind="stable")][:config.top_codes]
    return [(str(sums.index[i]), float(run_o[i]), float(expected[i])) for i in best]


def describe_alerts(alerts: list[Alert], table: pd.DataFrame, code_tokens: pd.DataFrame,
                    config: MonitorConfig) -> list[Alert]:
    """The alerts with their involved codes filled in (in place; returned for chaining)."""
    for alert in alerts:
        alert.involved = involved_codes(table, code_tokens, alert, config)
    return alerts


def format_alert(alert: Alert) -> str:
    """One line starting ALERT: payer, reason, segment, weeks, counts, codes, advice."""
    codes = ", ".join(f"{tok} ({obs:.0f} vs {exp:.1f})" for tok, obs, exp in alert.involved)
    also = "; also rising: " + ", ".join(f"'{s}'" for s in alert.scope[1:3]) \
        if len(alert.scope) > 1 else ""
    return (f"ALERT payer {alert.payer_id} reason {alert.category} "
            f"({CATEGORY_CARC.get(alert.category, '?')}): more denials than expected in "
            f"'{alert.segment}' from the week of {alert.first_week.date()} (alarm in the week "
            f"of {alert.alarm_week.date()}: {alert.observed:.0f} denied vs "
            f"{alert.expected:.1f} expected from the model and the segment's history{also}). "
            f"Codes/modifiers involved (denied vs expected): {codes or 'none stands out'}. "
            f"The payer may have changed a rule: review its policy and retrain "
            f"(denialrisk train; notebooks/01-retrain).")


def detection_delay_weeks(alerts: list[Alert], payer: str, category: str,
                          change: date) -> float | None:
    """Weeks from a known change date to the end of the week that raised its alert."""
    found = [a for a in alerts if a.payer_id == payer and a.category == category
             and a.alarm_week + pd.Timedelta(days=6) >= pd.Timestamp(change)]
    if not found:
        return None
    end = min(a.alarm_week for a in found) + pd.Timedelta(days=7)
    return (end - pd.Timestamp(change)).days / 7.0
