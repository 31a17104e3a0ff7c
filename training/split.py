"""Time-based train / validation / test split of a claims data set.

Models are judged on the newest months, as they would be used: trained on older claims,
early-stopped and calibrated on the month(s) just before the test window, and tested on
the last `test_months` months (which contain the COA rule change of 2026-04-01, so drift
shows in the test metrics instead of being averaged away).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames


@dataclass(frozen=True)
class TimeSplit:
    """Boolean masks over frames.claims rows plus the month boundaries that define them."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    months: pd.Series  # period[M] of each claim (aligned with frames.claims)
    val_start: pd.Period
    test_start: pd.Period

    def window(self) -> dict[str, str]:
        """The month boundaries as strings (for bundle metadata and MLflow params)."""
        m = self.months
        return {
            "train_start": str(m[self.train].min()), "train_end": str(m[self.train].max()),
            "val_start": str(self.val_start), "test_start": str(self.test_start),
            "test_end": str(m.max()),
        }


def claim_service_dates(frames: ClaimFrames) -> pd.Series:
    """First date of service of each claim (its lines' earliest), else its submission date.

    Date of service is what payer rule changes key on (the COA change applies to services
    from 2026-04-01), so months are counted on it rather than on submission lag.
    """
    claims, lines = frames.claims, frames.lines
    first = lines.groupby("claim_id", observed=True)["date_of_service"].min()
    dos = claims["claim_id"].map(first)
    dos = pd.to_datetime(dos).astype("datetime64[ns]")
    return dos.fillna(pd.to_datetime(claims["submission_date"])).reset_index(drop=True)


def test_window_months(n_months: int, test_months: int, val_months: int) -> int:
    """Test months of a history spanning n_months: as configured, fewer when the history
    is short, so that at least as many months train as test (a six-month history: 2
    test, 1 validation, 3 training; 18 months: the configured 3)."""
    return min(test_months, max(1, (n_months - val_months) // 2))


def time_split(dates: pd.Series, test_months: int, val_months: int) -> TimeSplit:
    """Split by calendar month: last `test_months` test (test_window_months: fewer on a
    short history), `val_months` before them validation."""
    months = pd.Series(pd.PeriodIndex(pd.to_datetime(dates), freq="M")).reset_index(drop=True)
    last = months.max()
    test_months = test_window_months((last - months.min()).n + 1, test_months, val_months)
    test_start = last - (test_months - 1)
    val_start = test_start - val_months
    test = (months >= test_start).to_numpy()
    val = ((months >= val_start) & (months < test_start)).to_numpy()
    train = (months < val_start).to_numpy()
    if not train.any() or not val.any():
        raise ValueError(f"data from {months.min()} to {last} is too short for "
                         f"{val_months} validation + {test_months} test months")
    return TimeSplit(train, val, test, months, val_start, test_start)


def subset_frames(frames: ClaimFrames, mask: np.ndarray) -> ClaimFrames:
    """The claims selected by a boolean mask, with their lines (order preserved)."""
    claims = frames.claims.loc[mask].reset_index(drop=True)
    lines = frames.lines[frames.lines["claim_id"].isin(claims["claim_id"])]
    return ClaimFrames(claims, lines.reset_index(drop=True))
