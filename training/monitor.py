"""Payer-drift monitoring: a CUSUM of observed vs model-expected denials per service week.

Payers change rules quietly (COA started denying modifier 25 on an E/M billed with
17000-series destructions without a separate E/M note on 2026-04-01). A rule change shows
as denials the champion did not expect, concentrated in a few code patterns. So for every
payer x reason x segment (all claims, each procedure family, each modifier, each claim's
E/M pattern such as "E/M+25, no separate note, with destruction_ak", and that pattern with
the kinds of a procedure merged, "... with destruction (any kind)") we sum per week the
observed denials O and the expected ones E = sum P(denied for that reason), and run a
one-sided Poisson CUSUM (sequential likelihood-ratio test of "rate x R" against "rate as
the segment's history says"):
    S_t = max(0, S_{t-1} + O_t ln R - (R - 1) r_t E_t),   alarm when S_t > h.
r_t rescales the model to the segment's own history: an upper credible quantile of the
segment's rate relative to the model (Gamma posterior of O and E summed over the weeks
before t - guard, prior Gamma(a, a) of mean 1). A model merely miscalibrated in a segment
does not alarm, a short or sparse history is not trusted to be low, and the newest weeks
cannot absorb a change before it is caught. Multiple testing: each stream raises a false
alarm with probability about e^-h per renewal, so with K streams h = threshold + ln K.
An alert per payer x reason names the first segment to cross, the week its run began and
the segments of that payer and reason that crossed since (the rule's scope, which the
retrain in training/recovery.py treats as stale before the change); training.
monitor_report adds the codes and modifiers involved and writes the ALERT line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import gammaincinv

from contract.frames import ClaimFrames
from reference.codes import load_code_table
from reference.vocab import CATEGORIES
from settings import Settings
from training.kpis import claim_tokens

# A provider's enrolment gap is the practice's own event, not a payer rule change: it is
# learned per rendering NPI (training/learned.py) and explained on each claim, so the
# rule-change monitor leaves credentialing denials out.
NOT_PAYER_RULES: tuple[str, ...] = ("credentialing",)
MONITORED: tuple[str, ...] = tuple(c for c in CATEGORIES if c not in NOT_PAYER_RULES)

ALL_CLAIMS = "all claims"
ANY_KIND = " (any kind)"


def default(name: str) -> Any:
    """The default of a Settings field (the one place monitor defaults are set)."""
    return Settings.model_fields[name].default


@dataclass(frozen=True)
class MonitorConfig:
    """CUSUM settings; defaults from Settings.monitor_* (benchmarks/bench_monitor.py)."""

    rate_ratio: float = default("monitor_rate_ratio")  # R: the rise the test is tuned to
    threshold: float = default("monitor_threshold")  # alarm level above ln(streams)
    baseline_quantile: float = default("monitor_baseline_quantile")  # q of the baseline
    pseudo_expected: float = 0.5  # a: prior weight of "the model is right" (ratio 1)
    guard_weeks: int = 2  # newest weeks left out of the baseline ratio
    burn_in_weeks: int = default("monitor_burn_in_weeks")  # weeks that only build baselines
    min_weeks: int = default("monitor_min_weeks")  # weeks with excess denials an alarm needs
    top_codes: int = 4  # codes / modifiers named in an alert


@dataclass
class Streams:
    """Weekly observed and expected denials per (payer_id, category, segment) stream."""

    keys: pd.DataFrame  # columns payer_id, category, segment; one row per stream
    weeks: pd.DatetimeIndex
    observed: np.ndarray  # (streams, weeks)
    expected: np.ndarray


@dataclass
class Alert:
    """A payer x reason whose denials rose above what the model and history expect."""

    payer_id: str
    category: str
    segment: str
    first_week: pd.Timestamp
    alarm_week: pd.Timestamp
    observed: float
    expected: float  # model expectation rescaled to the segment's history
    statistic: float
    involved: list[tuple[str, float, float]] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)  # segments that crossed from first_week


@lru_cache(maxsize=1)
def procedure_groups() -> dict[str, str]:
    """Family -> merged name for families that are kinds of one procedure (destruction_ak)."""
    families = pd.Series(load_code_table().frame["family"].unique())
    prefix = families.str.split("_").str[0]
    kinds = prefix.map(prefix.value_counts()) > 1
    return dict(zip(families[kinds], prefix[kinds] + ANY_KIND))


def with_procedure_groups(tokens: pd.DataFrame) -> pd.DataFrame:
    """(claim_id, token) pairs plus each E/M pattern with procedure kinds merged."""
    em = tokens[tokens["token"].str.startswith("E/M")]
    parts = em["token"].str.rsplit(" with ", n=1, expand=True)
    if parts.shape[1] < 2:
        return tokens  # no E/M pattern to merge
    groups = procedure_groups()
    merged = {fams: "+".join(sorted({groups.get(f, f) for f in fams.split("+")}))
              for fams in parts[1].unique()}
    coarse = (parts[0] + " with " + parts[1].map(merged)).to_numpy()
    new = coarse != em["token"].to_numpy()
    extra = pd.DataFrame({"claim_id": em["claim_id"].to_numpy()[new], "token": coarse[new]})
    return pd.concat([tokens, extra], ignore_index=True).drop_duplicates(ignore_index=True)


def segment_tokens(frames: ClaimFrames) -> pd.DataFrame:
    """(claim_id, token) pairs the monitor streams on: the claims' segments plus their
    E/M patterns with procedure kinds merged."""
    return with_procedure_groups(claim_tokens(frames))


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
    p = table[[f"p_{c}" for c in MONITORED]].to_numpy(float)
    denied_for = np.equal.outer(table["denial_category"].to_numpy(object),
                                np.array(MONITORED, dtype=object))
    obs = np.stack([np.bincount(key, denied_for[rows, k], size)
                    for k in range(len(MONITORED))], axis=1)
    exp = np.stack([np.bincount(key, p[rows, k], size) for k in range(len(MONITORED))],
                   axis=1)
    obs, exp = (a.reshape(n_p, n_s, n_t, -1).transpose(0, 3, 1, 2).reshape(-1, n_t)
                for a in (obs, exp))
    keys = pd.MultiIndex.from_product([payers, MONITORED, segments], names=[
        "payer_id", "category", "segment"]).to_frame(index=False)
    live = (obs.sum(axis=1) > 0) | (exp.sum(axis=1) > 0)
    return Streams(keys[live].reset_index(drop=True), weeks, obs[live], exp[live])


def shift_weeks(x: np.ndarray, lag: int) -> np.ndarray:
    """x moved `lag` weeks later along the last axis (zeros shifted in)."""
    out = np.zeros_like(x)
    if lag < x.shape[-1]:
        out[..., lag:] = x[..., :x.shape[-1] - lag]
    return out


def ratio_bound(observed: np.ndarray, expected: np.ndarray, pseudo: float,
                quantile: float) -> np.ndarray:
    """Upper `quantile` of the Gamma(O + a, E + a) posterior of observed / model rate.

    O are counts, so the Gamma quantile is computed once per distinct count.
    """
    counts, where = np.unique(np.asarray(observed, float), return_inverse=True)
    shape_quantile = gammaincinv(counts + pseudo, quantile)[where].reshape(np.shape(observed))
    return shape_quantile / (np.asarray(expected, float) + pseudo)


def baseline_ratio(observed: np.ndarray, expected: np.ndarray, guard: int, pseudo: float,
                   quantile: float) -> np.ndarray:
    """Each stream's rate vs the model over its weeks before t - guard (ratio_bound)."""
    past_o = shift_weeks(np.cumsum(observed, axis=1), guard + 1)
    past_e = shift_weeks(np.cumsum(expected, axis=1), guard + 1)
    return ratio_bound(past_o, past_e, pseudo, quantile)


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


def alarm_level(config: MonitorConfig, n_streams: int) -> float:
    """The CUSUM alarm level h = threshold + ln(streams) (a Bonferroni-style correction)."""
    return config.threshold + float(np.log(max(n_streams, 1)))


def first_crossings(path: np.ndarray, rising: np.ndarray, level: float,
                    min_weeks: int) -> np.ndarray:
    """Week index of each stream's first alarm (-1 when none).

    An alarm needs the CUSUM above the level after at least `min_weeks` weeks of excess
    denials: one freak week in a tiny segment is not a rule change.
    """
    over = (path > level) & (rising >= min_weeks)
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


def alerts_from(streams: Streams, path: np.ndarray, rising: np.ndarray, level: float,
                min_weeks: int, ratio: np.ndarray | None = None) -> list[Alert]:
    """One alert per payer x category: its earliest-crossing segment (largest S on ties)."""
    alarm = first_crossings(path, rising, level, min_weeks)
    scaled = streams.expected if ratio is None else streams.expected * ratio
    order = sorted(np.flatnonzero(alarm >= 0), key=lambda i: (alarm[i], -path[i, alarm[i]]))
    out: dict[tuple[str, str], Alert] = {}
    for i in order:
        payer, category, segment = streams.keys.iloc[i]
        if (payer, category) in out:
            out[(payer, category)].scope.append(str(segment))
            continue
        window = slice(run_start(path[i], alarm[i]), alarm[i] + 1)
        out[(payer, category)] = Alert(
            payer_id=str(payer), category=str(category), segment=str(segment),
            first_week=streams.weeks[window.start], alarm_week=streams.weeks[alarm[i]],
            observed=float(streams.observed[i, window].sum()),
            expected=float(scaled[i, window].sum()), statistic=float(path[i, alarm[i]]),
            scope=[str(segment)])
    return sorted(out.values(), key=lambda a: (a.alarm_week, a.payer_id, a.category))


@dataclass
class MonitorResult:
    """Alerts plus the streams and CUSUM paths behind them (for plots and measurement)."""

    alerts: list[Alert]
    streams: Streams
    path: np.ndarray
    burn_in: int
    config: MonitorConfig
    level: float


def monitor(table: pd.DataFrame, tokens: pd.DataFrame, config: MonitorConfig = MonitorConfig(),
            start: date | None = None) -> MonitorResult:
    """Run the CUSUM over every stream of a scored outcome table (training.kpis).

    The alerts' `involved` codes are filled in by training.monitor_report.describe_alerts.
    """
    streams = stream_counts(table, tokens)
    ratio = baseline_ratio(streams.observed, streams.expected, config.guard_weeks,
                           config.pseudo_expected, config.baseline_quantile)
    burn = burn_in_weeks(streams.weeks, config, start)
    increments = llr_increments(streams.observed, streams.expected, ratio, config.rate_ratio)
    path = cusum(increments, burn)
    level = alarm_level(config, len(streams.keys))
    alerts = alerts_from(streams, path, rising_weeks(increments, path), level,
                         config.min_weeks, ratio)
    return MonitorResult(alerts, streams, path, burn, config, level)
