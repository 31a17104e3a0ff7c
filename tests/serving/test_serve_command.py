"""`denialrisk serve` as a user runs it: a stop signal to the CLI process stops the whole
server (BentoML's arbiter and its workers) and frees the port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.serving.live import LOOPBACK, free_port, wait_ready

pytestmark = pytest.mark.slow


def cli_executable() -> str:
    """The `denialrisk` console script of this environment."""
    return str(Path(sys.executable).with_name("denialrisk"))


def marked_processes(mark: str) -> list[int]:
    """Pids of live processes whose environment holds DENIALRISK_TEST_MARK=mark (the CLI and
    everything it started inherit it)."""
    needle = f"DENIALRISK_TEST_MARK={mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def port_is_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_stops_the_server_and_its_workers(serving_env, tmp_path, signum):
    mark, port = uuid.uuid4().hex, free_port()
    env = {**os.environ, **serving_env, "DENIALRISK_TEST_MARK": mark, "OMP_NUM_THREADS": "1"}
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([cli_executable(), "serve", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_ready(f"http://{LOOPBACK}:{port}", proc)
        assert len(marked_processes(mark)) >= 3  # CLI, BentoML arbiter, worker(s)
        proc.send_signal(signum)  # to the CLI process only, as `kill <pid>` does
        assert proc.wait(timeout=60) == 0
        deadline = time.monotonic() + 15
        while marked_processes(mark) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert marked_processes(mark) == []
        assert port_is_free(port)
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://{LOOPBACK}:{port}/readyz", timeout=2)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in marked_processes(mark):  # only what this test started
            os.kill(pid, signal.SIGKILL)
