"""benchmarks/run_all.py output: the markdown table and the README section it rewrites
(on a small hand-made results dict; the benchmarks themselves are not run here)."""

from __future__ import annotations

import json

import pytest

from benchmarks import report
from benchmarks.run_all import write_outputs

FAKE = {
    "quick": True,
    "machine": {"cpu": "Test CPU 9000", "cores": 2, "ram_gib": 24.0, "python": "3.11.7",
                "date": "2026-11-28T12:00:00+00:00", "loadavg_before": [0.1, 0.2, 0.3],
                "loadavg_after": [1.0, 0.9, 0.8], "commit": "abc1234"},
    "generator": {"claims": 20_000, "seconds": 0.5, "claims_per_s": 40_000},
    "features": {"claims": 20_000, "claims_per_s": 180_000},
    "training": {"claims": 20_000, "seconds": 42.0, "seconds_1m": None,
                 "models": ["MCR", "COA", "pooled"]},
    "serving": {
        "models": ["COA", "MCR", "pooled"], "batch_size": 1000,
        "raw": {"single_p50_ms": 4.0, "single_p99_ms": 6.0},
        "in_process": {"single_p50_ms": 20.0, "single_p99_ms": 30.0},
        "http": {"single_p50_ms": 40.0, "single_p99_ms": 60.0},
        "batch": {"claims_per_s": 1500, "in_process_claims_per_s": 2000,
                  "raw_claims_per_s": 3000, "floor_claims_per_s": 2500},
        "batch_explained": {"claims_per_s": 200, "in_process_claims_per_s": 250,
                            "raw_claims_per_s": 400},
        "rss_mb": 900.0, "raw_boosters_rss_mb": 300.0},
    "scoring": {"claims": 20_000, "bulk": {"claims_per_s": 30_000},
                "floor": {"claims_per_s": 45_000}, "ratio": 0.667,
                "json_lines": {"claims": 2_000, "claims_per_s": 4_500}},
}


def table_rows(markdown: str) -> dict[str, list[str]]:
    """Markdown table body rows by their first cell."""
    out = {}
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| ") and cells[0] not in ("metric",):
            out[cells[0]] = cells[1:]
    return out


def test_table_has_every_metric_with_target_raw_cost_and_ratio():
    md = report.render_markdown(FAKE)
    assert md.startswith("**Quick run") and "Test CPU 9000, 2 cores, 24.0 GiB" in md
    assert "load average before 0.1/0.2/0.3, after 1.0/0.9/0.8" in md
    rows = table_rows(md)
    assert rows["generator, 20,000 claims written"] == ["40,000/s (0.5 s)",
                                                        ">= 16,667/s (1M in 60 s)", "-", "-"]
    assert rows["featurisation, 20,000 claims"][:2] == ["180,000/s", ">= 200,000/s"]
    assert rows["training, 20,000 claims, 3 models (all payers + pooled, MLflow)"][0] == "42 s"
    assert rows["single claim, HTTP, explanation + fixes"] == [
        "p50 40.0 ms, p99 60.0 ms", "p99 <= 30 ms", "p50 4.0 ms, p99 6.0 ms", "10.0x"]
    assert rows["batch of 1,000, HTTP, no explanation"] == ["1,500/s", ">= 20,000/s",
                                                            "3,000/s", "2.0x"]
    assert rows["batch of 1,000, in-process, with explanation"][3] == "1.6x"
    assert rows["batch of 1,000, floor (JSON validation + features + LightGBM only), "
                "no explanation"][:2] == ["2,500/s", ">= 20,000/s"]
    assert not any("2 workers" in name for name in rows)  # not measured: no row
    assert rows["bulk scoring, 20,000 claims, data set -> Parquet, no explanation (raw: "
                "floor = features + LightGBM only)"] == [
        "30,000/s", ">= 30,000/s and >= 0.5x floor", "45,000/s", "1.5x"]
    assert rows["`score` JSON-lines path, 2,000 claims, no explanation"][3] == "10.0x"
    assert rows["serving RSS, 3 models loaded (server process tree)"] == [
        "900 MB", "-", "300 MB", "3.0x"]


def test_missing_sections_are_left_out_not_crashed():
    serving = FAKE["serving"]
    no_http = {**serving, "http": {}, "rss_mb": None,
               "batch": {**serving["batch"], "claims_per_s": None},
               "batch_explained": {**serving["batch_explained"], "claims_per_s": None}}
    partial = {"machine": {}, "serving": no_http}
    rows = table_rows(report.render_markdown(partial))
    assert "single claim, in-process, explanation + fixes" in rows
    assert not any("HTTP" in name or "RSS" in name for name in rows)
    assert report.render_markdown(partial).startswith("**Full run**")


def test_readme_section_is_replaced_between_markers_only(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\nbefore\n{report.MARK_START}\nold table\n{report.MARK_END}\n"
                      "after\n")
    report.update_readme(readme, "NEW TABLE\n")
    assert readme.read_text() == (f"# x\nbefore\n{report.MARK_START}\nNEW TABLE\n"
                                  f"{report.MARK_END}\nafter\n")
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]


def test_readme_without_markers_is_a_clear_error(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    with pytest.raises(ValueError, match=f"{readme} has no '<!-- bench:start -->'"):
        report.update_readme(readme, "table")
    assert readme.read_text() == "# no markers\n"


def test_outputs_are_written_as_json_and_markdown(tmp_path):
    json_path, md_path, markdown = write_outputs(FAKE, tmp_path / "out")
    assert json.loads(json_path.read_text())["serving"]["http"]["single_p99_ms"] == 60.0
    assert md_path.read_text() == markdown
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["results.json",
                                                                    "results.md"]
