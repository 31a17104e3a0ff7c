"""Payer-drift monitoring: a CUSUM of observed vs model-expected denials per service week.

Payers change rules quietly (COA started denying modifier 25 next to 17000-series
destructions without a separate E/M note on 2026-04-01). A rule change shows as denials the
champion did not expect, concentrated in a few code patterns. So for every payer x reason
x segment (all claims, each procedure family, each modifier, each claim's E/M pattern such
as "E/M+25, no separate note, with destruction_ak") we sum per week the observed denials O
and the expected ones E = sum P(denied for that reason), and run a one-sided Poisson CUSUM
(sequential likelihood-ratio test of "rate x R" against "rate as expected"):
    S_t = max(0, S_{t-1} + O_t ln R - (R - 1) r_t E_t),   alarm when S_t > threshold.
r_t rescales the model to the segment's own history, (O + a) / (E + a) over the weeks
before t - guard, so a model that is merely miscalibrated in a small segment does not
alarm, while a change is not absorbed before it is caught. An alert per payer x reason
names the first segment to cross, the week its run began, and the code families /
modifiers / CPT codes most over-represented among the unexpected denials.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from features.vocab import CATEGORIES, CATEGORY_CARC

ALL_CLAIMS = "all claims"


@dataclass(frozen=True)
class MonitorConfig:
    """CUSUM settings, chosen by measurement on generated data at the default volume
    (~3,850 claims a week; champion: pooled model on 40k claims of 2025): over 16 runs
    of 26 weeks with COA's change, 15 alarmed within 4 weeks (median 2.7); over 16 runs
    of 18 months without drift, 2 raised an alert (see the issue-6 report)."""

    rate_ratio: float = 8.0  # R: the rise in a segment's denial rate the test is tuned to
    threshold: float = 10.0  # alarm level of the CUSUM (log-likelihood ratio units)
    pseudo_expected: float = 0.5  # a: prior weight keeping r near 1 in tiny segments
    guard_weeks: int = 2  # newest weeks left out of the baseline ratio
    burn_in_weeks: int = 8  # first weeks only build the baseline (no alarms)
    min_weeks: int = 2  # weeks with excess denials an alarm needs
    top_codes: int = 3  # over-represented codes named in an alert


@dataclass
class Streams:
    """Weekly observed and expected denials per (payer_id, category, segment) stream."""

    keys: pd.DataFrame  # columns payer_id, category, segment; one row per stream
    weeks: pd.DatetimeIndex
    observed: np.ndarray  # (streams, weeks)
    expected: np.ndarray


@dataclass
class Alert:
    """A payer x reason whose denials rose above what the model expects."""

    payer_id: str
    category: str
    segment: str
    first_week: pd.Timestamp
    alarm_week: pd.Timestamp
    observed: float
    expected: float
    statistic: float
    involved: list[tuple[str, float, float]] = field(default_factory=list)


def stream_index(table: pd.DataFrame, tokens: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """Claim row, segment code and segment names of every (claim, segment) membership."""
    claim_pos = pd.Index(table["claim_id"]).get_indexer(tokens["claim_id"])
    known = claim_pos >= 0
    seg_codes, seg_names = pd.factorize(tokens["token"][known], sort=True)
    rows = np.concatenate([np.arange(len(table)), claim_pos[known]])
    seg = np.concatenate([np.zeros(len(table), dtype=int), seg_codes + 1])
    return rows, seg, np.array([ALL_CLAIMS, *seg_names], dtype=object)


def stream_counts(table: pd.DataFrame, tokens: pd.DataFrame) -> Streams:
    """Weekly O and E of every payer x category x segment (all claims + each token)."""
    weeks = pd.DatetimeIndex(np.sort(table["week"].unique()))
    payers = np.sort(table["payer_id"].unique())
    rows, seg, segments = stream_index(table, tokens)
    week = weeks.get_indexer(table["week"])[rows]
    payer = np.searchsorted(payers, table["payer_id"].to_numpy())[rows]
    n_p, n_s, n_t = len(payers), len(segments), len(weeks)
    key, size = (payer * n_s + seg) * n_t + week, n_p * n_s * n_t
    p = table[[f"p_{c}" for c in CATEGORIES]].to_numpy(float)
    denied_for = np.equal.outer(table["denial_category"].to_numpy(object),
                                np.array(CATEGORIES, dtype=object))
    obs = np.stack([np.bincount(key, denied_for[rows, k], size)
                    for k in range(len(CATEGORIES))], axis=1)
    exp = np.stack([np.bincount(key, p[rows, k], size) for k in range(len(CATEGORIES))],
                   axis=1)
    obs, exp = (a.reshape(n_p, n_s, n_t, -1).transpose(0, 3, 1, 2).reshape(-1, n_t)
                for a in (obs, exp))
    keys = pd.MultiIndex.from_product([payers, CATEGORIES, segments], names=[
        "payer_id", "category", "segment"]).to_frame(index=False)
    live = (obs.sum(axis=1) > 0) | (exp.sum(axis=1) > 0)
    return Streams(keys[live].reset_index(drop=True), weeks, obs[live], exp[live])


def shift_weeks(x: np.ndarray, lag: int) -> np.ndarray:
    """x moved `lag` weeks later along the last axis (zeros shifted in)."""
    out = np.zeros_like(x)
    if lag < x.shape[-1]:
        out[..., lag:] = x[..., :x.shape[-1] - lag]
    return out


def baseline_ratio(observed: np.ndarray, expected: np.ndarray, guard: int,
                   pseudo: float) -> np.ndarray:
    """(O + a) / (E + a) over each stream's weeks before t - guard: its own calibration."""
    past_o = shift_weeks(np.cumsum(observed, axis=1), guard + 1)
    past_e = shift_weeks(np.cumsum(expected, axis=1), guard + 1)
    return (past_o + pseudo) / (past_e + pseudo)


def llr_increments(observed: np.ndarray, expected: np.ndarray, ratio: np.ndarray,
                   rate_ratio: float) -> np.ndarray:
    """Poisson log-likelihood ratio of 'rate x R' vs 'rate as expected' per stream-week."""
    return observed * np.log(rate_ratio) - (rate_ratio - 1.0) * ratio * expected


def cusum(increments: np.ndarray, burn_in: int) -> np.ndarray:
    """One-sided CUSUM path of every stream; held at 0 during the first burn_in weeks."""
    path = np.zeros_like(increments)
    level = np.zeros(increments.shape[0])
    for t in range(burn_in, increments.shape[1]):
        level = np.maximum(0.0, level + increments[:, t])
        path[:, t] = level
    return path


def rising_weeks(increments: np.ndarray, path: np.ndarray) -> np.ndarray:
    """Per stream-week: weeks with excess denials since the CUSUM last stood at zero."""
    count = np.zeros_like(path)
    running = np.zeros(path.shape[0])
    for t in range(path.shape[1]):
        running = np.where(path[:, t] > 0, running + (increments[:, t] > 0), 0.0)
        count[:, t] = running
    return count


def first_crossings(path: np.ndarray, rising: np.ndarray, threshold: float,
                    min_weeks: int) -> np.ndarray:
    """Week index of each stream's first alarm (-1 when none).

    An alarm needs the CUSUM above the threshold after at least `min_weeks` weeks of excess
    denials: one freak week in a tiny segment is not a rule change.
    """
    over = (path > threshold) & (rising >= min_weeks)
    return np.where(over.any(axis=1), over.argmax(axis=1), -1)


def run_start(path_row: np.ndarray, alarm: int) -> int:
    """First week of the rise that ended in the alarm (after the last week at zero)."""
    zeros = np.flatnonzero(path_row[:alarm] <= 0.0)
    return int(zeros[-1] + 1) if len(zeros) else 0


def burn_in_weeks(weeks: pd.DatetimeIndex, config: MonitorConfig, start: date | None) -> int:
    """Weeks that only feed the baseline: the configured burn-in, or up to `start`."""
    if start is None:
        return config.burn_in_weeks
    return max(config.burn_in_weeks, int(np.searchsorted(weeks, pd.Timestamp(start))))


def involved_codes(table: pd.DataFrame, tokens: pd.DataFrame, alert: Alert,
                   top: int) -> list[tuple[str, float, float]]:
    """Segments/codes most over-represented among the alert's unexpected denials.

    Over the alert's run (first week to alarm week), per token of this payer's claims:
    observed denials for the category vs the model's expected ones, ranked by the excess
    (observed - expected); a token needs at least two denials to be named.
    """
    p_col = f"p_{alert.category}"
    weeks = table["week"].between(alert.first_week, alert.alarm_week)
    rows = table.loc[weeks & (table["payer_id"] == alert.payer_id),
                     ["claim_id", "denial_category", p_col]]
    pairs = tokens.merge(rows, on="claim_id")
    pairs["observed"] = (pairs["denial_category"] == alert.category).astype(float)
    sums = pairs.groupby("token")[["observed", p_col]].sum()
    excess = sums["observed"] - sums[p_col]
    best = excess[(excess > 0) & (sums["observed"] >= 2)].sort_values(ascending=False)
    return [(str(tok), float(sums.at[tok, "observed"]), float(sums.at[tok, p_col]))
            for tok in best.index[:top]]


def alerts_from(streams: Streams, path: np.ndarray, rising: np.ndarray, threshold: float,
                min_weeks: int) -> list[Alert]:
    """One alert per payer x category: its earliest-crossing segment (largest S on ties)."""
    alarm = first_crossings(path, rising, threshold, min_weeks)
    hit = np.flatnonzero(alarm >= 0)
    order = sorted(hit, key=lambda i: (alarm[i], -path[i, alarm[i]]))
    out: dict[tuple[str, str], Alert] = {}
    for i in order:
        payer, category, segment = streams.keys.iloc[i]
        if (payer, category) in out:
            continue
        start = run_start(path[i], alarm[i])
        window = slice(start, alarm[i] + 1)
        out[(payer, category)] = Alert(
            payer_id=str(payer), category=str(category), segment=str(segment),
            first_week=streams.weeks[start], alarm_week=streams.weeks[alarm[i]],
            observed=float(streams.observed[i, window].sum()),
            expected=float(streams.expected[i, window].sum()),
            statistic=float(path[i, alarm[i]]))
    return sorted(out.values(), key=lambda a: (a.alarm_week, a.payer_id, a.category))


@dataclass
class MonitorResult:
    """Alerts plus the streams and CUSUM paths behind them (for plots and measurement)."""

    alerts: list[Alert]
    streams: Streams
    path: np.ndarray
    burn_in: int
    config: MonitorConfig


def monitor(table: pd.DataFrame, tokens: pd.DataFrame, config: MonitorConfig = MonitorConfig(),
            start: date | None = None, code_tokens: pd.DataFrame | None = None) -> MonitorResult:
    """Run the CUSUM over every stream of a scored outcome table (training.kpis)."""
    streams = stream_counts(table, tokens)
    ratio = baseline_ratio(streams.observed, streams.expected, config.guard_weeks,
                           config.pseudo_expected)
    burn = burn_in_weeks(streams.weeks, config, start)
    increments = llr_increments(streams.observed, streams.expected, ratio, config.rate_ratio)
    path = cusum(increments, burn)
    alerts = alerts_from(streams, path, rising_weeks(increments, path), config.threshold,
                         config.min_weeks)
    described = tokens if code_tokens is None else code_tokens
    for alert in alerts:
        alert.involved = involved_codes(table, described, alert, config.top_codes)
    return MonitorResult(alerts, streams, path, burn, config)


def format_alert(alert: Alert) -> str:
    """One line starting ALERT: payer, reason, segment, weeks, counts, codes, advice."""
    codes = ", ".join(f"{tok} ({obs:.0f} vs {exp:.1f} expected)"
                      for tok, obs, exp in alert.involved) or "no single code stands out"
    return (f"ALERT payer {alert.payer_id} reason {alert.category} "
            f"({CATEGORY_CARC.get(alert.category, '?')}): more denials than the model expects "
            f"in '{alert.segment}' from the week of {alert.first_week.date()} (alarm in the "
            f"week of {alert.alarm_week.date()}; {alert.observed:.0f} denied vs "
            f"{alert.expected:.1f} expected). Over-represented: {codes}. The payer may have "
            f"changed a rule: review its policy and retrain (denialrisk train).")


def detection_delay_weeks(alerts: list[Alert], payer: str, category: str,
                          change: date) -> float | None:
    """Weeks from a known change date to the end of the week that raised its alert."""
    found = [a for a in alerts if a.payer_id == payer and a.category == category
             and a.alarm_week + pd.Timedelta(days=6) >= pd.Timestamp(change)]
    if not found:
        return None
    end = min(a.alarm_week for a in found) + pd.Timedelta(days=7)
    return (end - pd.Timestamp(change)).days / 7.0
