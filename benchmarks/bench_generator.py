"""Benchmark the claim generator: claims/s for N claims, written to a temporary folder.

Usage: uv run python benchmarks/bench_generator.py --claims 1000000 [--seed S] [--keep PATH]
Target (issue): 1,000,000 claims in at most 60 s on 2 cores. Not a unit test.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from synthetic_data.generate import GeneratorConfig, generate_frames, generate_to_path

TARGET_CLAIMS_PER_S = 1_000_000 / 60  # 1M claims in at most 60 s


def parse_args() -> argparse.Namespace:
    """Command-line options of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--chunk-size", type=int, default=250_000)
    parser.add_argument("--no-write", action="store_true", help="generate in memory only")
    parser.add_argument("--keep", type=Path, default=None, help="write here instead of tmp")
    return parser.parse_args()


def run_generator(claims: int, seed: int = 20260101, chunk_size: int = 250_000,
                  out: Path | None = None, write: bool = True) -> dict[str, float]:
    """Generate `claims` claims (written atomically to `out`, or a temporary folder, unless
    write is False) and return seconds, claims/s, lines and the denial rate."""
    config = GeneratorConfig(claims=claims, seed=seed, chunk_size=chunk_size)
    if not write:
        started = time.perf_counter()
        frames = generate_frames(config)
        seconds = time.perf_counter() - started
        n_lines, rate = len(frames.lines), float(frames.claims["denied"].mean())
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result = generate_to_path(config, out or Path(tmp) / "claims")
        seconds, n_lines, rate = result.seconds, result.n_lines, result.denial_rate
    return {"claims": claims, "lines": n_lines, "seconds": round(seconds, 2),
            "claims_per_s": round(claims / seconds), "denial_rate": round(rate, 4),
            "written": write, "target_claims_per_s": TARGET_CLAIMS_PER_S}


def main() -> None:
    """Run one generation and print seconds, claims/s, lines and the denial rate."""
    args = parse_args()
    r = run_generator(args.claims, args.seed, args.chunk_size, args.keep, not args.no_write)
    print(f"claims={r['claims']:,} lines={r['lines']:,} seconds={r['seconds']:.1f} "
          f"claims_per_s={r['claims_per_s']:,.0f} denial_rate={r['denial_rate']:.2%}")


if __name__ == "__main__":
    main()
