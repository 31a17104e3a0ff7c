"""Patient timelines: when each patient comes and why, as visits (one claim each).

Primary visits arise per patient as Poisson processes whose rates follow the patient's
conditions (office problems, skin checks, actinic keratoses each season with a winter
peak, wart series, benign removals, injections, phototherapy courses billed in weekly
claims, biologic maintenance every 4-12 weeks, PDT, cosmetic requests, abscesses,
telehealth). Follow-ups come from what happened (synthetic_data/world/__init__.py): a
malignant biopsy brings an excision, Mohs, ED&C or a flap weeks later; positive margins a
re-excision inside the 010 global; a complication an unplanned return; some routine
post-op visits get billed. Days count from the window start (day 0); the simulation
starts a warm-up year earlier so history columns are right from day 0.
"""

from __future__ import annotations

import numpy as np

from synthetic_data.world.patients import AGE_SENIOR, Patients

KINDS: tuple[str, ...] = (
    "office", "skin_check", "ak", "warts", "benign_removal", "injection", "phototherapy",
    "biologic", "pdt", "cosmetic", "abscess", "telehealth", "excision_malignant", "mohs",
    "edc", "att", "reexcision", "complication", "postop",
)
K: dict[str, int] = {name: i for i, name in enumerate(KINDS)}
RELATION_NONE, RELATION_STAGED, RELATION_COMPLICATION, RELATION_POSTOP = 0, 1, 2, 3
Visits = dict[str, np.ndarray]
# Visits per patient-year: base + sum(weight x condition).
RATES: dict[str, tuple[float, dict[str, float]]] = {
    "office": (0.50, {"inflammatory": 0.9, "acne": 0.7, "cancer": 0.3, "benign": 0.15,
                      "keloid_alopecia": 0.3}),
    "skin_check": (0.10, {"cancer": 0.95, "senior": 0.20, "benign": 0.25}),
    "ak": (0.0, {"actinic": 1.3}),
    "warts": (0.0, {"warts": 0.9}),
    "benign_removal": (0.04, {"benign": 0.28, "warts": 0.05}),
    "injection": (0.0, {"keloid_alopecia": 1.8, "acne": 0.35}),
    "phototherapy": (0.0, {"phototherapy": 0.8}),
    "pdt": (0.0, {"actinic": 0.18}),
    "cosmetic": (0.0, {"cosmetic": 0.9}),
    "abscess": (0.03, {}),
    "telehealth": (0.0, {"acne": 0.9, "inflammatory": 0.5}),
}
AK_MONTH_WEIGHT = np.array([1.0, 0.95, 0.85, 0.65, 0.40, 0.27, 0.27, 0.33, 0.55, 0.80,
                            1.0, 1.0])
BIOLOGIC_DRUGS = ("J3358", "J3245", "J2357")
BIOLOGIC_EVERY = np.array([56, 84, 28])  # days between doses
BIOLOGIC_MIX = (0.40, 0.35, 0.25)
CARRIED = ("f_site", "f_side", "f_kind")


def new_visits(patient: np.ndarray, day: np.ndarray, kind: int | np.ndarray,
               **columns: np.ndarray) -> Visits:
    """A visits table: patient, day, kind plus carried columns (defaults: no parent, no
    relation, no carried lesion, 0 sessions, no drug)."""
    n = len(patient)
    out: Visits = {
        "patient": np.asarray(patient, dtype=np.int64), "day": np.asarray(day, np.int64),
        "kind": np.broadcast_to(np.asarray(kind, dtype=np.int64), (n,)).copy(),
        "parent": np.full(n, -1, dtype=np.int64),
        "relation": np.full(n, RELATION_NONE, dtype=np.int64),
        "f_size": np.full(n, np.nan), "f_excised": np.full(n, np.nan),
        "sessions": np.zeros(n, dtype=np.int64), "drug": np.full(n, None, dtype=object),
        "new_patient": np.zeros(n, dtype=bool), "em_separate": np.zeros(n, dtype=bool),
        "decision": np.zeros(n, dtype=bool), "cosmetic": np.zeros(n, dtype=bool),
        "telehealth": np.zeros(n, dtype=bool),
    }
    for col in CARRIED:
        out[col] = np.full(n, None, dtype=object)
    for name, values in columns.items():
        out[name] = np.asarray(values).copy() if np.ndim(values) else np.full(
            n, values, dtype=out[name].dtype)
    return out


def concat_visits(parts: list[Visits]) -> Visits:
    """One visits table from several (same columns)."""
    kept = [p for p in parts if len(p["patient"])] or parts[:1]
    if not kept:
        return new_visits(np.zeros(0, np.int64), np.zeros(0, np.int64), 0)
    return {k: np.concatenate([p[k] for p in kept]) for k in kept[0]}


def to_weekday(days: np.ndarray, start: np.datetime64) -> np.ndarray:
    """Move Saturdays to Friday and Sundays to Monday (clinic days)."""
    weekday = (start.astype("datetime64[D]").astype(np.int64) + days - 4) % 7  # 0 = Monday
    return days + np.select([weekday == 5, weekday == 6], [-1, 1], 0)


def exposure(patients: Patients, span: int) -> tuple[np.ndarray, np.ndarray]:
    """First day each patient can be seen, and the years until the window end."""
    first = patients.arrives
    return first, np.maximum(span - first, 0) / 365.25


def visit_rate(patients: Patients, kind: str) -> np.ndarray:
    """Visits per year of `kind` for each patient, from their conditions."""
    base, weights = RATES[kind]
    rate = np.full(len(patients), base)
    for condition, w in weights.items():
        has = patients.band == AGE_SENIOR if condition == "senior" else \
            patients.conditions[condition]
        rate = rate + w * has
    return rate


def poisson_days(rng: np.random.Generator, first: np.ndarray, span: int, rate: np.ndarray,
                 years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(patient, day) of Poisson visits at `rate` per year from `first` to `span`."""
    n = rng.poisson(rate * years)
    patient = np.repeat(np.arange(len(rate)), n)
    lo = first[patient]
    return patient, lo + (rng.random(len(patient)) * (span - lo + 1)).astype(np.int64)


def seasonal(rng: np.random.Generator, patient: np.ndarray, day: np.ndarray,
             first: np.ndarray, span: int, start: np.datetime64) -> np.ndarray:
    """Redraw days so visits follow AK_MONTH_WEIGHT (up to three rejection rounds)."""
    day = day.copy()
    for _ in range(3):
        month = (start + day.astype("timedelta64[D]")).astype("datetime64[M]").astype(
            np.int64) % 12
        redo = rng.random(len(day)) > AK_MONTH_WEIGHT[month]
        lo = first[patient[redo]]
        day[redo] = lo + (rng.random(int(redo.sum())) * (span - lo + 1)).astype(np.int64)
    return day


def repeat_series(patient: np.ndarray, first_day: np.ndarray, every: np.ndarray,
                  count: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expand series (first day, interval, count) into (patient, day, index in series)."""
    rows = np.repeat(np.arange(len(patient)), count)
    index = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
    return patient[rows], first_day[rows] + index * every[rows], index


def wart_series(rng: np.random.Generator, patients: Patients, first: np.ndarray,
                years: np.ndarray, span: int) -> Visits:
    """Wart treatment series: 2-4 cryotherapy visits three to four weeks apart."""
    patient, day = poisson_days(rng, first, span, visit_rate(patients, "warts"), years)
    count = rng.integers(2, 5, len(patient))
    every = rng.integers(21, 29, len(patient))
    patient, day, _ = repeat_series(patient, day, every, count)
    return new_visits(patient, day, K["warts"])


def phototherapy_weeks(rng: np.random.Generator, patients: Patients, first: np.ndarray,
                       years: np.ndarray, span: int, start: np.datetime64) -> Visits:
    """Phototherapy courses of 18-36 sessions, three a week (Mon/Wed/Fri), each week
    billed on one claim with a line per session date."""
    patient, day = poisson_days(rng, first, span, visit_rate(patients, "phototherapy"), years)
    weekday = (start.astype("datetime64[D]").astype(np.int64) + day - 4) % 7
    monday = day - weekday
    sessions = rng.integers(18, 37, len(patient))
    weeks = -(-sessions // 3)
    patient, week_day, week = repeat_series(patient, monday, np.full(len(patient), 7), weeks)
    left = np.repeat(sessions, weeks) - 3 * week
    return new_visits(patient, week_day, K["phototherapy"], sessions=np.minimum(left, 3))


def biologic_doses(rng: np.random.Generator, patients: Patients, first: np.ndarray,
                   span: int) -> Visits:
    """Office-administered biologics on a fixed schedule from a random phase."""
    patient = np.flatnonzero(patients.conditions["biologic"])
    drug = rng.choice(len(BIOLOGIC_DRUGS), len(patient), p=BIOLOGIC_MIX)
    every = BIOLOGIC_EVERY[drug]
    day0 = first[patient] + (rng.random(len(patient)) * every).astype(np.int64)
    count = np.maximum((span - day0) // every + 1, 0)
    rows = np.repeat(np.arange(len(patient)), count)
    patient, day, _ = repeat_series(patient, day0, every, count)
    return new_visits(patient, day, K["biologic"],
                      drug=np.asarray(BIOLOGIC_DRUGS, dtype=object)[drug[rows]])


def primary_visits(rng: np.random.Generator, patients: Patients, span: int,
                   start: np.datetime64) -> Visits:
    """Every visit a patient makes on their own account over the simulated period."""
    first, years = exposure(patients, span)
    parts = []
    for kind in RATES:
        if kind in ("phototherapy", "warts"):
            continue
        patient, day = poisson_days(rng, first, span, visit_rate(patients, kind), years)
        if kind in ("ak", "pdt"):
            day = seasonal(rng, patient, day, first, span, start)
        parts.append(new_visits(patient, day, K[kind]))
    parts += [wart_series(rng, patients, first, years, span),
              phototherapy_weeks(rng, patients, first, years, span, start),
              biologic_doses(rng, patients, first, span)]
    visits = concat_visits(parts)
    visits["day"] = np.where(visits["kind"] == K["phototherapy"], visits["day"],
                             to_weekday(visits["day"], start))
    return visits
