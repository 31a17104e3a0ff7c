"""Benchmark results -> a markdown table (and the README section between the bench markers),
plus a description of the machine the numbers were taken on.

The ratio column is the service's cost over the raw LightGBM cost on the same claims and
routing (build_features + predict, + pred_contrib when explaining; a bare process holding
only the boosters for memory): 1.0 means no overhead beyond the model itself.
"""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MARK_START, MARK_END = "<!-- bench:start -->", "<!-- bench:end -->"
HEADER = ("| metric | measured | target | raw LightGBM | ratio |\n"
          "|---|---:|---:|---:|---:|")
Row = tuple[str, str, str, str, str]


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo (platform.processor() as a fallback)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_commit() -> str | None:
    """Short commit of the working tree (None outside git)."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10, cwd=Path(__file__).parent)
    except OSError:
        return None
    return out.stdout.strip() or None


def machine_info() -> dict[str, Any]:
    """CPU, cores, RAM, Python, date (UTC), load average and commit of this run."""
    import psutil

    return {"cpu": cpu_model(), "cores": os.cpu_count(),
            "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "loadavg_before": [round(x, 2) for x in os.getloadavg()],
            "commit": git_commit()}


def get(results: dict[str, Any], dotted: str) -> Any:
    """results['a']['b'] for 'a.b'; None when any part is missing."""
    node: Any = results
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def rate(x: float | None) -> str:
    """Claims per second, e.g. 42,000/s."""
    return "-" if x is None else f"{x:,.0f}/s"


def ms(p50: float | None, p99: float | None) -> str:
    """Latency percentiles in milliseconds."""
    return "-" if p50 is None else f"p50 {p50:,.1f} ms, p99 {p99:,.1f} ms"


def ratio(x: float | None) -> str:
    """A cost ratio, e.g. 2.3x."""
    return "-" if x is None else f"{x:,.1f}x"


def over(a: float | None, b: float | None) -> float | None:
    """a / b, or None when either is missing or b is zero."""
    return None if a is None or not b else a / b


def data_rows(r: dict[str, Any]) -> list[Row]:
    """Generator, featurisation and training rows (no raw-model comparison)."""
    out: list[Row] = []
    if get(r, "generator.claims_per_s") is not None:
        out.append((f"generator, {r['generator']['claims']:,} claims written",
                    f"{rate(r['generator']['claims_per_s'])} ({r['generator']['seconds']} s)",
                    ">= 16,667/s (1M in 60 s)", "-", "-"))
    if get(r, "features.claims_per_s") is not None:
        out.append((f"featurisation, {r['features']['claims']:,} claims",
                    rate(r["features"]["claims_per_s"]), ">= 200,000/s", "-", "-"))
    if get(r, "training.seconds") is not None:
        t = r["training"]
        promoted = f", {len(t['champions'])} promoted" if "champions" in t else ""
        out.append((f"training, {t['claims']:,} claims, {len(t['models'])} models "
                    f"(all payers + pooled, MLflow{promoted})", f"{t['seconds']:,.0f} s",
                    "-", "-", "-"))
    return out


def latency_rows(r: dict[str, Any]) -> list[Row]:
    """Single-claim latency rows, explanation + fixes, against raw predict + pred_contrib."""
    raw50, raw99 = get(r, "serving.raw.single_p50_ms"), get(r, "serving.raw.single_p99_ms")
    out: list[Row] = []
    for key, label in (("in_process", "in-process"), ("http", "HTTP")):
        p50 = get(r, f"serving.{key}.single_p50_ms")
        if p50 is not None:
            out.append((f"single claim, {label}, explanation + fixes",
                        ms(p50, get(r, f"serving.{key}.single_p99_ms")), "p99 <= 30 ms",
                        ms(raw50, raw99), ratio(over(p50, raw50))))
    return out


def throughput_rows(r: dict[str, Any]) -> list[Row]:
    """Batch rows: claims/s without and with explanation, over raw claims/s."""
    out: list[Row] = []
    size = get(r, "serving.batch_size") or 1000
    for key, label, target in (("batch", "no explanation", ">= 20,000/s"),
                               ("batch_explained", "with explanation", ">= 1,000/s")):
        raw = get(r, f"serving.{key}.raw_claims_per_s")
        for field, where in (("in_process_claims_per_s", "in-process"),
                             ("claims_per_s", "HTTP"),
                             ("two_workers_claims_per_s", "HTTP, 2 workers, 2 clients"),
                             ("floor_claims_per_s",
                              "floor (JSON validation + features + LightGBM only)")):
            got = get(r, f"serving.{key}.{field}")
            if got is not None:
                out.append((f"batch of {size:,}, {where}, {label}", rate(got), target,
                             rate(raw), ratio(over(raw, got))))
    return out


def bulk_rows(r: dict[str, Any]) -> list[Row]:
    """Bulk scoring (Parquet in -> Parquet out) and the JSON-lines path, over the floor:
    build_features + LightGBM on the same claims in memory, measured in the same run."""
    got, floor = get(r, "scoring.bulk.claims_per_s"), get(r, "scoring.floor.claims_per_s")
    if got is None:
        return []
    n = get(r, "scoring.claims") or 0
    out: list[Row] = [(f"bulk scoring, {n:,} claims, data set -> Parquet, no explanation "
                       "(raw: floor = features + LightGBM only)", rate(got),
                       ">= 30,000/s and >= 0.5x floor", rate(floor), ratio(over(floor, got)))]
    json_rate = get(r, "scoring.json_lines.claims_per_s")
    if json_rate is not None:
        out.append((f"`score` JSON-lines path, {get(r, 'scoring.json_lines.claims'):,} "
                    "claims, no explanation", rate(json_rate), "-", rate(floor),
                    ratio(over(floor, json_rate))))
    return out


def memory_rows(r: dict[str, Any]) -> list[Row]:
    """Serving RSS (server process tree, all models loaded) over bare boosters' RSS."""
    got = get(r, "serving.rss_mb")
    if got is None:
        return []
    raw = get(r, "serving.raw_boosters_rss_mb")
    models = len(get(r, "serving.models") or [])
    return [(f"serving RSS, {models} models loaded (server process tree)", f"{got:,.0f} MB",
             "-", "-" if raw is None else f"{raw:,.0f} MB", ratio(over(got, raw)))]


def rows(results: dict[str, Any]) -> list[Row]:
    """Every table row the results have data for."""
    return (data_rows(results) + latency_rows(results) + throughput_rows(results)
            + bulk_rows(results) + memory_rows(results))


def machine_line(m: dict[str, Any]) -> str:
    """One sentence naming the machine, date and load of a run."""
    load = "/".join(str(x) for x in m.get("loadavg_before", []))
    after = "/".join(str(x) for x in m.get("loadavg_after", []))
    return (f"Machine: {m.get('cpu')}, {m.get('cores')} cores, {m.get('ram_gib')} GiB RAM, "
            f"Python {m.get('python')}; {m.get('date')}, commit {m.get('commit')}; "
            f"load average before {load}, after {after}.")


def render_markdown(results: dict[str, Any]) -> str:
    """The results table with its title and machine line (markdown)."""
    title = ("**Quick run (`--quick`: small sizes, NOT the reference numbers)**"
             if results.get("quick") else "**Full run**")
    table = "\n".join("| " + " | ".join(row) + " |" for row in rows(results))
    return (f"{title}. {machine_line(results.get('machine', {}))}\n\n{HEADER}\n{table}\n\n"
            "Ratio: service cost / raw LightGBM cost on the same claims (time, or memory "
            "for RSS).\n")


def replace_between_markers(text: str, block: str, where: str) -> str:
    """text with everything between the bench markers replaced by block."""
    start, end = text.find(MARK_START), text.find(MARK_END)
    if start < 0 or end < start:
        raise ValueError(f"{where} has no '{MARK_START}' ... '{MARK_END}' section")
    return f"{text[:start + len(MARK_START)]}\n{block.strip()}\n{text[end:]}"


def update_readme(readme: Path, block: str) -> None:
    """Rewrite the README's bench section in place (temp file + rename)."""
    new = replace_between_markers(readme.read_text(encoding="utf-8"), block, str(readme))
    tmp = readme.with_name(f".{readme.name}.tmp")
    tmp.write_text(new, encoding="utf-8")
    os.replace(tmp, readme)
