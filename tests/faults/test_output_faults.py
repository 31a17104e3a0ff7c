"""`denialrisk score` / `generate` killed, out of disk or pointed at an unwritable path: a
clear error naming the path, no half-written file that looks complete, and a rerun that
resumes (score) or leaves the previous data set intact (generate)."""

from __future__ import annotations

import errno
import os
import re
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contract.dataset import read_dataset, write_dataset
from denialrisk.cli import app
from serving.offline import OfflineOutputError, score_file
from serving.scoring import Options
from synthetic_data.config import GeneratorConfig
from synthetic_data.generate import generate_frames, generate_to_path
from tests.faults.helpers import (
    cli_env,
    kill_group,
    leftovers,
    readonly_dir,
    run_cli,
    start_cli,
)

pytestmark = pytest.mark.slow
CHUNK = 100
N_CLAIMS = 600  # six chunks: the killed run has five left when its first part appears


@pytest.fixture(scope="module")
def claims_dataset(tmp_path_factory) -> Path:
    frames = generate_frames(GeneratorConfig(claims=N_CLAIMS, seed=21))
    return write_dataset(frames, tmp_path_factory.mktemp("faults-claims") / "claims")


def score_args(src: Path, out: Path, home: Path, *extra: str) -> list[str]:
    return ["score", "--input", str(src), "--output", str(out), "--chunk-size", str(CHUNK),
            "--bentoml-home", str(home), *extra]


def resumed_chunks(output: str) -> int:
    """Resumed chunks from the CLI's summary line (`...; 3 of 6 chunks resumed`)."""
    found = re.search(r"(\d+) of \d+ chunks resumed", output)
    return int(found.group(1)) if found else 0


def wait_for_file(path: Path, proc, timeout: float = 300) -> None:
    """Block until `path` exists; fail if the process ends first (not a speed check)."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"process ended ({proc.returncode}) before {path.name}"
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.02)


def test_killed_score_run_leaves_no_output_and_rerun_resumes(bentoml_home, serving_env,
                                                            claims_dataset, tmp_path):
    run_dir = tmp_path / "run"
    out, parts = run_dir / "scores.jsonl", run_dir / "scores.jsonl.parts"
    args, env = score_args(claims_dataset, out, bentoml_home), cli_env(**serving_env)
    # the reference is an uninterrupted run of the same command (same LightGBM threads:
    # SHAP sums may differ in the last bit between thread counts)
    reference = tmp_path / "reference.jsonl"
    code, output = run_cli(score_args(claims_dataset, reference, bentoml_home), env,
                           tmp_path / "reference.log")
    assert code == 0, output
    proc = start_cli(args, env, tmp_path / "killed.log")
    try:
        wait_for_file(parts / "part-000000.jsonl", proc)
    finally:
        kill_group(proc)
    assert proc.returncode == -9, "the run finished before it could be killed"
    assert sorted(p.name for p in run_dir.iterdir()) == ["scores.jsonl.parts"]
    finished = sorted(p.name for p in parts.glob("part-*"))
    assert 1 <= len(finished) < N_CLAIMS // CHUNK
    code, output = run_cli(args, env, tmp_path / "rerun.log")
    assert code == 0, output
    assert resumed_chunks(output) == len(finished)
    assert out.read_text() == reference.read_text()
    assert sorted(p.name for p in run_dir.iterdir()) == ["scores.jsonl"]


def fail_after(calls: int, real):
    """A stand-in for `real` that raises ENOSPC from call number `calls` on."""
    seen = []

    def fake(*args, **kwargs):
        seen.append(1)
        if len(seen) >= calls:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)
    return fake


def half_copy(src, dst, *args, **kwargs):
    """shutil.copyfileobj that writes half a part, then finds the disk full."""
    dst.write(src.read()[:100])
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("where", ["second_part", "assembly"])
def test_disk_full_while_scoring_names_the_path_and_rerun_resumes(predictor, claims_dataset,
                                                                  tmp_path, monkeypatch,
                                                                  where):
    import serving.offline as offline

    options = Options(explain=False)
    reference = tmp_path / "reference.jsonl"
    score_file(claims_dataset, reference, predictor, options, CHUNK)
    run_dir = tmp_path / "run"
    out = run_dir / "scores.jsonl"
    with monkeypatch.context() as mp:
        if where == "second_part":  # fsync #1 manifest, #2 part 0, #3 part 1
            mp.setattr(os, "fsync", fail_after(3, os.fsync))
        else:
            mp.setattr(offline.shutil, "copyfileobj", half_copy)
        with pytest.raises(OfflineOutputError, match="No space left") as failure:
            score_file(claims_dataset, out, predictor, options, CHUNK)
    named = out.parent / "scores.jsonl.parts" / "part-000001.jsonl" \
        if where == "second_part" else out
    assert f"cannot write results to {named}:" in str(failure.value)
    assert not out.exists() and leftovers(run_dir) == []
    summary = score_file(claims_dataset, out, predictor, options, CHUNK)
    assert summary.resumed_chunks == (1 if where == "second_part" else N_CLAIMS // CHUNK)
    assert out.read_text() == reference.read_text()


def test_real_write_failure_in_assembly_then_rerun(bentoml_home, serving_env, predictor,
                                                    claims_dataset, tmp_path):
    """A file-size limit makes the kernel refuse the assembled output (EFBIG) while the
    smaller parts fit: the CLI names the output, leaves no file, and a rerun resumes."""
    reference = tmp_path / "reference.jsonl"
    score_file(claims_dataset, reference, predictor, Options(explain=False, fixes=False),
               CHUNK)  # what `score --no-explain` writes
    lines = reference.read_bytes().splitlines(keepends=True)
    largest_part = max(len(b"".join(lines[i:i + CHUNK])) for i in range(0, len(lines), CHUNK))
    limit = (largest_part + len(reference.read_bytes())) // 2
    run_dir = tmp_path / "run"
    out = run_dir / "scores.jsonl"
    args, env = score_args(claims_dataset, out, bentoml_home, "--no-explain"), \
        cli_env(**serving_env)
    code, output = run_cli(args, env, tmp_path / "full.log", fsize=limit)
    assert code == 2, output
    assert f"error: cannot write results to {out}: File too large" in output
    assert "Traceback" not in output
    assert not out.exists() and leftovers(run_dir) == []
    code, output = run_cli(args, env, tmp_path / "rerun.log")
    assert code == 0 and resumed_chunks(output) == N_CLAIMS // CHUNK, output
    assert out.read_text() == reference.read_text()


@pytest.mark.parametrize("kind", ["parent_is_a_file", "readonly_folder"])
def test_unwritable_score_output_is_a_clear_error(predictor, claims_dataset, tmp_path,
                                                  monkeypatch, kind):
    monkeypatch.setattr("denialrisk.commands.run_server.load_predictor",
                        lambda home, cms, **_: predictor)
    if kind == "parent_is_a_file":
        parent = tmp_path / "not-a-folder"
        parent.write_text("x")
    else:
        parent = readonly_dir(tmp_path)
    out = parent / "scores.jsonl"
    result = CliRunner().invoke(app, ["score", "--input", str(claims_dataset), "--output",
                                      str(out), "--no-explain"])
    assert result.exit_code == 2, result.output
    assert f"cannot write results to {out}.parts" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_generate_into_readonly_folder_is_a_clear_error(tmp_path):
    out = readonly_dir(tmp_path) / "claims"
    result = CliRunner().invoke(app, ["generate", "--claims", "200", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"cannot write data set to {out}" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_generate_disk_full_keeps_the_previous_dataset(tmp_path):
    """The kernel refuses the new parquet files mid-write (file-size limit): the error names
    the folder, the earlier data set is untouched and no temporary folder is left."""
    target = tmp_path / "claims"
    generate_to_path(GeneratorConfig(claims=200, seed=1), target)
    code, output = run_cli(["generate", "--claims", "3000", "--out", str(target)],
                           cli_env(), tmp_path / "generate.log", fsize=50_000)
    assert code == 2, output
    assert f"error: cannot write data set to {target}" in output
    assert "Traceback" not in output
    assert len(read_dataset(target).claims) == 200
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims", "generate.log"]


def test_generate_x12_disk_full_leaves_no_truncated_x12_files(tmp_path, monkeypatch):
    """The 835 write finds the disk full after the 837 was written: no <out>-x12 folder
    (with a complete-looking 837 but no remits) and no temporary folder is left."""
    import interop.x12.writer as writer

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writer, "write_835", full_disk)
    out = tmp_path / "claims"
    result = CliRunner().invoke(app, ["generate", "--claims", "200", "--out", str(out),
                                      "--format", "x12"])
    assert result.exit_code == 2, result.output
    assert f"cannot write X12 files to {out}-x12: No space left on device" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims"]
