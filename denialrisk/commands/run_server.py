"""Entry points behind `denialrisk serve` and `denialrisk score` (wired in denialrisk/cli.py).

Both check what they can before doing work, so the CLI prints one clear line instead of a
server traceback: the API key (or --insecure-dev) and a loadable model store (pooled model
present, feature versions matching the code). `serve` runs `bentoml serve` as a child in
its own process group and passes SIGTERM / SIGINT / SIGHUP on to that group, so stopping
`denialrisk serve` stops the server and its workers and frees the port.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from serving.config import (
    SERVICE_NAME,
    ServingSettings,
    check_auth_configured,
    get_serving_settings,
)
from serving.offline import ScoreSummary, score_file
from serving.scoring import Options, Predictor, load_predictor
from settings import PROJECT_ROOT

SERVICE_IMPORT = "serving.service:DenialRiskService"


def bentoml_executable() -> str:
    """The `bentoml` console script of this environment."""
    local = Path(sys.executable).with_name("bentoml")
    return str(local) if local.exists() else (shutil.which("bentoml") or "bentoml")


def server_threads(workers: int = 1) -> int:
    """LightGBM threads per server worker: the cores shared out among the workers.
    Calls on two rows or more use them (bundle predict_kwargs); the micro-batcher runs
    one scoring call at a time per worker. More threads than cores in total costs a lot:
    OpenMP threads spin between calls (2 workers x 2 threads on 2 cores: batch
    throughput halved)."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def serve_env(settings: ServingSettings, insecure_dev: bool, threads: int,
              workers: int = 1) -> dict[str, str]:
    """Environment of the server process: model store, dev flag, LightGBM threads, worker
    processes, no BentoML usage tracking (it would post to the network)."""
    env = dict(os.environ)
    home = str(Path(settings.bentoml_home).resolve())  # the server runs in the project dir
    env.update({"DENIALRISK_BENTOML_HOME": home, "BENTOML_HOME": home,
                "DENIALRISK_CMS_DIR": str(Path(settings.cms_dir).resolve()),
                "DENIALRISK_HISTORY_STORE": str(Path(settings.history_path()).resolve())})
    if insecure_dev:
        env["DENIALRISK_INSECURE_DEV"] = "1"
    env.setdefault("OMP_NUM_THREADS", str(threads))
    overrides = json.loads(env.get("BENTOML_CONFIG_OVERRIDES") or "{}")
    overrides.setdefault("services", {}).setdefault(SERVICE_NAME, {})["workers"] = workers
    env["BENTOML_CONFIG_OVERRIDES"] = json.dumps(overrides)
    env.setdefault("BENTOML_DO_NOT_TRACK", "True")  # no usage statistics to bentoml.com
    return env


def serve_argv(port: int) -> list[str]:
    """`bentoml serve` command line of the service."""
    return [bentoml_executable(), "serve", SERVICE_IMPORT, "--port", str(port),
            "--working-dir", str(PROJECT_ROOT)]


def serve_command(port: int | None = None, insecure_dev: bool = False,
                  bentoml_home: Path | None = None, cms_dir: Path | None = None,
                  threads: int | None = None, workers: int = 1) -> int:
    """Run the API in the foreground (bentoml serve subprocess); returns its exit code.

    Raises serving.config.AuthNotConfiguredError without DENIALRISK_API_KEY (unless
    insecure_dev) and serving.modelset.ModelLoadError / training.bundle.BundleError when
    the store cannot serve. The key is read from the environment only (never argv).
    """
    settings = get_serving_settings(port=port, bentoml_home=bentoml_home, cms_dir=cms_dir,
                                    insecure_dev=insecure_dev or None)
    check_auth_configured(settings)
    load_predictor(settings.bentoml_home, settings.cms_dir)  # fail fast, before spawning
    return run_in_foreground(serve_argv(settings.port),
                             serve_env(settings, insecure_dev,
                                       threads or server_threads(workers), workers))


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
STOP_GRACE_S = 30.0  # then SIGKILL: BentoML's own graceful shutdown takes a few seconds


def die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn giving the child SIGTERM when this process dies, even by SIGKILL
    (Linux prctl PR_SET_PDEATHSIG); looked up here, so the forked child only calls it."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1
    return lambda: prctl(pr_set_pdeathsig, int(signal.SIGTERM))


def signal_group(pgid: int, signum: int) -> bool:
    """Send a signal to a process group; False when the group is gone."""
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        return False
    return True


def run_in_foreground(argv: list[str], env: dict[str, str]) -> int:
    """Run argv in its own process group until it exits; pass stop signals on to the group.

    A stop signal (SIGTERM, SIGINT, SIGHUP) goes to the whole group (BentoML's arbiter and
    its workers); after STOP_GRACE_S the group is killed. Whatever of the group outlives
    the arbiter is killed too, so no worker keeps the port. Returns 0 after a requested
    stop, else the child's exit code (128 + n when a signal n ended it)."""
    proc = subprocess.Popen(argv, env=env, process_group=0, preexec_fn=die_with_parent())
    stopping: dict[str, float] = {}

    def forward(signum: int, _frame: Any) -> None:
        stopping.setdefault("since", time.monotonic())
        signal_group(proc.pid, signum)

    previous = {sig: signal.signal(sig, forward) for sig in STOP_SIGNALS}
    try:
        code = wait_or_kill(proc, lambda: stopping.get("since"))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if proc.poll() is None:  # an exception here: never leave the server behind
            signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
        signal_group(proc.pid, signal.SIGKILL)  # workers that outlived the arbiter
    if stopping:
        return 0
    return 128 - code if code < 0 else code


def wait_or_kill(proc: subprocess.Popen, stop_requested: Callable[[], float | None]) -> int:
    """The child's return code; SIGKILL to its group once a stop is STOP_GRACE_S old."""
    while True:
        try:
            return proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            since = stop_requested()
            if since is not None and time.monotonic() - since > STOP_GRACE_S:
                signal_group(proc.pid, signal.SIGKILL)


def score_command(input_path: Path, output: Path, bentoml_home: Path | None = None,
                  cms_dir: Path | None = None, chunk_size: int = 5000, explain: bool = True,
                  fixes: bool = True, progress: bool = False) -> ScoreSummary:
    """Score a jsonl file, data set folder or 837P file into results JSON lines
    (resumable); with `progress`, a progress bar of the claims scored on stderr."""
    settings = get_serving_settings(bentoml_home=bentoml_home, cms_dir=cms_dir)
    predictor = load_predictor(settings.bentoml_home, settings.cms_dir,
                               history=settings.history_path())
    options = Options(explain=explain, fixes=fixes and explain,
                      max_factors=settings.max_factors, max_fixes=settings.max_fixes)
    if not progress:
        return score_file(input_path, output, predictor, options, chunk_size)
    with claims_progress(count_claims(Path(input_path))) as advance:
        return score_file(input_path, output, ProgressPredictor(predictor, advance), options,
                          chunk_size)


def score_x12_command(x12: Path | list[Path], output: Path, bentoml_home: Path | None = None,
                      cms_dir: Path | None = None, explain: bool = True,
                      chunk_size: int = 5000, progress: bool = False) -> ScoreSummary:
    """Score 837P files (same path as score_command; unreadable claims -> error lines):
    each file into its own resumable part, then the parts joined into `output` in input
    order (written atomically)."""
    from serving.offline import OfflineInputError, is_x12

    files = [Path(p) for p in ([x12] if isinstance(x12, str | Path) else x12)]
    for path in files:
        if not path.is_file() or not is_x12(path):
            raise OfflineInputError(f"{path} is not an X12 file (no ISA segment)")
    if len(files) == 1:
        return score_command(files[0], output, bentoml_home, cms_dir, chunk_size, explain,
                             explain, progress)
    parts = [Path(output).with_name(f"{Path(output).name}.x12-{i:03d}")
             for i in range(len(files))]
    summaries = [score_command(path, part, bentoml_home, cms_dir, chunk_size, explain,
                               explain, progress) for path, part in zip(files, parts)]
    join_parts(parts, Path(output))
    return ScoreSummary(Path(output), sum(s.claims for s in summaries),
                        sum(s.errors for s in summaries), sum(s.chunks for s in summaries),
                        sum(s.resumed_chunks for s in summaries),
                        sum(s.seconds for s in summaries))


def join_parts(parts: list[Path], output: Path) -> None:
    """Concatenate finished result files into output atomically, then remove them."""
    tmp = output.with_name(f".{output.name}.tmp")
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as fh:
                shutil.copyfileobj(fh, out)
    os.replace(tmp, output)
    for part in parts:
        part.unlink(missing_ok=True)


class ProgressPredictor:
    """A Predictor that reports the claims of every scoring call to a progress bar.

    serving/offline.py calls `predict` once per chunk with the chunk's valid claims; the
    wrapper leaves that code as it is (it belongs to the bulk scoring work)."""

    def __init__(self, predictor: Predictor, advance: Callable[[int], None]) -> None:
        self.predictor = predictor
        self.advance = advance

    def predict(self, claims: Any, *args: Any, **kwargs: Any) -> Any:
        out = self.predictor.predict(claims, *args, **kwargs)
        self.advance(len(claims))
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self.predictor, name)


def count_claims(path: Path) -> int | None:
    """Claims in the input, counted cheaply (None when unknown): parquet row count, CLM
    segments of an 837P file, non-blank lines of a jsonl file."""
    from serving.offline import is_x12

    try:
        if path.is_dir():
            import pyarrow.parquet as pq

            return pq.ParquetFile(path / "claims.parquet").metadata.num_rows
        if is_x12(path):
            from serving.interchange import claim_segment_count

            return claim_segment_count(path.read_text(errors="replace"))
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())
    except (OSError, ValueError):
        return None


@contextmanager
def claims_progress(total: int | None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar of scored claims on stderr; yields `advance(n)`. A run that
    ends well fills the bar (resumed chunks and error lines are not scoring calls)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TextColumn("claims"),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("score", total=total)
        yield lambda n: bar.advance(task, n)
        if total is not None:
            bar.update(task, completed=total)
