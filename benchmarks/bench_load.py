"""Load benchmark: locust users against a real `bentoml serve` on 127.0.0.1 (issue #7).

    uv run python benchmarks/bench_load.py --bentoml-home work/bentoml --out reports/load.json
    uv run python benchmarks/bench_load.py --train --duration 30     # small tmp store first

Phases, each one headless locust run of benchmarks/load/locustfile.py:
1. single: --users (50) ClaimSystem users, each posting one realistic generated claim to
   /predict about every --pacing seconds (1.0, exponential gaps: --arrivals poisson; or
   lockstep, all users at once), for --duration seconds (60); once per --explain mode
   (both = explain=false, then explanation + fixes) and arrivals mode;
2. batch: --batch-users (1) BatchClient users posting --batch-size (500) claim
   /predict_batch requests back to back for --batch-duration seconds (30), no explanation.
Prints per phase requests/s (and claims/s for batches), p50/p95/p99 latency in ms
(locust's percentiles, whole run including the 1 s ramp-up), failures and 5xx; --out
writes the same as JSON. Then the server log is scanned for every member id and birth
date sent and for the API key. Target (2 cores): 0 errors, p99 <= 100 ms at 50 users.
The server runs as `denialrisk serve` does (one worker, LightGBM threads = cores) and shares the
cores with locust; the load average is printed, as other work skews the numbers.
Only loopback: the server is started here on 127.0.0.1; runs are bounded in time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
LOCUSTFILE = REPO / "benchmarks" / "load" / "locustfile.py"
API_KEY = "bench-load-key-3141592"
STATUS = re.compile(r"status (\d{3})")


@dataclass(frozen=True)
class Phase:
    """One locust run: which user class, how many, how long, with or without explanation."""

    name: str
    user_class: str
    users: int
    seconds: int
    explain: bool
    pacing: float = 1.0
    batch: int = 500
    arrivals: str = "poisson"


def sample_claims(n: int, seed: int) -> list[dict[str, Any]]:
    """Realistic generated claims (the synthetic generator) as JSON-safe contract dicts."""
    from contract.frames import frames_to_claims
    from synthetic_data.config import GeneratorConfig
    from synthetic_data.generate import generate_frames

    frames = generate_frames(GeneratorConfig(claims=n, seed=seed))
    return json.loads(json.dumps(frames_to_claims(frames), default=str))


def sent_phi(claims: list[dict[str, Any]]) -> set[str]:
    """Every member id and birth date in the claims."""
    return {c["patient"][k] for c in claims for k in ("member_id", "birth_date")}


def locust_argv(phase: Phase, url: str, csv_prefix: Path) -> list[str]:
    """Headless locust command line of one phase (spawn all users within one second)."""
    exe = Path(sys.executable).with_name("locust")
    return [str(exe) if exe.exists() else (shutil.which("locust") or "locust"),
            "-f", str(LOCUSTFILE), "--headless", "--only-summary", "--host", url,
            "-u", str(phase.users), "-r", str(phase.users), "-t", f"{phase.seconds}s",
            "--stop-timeout", "60", "--csv", str(csv_prefix), "--loglevel", "WARNING",
            phase.user_class]


def run_phase(phase: Phase, url: str, claims_file: Path, api_key: str,
              workdir: Path) -> dict[str, Any]:
    """Run one phase against `url` (loopback only); returns its measured numbers."""
    if not url.startswith(("http://127.0.0.1:", "http://localhost:", "http://[::1]:")):
        raise ValueError(f"load runs only against loopback addresses, not {url}")
    prefix = workdir / phase.name
    env = {**os.environ, "DENIALRISK_LOAD_CLAIMS": str(claims_file),
           "DENIALRISK_API_KEY": api_key, "DENIALRISK_LOAD_EXPLAIN": "1" if phase.explain
           else "0", "DENIALRISK_LOAD_PACING": str(phase.pacing),
           "DENIALRISK_LOAD_ARRIVALS": phase.arrivals,
           "DENIALRISK_LOAD_BATCH": str(phase.batch)}
    with (workdir / f"{phase.name}.locust.log").open("wb") as out:
        subprocess.run(locust_argv(phase, url, prefix), cwd=REPO, env=env, stdout=out,
                       stderr=subprocess.STDOUT, timeout=phase.seconds + 240, check=False)
    return {"phase": asdict(phase), **read_stats(prefix, phase)}


def number(text: str) -> float | None:
    """A locust statistic; None for its 'N/A' (no request finished in the phase)."""
    try:
        return float(text)
    except ValueError:
        return None


def read_stats(prefix: Path, phase: Phase) -> dict[str, Any]:
    """Aggregated requests, failures (by error, 5xx apart), rate and latency percentiles."""
    with Path(f"{prefix}_stats.csv").open() as f:
        total = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    with Path(f"{prefix}_failures.csv").open() as f:
        errors = {r["Error"]: int(r["Occurrences"]) for r in csv.DictReader(f)}
    statuses = [(STATUS.search(e), n) for e, n in errors.items()]
    rate = float(total["Requests/s"])
    out = {"requests": int(total["Request Count"]), "failures": int(total["Failure Count"]),
           "errors_5xx": sum(n for m, n in statuses if m and m.group(1).startswith("5")),
           "failures_by_error": errors, "requests_per_s": round(rate, 2),
           **{f"p{q}_ms": number(total[f"{q}%"]) for q in (50, 95, 99)},
           "max_ms": number(total["Max Response Time"])}
    if phase.user_class == "BatchClient":
        out["claims_per_s"] = round(rate * phase.batch, 1)
    return out


def phases(args: argparse.Namespace) -> list[Phase]:
    """The single-claim phase per explain mode, then the batch phase."""
    modes = {"both": (False, True), "false": (False,), "true": (True,)}[args.explain]
    out = [Phase(f"single_explain_{str(m).lower()}_{a}", "ClaimSystem", args.users,
                 args.duration, m, args.pacing, arrivals=a)
           for a in args.arrivals.split(",") for m in modes]
    if args.batch_duration > 0:
        out.append(Phase("batch", "BatchClient", args.batch_users, args.batch_duration,
                         False, batch=args.batch_size))
    return out


def warm_up(url: str, claims: list[dict[str, Any]], api_key: str) -> None:
    """A few requests before measuring (first calls load code paths)."""
    import httpx

    auth = {"Authorization": f"Bearer {api_key}"}
    for claim in claims[:5]:
        httpx.post(f"{url}/predict", json={"claim": claim}, headers=auth,
                   timeout=120).raise_for_status()


def run_all(home: Path, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Start the server on the store, run every phase, scan the log; the report dict."""
    from benchmarks.serving_http import server_env
    from tests.serving.live import leaked, log_text, running_server

    claims = sample_claims(args.claims, seed=args.seed)
    claims_file = workdir / "claims.json"
    claims_file.write_text(json.dumps(claims))
    env = server_env(home, args.workers, API_KEY)
    report: dict[str, Any] = {"cores": os.cpu_count(), "workers": args.workers,
                              "loadavg_before": os.getloadavg()}
    with running_server(env, workdir / "server.log") as server:
        warm_up(server.url, claims, API_KEY)
        report["phases"] = [run_phase(p, server.url, claims_file, API_KEY, workdir)
                            for p in phases(args)]
    text = log_text(workdir / "server.log")
    report["log_leaks"] = len(leaked(text, [*sent_phi(claims), API_KEY]))
    report["loadavg_after"] = os.getloadavg()
    report["workdir"] = str(workdir)
    return report


def store_home(args: argparse.Namespace) -> Path:
    """The model store to serve: given, or a small one trained in a tmp folder."""
    if not args.train:
        return args.bentoml_home
    from reference.cms import load_cms_tables
    from settings import get_settings
    from tests.serving.conftest import train_store

    return train_store(Path(tempfile.mkdtemp(prefix="bench-load-store-")),
                       load_cms_tables(get_settings().cms_dir))


def summary_lines(report: dict[str, Any]) -> list[str]:
    """One human line per phase, then the log scan."""
    lines = [f"cores {report['cores']}, server workers {report['workers']}, load average before "
             f"{report['loadavg_before'][0]:.2f}, after {report['loadavg_after'][0]:.2f}"]
    for r in report["phases"]:
        extra = f", {r['claims_per_s']} claims/s" if "claims_per_s" in r else ""
        lines.append(f"{r['phase']['name']:<22} users {r['phase']['users']:>3}: "
                     f"{r['requests']} requests, {r['requests_per_s']} req/s{extra}, "
                     f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, p99 {r['p99_ms']} ms, "
                     f"errors {r['failures']} (5xx {r['errors_5xx']})")
    lines.append(f"member ids / birth dates / key found in the server log: "
                 f"{report['log_leaks']}")
    return lines


def parse_args() -> argparse.Namespace:
    """Command-line options (see the module docstring)."""
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bentoml-home", type=Path, default=REPO / "work" / "bentoml")
    p.add_argument("--train", action="store_true", help="train a small tmp store first")
    p.add_argument("--workers", type=int, default=1,
                   help="server worker processes (`denialrisk serve` runs 1)")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--pacing", type=float, default=1.0,
                   help="mean seconds between a user's claims")
    p.add_argument("--arrivals", default="poisson",
                   help="poisson (independent clients), lockstep (all users together: worst "
                        "case) or both as 'poisson,lockstep'")
    p.add_argument("--duration", type=int, default=60, help="seconds per single-claim phase")
    p.add_argument("--explain", choices=("both", "true", "false"), default="both")
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--batch-users", type=int, default=1)
    p.add_argument("--batch-duration", type=int, default=30, help="0 skips the batch phase")
    p.add_argument("--claims", type=int, default=3000, help="generated claims to draw from")
    p.add_argument("--seed", type=int, default=4242)
    p.add_argument("--out", type=Path, help="write the report as JSON here")
    return p.parse_args()


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    report = run_all(store_home(args), args, workdir)
    print("\n".join(summary_lines(report)))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
