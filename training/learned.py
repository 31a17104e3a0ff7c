"""Payer limits learned from a practice's history, quoted by explanations.

A payer's timely-filing limit and a provider's enrolment date differ by payer and change
(shared/domain §11): nothing here assumes a default. From the training claims of a model
(its payer's, or every payer's for the pooled model):
- filing limit: the submission lag L (days from the first date of service) that best
  separates timely-filing denials from the other claims, kept when the payer denied at
  least FILING_SHARE of the (MIN_CLAIMS or more) claims submitted later; none when the
  history shows no such cliff;
- enrolment: per rendering NPI with an enrolment gap (features/standing.py), the first
  date of service after its last credentialing denial on which a claim was paid (the
  effective date learned).
Explanations say what was learned ("this payer denied 96% of the 57 claims submitted more
than 365 days after the date of service"), never an assumed limit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from training.lifts import FindingLift

FILING_SHARE = 0.9
MIN_CLAIMS = 5
EPOCH = pd.Timestamp("2000-01-01")


class FilingLimit(BaseModel):
    """A payer's learned timely-filing cliff."""

    days: int
    denied_share: float  # share of claims submitted after `days` denied for timely filing
    n_after: int  # training claims submitted after `days`


class Enrolment(BaseModel):
    """A rendering provider's learned enrolment with a payer."""

    npi: str
    denied_before: str  # last date of service denied for credentialing (ISO)
    paid_from: str | None  # first date of service paid after it (ISO), None if none yet
    n_denied: int


class CodeRate(BaseModel):
    """How often a payer denied claims billing one code, in the training history."""

    n: int
    denied_share: float


class LearnedLimits(BaseModel):
    """What one model learned of its payer(s): filing limits, enrolments, and per-code
    denial rates (quoted as learned payer habits), by payer; the coding-check lifts of
    the model (training/lifts.py), by rule."""

    filing: dict[str, FilingLimit] = Field(default_factory=dict)
    enrolment: dict[str, list[Enrolment]] = Field(default_factory=dict)
    code_rates: dict[str, dict[str, CodeRate]] = Field(default_factory=dict)
    n_claims: dict[str, int] = Field(default_factory=dict)
    # denials for authorization of claims without a referral and with no prior-auth gap:
    # the payer's referral habit (an HMO's CO-288); 0 = never, so no referral fix
    referral_denials: dict[str, int] = Field(default_factory=dict)
    # claims billing a code payers put under prior auth with none on file, and how many
    # of them the payer denied for authorization: its prior-auth habit (traditional
    # Medicare: none of thousands, so no "obtain prior authorization" fix)
    pa_gap_claims: dict[str, int] = Field(default_factory=dict)
    pa_gap_denials: dict[str, int] = Field(default_factory=dict)
    window: str = ""
    finding_lifts: dict[str, FindingLift] = Field(default_factory=dict)
    payer_lifts: dict[str, dict[str, FindingLift]] = Field(default_factory=dict)


MIN_CODE_CLAIMS = 30


def prior_auth_gaps(X: pd.DataFrame, category: np.ndarray) -> tuple[int, int]:
    """Claims with a prior-auth gap (pa_missing) and their authorization denials."""
    if "pa_missing" not in X:
        return 0, 0
    gap = X["pa_missing"].to_numpy(dtype=float) > 0
    return int(gap.sum()), int((gap & (category == "authorization")).sum())


def referral_denials(X: pd.DataFrame, category: np.ndarray) -> int:
    """Authorization denials of claims with no referral on file and no missing prior
    auth: what a referral would have prevented."""
    no_referral = X["referral_on_file"].to_numpy(dtype=float) != 1 \
        if "referral_on_file" in X else np.ones(len(X), dtype=bool)
    pa_gap = X["pa_missing"].to_numpy(dtype=float) > 0 if "pa_missing" in X \
        else np.zeros(len(X), dtype=bool)
    return int((no_referral & ~pa_gap & (category == "authorization")).sum())


def code_rates(X: pd.DataFrame, denied: np.ndarray) -> dict[str, CodeRate]:
    """Denial share of claims billing each code (bag-of-codes columns), with enough
    claims to quote."""
    out = {}
    for column in (c for c in X.columns if c.startswith("code_")):
        bills = X[column].to_numpy(dtype=float) > 0
        n = int(bills.sum())
        if n >= MIN_CODE_CLAIMS:
            out[column.removeprefix("code_")] = CodeRate(
                n=n, denied_share=round(float(denied[bills].mean()), 3))
    return out


def filing_limit(lag: np.ndarray, timely: np.ndarray) -> FilingLimit | None:
    """The lag threshold that best splits timely-filing denials from the rest (fewest
    timely denials at or below it plus other claims above it), kept when at least
    FILING_SHARE of the MIN_CLAIMS+ claims above it were denied for timely filing."""
    keep = ~np.isnan(lag)
    lag, timely = lag[keep], timely[keep]
    if timely.sum() < MIN_CLAIMS:
        return None
    order = np.argsort(lag, kind="stable")
    lag, timely = lag[order], timely[order]
    ends = np.flatnonzero(np.r_[lag[1:] > lag[:-1], False])  # last row of each lag value
    if len(ends) == 0:
        return None
    late_below = np.cumsum(timely)[ends]
    n_above = len(lag) - (ends + 1)
    late_above = timely.sum() - late_below
    errors = late_below + (n_above - late_above)
    best = ends[np.argmin(errors)]
    above = slice(best + 1, None)
    share = float(timely[above].mean())
    if len(lag) - best - 1 < MIN_CLAIMS or share < FILING_SHARE:
        return None
    return FilingLimit(days=int(lag[best]), denied_share=round(share, 3),
                       n_after=int(len(lag) - best - 1))


def enrolments(npi: pd.Series, day: np.ndarray, credentialing: np.ndarray,
               denied: np.ndarray) -> list[Enrolment]:
    """Per NPI with credentialing denials: last such denial and first paid date after."""
    out = []
    frame = pd.DataFrame({"npi": npi.astype(object), "day": day, "cred": credentialing,
                          "paid": denied == 0})
    for value, rows in frame[frame["npi"].notna()].groupby("npi", sort=True):
        if not rows["cred"].any():
            continue
        last = rows.loc[rows["cred"], "day"].max()
        later = rows.loc[rows["paid"] & (rows["day"] > last), "day"]
        out.append(Enrolment(npi=str(value), denied_before=as_date(last),
                             paid_from=as_date(later.min()) if len(later) else None,
                             n_denied=int(rows["cred"].sum())))
    return out


def as_date(service_day: float) -> str:
    """ISO date of a `service_day` feature value (days since 2000-01-01)."""
    return (EPOCH + pd.Timedelta(days=float(service_day))).date().isoformat()


def learn_limits(X: pd.DataFrame, payer: pd.Series, denied: np.ndarray,
                 category: pd.Series, rows: np.ndarray,
                 enrolment_gaps: set[tuple[str, str]] | None = None) -> LearnedLimits:
    """Filing limits and enrolments of every payer among the training `rows`.
    `enrolment_gaps`: the (payer, NPI) enrolment gaps of the feature state
    (features/standing.py); only those are enrolments (an NP's Mohs denied for provider
    type, CO-170, is none). None: every NPI with credentialing denials."""
    learned = LearnedLimits()
    if "days_to_submit" not in X or "service_day" not in X:
        return learned  # a matrix without dates (hand-built): nothing to learn from
    lag = X["days_to_submit"].to_numpy(dtype=float)
    day = X["service_day"].to_numpy(dtype=float)
    cat = category.astype(object).to_numpy()
    for p in sorted(payer[rows].dropna().unique()):
        sel = rows & (payer == p).to_numpy()
        learned.n_claims[str(p)] = int(sel.sum())
        learned.code_rates[str(p)] = code_rates(X[sel], denied[sel])
        learned.referral_denials[str(p)] = referral_denials(X[sel], cat[sel])
        gaps, gap_denials = prior_auth_gaps(X[sel], cat[sel])
        learned.pa_gap_claims[str(p)], learned.pa_gap_denials[str(p)] = gaps, gap_denials
        found = filing_limit(lag[sel], (cat[sel] == "timely_filing").astype(float))
        if found is not None:
            learned.filing[str(p)] = found
        npi = X.loc[sel, "rendering_npi"] if "rendering_npi" in X else pd.Series(dtype=object)
        npi = npi.astype(object).reset_index(drop=True)
        cred = cat[sel] == "credentialing"
        if enrolment_gaps is not None:
            mine = {n for q, n in enrolment_gaps if q == str(p)}
            cred &= npi.astype(str).isin(mine).to_numpy()
        found_npi = enrolments(npi, day[sel], cred, denied[sel])
        if found_npi:
            learned.enrolment[str(p)] = found_npi
    return learned
