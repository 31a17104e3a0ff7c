"""Micro-batcher: concurrent requests share scoring calls, results and errors stay per request."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from serving.batcher import MicroBatcher, Unit, take_batch


class GatedScorer:
    """score(claims, options): records each call; the first call waits for `release`."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[tuple[list[Any], Any]] = []
        self.release = threading.Event()
        self.fail_on = fail_on

    def __call__(self, claims: list[Any], options: Any) -> list[str]:
        if not self.calls:
            self.release.wait(5)
        self.calls.append((list(claims), options))
        if self.fail_on in claims:
            raise ValueError(f"cannot score {self.fail_on}")
        return [f"{options}:{c}" for c in claims]


def unit(claims: list[str], options: str) -> Unit:
    return Unit(claims, options, future=None)  # take_batch never touches the future


def test_take_batch_groups_same_options_oldest_first_within_the_claim_limit():
    queue = [unit(["a"], "x"), unit(["b"], "y"), unit(["c", "d"], "x"), unit(["e"] * 5, "x"),
             unit(["f"], "x")]
    batch = take_batch(queue, max_claims=4)
    assert [u.claims for u in batch] == [["a"], ["c", "d"], ["f"]]
    assert [u.claims for u in queue] == [["b"], ["e"] * 5]
    big = take_batch([unit(["z"] * 9, "x")], max_claims=4)  # the oldest unit goes alone
    assert len(big) == 1 and len(big[0].claims) == 9


async def submit_while_busy(scorer: GatedScorer, later: list[tuple[list[str], str]]):
    """Submit one request, queue `later` while it is being scored, then release it."""
    batcher = MicroBatcher(scorer, max_claims=8)
    first = asyncio.ensure_future(batcher.submit(["a"], "x"))
    await asyncio.sleep(0.05)  # the first call is now running (blocked in its thread)
    rest = [asyncio.ensure_future(batcher.submit(c, o)) for c, o in later]
    await asyncio.sleep(0.05)
    scorer.release.set()
    results = await asyncio.gather(first, *rest, return_exceptions=True)
    return batcher, results


def test_requests_arriving_during_a_call_are_scored_together_in_order():
    scorer = GatedScorer()
    batcher, results = asyncio.run(submit_while_busy(
        scorer, [(["b"], "x"), (["c", "d"], "x"), (["e"], "y")]))
    assert results == [["x:a"], ["x:b"], ["x:c", "x:d"], ["y:e"]]
    assert [c for c, _ in scorer.calls] == [["a"], ["b", "c", "d"], ["e"]]
    assert batcher.calls == 3


def test_a_failing_request_gets_its_error_and_the_others_their_results():
    scorer = GatedScorer(fail_on="bad")
    _, results = asyncio.run(submit_while_busy(scorer, [(["b"], "x"), (["bad"], "x"),
                                                        (["c"], "x")]))
    assert results[0] == ["x:a"] and results[1] == ["x:b"] and results[3] == ["x:c"]
    assert isinstance(results[2], ValueError) and "bad" in str(results[2])
    assert ["b", "bad", "c"] in [c for c, _ in scorer.calls]  # tried together first


def test_a_lone_request_is_scored_at_once_in_one_call():
    scorer = GatedScorer()
    scorer.release.set()

    async def one() -> list[Any]:
        batcher = MicroBatcher(scorer)
        out = await asyncio.wait_for(batcher.submit(["a", "b"], "x"), timeout=5)
        assert batcher.calls == 1
        return out

    assert asyncio.run(one()) == ["x:a", "x:b"]


def test_a_cancelled_request_is_not_scored():
    scorer = GatedScorer()

    async def cancel_one() -> list[Any]:
        batcher = MicroBatcher(scorer)
        first = asyncio.ensure_future(batcher.submit(["a"], "x"))
        await asyncio.sleep(0.05)
        gone = asyncio.ensure_future(batcher.submit(["gone"], "x"))
        kept = asyncio.ensure_future(batcher.submit(["kept"], "x"))
        await asyncio.sleep(0.01)
        gone.cancel()
        scorer.release.set()
        with pytest.raises(asyncio.CancelledError):
            await gone
        return [await first, await kept]

    assert asyncio.run(cancel_one()) == [["x:a"], ["x:kept"]]
    assert all("gone" not in c for c, _ in scorer.calls)
