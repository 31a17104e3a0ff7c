"""Coding-consistency checker throughput (features/checks).

    uv run python benchmarks/bench_checks.py --claims 100000

Times check_frames over generated ClaimFrames (target >= 50,000 claims/s), check_claims
over 10,000 contract claim dicts (the service's batch re-check of fix candidates) and
check_claim on single claims (target < 1 ms typical); prints JSON. CPU time
(process_time) is reported next to wall time: on a shared machine wall time includes
waiting for a core.
"""

from __future__ import annotations

import argparse
import json
import time

from contract.frames import ClaimFrames, frames_to_claims
from features.checks import check_claim, check_claims, check_frames
from reference.cms import load_cms_tables
from settings import get_settings

TARGET_CLAIMS_PER_S = 50_000
TARGET_SINGLE_MS = 1.0


def generate(claims: int, seed: int) -> ClaimFrames:
    from synthetic_data.generate import GeneratorConfig, generate_frames

    return generate_frames(GeneratorConfig(claims=claims, seed=seed,
                                           cms_dir=get_settings().cms_dir))


def best_of(repeats: int, fn) -> tuple[float, float]:
    """Best (wall, cpu) seconds of `repeats` runs of fn()."""
    wall = cpu = float("inf")
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = min(wall, time.perf_counter() - w), min(cpu, time.process_time() - c)
    return wall, cpu


def time_frames(frames: ClaimFrames, repeats: int) -> dict[str, float]:
    cms = load_cms_tables(get_settings().cms_dir)
    check_frames(frames, cms)  # warm the per-code caches
    wall, cpu = best_of(repeats, lambda: check_frames(frames, cms))
    n = len(frames.claims)
    return {"claims": n, "lines": len(frames.lines), "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3), "claims_per_s": round(n / wall),
            "target_claims_per_s": TARGET_CLAIMS_PER_S}


def time_claims(claims: list[dict], repeats: int) -> dict[str, float]:
    cms = load_cms_tables(get_settings().cms_dir)
    check_claims(claims[:100], cms)
    wall, cpu = best_of(repeats, lambda: check_claims(claims, cms))
    return {"claims": len(claims), "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
            "claims_per_s": round(len(claims) / wall)}


def time_single(claims: list[dict], n: int) -> dict[str, float]:
    """check_claim one by one over n claims (median and p99 wall ms, mean cpu ms)."""
    cms = load_cms_tables(get_settings().cms_dir)
    sample = claims[:n]
    for claim in sample[:200]:
        check_claim(claim, cms)
    walls = []
    cpu = time.process_time()
    for claim in sample:
        started = time.perf_counter()
        check_claim(claim, cms)
        walls.append(time.perf_counter() - started)
    cpu = (time.process_time() - cpu) / len(sample)
    walls.sort()
    return {"claims": len(sample), "median_ms": round(walls[len(walls) // 2] * 1e3, 3),
            "p99_ms": round(walls[int(len(walls) * 0.99)] * 1e3, 3),
            "cpu_mean_ms": round(cpu * 1e3, 3), "target_ms": TARGET_SINGLE_MS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    frames = generate(args.claims, args.seed)
    dicts = frames_to_claims(generate(10_000, args.seed + 1))
    print(json.dumps({"check_frames": time_frames(frames, args.repeats),
                      "check_claims_10k": time_claims(dicts, args.repeats),
                      "check_claim_single": time_single(dicts, 2000)}, indent=1))


if __name__ == "__main__":
    main()
