"""Progress of a long ingest: a rich progress bar on stderr (files read, partitions
labelled and written), or nothing when disabled."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Tick = Callable[[str, int], None]
STEPS = {"read": "reading X12 files", "label": "labelling partitions",
         "write": "writing the data set"}


def quiet(task: str, n: int) -> None:
    """A tick that shows nothing."""


@contextmanager
def ticker(enabled: bool, files: int, partitions: int) -> Iterator[Tick]:
    """A tick(task, n) callable: 'read' advances one file (n = claims or remits in it),
    'label' and 'write' advance n partitions."""
    if not enabled:
        yield quiet
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (TextColumn("{task.description:22s}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("{task.fields[items]}"))
    with Progress(*columns, console=Console(stderr=True)) as bar:
        totals = {"read": files, "label": partitions, "write": partitions}
        tasks = {k: bar.add_task(STEPS[k], total=totals[k], items="") for k in STEPS}
        seen = {"read": 0}

        def tick(task: str, n: int) -> None:
            if task == "read":
                seen["read"] += n
                bar.update(tasks["read"], advance=1, items=f"{seen['read']:,} records")
            else:
                bar.advance(tasks[task], n)

        yield tick
