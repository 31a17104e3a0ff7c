"""`denialrisk serve`'s child handling (run_server.run_in_foreground) without BentoML: a
stop signal to this process reaches the child's whole process group, grandchildren too."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import pytest

from denialrisk.commands.run_server import run_in_foreground

CHILD = ("import subprocess, sys, time; "
         "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
         "print(p.pid, flush=True); time.sleep(120)")


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="signal handlers need the main thread")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_ends_the_child_group_and_returns_0(tmp_path, signum):
    started: list[int] = []

    def stop_soon() -> None:
        out = tmp_path / "child.out"
        for _ in range(600):  # wait until the grandchild exists (30 s: a loaded machine)
            if out.exists() and out.read_text().strip():
                break
            threading.Event().wait(0.05)
        started.append(int(out.read_text().split()[0]))
        os.kill(os.getpid(), signum)

    threading.Thread(target=stop_soon, daemon=True).start()
    before = signal.getsignal(signum)
    with (tmp_path / "child.out").open("w") as out:
        sys.stdout.flush()
        saved = os.dup(1)
        os.dup2(out.fileno(), 1)  # the child prints its grandchild's pid to our stdout
        try:
            code = run_in_foreground([sys.executable, "-c", CHILD], dict(os.environ))
        finally:
            os.dup2(saved, 1)
            os.close(saved)
    assert code == 0
    assert signal.getsignal(signum) == before  # our handler is gone again
    stat = Path(f"/proc/{started[0]}/stat")  # the grandchild: gone (or a zombie)
    assert not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"
