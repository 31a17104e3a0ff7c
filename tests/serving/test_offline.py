"""`denialrisk score` path: same predictions as the API, atomic and resumable output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from serving.offline import OfflineInputError, score_file
from serving.scoring import Options
from tests.builders import make_claim_dict

pytestmark = pytest.mark.slow


def write_jsonl(path: Path, n: int) -> Path:
    with path.open("w") as fh:
        for i in range(n):
            claim = make_claim_dict(claim_id=f"C{i}", payer_id=("MCR", "COA", "ZZ")[i % 3])
            if i == 4:
                claim["lines"][0]["cpt"] = "NOPE1"
            fh.write(json.dumps(claim) + "\n")
        fh.write("{not json\n")
    return path


def test_jsonl_scores_in_order_with_error_records(predictor, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", 12)
    summary = score_file(src, tmp_path / "out.jsonl", predictor, chunk_size=5)
    rows = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert summary.claims == 13 and summary.errors == 2 and summary.chunks == 3
    assert [r.get("claim_id") for r in rows[:6]] == ["C0", "C1", "C2", "C3", "C4", "C5"]
    assert rows[4]["error"] == "invalid claim"
    assert rows[4]["detail"][0]["field"] == "lines[0].cpt"
    assert rows[0]["model"]["name"] == "denialrisk-MCR" and rows[2]["model"]["fallback"]
    assert not (tmp_path / "out.jsonl.parts").exists()


def test_same_numbers_as_the_service_path(predictor, tmp_path, em_biopsy_without_25):
    from contract.schema import Claim

    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps(em_biopsy_without_25) + "\n")
    score_file(src, tmp_path / "o.jsonl", predictor)
    offline = json.loads((tmp_path / "o.jsonl").read_text())
    [online] = predictor.predict([Claim.model_validate(em_biopsy_without_25)])
    assert offline == json.loads(online.model_dump_json())


def test_crash_leaves_no_output_and_rerun_resumes(predictor, tmp_path, monkeypatch):
    src, out = write_jsonl(tmp_path / "in.jsonl", 14), tmp_path / "out.jsonl"
    clean = tmp_path / "clean.jsonl"
    score_file(src, clean, predictor, Options(explain=False), chunk_size=5)

    import serving.offline as offline

    real, calls = offline.score_chunk, []

    def crash_on_second(pred, records, options):
        calls.append(len(records))
        if len(calls) == 2:
            raise RuntimeError("simulated crash")
        return real(pred, records, options)

    monkeypatch.setattr(offline, "score_chunk", crash_on_second)
    with pytest.raises(RuntimeError):
        score_file(src, out, predictor, Options(explain=False), chunk_size=5)
    assert not out.exists()
    assert sorted(p.name for p in (tmp_path / "out.jsonl.parts").glob("part-*")) == [
        "part-000000.jsonl"]
    monkeypatch.setattr(offline, "score_chunk", real)
    summary = score_file(src, out, predictor, Options(explain=False), chunk_size=5)
    assert summary.resumed_chunks == 1 and summary.chunks == 3
    assert out.read_text() == clean.read_text()


def test_changed_input_starts_over(predictor, tmp_path):
    src, out = write_jsonl(tmp_path / "in.jsonl", 6), tmp_path / "out.jsonl"
    parts = tmp_path / "out.jsonl.parts"
    parts.mkdir()
    (parts / "manifest.json").write_text('{"input": "something else"}')
    (parts / "part-000000.jsonl").write_text("stale\n")
    summary = score_file(src, out, predictor, Options(explain=False), chunk_size=5)
    assert summary.resumed_chunks == 0 and "stale" not in out.read_text()


def test_dataset_folder_input(predictor, tmp_path):
    from contract.dataset import write_dataset
    from synthetic_data.config import GeneratorConfig
    from synthetic_data.generate import generate_frames

    folder = write_dataset(generate_frames(GeneratorConfig(claims=40, seed=3)), tmp_path / "ds")
    summary = score_file(folder, tmp_path / "r.jsonl", predictor, Options(explain=False))
    assert summary.claims == 40 and summary.errors == 0


def test_missing_input_is_a_clear_error(predictor, tmp_path):
    with pytest.raises(OfflineInputError, match="input not found"):
        score_file(tmp_path / "nope.jsonl", tmp_path / "r.jsonl", predictor)


def test_x12_837p_file(predictor, tmp_path, monkeypatch):
    from denialrisk.commands import run_server as commands
    from interop.x12.samples import x12_samples_dir

    src = x12_samples_dir() / "837p_imsweb_x12_valid.txt"
    if not src.is_file():
        pytest.skip("shared X12 samples not available")
    monkeypatch.setattr(commands, "load_predictor", lambda home, cms, **_: predictor)
    summary = commands.score_x12_command(src, tmp_path / "x.jsonl")
    rows = [json.loads(x) for x in (tmp_path / "x.jsonl").read_text().splitlines()]
    assert summary.claims == len(rows) >= 1
    assert all("denial_probability" in r or r["error"] == "invalid claim" for r in rows)
    with pytest.raises(OfflineInputError, match="not an X12 file"):
        commands.score_x12_command(write_jsonl(tmp_path / "j.jsonl", 1), tmp_path / "y.jsonl")
