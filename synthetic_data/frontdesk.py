"""Front-desk fields: eligibility, credentialing, referral, prior auth, cosmetic intake, lag.

These are the administrative causes of denials. Medicaid members churn (coverage lapses
four times as often); HMO (COB) members need a referral; PA-required services carry an
auth number listing the billed codes unless the front desk missed it. Submission lag is
mostly days, sometimes weeks, with a long tail that crosses the payers' filing limits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reference.vocab import PAYERS
from synthetic_data.codemask import code_mask, join_groups
from synthetic_data.context import Ctx
from synthetic_data.lines import Lines
from synthetic_data.payers import PA_REQUIRED, REFERRAL_REQUIRED

ELIGIBILITY_CHURN: dict[str, float] = {  # lapse / unverified multiplier per payer
    "MCR": 0.5, "MCA": 1.0, "MCD": 4.0, "COA": 1.0, "COB": 1.2, "COC": 1.0,
}
PA_CODES: tuple[str, ...] = tuple(sorted({c for v in PA_REQUIRED.values() for c in v}))
PA_SIBLING: dict[str, str] = {  # the code an auth was wrongly requested for
    "96900": "96910", "96910": "96900", "96912": "96910", "96920": "96921",
    "96921": "96920", "96922": "96921", "17311": "17313", "17313": "17311",
    "17312": "17314", "17314": "17312", "J3358": "J3358",
}
VOLUNTARY_PA_RATE = 0.15  # auths obtained where the payer does not require one


def payer_column(table: dict[str, float], payer_idx: np.ndarray) -> np.ndarray:
    """Per-claim value of a payer-keyed table."""
    return np.array([table[p] for p in PAYERS])[payer_idx]


def sample_eligibility(ctx: Ctx, payer_idx: np.ndarray) -> pd.DataFrame:
    """eligibility_verified / coverage_active (None when unverified, False = lapsed)."""
    n = len(payer_idx)
    churn = payer_column(ELIGIBILITY_CHURN, payer_idx)
    unverified = ctx.rng.random(n) < np.minimum(
        ctx.config.error_rate("eligibility_unverified") * np.sqrt(churn), 1)
    lapsed = ctx.rng.random(n) < ctx.config.error_rate("coverage_lapsed") * churn
    active = np.where(unverified, None, ~lapsed).astype(object)
    return pd.DataFrame({"eligibility_verified": ~unverified, "coverage_active": active})


def sample_credentialing(ctx: Ctx, n: int) -> np.ndarray:
    """credentialed_with_payer: True, False (known gap, billed anyway) or None (unknown)."""
    u = ctx.rng.random(n)
    gap = ctx.config.error_rate("uncredentialed")
    unknown = gap + ctx.config.error_rate("credential_unknown")
    return np.where(u < gap, False, np.where(u < unknown, None, True)).astype(object)


def sample_referrals(ctx: Ctx, payer_idx: np.ndarray) -> np.ndarray:
    """referral_on_file: HMO members have one unless missed; others rarely need one."""
    n = len(payer_idx)
    hmo = np.isin(np.asarray(PAYERS)[payer_idx], list(REFERRAL_REQUIRED))
    return np.where(hmo, ~ctx.error("no_referral", n), ctx.chance(0.1, n))


def _billed_pa_codes(lines: Lines) -> tuple[np.ndarray, np.ndarray]:
    """Claims billing PA-type codes and, per claim, those codes space-joined (first use)."""
    pa = code_mask(lines["code"], PA_CODES)
    claim, code, cpt = lines["claim"][pa], lines["code"][pa], lines["cpt"][pa]
    first = ~pd.Series(claim * 1000 + code).duplicated().to_numpy()
    return join_groups(claim[first], cpt[first])


def sample_prior_auth(ctx: Ctx, lines: Lines, payer_idx: np.ndarray) -> pd.DataFrame:
    """prior_auth_number and prior_auth_cpt_codes for claims billing PA-type services."""
    n = len(payer_idx)
    claims, joined = _billed_pa_codes(lines)
    listed = np.asarray(joined, dtype=object)
    required = np.array([bool(PA_REQUIRED[p]) for p in PAYERS])[payer_idx[claims]]
    got = np.where(required, ~ctx.error("no_prior_auth", len(claims)),
                   ctx.chance(VOLUNTARY_PA_RATE, len(claims)))
    wrong = ctx.error("pa_wrong_code", len(claims))
    sibling = pd.Series(listed, dtype=object).str.split().str[0].map(PA_SIBLING)
    listed = np.where(wrong, sibling.to_numpy(dtype=object), listed)
    number = np.full(n, None, dtype=object)
    cpt_codes = np.full(n, "", dtype=object)
    ids = ctx.rng.integers(100000, 999999, len(claims)).astype(str).astype(object)
    number[claims[got]] = "PA-" + ids[got]
    cpt_codes[claims[got]] = listed[got]
    return pd.DataFrame({"prior_auth_number": pd.Series(number, dtype=object),
                         "prior_auth_cpt_codes": pd.Series(cpt_codes, dtype=object)})


def sample_cosmetic_intake(ctx: Ctx, cosmetic_visit: np.ndarray) -> np.ndarray:
    """The patient signed a cosmetic-service intake form (only on cosmetic-looking visits)."""
    return cosmetic_visit & ctx.chance(0.12, len(cosmetic_visit))


def submission_lag(ctx: Ctx, n: int) -> np.ndarray:
    """Days from the last date of service to submission: days, weeks, then a late tail."""
    rng = ctx.rng
    quick = np.ceil(rng.lognormal(np.log(3), 0.7, n))
    weeks = np.ceil(rng.lognormal(np.log(16), 0.5, n))
    late = 45 + np.ceil(rng.exponential(90, n))
    lost = rng.integers(300, 520, n)
    u = rng.random(n)
    p_late = ctx.config.error_rate("late_submission")
    lag = np.select([u < p_late * 0.1, u < p_late, u < p_late + 0.25], [lost, late, weeks],
                    quick)
    return lag.astype(np.int64)
