"""A real `bentoml serve` subprocess on a loopback port, and a scanner for its captured log.

Used by the HTTP, fuzz, load and security tests (one server per session, see conftest's
`live_server`) and by the load benchmark. The server's stdout and stderr go to one file;
PYTHONUNBUFFERED makes lines land there as they are written.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from denialrisk.commands.run_server import serve_argv

REPO = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T[0-9:.]+(?:[+-]\d{4}|Z)?", re.MULTILINE)
MIN_SCANNED_LENGTH = 8  # shorter fuzzed values ("0", "ab") occur in any log by chance


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """`bentoml serve` of the service in its own process group, output to `log`."""
    out = log.open("wb")
    return subprocess.Popen(serve_argv(port), cwd=REPO, env={**os.environ, **env},
                            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop_server(proc: subprocess.Popen) -> None:
    """SIGTERM the server's process group (the one this code started), then wait."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    """Poll /readyz until 200; fail early if the server process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} not ready after {timeout}s")


@dataclass(frozen=True)
class LiveServer:
    """A running server: its base URL and the file holding its stdout + stderr."""

    url: str
    log: Path


@contextmanager
def running_server(env: dict[str, str], log: Path) -> Iterator[LiveServer]:
    """Start the service on a free loopback port with `env`; stop it on exit."""
    port = free_port()
    env = {"OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1", **env}
    proc = start_server(env, port, log)
    try:
        url = f"http://{LOOPBACK}:{port}"
        wait_ready(url, proc)
        yield LiveServer(url, log)
    finally:
        stop_server(proc)


def log_text(log: Path, offset: int = 0) -> str:
    """The log from byte `offset` on, with the line timestamps removed (today's date is
    not a leaked birth date)."""
    with log.open("rb") as f:
        f.seek(offset)
        return TIMESTAMP.sub("", f.read().decode("utf-8", errors="replace"))


def leaked(text: str, values: Iterable[str]) -> list[str]:
    """The values (long enough to be meaningful) that occur in `text`."""
    return sorted(v for v in set(values) if len(v) >= MIN_SCANNED_LENGTH and v in text)


# Words the server's own log lines are made of (audit records, access log, exception
# lines): a fuzzed "member id" such as "latency_ms" is in the log without being leaked.
LOG_WORDS = ("event prediction claim payer model model_version fallback probability band "
             "latency_ms batch scheme method path type length status trace span sampled "
             "service.name entry_service denialrisk Exception on request failed validation "
             "details returned to the client, not logged application/json text/plain")


class LogWatch:
    """Sensitive values sent to a server, checked against what its log gained since.

    Record values before sending them: a value the log already held (or LOG_WORDS) when
    recorded cannot be told apart from the log's own text, so it is not watched. The
    secrets given at construction (the API key) are always watched.
    """

    def __init__(self, log: Path, secrets: Iterable[str] = ()) -> None:
        self.log = log
        self.start = self.offset = log.stat().st_size
        self.seen = LOG_WORDS + log_text(log)
        self.values: set[str] = set(secrets)
        self.found: set[str] = set()

    def scan(self) -> None:
        """Read what the log gained since the last scan; note watched values in it."""
        size = self.log.stat().st_size
        text = log_text(self.log, self.offset)
        self.offset = size
        self.found.update(leaked(text, self.values))
        self.seen += text

    def record(self, values: Iterable[str]) -> None:
        """Watch values about to be sent (member ids, birth dates)."""
        self.scan()
        self.values.update(v for v in values if isinstance(v, str) and v not in self.seen)

    def new_leaks(self) -> list[str]:
        """Watched values found in the log since the previous call."""
        self.scan()
        found, self.found = sorted(self.found), set()
        return found

    def all_leaks(self) -> list[str]:
        """Watched values found anywhere in the log written since the watch began."""
        return leaked(log_text(self.log, self.start), self.values)


def phi_values(body: object) -> Iterator[str]:
    """Every member_id and birth_date string anywhere in a JSON-like request body."""
    if isinstance(body, dict):
        for key, value in body.items():
            if key in ("member_id", "birth_date") and isinstance(value, str):
                yield value
            else:
                yield from phi_values(value)
    elif isinstance(body, list):
        for item in body:
            yield from phi_values(item)
