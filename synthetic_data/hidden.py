"""Hidden factors: what decides a payer's answer but no claim shows.

Each factor is drawn per claim conditionally on the claim's VISIBLE fields only (and
independently of every other factor given them), so P(denied | claim) is exact in
closed form (synthetic_data/adjudicate.py): each rule reads at most one factor, and the
one shared factor, the reviewer's strictness, is discrete and enumerated.

  strictness          reviewer strictness 0.5 / 1 / 1.5 (payer's share of each)
  chart_supports_em   the chart really holds a separately identifiable E/M
                      (given the separate-note flag and the E/M level)
  symptoms_in_chart   the chart documents LCD symptoms (given the symptoms flag)
  coverage_terminated coverage ended (given the eligibility flags and the payer's
                      churn): LAPSE_FOUND, a lapse any check at submission shows (the
                      visit was unverified or seen lapsed), or LAPSE_RETROACTIVE,
                      ended after a check that showed it active; 0 when active
  sessions_elsewhere  phototherapy sessions at other providers this year
  admin_error         the payer's own clerical error (CO-16)
  lesions_distinct    the lesions of a bypassed NCCI pair really are different
                      (given XS vs 59, whether the other line is named, the sites)
  necessity_met       Mohs AUC / step therapy / biologic criteria met in the record
  duplicate           the claim repeats one already submitted: a world fact (the
                      copies the front desk sent); P(duplicate | lag) is exact from the
                      practice's lag distribution
"""

from __future__ import annotations

import numpy as np

from reference.families import EM_CODES, PHOTOTHERAPY_CODES
from synthetic_data.ncci import claim_pairs, ptp_indicator
from synthetic_data.profiles.model import STRICTNESS_LEVELS, STRICTNESS_SHARES
from synthetic_data.world.frontdesk import DUPLICATE_DELAY, MAX_LAG, lag_pmf

FACTORS: tuple[str, ...] = (
    "strictness", "chart_supports_em", "symptoms_in_chart", "coverage_terminated",
    "sessions_elsewhere", "admin_error", "lesions_distinct", "necessity_met", "duplicate",
)
COLUMNS: tuple[str, ...] = tuple(f"hidden_{f}" for f in FACTORS)
HIGH_LEVEL_EM = ("99204", "99205", "99214", "99215")
ELSEWHERE_MAX, ELSEWHERE_ANY, ELSEWHERE_DECAY = 30, 0.15, 0.82
TERMINATION_BASE = {"medicare_ffs": 0.001, "medicare_advantage": 0.003, "medicaid": 0.003,
                    "commercial_ppo": 0.003, "commercial_hmo": 0.003,
                    "commercial_small": 0.003}
UNVERIFIED_FACTOR = 6.0
LAPSE_FOUND, LAPSE_RETROACTIVE = 1, 2
BIOLOGIC_CODES = ("J3358", "J3245", "J2357", "J0135")


def strictness_shares(view) -> np.ndarray:
    """(claims x 3) P(strictness level) by the payer's strictness profile."""
    table = np.array([STRICTNESS_SHARES[p.strictness] for p in view.payer_profiles])
    return table[view.payer]


def q_chart_supports_em(view) -> np.ndarray:
    """P(the chart supports a separately identifiable E/M | note flag, E/M level)."""
    high = view.any_claim(view.cpt_in(HIGH_LEVEL_EM))
    return np.clip(np.where(view.doc("separate_em_note"), 0.86, 0.30) + 0.05 * high, 0, 1)


def q_symptoms_in_chart(view) -> np.ndarray:
    """P(the chart documents LCD symptoms | symptoms flag)."""
    return np.where(view.doc("symptoms_documented"), 0.90, 0.18)


def q_coverage_terminated(view) -> np.ndarray:
    """P(coverage ended on the date of service | verified, seen active, payer churn)."""
    base = np.array([TERMINATION_BASE[p.archetype] * p.eligibility_churn
                     for p in view.payer_profiles])[view.payer]
    verified = view.flag("eligibility_verified")
    active = view.flag("coverage_active")
    unknown = ~(verified == 1) | np.isnan(active)
    return np.clip(np.where(active == 0, 0.97, np.where(unknown, base * UNVERIFIED_FACTOR,
                                                        base)), 0, 1)


def checked_active(view) -> np.ndarray:
    """The claim records a check that showed coverage active (verified and active)."""
    return (view.flag("eligibility_verified") == 1) & (view.flag("coverage_active") == 1)


def coverage_lapse(view, u: np.ndarray) -> np.ndarray:
    """coverage_terminated codes from uniforms: ended when u < q; an ended coverage the
    front desk had checked active ended retroactively, any other a check would show."""
    ended = u < q_coverage_terminated(view)
    kind = np.where(checked_active(view), LAPSE_RETROACTIVE, LAPSE_FOUND)
    return np.where(ended, kind, 0).astype(np.int64)


def elsewhere_pmf() -> np.ndarray:
    """P(k sessions at other providers this year), k = 0..ELSEWHERE_MAX."""
    k = np.arange(1, ELSEWHERE_MAX + 1)
    tail = ELSEWHERE_DECAY ** (k - 1)
    return np.r_[1 - ELSEWHERE_ANY, ELSEWHERE_ANY * tail / tail.sum()]


def q_admin_error(view) -> np.ndarray:
    """P(the payer's clerical error) by payer."""
    return np.array([p.admin_error_rate for p in view.payer_profiles])[view.payer]


def bypass_lines(view) -> tuple[np.ndarray, np.ndarray]:
    """(column-2 line, column-1 line) of each NCCI pair (indicator 1, not an E/M)
    whose column-2 line carries 59 or an X modifier."""
    a, b = claim_pairs(view.claim_pos)
    same_day = view.dos[a] == view.dos[b]
    mi = ptp_indicator(view.cms, view.cpt[a], view.cpt[b])
    bypass = view.has_mod("59", "XE", "XS", "XP", "XU")
    keep = same_day & (mi == 1) & bypass[b] & ~view.cpt_in(EM_CODES)[b]
    return b[keep], a[keep]


def q_lesions_distinct(view) -> np.ndarray:
    """P(the bypassed pair's lesions are really different | XS or 59, the other line
    named in distinct_from_line, the two lesion sites): the least likely pair."""
    col2, col1 = bypass_lines(view)
    xs = view.has_mod("XE", "XS", "XP", "XU")[col2]
    named = ~np.isnan(view.lesion("distinct_from_line")[col2])
    sites = view.lesion("site")
    same_site = (sites[col2] == sites[col1]) & (sites[col2] != None)  # noqa: E711
    q = np.select([xs & named, xs | named], [0.96, 0.86], 0.62) * np.where(same_site, 0.6, 1)
    out = np.ones(view.n)
    np.minimum.at(out, view.claim_pos[col2], q)
    return out


def q_necessity_met(view) -> np.ndarray:
    """P(Mohs AUC / phototherapy step therapy / biologic criteria met in the record |
    necessity note, prior treatment flags; Mohs on trunk/limbs less often)."""
    both = view.doc("medical_necessity_note") & view.doc("prior_treatment_failed")
    one = view.doc("medical_necessity_note") | view.doc("prior_treatment_failed")
    q = np.select([both, one], [0.92, 0.70], 0.35)
    trunk_mohs = view.any_claim(view.cpt == "17313")
    return q * np.where(trunk_mohs, 0.75, 1.0)


def duplicate_odds(late_share: float, duplicate_rate: float) -> np.ndarray:
    """P(duplicate | lag = k days, an original-frequency claim), k = 0..MAX_LAG + delay:
    copies go out DUPLICATE_DELAY days after a first submission whose lag follows the
    practice's lag pmf."""
    f = lag_pmf(late_share)
    low, high = DUPLICATE_DELAY
    delay = np.zeros(high)
    delay[low:high] = 1.0 / (high - low)
    copies = np.convolve(f, delay)
    first = np.r_[f, np.zeros(len(copies) - len(f))]
    with np.errstate(invalid="ignore", divide="ignore"):
        odds = duplicate_rate * copies / (first + duplicate_rate * copies)
    return np.nan_to_num(odds)


def q_duplicate(view, late_share: float, duplicate_rate: float) -> np.ndarray:
    """P(the claim is a duplicate submission | its lag and frequency)."""
    odds = duplicate_odds(late_share, duplicate_rate)
    lag = np.clip(view.submission - view.last_dos, 0, len(odds) - 1)
    return np.where(view.frequency == "1", odds[lag], 0.0)


def photo_lines(view) -> np.ndarray:
    return view.cpt_in(PHOTOTHERAPY_CODES)


def sample_hidden(view, rng: np.random.Generator, duplicate: np.ndarray) -> dict[str, np.ndarray]:
    """One draw of every factor per claim, conditional on the claim as submitted."""
    n = view.n
    shares = np.cumsum(strictness_shares(view), axis=1)
    level = (rng.random(n)[:, None] > shares).sum(axis=1).clip(0, 2)
    elsewhere = np.searchsorted(np.cumsum(elsewhere_pmf()), rng.random(n)).clip(
        0, ELSEWHERE_MAX)
    return {
        "strictness": np.asarray(STRICTNESS_LEVELS)[level],
        "chart_supports_em": rng.random(n) < q_chart_supports_em(view),
        "symptoms_in_chart": rng.random(n) < q_symptoms_in_chart(view),
        "coverage_terminated": coverage_lapse(view, rng.random(n)),
        "sessions_elsewhere": elsewhere.astype(np.int64),
        "admin_error": rng.random(n) < q_admin_error(view),
        "lesions_distinct": rng.random(n) < q_lesions_distinct(view),
        "necessity_met": rng.random(n) < q_necessity_met(view),
        "duplicate": np.asarray(duplicate, dtype=bool),
    }


__all__ = ["BIOLOGIC_CODES", "COLUMNS", "FACTORS", "MAX_LAG", "sample_hidden"]
