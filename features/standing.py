"""A rendering provider's standing with a payer: in a credentialing gap, or paid since.

A provider new to the practice is billed before every payer has enrolled them: the payer
denies the claims (CO-B7 / CO-185, credentialing) until the enrolment takes effect, and
pays from then on (shared/domain §11). The NPI alone cannot tell the two periods apart: a
model that learned "this NPI is denied" keeps scoring the provider's clean claims as
risky long after the payer paid them. A billing office knows the difference from its
remits: once the payer paid Dr X after the denials, Dr X is enrolled.

The feature state keeps, per (payer, NPI) with MIN_GAP_DENIALS or more enrolment denials
in its training claims, the days on which that standing changed as the practice learned
it: a claim's remit is taken as known REMIT_AFTER_DAYS after its submission, and a gap
from the day its MIN_GAP_DENIALS-th enrolment denial is known. A gap denies
every claim of the provider; a single enrolment denial of an enrolled provider is a
slip; CO-170, a service denied for the provider's type, is no enrolment. Every claim then
reads the standing known before its date of service, training and serving alike; where
the practice's later remits are at hand (its history store, or a data set evaluated),
live_changes reads them, so an enrolment after training is known without a retrain:
  0  no enrolment denial known for this provider at this payer;
  1  paid after its last known enrolment denial (enrolled);
  2  an enrolment denial is the last thing known (not yet enrolled).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from contract.outcome import has_provider_outcomes
from features.claim_features import EPOCH
from reference.carc import ENROLMENT_CARCS, carc_of

STANDING = "provider_credentialing_standing"
# An 835 is back within 30 days of the claim's submission: Medicare pays a clean electronic
# claim from its 14th day, and state prompt-pay laws give commercial payers about 30 days.
REMIT_AFTER_DAYS = 30
MIN_GAP_DENIALS = 3  # enrolment denials that make a gap (one alone: a clerical slip)
PAID, GAP = 1, 2


def credentialing_changes(claims: pd.DataFrame) -> list[tuple[str, str, int, int]]:
    """(payer, NPI, day known, standing) each time a provider's standing with a payer
    changed in the claims' outcomes (denied, denial_carc: an enrolment denial, CO-B7 /
    CO-185 / CO-208), from the gap's MIN_GAP_DENIALS-th such denial on; nothing without
    outcome columns (claims to be scored). `claims`: contract/outcome.py's
    PROVIDER_OUTCOME_COLUMNS of a data set or a history store; a claim without a remit
    yet (denied NA) tells nothing."""
    if not has_provider_outcomes(claims):
        return []
    cred = enrolment_denials(claims["denial_carc"])
    denied = claims["denied"].astype("boolean")
    paid = (~denied.fillna(True)).to_numpy(dtype=bool)  # no remit yet: nothing known
    sent = pd.to_datetime(claims["submission_date"]).to_numpy("datetime64[D]")
    frame = pd.DataFrame({
        "payer": claims["payer_id"].to_numpy(dtype=object),
        "npi": claims["rendering_npi"].to_numpy(dtype=object),
        "day": (sent - EPOCH) / np.timedelta64(1, "D") + REMIT_AFTER_DAYS,
        "status": np.where(cred, GAP, np.where(paid, PAID, 0))})
    frame = frame[(frame["status"] > 0) & frame["npi"].notna() & frame["payer"].notna()
                  & np.isfinite(frame["day"])]
    # a gap is known once its MIN_GAP_DENIALS-th enrolment denial is (never earlier: the
    # service cannot know that a first denial will not stay a slip)
    denials = frame.loc[frame["status"] == GAP].sort_values("day", kind="stable")
    nth = denials.groupby(["payer", "npi"]).cumcount() == MIN_GAP_DENIALS - 1
    gaps = denials.loc[nth].set_index(["payer", "npi"])["day"]
    if gaps.empty:
        return []
    frame = frame.join(gaps.rename("first_gap"), on=["payer", "npi"], how="inner")
    frame = frame[frame["day"] >= frame["first_gap"]]
    # one status per day (a denial outweighs a payment the same day), then its changes
    daily = frame.groupby(["payer", "npi", "day"], sort=True)["status"].max().reset_index()
    key = daily["payer"].astype(str) + "\x00" + daily["npi"].astype(str)
    changed = (daily["status"] != daily["status"].shift()) | (key != key.shift())
    return [(str(p), str(n), int(d), int(s)) for p, n, d, s in
            daily.loc[changed, ["payer", "npi", "day", "status"]].itertuples(index=False)]


def enrolment_denials(carcs: pd.Series) -> np.ndarray:
    """Claims whose denial CARC is an enrolment one (each distinct CARC parsed once)."""
    codes, uniques = pd.factorize(carcs)
    enrolment = np.array([carc_of(v) in ENROLMENT_CARCS for v in uniques], dtype=bool)
    return (codes >= 0) & np.append(enrolment, False)[codes]


def live_changes(trained: Sequence[Sequence[Any]], claims: pd.DataFrame
                 ) -> list[tuple[str, str, int, int]]:
    """A state's changes updated with the outcomes of `claims` (the practice's remits up
    to now): a provider's changes read there replace those learned in training, whose
    remits they include; providers they do not cover keep theirs. Claims without outcome
    columns change nothing."""
    if not has_provider_outcomes(claims):
        return [tuple(c) for c in trained]
    live = credentialing_changes(claims)
    pairs = claims[["payer_id", "rendering_npi"]].drop_duplicates().astype(str)
    covered = set(zip(pairs["payer_id"], pairs["rendering_npi"]))
    kept = [tuple(c) for c in trained if (str(c[0]), str(c[1])) not in covered]
    return sorted(kept + live)


def standing(raw: Mapping[str, Any], changes: Sequence[Sequence[Any]]) -> np.ndarray:
    """Each claim's provider standing with its payer known before its date of service.

    On the serving path for every request: the change table is built once per state
    (change_table), and only claims of a provider with changes are looked up."""
    day = np.asarray(raw["service_day"], dtype=float)
    out = np.zeros(len(day))
    if not len(changes):
        return out
    table = change_table(tuple(tuple(c) for c in changes))
    npis = {npi for _, npi in table}
    npi = np.asarray(raw["rendering_npi"], dtype=object)
    rows = np.flatnonzero(np.fromiter((v in npis for v in npi), dtype=bool, count=len(npi)))
    if not len(rows):
        return out
    payer = np.asarray(raw["payer_id"], dtype=object)
    index = {key: k for k, key in enumerate(table)}
    code = np.fromiter((index.get((payer[r], npi[r]), -1) for r in rows), dtype=np.int64,
                       count=len(rows))
    for k, (days, status) in enumerate(table.values()):
        mine = rows[code == k]
        if len(mine):
            before = np.searchsorted(days, day[mine], side="left") - 1  # strictly earlier
            out[mine] = np.where(before >= 0, status[np.maximum(before, 0)], 0.0)
    return out


@lru_cache(maxsize=32)
def change_table(changes: tuple[tuple[Any, ...], ...]
                 ) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """(payer, NPI) -> (days known, standing from then), days ascending."""
    grouped: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for payer, npi, day, status in changes:
        grouped.setdefault((str(payer), str(npi)), []).append((float(day), float(status)))
    return {key: (np.array([d for d, _ in sorted(v)]), np.array([s for _, s in sorted(v)]))
            for key, v in grouped.items()}


def gap_keys(changes: Sequence[Sequence[Any]]) -> set[tuple[str, str]]:
    """(payer, NPI) of every enrolment gap among the changes (a feature state's)."""
    return {(str(c[0]), str(c[1])) for c in changes}


def with_standing(raw: Mapping[str, Any], changes: Sequence[Sequence[Any]]
                  ) -> dict[str, Any]:
    """The raw columns with the standing column added (a new dict: raw is shared)."""
    return {**raw, STANDING: standing(raw, changes)}
