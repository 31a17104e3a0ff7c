"""The practice's history store as a running service holds it: read at start, and read
again when an ingest has rewritten it.

Claims sent without history are looked up in the store, and each provider's credentialing
standing with each payer is read from its remits (serving.modelset.with_live_standing).
A practice ingests its new 837P/835 files daily or weekly (`denialrisk ingest --out X`
rewrites X/history); the service should read the new remits (a provider enrolled since)
without a restart. So the service looks at the store's store.json, which `save` writes
last, at most every CHECK_SECONDS, and reloads the store when it changed. A store it
cannot read (half-written, another version) leaves the one it holds in service.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interop.history import META_FILE, HistoryStore, HistoryStoreError
from serving.modelset import ModelSet, with_live_standing

CHECK_SECONDS = 60.0  # how often a request may look at the store's store.json
log = logging.getLogger("denialrisk.serving")


def load_history(path: Path | None) -> Any:
    """The history store at `path` (written by `denialrisk ingest`), or None."""
    if path is None or not (Path(path) / META_FILE).is_file():
        return None
    return HistoryStore.load(Path(path))


def store_stamp(path: Path | None) -> int | None:
    """store.json's modification time (ns), None without a store."""
    try:
        return None if path is None else (Path(path) / META_FILE).stat().st_mtime_ns
    except OSError:
        return None


@dataclass
class PracticeStore:
    """The models as loaded (`base`), the store at `path`, and the models serving it (the
    base with the store's credentialing standing)."""

    path: Path | None
    base: ModelSet
    every: float = CHECK_SECONDS
    store: Any = field(init=False)
    models: ModelSet = field(init=False)
    stamp: int | None = field(init=False)
    checked: float = field(init=False, default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.stamp = store_stamp(self.path)
        self.read(load_history(self.path))

    def read(self, store: Any) -> None:
        """Serve `store` (None: none) and the base models with its standing."""
        self.store = store
        self.models = self.base if store is None else with_live_standing(
            self.base, store.outcomes)

    def current(self) -> tuple[ModelSet, Any]:
        """(models, store) to score with now: reloaded when store.json changed since the
        last look, looked at no more often than every `every` seconds."""
        now = time.monotonic()
        if self.path is not None and now - self.checked >= self.every:
            self.checked = now
            stamp = store_stamp(self.path)
            if stamp != self.stamp:
                self.reload(stamp)
        return self.models, self.store

    def reload(self, stamp: int | None) -> None:
        """Read the rewritten store; keep the held one if it cannot be read."""
        try:
            self.read(load_history(self.path))
        except HistoryStoreError as exc:
            log.warning("history store %s not reloaded (%s); still serving the one read "
                        "before", self.path, exc)
            return
        self.stamp = stamp
        log.info("history store %s reloaded: %d claims answered", self.path,
                 0 if self.store is None else len(self.store.outcomes))
