"""The history facts of claims, from a practice's earlier claims (interop/history.py).

For a claim on day D (its first date of service) of patient p, from p's store rows dated
before D (a same-day claim is not earlier):
- days_since_related_global_procedure, related_global_days, related_procedure_code: the
  most recent earlier 010/090 procedure whose global period covers D (010: D - P <= 10;
  090: D - P <= 90; a 090 procedure on D + 1 covers D too, the day before a major
  procedure being in its global, and reads as 0 days); when none covers D, the most
  recent 010 procedure of the last 30 days (three times its global, the horizon the
  generator's history uses), so a model also sees visits just after a global ends (features
  compare the days with the global). Nothing links after a 090 global has ended;
- sessions_this_year: earlier dates this calendar year with a code of the same family as
  one of the claim's codes (the largest count over its families: e.g. phototherapy);
- established_patient: a claim in the prior 3 years; days_since_last_visit;
- prior_denials_same_code: earlier denied lines with one of the claim's codes;
- lines_billed_before: the claim's lines whose date of service and code the patient's
  rows show on a claim submitted before this claim's submission day (a copy of a claim
  sent again, or a replacement of it; a same-day claim is not earlier).

history_facts computes them for many claims at once (pandas merge_asof, no Python loop);
claim_facts does the same for one claim in plain Python (serving's lookup). Both read the
same store views and are tested against each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

HISTORY_COLUMNS: tuple[str, ...] = (
    "days_since_related_global_procedure", "related_global_days", "related_procedure_code",
    "sessions_this_year", "established_patient", "days_since_last_visit",
    "prior_denials_same_code", "lines_billed_before",
)
GLOBALS: tuple[int, ...] = (10, 90)
LOOKBACK_DAYS: dict[int, int] = {10: 30, 90: 90}  # how long a procedure stays related
ESTABLISHED_YEARS = 3
DAY = pd.Timedelta(days=1)
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Views:
    """Store rows arranged for lookups, each sorted by date (merge_asof needs it). Codes
    and families are integer ids (`code_names[id]` is the code): merge_asof groups by
    integers without turning millions of strings into Python objects."""

    visits: pd.DataFrame  # patient, date_of_service (distinct)
    procedures: dict[int, pd.DataFrame]  # global days -> patient, date_of_service, cpt
    sessions: pd.DataFrame  # patient, family, year, date_of_service, n (sessions so far)
    denials: pd.DataFrame  # patient, cpt, date_of_service, n (denied lines so far)
    billed: pd.DataFrame  # patient, date_of_service, cpt, first (earliest submission)
    code_names: np.ndarray


def make_views(rows: pd.DataFrame, code_names: np.ndarray) -> Views:
    """Views of coded store rows (patient, date_of_service, cpt and family ids,
    global_days, denied, submission_date)."""
    rows = rows.sort_values(["date_of_service", "patient"], kind="stable")
    visits = rows[["patient", "date_of_service"]].drop_duplicates()
    by_code = rows.sort_values(["date_of_service", "patient", "cpt"], kind="stable")
    procedures = {g: by_code.loc[by_code["global_days"] == g,
                                 ["patient", "date_of_service", "cpt"]]
                  .drop_duplicates(["patient", "date_of_service"]) for g in GLOBALS}
    sessions = rows[["patient", "family", "date_of_service"]].drop_duplicates()
    sessions = sessions.assign(year=sessions["date_of_service"].dt.year.astype("int64"))
    sessions["n"] = sessions.groupby(["patient", "family", "year"]).cumcount() + 1
    denied = rows[rows["denied"].fillna(False).astype(bool)]
    denials = denied.groupby(["patient", "cpt", "date_of_service"], sort=False).size()
    denials = denials.rename("k").reset_index().sort_values("date_of_service", kind="stable")
    denials["n"] = denials.groupby(["patient", "cpt"])["k"].cumsum()
    billed = rows.groupby(["patient", "date_of_service", "cpt"], sort=False)[
        "submission_date"].min().rename("first").reset_index()
    return Views(visits, procedures, sessions, denials.drop(columns="k"), billed, code_names)


def asof(left: pd.DataFrame, right: pd.DataFrame, by: list[str], **kw) -> pd.DataFrame:
    """merge_asof of claims (on `day`) with a view (on date_of_service), earlier rows."""
    left = left.sort_values("day", kind="stable")
    return pd.merge_asof(left, right, left_on="day", right_on="date_of_service", by=by,
                         allow_exact_matches=False, **kw)


def last_visit(claims: pd.DataFrame, views: Views) -> pd.DataFrame:
    """days_since_last_visit and established_patient per key."""
    found = asof(claims, views.visits, ["patient"]).set_index("key")
    days = (found["day"] - found["date_of_service"]).dt.days
    cutoff = found["day"] - pd.DateOffset(years=ESTABLISHED_YEARS)
    established = found["date_of_service"].notna() & (found["date_of_service"] >= cutoff)
    return pd.DataFrame({"days_since_last_visit": days.astype("Int32"),
                         "established_patient": established.astype("boolean")})


def global_candidates(claims: pd.DataFrame, views: Views) -> pd.DataFrame:
    """The last earlier 010 and 090 procedure of each key within its lookback, and a 090
    procedure the next day: key, days, g (global days), cpt, covers (days <= g)."""
    found = []
    for g, view in views.procedures.items():
        back = asof(claims, view, ["patient"]).assign(days=lambda f: (
            f["day"] - f["date_of_service"]).dt.days, g=g)
        found.append(back[back["days"] <= LOOKBACK_DAYS[g]])
        if g == 90:
            ahead = asof(claims, view, ["patient"], direction="forward", tolerance=DAY)
            found.append(ahead[ahead["cpt"].notna()].assign(days=0, g=g))
    out = pd.concat(found)[["key", "days", "g", "cpt"]]
    return out.assign(covers=out["days"] <= out["g"])


def related_procedure(claims: pd.DataFrame, views: Views) -> pd.DataFrame:
    """Per key: the most recent covering procedure (the longer global on a tie), else the
    most recent one within its lookback."""
    found = global_candidates(claims, views).sort_values(
        ["key", "covers", "days", "g", "cpt"], ascending=[True, False, True, False, True])
    found = found.drop_duplicates("key").set_index("key")
    names = views.code_names[found["cpt"].to_numpy(dtype=np.int64)]
    return pd.DataFrame({"days_since_related_global_procedure": found["days"].astype("Int32"),
                         "related_global_days": found["g"].astype("Int32"),
                         "related_procedure_code": pd.array(names, dtype="string")},
                        index=found.index)


def counted(claims: pd.DataFrame, codes: pd.DataFrame, view: pd.DataFrame,
            by: list[str], how: str) -> pd.Series:
    """Per key, the view's running count at the last earlier row for each of the key's
    codes/families (`by` beyond patient), combined by `how` (max or sum); 0 when none."""
    found = asof(codes.merge(claims, on="key"), view, ["patient", *by])
    return found["n"].fillna(0).groupby(found["key"]).agg(how)


def billed_before(claims: pd.DataFrame, codes: pd.DataFrame, views: Views) -> pd.Series:
    """Per key, its lines whose (date of service, code) the patient's rows show on a claim
    submitted before the key's `submitted` day; 0 when none."""
    lines = codes[["key", "cpt", "date_of_service"]].merge(
        claims[["key", "patient", "submitted"]], on="key")
    found = lines.merge(views.billed, on=["patient", "date_of_service", "cpt"])
    hit = found["first"].dt.normalize() < found["submitted"].dt.normalize()
    return hit.groupby(found["key"]).sum()


def history_facts(claims: pd.DataFrame, codes: pd.DataFrame, views: Views) -> pd.DataFrame:
    """HISTORY_COLUMNS for claims (key, patient, day, submitted) with their lines (key,
    cpt, family: the store's ids, -1 for one the store never saw; date_of_service);
    index key, every key present."""
    claims = claims.dropna(subset=["day"])
    families = codes[["key", "family"]].drop_duplicates()
    years = claims.assign(year=claims["day"].dt.year.astype("int64"))
    sessions = counted(years, families, views.sessions, ["family", "year"], "max")
    cpts = codes[["key", "cpt"]].drop_duplicates()
    denials = counted(claims, cpts, views.denials, ["cpt"], "sum")
    out = pd.DataFrame(index=pd.Index(claims["key"], name="key"))
    out = out.join(related_procedure(claims, views)).join(last_visit(claims, views))
    out["sessions_this_year"] = sessions.reindex(out.index).fillna(0).astype("Int32")
    out["prior_denials_same_code"] = denials.reindex(out.index).fillna(0).astype("Int32")
    billed = billed_before(claims, codes, views)
    out["lines_billed_before"] = billed.reindex(out.index).fillna(0).astype("Int32")
    out["established_patient"] = out["established_patient"].fillna(False)
    return out[list(HISTORY_COLUMNS)]


@dataclass(frozen=True)
class PatientRows:
    """One patient's store rows as plain arrays: day numbers (days since 1970-01-01),
    codes, families, global days (-1: none), denied (1, 0, -1 unknown) and the day
    their claim was submitted."""

    days: list[int]
    cpt: list[str]
    family: list[str]
    global_days: list[int]
    denied: list[int]
    submitted: list[int]


def day_number(value: object) -> int:
    """Days since 1970-01-01 of a date, ISO string or Timestamp."""
    return (pd.Timestamp(value).date() - EPOCH).days


def years_before(day: int, years: int) -> int:
    """The day number `years` calendar years before `day` (Feb 29 -> Feb 28), as
    pd.DateOffset(years=...) counts."""
    when = EPOCH + timedelta(days=day)
    try:
        back = when.replace(year=when.year - years)
    except ValueError:
        back = when.replace(year=when.year - years, day=28)
    return (back - EPOCH).days


def year_of(day: int) -> int:
    return (EPOCH + timedelta(days=day)).year


def claim_facts(day: int, codes: set[str], families: set[str], rows: PatientRows,
                services: list[tuple[int, str]], submitted: int) -> dict:
    """HISTORY_COLUMNS of one claim (first date of service `day`, a day number; its
    lines' (day, code) `services`; submitted on day `submitted`) from its patient's rows,
    in plain Python (a patient has few rows; no pandas per lookup)."""
    items = list(zip(rows.days, rows.cpt, rows.family, rows.global_days, rows.denied))
    earlier = [r for r in items if r[0] < day]
    out: dict = dict.fromkeys(HISTORY_COLUMNS)
    last = max((r[0] for r in earlier), default=None)
    out["established_patient"] = last is not None and last >= years_before(
        day, ESTABLISHED_YEARS)
    out["days_since_last_visit"] = None if last is None else day - last
    year = year_of(day)
    this_year = [r for r in earlier if year_of(r[0]) == year]
    out["sessions_this_year"] = max(
        (len({r[0] for r in this_year if r[2] == f}) for f in families), default=0)
    out["prior_denials_same_code"] = sum(1 for r in earlier if r[4] == 1 and r[1] in codes)
    sent_before = {(d, cpt) for d, cpt, s in zip(rows.days, rows.cpt, rows.submitted)
                   if s < submitted}
    out["lines_billed_before"] = sum(1 for service in services if service in sent_before)
    best = min((rank for r in items if r[3] in GLOBALS
                and (rank := procedure_rank(day - r[0], r[3], r[1]))), default=None)
    if best is not None:
        out.update(days_since_related_global_procedure=best[1],
                   related_global_days=-best[2], related_procedure_code=best[3])
    return out


def procedure_rank(days: int, g: int, cpt: str) -> tuple | None:
    """Sort key of a related-procedure candidate `days` before the claim (smallest wins),
    None when unrelated: covering first, then the most recent, the longer global, the
    smaller code."""
    if days == -1 and g == 90:
        return (0, 0, -g, cpt)
    if not 0 < days <= LOOKBACK_DAYS[g]:
        return None
    return (0 if days <= g else 1, days, -g, cpt)
