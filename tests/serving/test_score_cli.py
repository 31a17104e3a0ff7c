"""`denialrisk score` through typer's CliRunner: progress, a readable summary, and a
non-zero exit when no claim could be scored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from denialrisk.cli import app
from tests.builders import make_claim_dict

pytestmark = pytest.mark.slow
runner = CliRunner()


def write_jsonl(path: Path, claims: list[dict]) -> Path:
    path.write_text("".join(json.dumps(c) + "\n" for c in claims))
    return path


def invalid_claim(i: int) -> dict:
    claim = make_claim_dict(claim_id=f"BAD-{i}")
    claim["lines"][0]["cpt"] = "99"  # malformed code: a 400 on the API, an error line here
    return claim


def score(bentoml_home: Path, source: Path, output: Path) -> object:
    return runner.invoke(app, ["score", "--input", str(source), "--output", str(output),
                               "--no-explain", "--chunk-size", "2",
                               "--bentoml-home", str(bentoml_home)])


def test_summary_and_progress(bentoml_home, tmp_path):
    claims = [make_claim_dict(claim_id=f"OK-{i}") for i in range(3)] + [invalid_claim(0)]
    out = tmp_path / "scores.jsonl"
    result = score(bentoml_home, write_jsonl(tmp_path / "in.jsonl", claims), out)
    assert result.exit_code == 0, result.output
    assert "scored 3 of 4 claims in " in result.output and f"-> {out}" in result.output
    assert "1 could not be scored" in result.output
    assert "ScoreSummary(" not in result.output
    assert "scoring" in result.stderr and "4/4" in result.stderr  # the progress bar
    assert len(out.read_text().splitlines()) == 4


def test_nothing_scored_exits_1_naming_the_first_error(bentoml_home, tmp_path):
    claims = [invalid_claim(i) for i in range(3)]
    result = score(bentoml_home, write_jsonl(tmp_path / "bad.jsonl", claims),
                   tmp_path / "scores.jsonl")
    assert result.exit_code == 1, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("error: none of the 3 claims could be scored (first: lines[0].cpt")
    assert "Traceback" not in result.output


def test_an_empty_input_exits_1(bentoml_home, tmp_path):
    (tmp_path / "empty.jsonl").write_text("\n")
    result = score(bentoml_home, tmp_path / "empty.jsonl", tmp_path / "scores.jsonl")
    assert result.exit_code == 1 and "the input holds no claims" in result.output
