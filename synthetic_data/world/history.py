"""The patient's history at the practice as of each visit, from the timeline: days since
the last visit, new vs established (CPT: no visit in 3 years), the procedure whose global
period covers the visit (or the most recent 010/090 one), and phototherapy sessions
earlier this calendar year.

These are the history columns the practice's claim system sends (contract/frames.py);
the payers' own record of the patient's earlier claims holds the same facts (rules read
them; shared/domain §11: history across claims).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reference.codes import load_code_table
from reference.families import PHOTOTHERAPY_CODES
from synthetic_data.arrays import isin, lookup, reindexed
from synthetic_data.world.lines import Lines, group_starts
from synthetic_data.world.patients import ESTABLISHED_DAYS, NEVER_SEEN
from synthetic_data.world.timeline import Visits

GLOBAL_LENGTH = {"010": 10, "090": 90}


def line_global_days(cpt: np.ndarray) -> np.ndarray:
    """Global period length (10 or 90; 0 otherwise) of each line's code."""
    glob = reindexed(load_code_table().frame["global_days"], cpt, "")
    return lookup(GLOBAL_LENGTH, glob, 0, dtype=np.int64)


def visit_global(visits: Visits, lines: Lines) -> tuple[np.ndarray, np.ndarray]:
    """Per visit: the longest global its lines start (0 = none) and that line's code."""
    n = len(visits["day"])
    glob = line_global_days(lines["cpt"])
    order = np.lexsort((-glob, lines["visit"]))
    first = order[group_starts(lines["visit"][order])]
    out_days = np.zeros(n, dtype=np.int64)
    out_code = np.full(n, None, dtype=object)
    out_days[lines["visit"][first]] = glob[first]
    out_code[lines["visit"][first]] = lines["cpt"][first]
    return out_days, out_code


def previous_in_patient(patient: np.ndarray, values: np.ndarray, present: np.ndarray,
                        missing) -> np.ndarray:
    """For visits sorted by (patient, day): the value of the latest earlier visit of the
    same patient where `present` holds (`missing` when none)."""
    idx = np.where(present, np.arange(len(patient)), -1)
    last = np.maximum.accumulate(np.r_[-1, idx[:-1]])
    starts = np.zeros(len(patient), dtype=np.int64)
    first = group_starts(patient)
    starts[first] = first
    starts = np.maximum.accumulate(starts)
    ok = last >= starts
    out = np.full(len(patient), missing, dtype=values.dtype)
    out[ok] = values[last[ok]]
    return out


def related_global(visits: Visits, glob: np.ndarray, code: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(days since, global days, code) of the earlier procedure whose global covers the
    visit; when none covers, the most recent earlier 010/090 procedure (NaN when none)."""
    patient, day = visits["patient"], visits["day"]
    found = {}
    for length in (10, 90):
        has = glob == length
        found[length] = (previous_in_patient(patient, day.astype(float), has, np.nan),
                         previous_in_patient(patient, code, has, None))
    since10, since90 = day - found[10][0], day - found[90][0]
    cover10, cover90 = since10 <= 10, since90 <= 90
    use10 = np.where(cover10 | cover90, cover10 & (~cover90 | (since10 <= since90)),
                     np.nan_to_num(since10, nan=1e9) <= np.nan_to_num(since90, nan=1e9))
    since = np.where(use10, since10, since90)
    length = np.where(np.isnan(since), np.nan, np.where(use10, 10.0, 90.0))
    return since, length, np.where(use10, found[10][1], found[90][1])


def photo_sessions_before(visits: Visits, lines: Lines, start: np.datetime64) -> np.ndarray:
    """Phototherapy sessions the practice billed earlier this calendar year (visits with
    phototherapy lines; NaN for the others)."""
    photo = isin(lines["cpt"], PHOTOTHERAPY_CODES)
    sessions = np.bincount(lines["visit"][photo], minlength=len(visits["day"]))
    year = (start + visits["day"].astype("timedelta64[D]")).astype("datetime64[Y]")
    frame = pd.DataFrame({"p": visits["patient"], "y": year.astype(np.int64), "s": sessions})
    before = frame.groupby(["p", "y"], sort=False)["s"].cumsum().to_numpy() - sessions
    return np.where(sessions > 0, before, np.nan)


def patient_history(visits: Visits, lines: Lines, last_seen: np.ndarray,
                    start: np.datetime64) -> dict[str, np.ndarray]:
    """History columns per visit (visits sorted by patient, day; lines by visit)."""
    patient, day = visits["patient"], visits["day"]
    prior = previous_in_patient(patient, day.astype(float), np.ones(len(day), bool), np.nan)
    seen = last_seen[patient].astype(float)
    prior = np.where(np.isnan(prior) & (seen > NEVER_SEEN), seen, prior)
    since_visit = day - prior
    glob, code = visit_global(visits, lines)
    since, length, related = related_global(visits, glob, code)
    return {
        "days_since_last_visit": since_visit,
        "established_patient": since_visit <= ESTABLISHED_DAYS,
        "days_since_related_global_procedure": since,
        "related_global_days": length,
        "related_procedure_code": related,
        "sessions_this_year": photo_sessions_before(visits, lines, start),
        "in_global": since <= length,
        "global_days_started": glob,
    }
