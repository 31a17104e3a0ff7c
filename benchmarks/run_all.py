"""Run every benchmark and write benchmarks/results.json and benchmarks/results.md.

    uv run python benchmarks/run_all.py                   # full sizes: 1M claims (long)
    uv run python benchmarks/run_all.py --quick           # small sizes: a smoke run
    uv run python benchmarks/run_all.py --update-readme   # also rewrite the README table

In order, in one temporary folder: the generator writes N claims (bench_generator); the
features are built from them (bench_features); every payer's model plus the pooled one is
trained on them with MLflow tracking (bench_training); the resulting BentoML store scores
the generated data set in bulk, Parquet in and out, next to the floor of features +
LightGBM on the same claims (bench_scoring), and is served in-process and by a real
`bentoml serve` (bench_serving: latency, batch throughput, server RSS), each next to the
raw LightGBM cost on the same claims. Run it on an idle machine: the load average before
and after is recorded with the numbers.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import report

HERE = Path(__file__).resolve().parent

SIZES = {"full": {"claims": 1_000_000, "feature_repeats": 3, "serving_claims": 3000,
                  "singles": 200, "json_claims": 20_000},
         "quick": {"claims": 20_000, "feature_repeats": 1, "serving_claims": 1000,
                   "singles": 50, "json_claims": 2_000}}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP server part")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--out-dir", type=Path, default=HERE)
    parser.add_argument("--update-readme", action="store_true",
                        help="rewrite README.md between the bench markers")
    parser.add_argument("--readme", type=Path, default=HERE.parent / "README.md")
    return parser.parse_args(argv)


def serving_summary(s: dict[str, Any]) -> dict[str, Any]:
    """bench_serving's report under the result keys (full report kept under 'detail')."""
    raw, inproc, http = s["raw"], s["in_process"], s.get("http", {})
    single = http.get("single_explain_fixes", {})
    out = {"models": s["models"], "batch_size": s["batch_size"],
           "raw": {"single_p50_ms": raw["single_score_contrib"]["p50_ms"],
                   "single_p99_ms": raw["single_score_contrib"]["p99_ms"]},
           "in_process": {"single_p50_ms": inproc["single_explain_fixes"]["p50_ms"],
                          "single_p99_ms": inproc["single_explain_fixes"]["p99_ms"]},
           "http": {"single_p50_ms": single.get("p50_ms"),
                    "single_p99_ms": single.get("p99_ms")},
           "batch": {"claims_per_s": http.get("batch_claims_per_s"),
                     "two_workers_claims_per_s":
                         http.get("batch_claims_per_s_2_workers_2_clients"),
                     "floor_claims_per_s": inproc.get("batch_floor_claims_per_s"),
                     "in_process_claims_per_s": inproc["batch_claims_per_s"],
                     "raw_claims_per_s": raw["batch_claims_per_s"]},
           "batch_explained": {"claims_per_s": http.get("batch_explain_claims_per_s"),
                               "in_process_claims_per_s": inproc["batch_explain_claims_per_s"],
                               "raw_claims_per_s": raw["batch_contrib_claims_per_s"]},
           "batch_explained_fixes": {
               "claims_per_s": http.get("batch_explain_fixes_claims_per_s"),
               "in_process_claims_per_s": inproc["batch_explain_fixes_claims_per_s"]},
           "rss_mb": get_rss(http), "raw_boosters_rss_mb": raw.get("boosters_rss_mb"),
           "detail": s}
    return out


def get_rss(http: dict[str, Any]) -> float | None:
    """Total RSS of the server's process tree, when the HTTP part ran."""
    return http.get("rss", {}).get("total_mb")


def run_benchmarks(quick: bool, seed: int, http: bool = True) -> dict[str, Any]:
    """Every benchmark at the chosen sizes; the nested results dict."""
    from benchmarks.bench_features import time_features
    from benchmarks.bench_generator import run_generator
    from benchmarks.bench_scoring import run_scoring
    from benchmarks.bench_serving import run_serving
    from benchmarks.bench_training import time_training
    from contract.dataset import read_dataset

    sizes = SIZES["quick" if quick else "full"]
    results: dict[str, Any] = {"quick": quick, "sizes": sizes,
                               "machine": report.machine_info()}
    with tempfile.TemporaryDirectory(prefix="bench-all-") as tmp:
        dataset = Path(tmp) / "claims"
        results["generator"] = run_generator(sizes["claims"], seed, out=dataset)
        frames = read_dataset(dataset)
        results["features"] = time_features(frames, sizes["feature_repeats"])
        results["training"] = time_training(frames, Path(tmp) / "train", quick)
        del frames
        gc.collect()
        home = Path(results["training"]["bentoml_home"])
        results["scoring"] = run_scoring(dataset, home, json_claims=sizes["json_claims"])
        gc.collect()
        results["serving"] = serving_summary(
            run_serving(home, sizes["serving_claims"], sizes["singles"], http))
    results["machine"]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    return results


def write_atomic(path: Path, text: str) -> None:
    """Write text via a temp file + rename (a crash never leaves half a results file)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_outputs(results: dict[str, Any], out_dir: Path) -> tuple[Path, Path, str]:
    """results.json and results.md in out_dir; returns both paths and the markdown."""
    out_dir.mkdir(parents=True, exist_ok=True)
    markdown = report.render_markdown(results)
    json_path, md_path = out_dir / "results.json", out_dir / "results.md"
    write_atomic(json_path, json.dumps(results, indent=1, default=str) + "\n")
    write_atomic(md_path, markdown)
    return json_path, md_path, markdown


def main(argv: list[str] | None = None) -> None:
    """Run, write results.json + results.md, optionally update the README table."""
    args = parse_args(argv)
    results = run_benchmarks(args.quick, args.seed, http=not args.no_http)
    json_path, md_path, markdown = write_outputs(results, args.out_dir)
    if args.update_readme:
        report.update_readme(args.readme, markdown)
    print(markdown)
    print(f"wrote {json_path} and {md_path}" + (f"; updated {args.readme}"
                                                if args.update_readme else ""))


if __name__ == "__main__":
    main()
