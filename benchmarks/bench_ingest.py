"""Benchmark `ingest`: N generated claims written as a practice's X12 history (837P + 835
files by payer and month, at most --file-claims claims each), then ingested in a fresh
process; prints JSON with claims/s, peak RSS and the ratio to a floor: the same files
read with pyx12 tokenising only (X12Reader, no parsing, no data set).

Usage: uv run python benchmarks/bench_ingest.py --claims 1000000 [--file-claims 10000]
       [--workers N] [--x12-dir DIR (keep/reuse the files)] [--no-floor]
Not a unit test. Peak RSS: the ingest process (resource.getrusage) and, separately, its
largest reader worker (each worker holds a copy-on-write view of the reference tables).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--file-claims", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--x12-dir", type=Path, default=None,
                        help="write the X12 files here and keep them (reused when present)")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--child", choices=["ingest", "floor", "write"],
                        help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def write_files(claims: int, seed: int, file_claims: int, folder: Path) -> float:
    """Generate claims and write them as X12 into folder; returns the writing seconds."""
    from interop.x12.writer import write_x12_files
    from synthetic_data.generate import GeneratorConfig, generate_frames

    frames = generate_frames(GeneratorConfig(claims=claims, seed=seed), progress=True)
    started = time.perf_counter()
    write_x12_files(frames, folder, batch=file_claims)
    return time.perf_counter() - started


def peak_mb() -> tuple[float, float]:
    """(this process, its largest finished child) peak RSS in MB (Linux: ru_maxrss in kB)."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def child_ingest(folder: Path, out: Path, workers: int | None) -> dict:
    """Ingest folder's files (this runs in its own process)."""
    from interop.x12.ingest import ingest

    started = time.perf_counter()
    report = ingest(sorted(folder.glob("*.837")), sorted(folder.glob("*.835")), out,
                    workers=workers, progress=True)
    seconds = time.perf_counter() - started
    main, worker = peak_mb()
    return {"seconds": round(seconds, 2), "claims_read": report.claims_read,
            "kept": report.kept, "claims_invalid": report.claims_invalid,
            "denied": report.denied, "partitions": report.partitions,
            "peak_rss_mb": round(main), "worker_peak_rss_mb": round(worker)}


def child_floor(folder: Path) -> dict:
    """pyx12 X12Reader over every file, segments counted, nothing else."""
    import io

    from pyx12.x12file import X12Reader

    started, segments = time.perf_counter(), 0
    for path in sorted(folder.glob("*.83[57]")):
        for _ in X12Reader(io.StringIO(path.read_text())):
            segments += 1
    return {"seconds": round(time.perf_counter() - started, 2), "segments": segments}


def in_child(kind: str, folder: Path, args: argparse.Namespace, out: Path) -> dict:
    """Run one step in a fresh Python process and read its JSON. The files are written in
    a child of their own too: Linux keeps ru_maxrss across fork + exec, so an ingest child
    forked from a parent that generated 1M claims would report the generator's peak."""
    argv = [sys.executable, __file__, "--child", kind, "--x12-dir", str(folder),
            "--out", str(out), "--claims", str(args.claims), "--seed", str(args.seed),
            "--file-claims", str(args.file_claims)]
    if args.workers:
        argv += ["--workers", str(args.workers)]
    done = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(args: argparse.Namespace) -> dict:
    """Write (or reuse) the files, ingest them, read the floor; the JSON result."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.x12_dir or Path(tmp) / "x12"
        write_seconds = None
        if not list(folder.glob("*.837")):
            write_seconds = in_child("write", folder, args, Path(tmp))["seconds"]
        files = sorted(folder.glob("*.83[57]"))
        result = {"claims": args.claims, "files": len(files),
                  "x12_mb": round(sum(p.stat().st_size for p in files) / 2**20),
                  "write_seconds": write_seconds}
        ingest = in_child("ingest", folder, args, Path(tmp) / "dataset")
        result.update(ingest_seconds=ingest.pop("seconds"), **ingest)
        result["claims_per_s"] = round(result["claims_read"] / result["ingest_seconds"])
        if not args.no_floor:
            floor = in_child("floor", folder, args, Path(tmp) / "unused")
            result.update(floor_seconds=floor["seconds"], floor_segments=floor["segments"],
                          floor_claims_per_s=round(result["claims_read"] / floor["seconds"]),
                          ratio_to_floor=round(result["ingest_seconds"] / floor["seconds"],
                                               2))
    return result


def main() -> None:
    """Print one JSON line (the child steps print theirs for the parent to read)."""
    args = parse_args()
    if args.child == "ingest":
        print(json.dumps(child_ingest(args.x12_dir, args.out, args.workers)))
    elif args.child == "floor":
        print(json.dumps(child_floor(args.x12_dir)))
    elif args.child == "write":
        seconds = write_files(args.claims, args.seed, args.file_claims, args.x12_dir)
        print(json.dumps({"seconds": round(seconds, 1)}))
    else:
        print(json.dumps(run(args)))


if __name__ == "__main__":
    main()
