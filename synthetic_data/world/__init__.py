"""The practice's world: patients with timelines, visits, lesion truth, coding with the
practice's habits as errors, documentation and front desk: the claims the practice sends.

build_world runs the timeline in three waves: the visits patients make on their own
(primary), the treatments their malignant biopsies call for, then re-excisions,
complications and billed post-op visits after surgery. Each wave's visits are billed by
synthetic_data.world.services; the history columns are computed once all visits are
known. Nothing here decides a denial (that is synthetic_data.rules + adjudicate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic_data.world.context import WorldCtx
from synthetic_data.world.followups import surgery_followups, treatment_visits
from synthetic_data.world.history import patient_history
from synthetic_data.world.lines import Lines, stack_lines, take
from synthetic_data.world.patients import ESTABLISHED_DAYS, NEVER_SEEN
from synthetic_data.world.services import build_services
from synthetic_data.world.timeline import K, Visits, concat_visits, primary_visits

COLLISION_ROUNDS = 4


@dataclass
class World:
    """All visits of a block (sorted by patient, day), their lines and history."""

    visits: Visits
    lines: Lines
    history: dict[str, np.ndarray]


def sort_visits(visits: Visits) -> tuple[Visits, np.ndarray]:
    """Visits sorted by (patient, day, kind); returns the table and old -> new positions."""
    order = np.lexsort((visits["kind"], visits["day"], visits["patient"]))
    new_pos = np.empty(len(order), dtype=np.int64)
    new_pos[order] = np.arange(len(order))
    out = {k: v[order] for k, v in visits.items()}
    out["parent"] = np.where(out["parent"] >= 0, new_pos[np.maximum(out["parent"], 0)], -1)
    return out, new_pos


def next_clinic_day(days: np.ndarray, start: np.datetime64) -> np.ndarray:
    """The next weekday after each day."""
    nxt = days + 1
    weekday = (start.astype("datetime64[D]").astype(np.int64) + nxt - 4) % 7  # 0 = Monday
    return nxt + np.select([weekday == 5, weekday == 6], [2, 1], 0)


def separate_same_day(visits: Visits, start: np.datetime64) -> Visits:
    """One visit per patient per day: a later-sorted visit on a taken day moves on a day
    (then to a weekday), a few rounds; phototherapy weeks keep their Monday."""
    for _ in range(COLLISION_ROUNDS):
        visits, _ = sort_visits(visits)
        clash = np.r_[False, (visits["patient"][1:] == visits["patient"][:-1])
                      & (visits["day"][1:] == visits["day"][:-1])]
        if not clash.any():
            break
        visits["day"] = np.where(clash, next_clinic_day(visits["day"], start), visits["day"])
    return visits


def mark_new_patients(visits: Visits, last_seen: np.ndarray) -> None:
    """new_patient: no earlier visit (simulated or before) within 3 years (in place)."""
    patient, day = visits["patient"], visits["day"]
    same = np.r_[False, patient[1:] == patient[:-1]]
    prior = np.where(same, np.r_[0, day[:-1]], last_seen[patient])
    visits["new_patient"] = ~same & ((last_seen[patient] == NEVER_SEEN)
                                     | (day - prior > ESTABLISHED_DAYS))


def billed_wave(ctx: WorldCtx, visits: Visits, offset: int) -> list[Lines]:
    """Line blocks of one wave of visits, positions shifted into the combined table."""
    blocks = build_services(ctx, visits)
    for block in blocks:
        block["visit"] = block["visit"] + offset
    return blocks


def build_world(ctx: WorldCtx) -> World:
    """Visits, lines and history of the block's patients over the simulated period."""
    first = separate_same_day(primary_visits(ctx.rng, ctx.patients, ctx.span, ctx.start),
                              ctx.start)
    mark_new_patients(first, ctx.patients.last_seen)
    blocks = billed_wave(ctx, first, 0)
    second = treatment_visits(ctx, first)
    blocks += billed_wave(ctx, second, len(first["day"]))
    both = concat_visits([first, second])
    third = surgery_followups(ctx, both, 0)
    third_visits = concat_visits(third)
    blocks += billed_wave(ctx, third_visits, len(both["day"]))
    visits = concat_visits([both, third_visits])
    return finish_world(ctx, visits, stack_lines(blocks))


def finish_world(ctx: WorldCtx, visits: Visits, lines: Lines) -> World:
    """Drop visits past the window end, separate same-day visits, sort, and compute the
    history columns."""
    keep = visits["day"] <= ctx.span
    visits = {k: v[keep] for k, v in visits.items()}
    remap = np.cumsum(keep) - 1
    lines = take(lines, keep[lines["visit"]])
    lines["visit"] = remap[lines["visit"]]
    visits["parent"] = np.where((visits["parent"] >= 0) & keep[np.maximum(visits["parent"], 0)],
                                remap[np.maximum(visits["parent"], 0)], -1)
    visits["_id"] = np.arange(len(visits["day"]))
    visits = separate_same_day(visits, ctx.start)
    position = np.empty(len(visits["_id"]), dtype=np.int64)
    position[visits.pop("_id")] = np.arange(len(position))
    lines["visit"] = position[lines["visit"]]
    lines = take(lines, np.lexsort((lines["line"], lines["visit"])))
    history = patient_history(visits, lines, ctx.patients.last_seen, ctx.start)
    return World(visits=visits, lines=lines, history=history)


__all__ = ["K", "World", "build_world"]
