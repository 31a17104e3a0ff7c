"""Entry points behind `denialrisk serve` and `denialrisk score` (wired in denialrisk/cli.py).

Both check what they can before doing work, so the CLI prints one clear line instead of a
server traceback: the API key (or --insecure-dev) and a loadable model store (pooled model
present, feature versions matching the code).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from serving.config import (
    SERVICE_NAME,
    ServingSettings,
    check_auth_configured,
    get_serving_settings,
)
from serving.offline import ScoreSummary, score_file
from serving.scoring import Options, load_predictor
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
    home = str(settings.bentoml_home)
    env.update({"DENIALRISK_BENTOML_HOME": home, "BENTOML_HOME": home,
                "DENIALRISK_CMS_DIR": str(settings.cms_dir)})
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
    return subprocess.call(serve_argv(settings.port),
                           env=serve_env(settings, insecure_dev,
                                         threads or server_threads(workers), workers))


def score_command(input_path: Path, output: Path, bentoml_home: Path | None = None,
                  cms_dir: Path | None = None, chunk_size: int = 5000, explain: bool = True,
                  fixes: bool = True) -> ScoreSummary:
    """Score a jsonl file, data set folder or 837P file into results JSON lines
    (resumable)."""
    settings = get_serving_settings(bentoml_home=bentoml_home, cms_dir=cms_dir)
    predictor = load_predictor(settings.bentoml_home, settings.cms_dir)
    options = Options(explain=explain, fixes=fixes and explain,
                      max_factors=settings.max_factors, max_fixes=settings.max_fixes)
    return score_file(input_path, output, predictor, options, chunk_size)


def score_x12_command(x12: Path | list[Path], output: Path, bentoml_home: Path | None = None,
                      cms_dir: Path | None = None, explain: bool = True,
                      chunk_size: int = 5000) -> ScoreSummary:
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
                             explain)
    parts = [Path(output).with_name(f"{Path(output).name}.x12-{i:03d}")
             for i in range(len(files))]
    summaries = [score_command(path, part, bentoml_home, cms_dir, chunk_size, explain,
                               explain) for path, part in zip(files, parts)]
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
