"""Front-desk fields: rendering provider, eligibility check, the credentialing flag,
prior authorization, referral, cosmetic intake, place of service and submission lag.

What the front desk records is what it knew: eligibility verified or not (and coverage
seen lapsed, billed anyway), whether the rendering provider is credentialed (often just
assumed True for a new provider the payer has not enrolled yet), an auth for the codes
the payer lists (sometimes missing, sometimes for a sibling code), a referral for HMO
members. Submission lag is days, sometimes weeks, with a late tail; its distribution is a
fixed table per practice (lag_pmf) so a duplicate submission's odds are known exactly.
"""

from __future__ import annotations

from math import erf, log, sqrt

import numpy as np
import pandas as pd

from synthetic_data.arrays import isin, lookup
from synthetic_data.world.context import WorldCtx
from synthetic_data.world.providers import assign_providers

MAX_LAG = 800
SIBLING: dict[str, str] = {  # the code an auth was wrongly requested for
    "96900": "96910", "96910": "96900", "96912": "96910", "96913": "96912",
    "96920": "96921", "96921": "96920", "96922": "96921", "17311": "17313",
    "17313": "17311", "J3358": "J3357", "J3245": "J3357", "J2357": "J2357",
    "J0135": "J3245",
}
VOLUNTARY_AUTH = 0.10
DUPLICATE_DELAY = (7, 31)  # days after the first submission a duplicate goes out


def lognormal_cdf(x: np.ndarray, median: float, sigma: float) -> np.ndarray:
    """CDF of a log-normal at x (x > 0)."""
    z = (np.log(np.maximum(x, 1e-12)) - log(median)) / (sigma * sqrt(2))
    return 0.5 * (1 + np.vectorize(erf)(z)) * (x > 0)


def lag_pmf(late_share: float) -> np.ndarray:
    """P(lag = k days), k = 0..MAX_LAG: quick (median 3 d), weeks (16 d), late (45 d +
    exponential 90 d) and lost-then-found (300-520 d), lags rounded up to whole days."""
    k = np.arange(MAX_LAG + 1, dtype=float)

    def discrete(cdf) -> np.ndarray:
        upper = cdf(k)
        return np.diff(np.r_[0.0, upper])

    quick = discrete(lambda x: lognormal_cdf(x, 3, 0.7))
    weeks = discrete(lambda x: lognormal_cdf(x, 16, 0.5))
    late = discrete(lambda x: np.where(x >= 45, 1 - np.exp(-(x - 45) / 90), 0.0))
    lost = ((k >= 300) & (k <= 520)) / 221.0
    pmf = ((1 - 0.22 - late_share) * quick + 0.22 * weeks + 0.9 * late_share * late
           + 0.1 * late_share * lost)
    return pmf / pmf.sum()


def sample_lags(rng: np.random.Generator, pmf: np.ndarray, n: int) -> np.ndarray:
    """n lags drawn from a lag pmf."""
    return np.minimum(np.searchsorted(np.cumsum(pmf), rng.random(n)), MAX_LAG)


def rendering_providers(ctx: WorldCtx, world) -> np.ndarray:
    """Provider per visit; Mohs goes to the Mohs surgeons, but the slip lists an NP/PA
    as rendering provider on some Mohs claims."""
    lines, visits = world.lines, world.visits
    n = len(visits["day"])
    mohs = np.zeros(n, dtype=bool)
    mohs[lines["visit"][isin(lines["cpt"], ("17311", "17313"))]] = True
    provider = assign_providers(ctx.rng, ctx.providers, visits["day"], mohs)
    nonphys = np.flatnonzero(ctx.providers.nonphysician)
    slip = mohs & ctx.err("nonphysician_mohs", n)
    if len(nonphys):
        provider[slip] = nonphys[ctx.rng.integers(0, len(nonphys), int(slip.sum()))]
    return provider


def credential_flags(ctx: WorldCtx, provider: np.ndarray, payer: np.ndarray,
                     day: np.ndarray) -> np.ndarray:
    """credentialed_with_payer as recorded: enrolled -> True (sometimes not recorded);
    not yet enrolled -> mostly assumed True, sometimes unknown, rarely False."""
    n = len(day)
    enrolled = ctx.providers.enrolled[provider, payer] <= day
    u = ctx.rng.random(n)
    unknown = ctx.err("credential_flag_unknown", n)
    gap = np.where(u < 0.55, True, np.where(u < 0.85, None, False))
    return np.where(enrolled, np.where(unknown, None, True), gap).astype(object)


def eligibility(ctx: WorldCtx, payer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(eligibility_verified, coverage_active): unverified -> None; verified and seen
    lapsed -> False (billed anyway), by the payer's churn."""
    n = len(payer)
    churn = np.array([p.eligibility_churn for p in ctx.profile.payers])[payer]
    unverified = ctx.chance(np.minimum(ctx.rate("eligibility_unverified") * np.sqrt(churn), 1),
                            n)
    lapsed = ctx.chance(ctx.rate("billed_lapsed") * churn, n)
    return ~unverified, np.where(unverified, None, ~lapsed).astype(object)


def prior_auths(ctx: WorldCtx, lines: dict, payer: np.ndarray, n: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """(prior_auth_number, prior_auth_cpt_codes) per visit for the planned codes (the work,
    before a coder's slip) a payer lists (and voluntarily for a few others); slips: no
    auth, an auth for a sibling code."""
    all_pa = sorted({c for p in ctx.profile.payers for c in p.prior_auth_codes})
    planned = lines["true_cpt"]  # the auth is requested for the scheduled procedure
    required = np.zeros(len(lines["visit"]), dtype=bool)
    line_payer = payer[lines["visit"]]
    for i, p in enumerate(ctx.profile.payers):
        required |= (line_payer == i) & isin(planned, p.prior_auth_codes)
    candidate = isin(planned, all_pa)
    visit = lines["visit"][candidate]
    codes = planned[candidate].astype(object)
    needs = np.bincount(lines["visit"][required], minlength=n) > 0
    has_candidate = np.bincount(visit, minlength=n) > 0
    got = np.where(needs, ~ctx.err("no_prior_auth", n), ctx.chance(VOLUNTARY_AUTH, n))
    got &= has_candidate
    sibling = ctx.err("auth_sibling_code", n)
    swapped = lookup(SIBLING, codes)
    listed = np.where(sibling[visit] & pd.notna(swapped), swapped, codes)
    text = join_per_visit(visit, listed, n)
    number = ("PA" + ctx.rng.integers(1_000_000, 9_999_999, n).astype(str).astype(object))
    return np.where(got, number, None), np.where(got, text, "")


def join_per_visit(visit: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """Space-joined distinct codes per visit ('' for none), in first-use order."""
    key = pd.Series(visit.astype(str), dtype=object) + "|" + pd.Series(codes, dtype=object)
    first = ~key.duplicated().to_numpy()
    visit, codes = visit[first], codes[first]
    text = np.full(n, "", dtype=object)
    single = np.bincount(visit, minlength=n) == 1
    one = single[visit]
    text[visit[one]] = codes[one]
    for v in np.unique(visit[~one]).tolist():
        text[v] = " ".join(codes[visit == v].tolist())
    return text


def referrals(ctx: WorldCtx, payer: np.ndarray) -> np.ndarray:
    """referral_on_file: HMO members have one unless missed; others rarely."""
    n = len(payer)
    required = np.array([p.referral_required for p in ctx.profile.payers])[payer]
    return np.where(required, ~ctx.err("no_referral", n), ctx.chance(0.08, n))


def places_of_service(ctx: WorldCtx, telehealth: np.ndarray) -> np.ndarray:
    """POS per visit: 10 (patient's home) or 02 for telehealth, else the profile mix."""
    codes = np.array(list(ctx.profile.place_of_service_mix), dtype=object)
    weights = np.array(list(ctx.profile.place_of_service_mix.values()))
    office = codes[ctx.rng.choice(len(codes), len(telehealth), p=weights / weights.sum())]
    remote = np.where(ctx.chance(0.8, len(telehealth)), "10", "02")
    return np.where(telehealth, remote, office).astype(object)


def last_line_day(lines: dict, n: int) -> np.ndarray:
    """Largest day offset of each visit's lines (phototherapy weeks span days)."""
    out = np.zeros(n, dtype=np.int64)
    np.maximum.at(out, lines["visit"], lines["day"])
    return out

