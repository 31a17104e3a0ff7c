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


def parse_args() -> argparse.Namespace:
    """Command-line options of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--chunk-size", type=int, default=250_000)
    parser.add_argument("--no-write", action="store_true", help="generate in memory only")
    parser.add_argument("--keep", type=Path, default=None, help="write here instead of tmp")
    return parser.parse_args()


def main() -> None:
    """Run one generation and print seconds, claims/s, lines and the denial rate."""
    args = parse_args()
    config = GeneratorConfig(claims=args.claims, seed=args.seed, chunk_size=args.chunk_size)
    if args.no_write:
        started = time.perf_counter()
        frames = generate_frames(config)
        seconds = time.perf_counter() - started
        n_lines, rate = len(frames.lines), float(frames.claims["denied"].mean())
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result = generate_to_path(config, args.keep or Path(tmp) / "claims")
        seconds, n_lines, rate = result.seconds, result.n_lines, result.denial_rate
    print(f"claims={args.claims:,} lines={n_lines:,} seconds={seconds:.1f} "
          f"claims_per_s={args.claims / seconds:,.0f} denial_rate={rate:.2%}")


if __name__ == "__main__":
    main()
