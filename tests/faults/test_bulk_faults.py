"""Bulk scoring (`score --output X.parquet`) on a disk that fills up: a clear error naming
the output, exit 2, and no file left that could pass for complete results."""

from __future__ import annotations

import errno

import pytest

from contract.dataset import write_dataset
from serving.bulk import score_dataset
from serving.offline import OfflineOutputError
from serving.scoring import Options
from synthetic_data.config import GeneratorConfig
from synthetic_data.generate import generate_frames
from tests.faults.helpers import cli_env, leftovers, run_cli

pytestmark = pytest.mark.slow
PLAIN = Options(explain=False, fixes=False)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    frames = generate_frames(GeneratorConfig(claims=3000, seed=23))
    return write_dataset(frames, tmp_path_factory.mktemp("bulk-faults") / "claims")


def test_kernel_refuses_the_parquet_output(bentoml_home, serving_env, predictor, dataset,
                                           tmp_path):
    """A file-size limit makes the kernel refuse the growing output (EFBIG) halfway."""
    reference = tmp_path / "reference.parquet"
    score_dataset(dataset, reference, predictor, PLAIN, chunk_size=500)
    out = tmp_path / "run" / "scores.parquet"
    args = ["score", "--input", str(dataset), "--output", str(out), "--no-explain",
            "--chunk-size", "500", "--bentoml-home", str(bentoml_home)]
    code, output = run_cli(args, cli_env(**serving_env), tmp_path / "full.log",
                           fsize=reference.stat().st_size // 2)
    assert code == 2, output
    assert f"error: cannot write results to {out}: File too large" in output
    assert "Traceback" not in output
    assert not out.exists() and leftovers(out.parent) == []


def test_disk_full_mid_run_removes_the_temp_file(predictor, dataset, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    real, calls = pq.ParquetWriter.write_table, []

    def full_on_third(self, table, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full_on_third)
    out = tmp_path / "scores.parquet"
    with pytest.raises(OfflineOutputError, match=f"cannot write results to {out}: No space"):
        score_dataset(dataset, out, predictor, PLAIN, chunk_size=500)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
