"""Featurisation throughput: build_features on a generated data set (target >= 200,000 claims/s).

    uv run python benchmarks/bench_features.py --claims 1000000

Generates (or reads, with --data) claims, fits the feature state, then times
build_features over all of them a few times and prints claims/s next to the target.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from contract.dataset import read_dataset
from contract.frames import ClaimFrames
from features.build import build_features, fit_feature_state
from reference.cms import load_cms_tables
from settings import get_settings

TARGET_CLAIMS_PER_S = 200_000


def load_claims(data: Path | None, claims: int, seed: int) -> ClaimFrames:
    """Read a data set folder, or generate `claims` claims in memory."""
    if data is not None:
        return read_dataset(data)
    from synthetic_data.generate import GeneratorConfig, generate_frames

    return generate_frames(GeneratorConfig(claims=claims, seed=seed,
                                           cms_dir=get_settings().cms_dir))


def time_features(frames: ClaimFrames, repeats: int) -> dict[str, float]:
    """Best-of-`repeats` wall time of build_features over all claims."""
    cms = load_cms_tables(get_settings().cms_dir)
    state = fit_feature_state(frames, cms)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        build_features(frames, state, cms)
        best = min(best, time.perf_counter() - started)
    n = len(frames.claims)
    return {"claims": n, "lines": len(frames.lines), "seconds": round(best, 3),
            "claims_per_s": round(n / best), "target_claims_per_s": TARGET_CLAIMS_PER_S,
            "ratio_to_target": round(n / best / TARGET_CLAIMS_PER_S, 2),
            "n_features": len(state.columns)}


def main() -> None:
    """Command line: print the featurisation numbers as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--data", type=Path, default=None, help="existing data set folder")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    frames = load_claims(args.data, args.claims, args.seed)
    print(json.dumps({"features": time_features(frames, args.repeats)}, indent=1))


if __name__ == "__main__":
    main()
