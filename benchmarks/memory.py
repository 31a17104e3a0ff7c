"""Resident memory of the serving process tree, and of LightGBM boosters alone.

The raw figure is a bare Python process that imports lightgbm and loads every booster
file of a model store (nothing else): the service's RSS over it is its memory overhead.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any


def tree_rss_mb(pid: int) -> dict[str, Any]:
    """Resident memory of a process and all its descendants (the server's arbiter and
    workers), total and per process."""
    import psutil

    root = psutil.Process(pid)
    procs = [root, *root.children(recursive=True)]
    each = [{"pid": p.pid, "name": p.name(), "rss_mb": round(p.memory_info().rss / 2**20, 1)}
            for p in procs if p.is_running()]
    return {"total_mb": round(sum(p["rss_mb"] for p in each), 1), "processes": each}


RAW_LOADER = """
import sys, lightgbm as lgb, psutil
boosters = [lgb.Booster(model_file=f) for f in sys.argv[1:]]
print(psutil.Process().memory_info().rss)
"""


def raw_boosters_rss_mb(home: Path) -> float:
    """RSS of a bare Python process holding only the store's LightGBM boosters."""
    files = sorted(str(p) for p in Path(home).glob("models/*/*/*.txt"))
    out = subprocess.run([sys.executable, "-c", RAW_LOADER, *files], capture_output=True,
                         text=True, check=True, timeout=600)
    return round(int(out.stdout.split()[-1]) / 2**20, 1)
