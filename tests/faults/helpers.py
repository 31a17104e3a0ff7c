"""Helpers of the fault tests: store copies, damaged files, CLI subprocesses."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

CLI = str(Path(sys.executable).with_name("denialrisk"))
REPO = Path(__file__).resolve().parents[2]


def copy_store(home: Path, target: Path, keep: tuple[str, ...] | None = None) -> Path:
    """A copy of a BentoML home's model store (only the named models when `keep`)."""
    (target / "models").mkdir(parents=True)
    for folder in sorted((home / "models").iterdir()):
        if folder.is_dir() and (keep is None or folder.name in keep):
            shutil.copytree(folder, target / "models" / folder.name)
    return target


def version_dir(home: Path, name: str) -> Path:
    """The single stored version folder of model `name` (e.g. denialrisk-mcr)."""
    [found] = [p for p in (home / "models" / name).iterdir() if p.is_dir()]
    return found


def truncate(path: Path, fraction: float) -> Path:
    """Cut a file to `fraction` of its size (a half-finished copy); returns it."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


def overwrite_middle(path: Path, junk: bytes = b"#GARBAGE") -> Path:
    """Overwrite bytes in the middle of a file, keeping its size (bit rot)."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle: middle + len(junk)] = junk
    path.write_bytes(bytes(data))
    return path


def cli_env(**extra: str) -> dict[str, str]:
    """The test process environment plus overrides, one LightGBM thread."""
    return {**os.environ, "OMP_NUM_THREADS": "1", **extra}


def file_size_limit(limit: int):
    """preexec_fn capping files the child writes at `limit` bytes (a disk that fills up):
    Python ignores SIGXFSZ, so a larger write fails with EFBIG like a real full disk."""
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def start_cli(args: list[str], env: dict[str, str], log: Path,
              fsize: int | None = None) -> subprocess.Popen:
    """`denialrisk <args>` in its own process group; stdout and stderr go to `log`."""
    out = log.open("wb")
    return subprocess.Popen([CLI, *args], cwd=REPO, env=env, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=file_size_limit(fsize) if fsize else None)


def kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the process group this test started (if still running) and reap it."""
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    proc.wait(timeout=60)


def run_cli(args: list[str], env: dict[str, str], log: Path, fsize: int | None = None,
            timeout: float = 600) -> tuple[int, str]:
    """Run `denialrisk <args>` to completion; (exit code, combined output)."""
    proc = start_cli(args, env, log, fsize)
    try:
        proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            kill_group(proc)
    return proc.returncode, log.read_text(errors="replace")


def readonly_dir(tmp: Path) -> Path:
    """A folder nothing can be created in: chmod 0o500, or under /proc for root (root
    ignores permission bits)."""
    if os.geteuid() == 0:
        return Path("/proc/denialrisk-faults-readonly")
    folder = tmp / "readonly"
    folder.mkdir()
    folder.chmod(0o500)
    return folder


def leftovers(folder: Path) -> list[str]:
    """Temp files a failed write could leave behind (names starting with '.')."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob(".*"))
