"""Claim frames round trip and the atomic data set writer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from contract.dataset import DatasetError, read_dataset, write_dataset
from contract.frames import claims_to_frames, frames_to_claims
from contract.schema import Claim


def test_frames_round_trip_preserves_claims(contract_examples, tmp_path: Path):
    claims = [Claim.model_validate(c) for c in contract_examples.values()]
    frames = claims_to_frames(claims)
    write_dataset(frames, tmp_path / "ds")
    back = frames_to_claims(read_dataset(tmp_path / "ds"))
    assert [Claim.model_validate(c) for c in back] == claims


def test_unwritable_target_gives_clear_error_and_no_dataset(contract_examples, tmp_path: Path):
    if os.geteuid() == 0:
        target_parent = Path("/proc/denialrisk-cannot-write")  # root ignores chmod
    else:
        target_parent = tmp_path / "ro"
        target_parent.mkdir()
        target_parent.chmod(0o500)
    frames = claims_to_frames(list(contract_examples.values()))
    with pytest.raises(DatasetError, match="cannot write data set"):
        write_dataset(frames, target_parent / "ds")
    assert not (target_parent / "ds").exists()


def test_failed_write_leaves_previous_dataset_and_no_temp(contract_examples, tmp_path, monkeypatch):
    frames = claims_to_frames(list(contract_examples.values()))
    write_dataset(frames, tmp_path / "ds")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pandas.DataFrame.to_parquet", boom)
    with pytest.raises(DatasetError, match="No space left"):
        write_dataset(frames, tmp_path / "ds")
    assert len(read_dataset(tmp_path / "ds")) == len(frames)
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]
