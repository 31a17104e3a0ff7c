"""Micro-batching: concurrent requests are scored together, one scoring call at a time.

A claim system sends single claims from many clients at once. Scoring each in its own
thread makes them fight for the GIL (every request then takes as long as all of them) and
pays the per-call fixed cost (frames, feature build, model calls, fix re-scoring) once per
claim. Here every request becomes a unit in a queue; one drain task takes the queued units
that share the same options (up to `max_claims` claims, a bigger unit alone), scores them
with one call in a worker thread and hands each unit its slice of the results.

There is no waiting window: when nothing is being scored a request is scored at once, so
a lone request pays nothing for the batching; requests that arrive while a call runs are
scored together by the next call. A unit whose client went away (cancelled) is skipped.
If a combined call raises, its units are re-scored one by one so that one bad unit gets
its own error and the others their results.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio.to_thread

ScoreFn = Callable[[list[Any], Any], Sequence[Any]]


@dataclass
class Unit:
    """One request's claims, its options and the future its results go to."""

    claims: list[Any]
    options: Hashable
    future: asyncio.Future


def take_batch(queue: list[Unit], max_claims: int) -> list[Unit]:
    """Remove and return the oldest unit plus later units with its options, while the
    total stays within max_claims (the oldest unit is taken whatever its size)."""
    first = queue[0]
    batch, size, keep = [first], len(first.claims), []
    for unit in queue[1:]:
        if unit.options == first.options and size + len(unit.claims) <= max_claims:
            batch.append(unit)
            size += len(unit.claims)
        else:
            keep.append(unit)
    queue[:] = keep
    return batch


def split_results(units: list[Unit], results: Sequence[Any]) -> list[list[Any]]:
    """The results of a combined call cut back into one list per unit (request order)."""
    out, start = [], 0
    for unit in units:
        out.append(list(results[start:start + len(unit.claims)]))
        start += len(unit.claims)
    return out


class MicroBatcher:
    """Queue + single drain task in front of a blocking `score(claims, options)`."""

    def __init__(self, score: ScoreFn, max_claims: int = 64) -> None:
        self.score = score
        self.max_claims = max_claims
        self.queue: list[Unit] = []
        self.drainer: asyncio.Task | None = None
        self.calls = 0  # scoring calls made (for tests and metrics)

    async def submit(self, claims: list[Any], options: Hashable) -> list[Any]:
        """Score `claims` with `options`, batched with whatever else is waiting."""
        loop = asyncio.get_running_loop()
        unit = Unit(list(claims), options, loop.create_future())
        self.queue.append(unit)
        if self.drainer is None or self.drainer.done():
            self.drainer = loop.create_task(self.drain())
        return await unit.future

    async def drain(self) -> None:
        """Score queued units until the queue is empty."""
        while self.queue:
            batch = [u for u in take_batch(self.queue, self.max_claims) if not u.future.done()]
            if batch:
                await self.run(batch)

    async def run(self, units: list[Unit]) -> None:
        """One scoring call for the units; on failure, one call per unit."""
        claims = [c for unit in units for c in unit.claims]
        try:
            self.calls += 1
            results = await anyio.to_thread.run_sync(self.score, claims, units[0].options)
        except Exception as error:  # noqa: BLE001 - re-scored unit by unit below
            if len(units) == 1:
                settle(units[0], error=error)
                return
            for unit in units:
                await self.run([unit])
            return
        for unit, part in zip(units, split_results(units, results)):
            settle(unit, result=part)


def settle(unit: Unit, result: list[Any] | None = None,
           error: BaseException | None = None) -> None:
    """Give a unit its result or error, unless its client already went away."""
    if unit.future.done():
        return
    if error is not None:
        unit.future.set_exception(error)
    else:
        unit.future.set_result(result)
