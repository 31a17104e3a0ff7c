"""Ingest joins remits to claims and counts everything that did not join."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from contract.dataset import read_dataset
from contract.frames import ClaimFrames
from interop.x12.envelope import Parties, interchange, segment, transaction
from interop.x12.ingest import ingest
from interop.x12.writer import slice_frames, write_835, write_837p
from reference.carc import load_carc_categories


def extra_remit() -> str:
    """An 835 with a remit for an unknown claim and a reversal (CLP02 = 22) of H-1."""
    body = [segment("BPR", "H", "0", "C", "NON", *[""] * 11, "20260401"),
            segment("TRN", "1", "X1", "1123456789"), segment("N1", "PR", "SOME PAYER"),
            segment("N1", "PE", "PRACTICE", "XX", "1234567893"), segment("LX", 1),
            segment("CLP", "NO-SUCH-CLAIM", "4", "100", "0", "", "MB", "PCN1"),
            segment("CAS", "CO", "29", "100"),
            segment("CLP", "H-1", "22", "-125", "0", "", "MB", "PCN2")]
    return interchange("HP", "005010X221A1", [transaction("835", 1, "", body)], 9,
                       Parties(), datetime(2026, 4, 1, 12))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="ascii")
    return path


def test_unmatched_claims_and_remits_are_counted(labelled_frames: ClaimFrames,
                                                 tmp_path: Path) -> None:
    n = len(labelled_frames.claims)
    claims = write(tmp_path / "all.837", write_837p(labelled_frames))
    remits = write(tmp_path / "some.835", write_835(slice_frames(labelled_frames, 0, n - 2)))
    extra = write(tmp_path / "extra.835", extra_remit())
    report = ingest([claims], [remits, extra], tmp_path / "history.parquet")
    assert report.claims_read == n and report.matched == n - 2
    assert report.unmatched_claims == 2
    assert report.unmatched_remits == 1  # NO-SUCH-CLAIM
    assert report.reversals == 1  # CLP02 = 22 never labels a claim
    frames = read_dataset(tmp_path / "history.parquet")
    assert len(frames.claims) == n - 2
    assert {"denied", "denial_carc", "denial_category", "denied_lines"} <= set(frames.claims)
    assert frames.claims["denied"].dtype == bool


def test_invalid_claims_and_refused_remits_are_reported(x12_dir: Path,
                                                        tmp_path: Path) -> None:
    claims = [x12_dir / "837p_lfh_demo_example1.837", x12_dir / "837p_imsweb_x12_valid.txt"]
    remits = [x12_dir / "835_bcbsnc_sample.txt", x12_dir / "835_uhc_legacy_sample.txt"]
    report = ingest(claims, remits, tmp_path / "history.parquet")
    assert report.claims_read == 3 and report.claims_invalid == 3 and report.matched == 0
    assert report.rejected == {"icd9_diagnosis": 3}
    assert report.remits_refused == 0 and report.envelope_warnings == 1  # BCBS: SE count
    assert report.unmatched_remits == 3  # the two UHC claims and the BCBS one
    assert any("ICD-9 qualifier BK" in e for e in report.errors)
    assert len(read_dataset(tmp_path / "history.parquet").claims) == 0


def test_a_wrong_se_count_warns_but_a_cut_transaction_refuses(
        labelled_frames: ClaimFrames, tmp_path: Path) -> None:
    text = write_837p(slice_frames(labelled_frames, 0, 3))
    miscounted = text.replace("\nSE*", "\nSE*9", 1)
    report = ingest([write(tmp_path / "a.837", miscounted)], [], tmp_path / "a")
    assert report.claims_invalid == 0 and report.envelope_warnings > 0
    cut = text[:text.index("\nSE*") + 1]
    report = ingest([write(tmp_path / "b.837", cut)], [], tmp_path / "b")
    assert report.claims_invalid > 0 and set(report.rejected) == {"truncated_transaction"}


def test_carc_table_maps_every_contract_reason() -> None:
    from reference.vocab import CATEGORY_CARC

    table = load_carc_categories()
    for category, code in CATEGORY_CARC.items():
        assert table[code.split("-")[1]] == category
    for contractual in ("45", "42", "253", "A2", "1", "2", "3", "23"):
        assert contractual not in table


def test_carc_table_codes_exist_in_the_shared_list() -> None:
    import csv

    from settings import get_settings

    path = get_settings().carc_dir / "carc.csv"
    if not path.is_file():
        pytest.skip(f"{path} not available")
    with path.open(newline="", encoding="utf-8") as handle:
        known = {row["code"] for row in csv.DictReader(handle)}
    assert set(load_carc_categories()) <= known


@pytest.mark.parametrize(("carc", "category"), [
    ("22", "eligibility"), ("B13", "missing_information"), ("49", "diagnosis_mismatch"),
    ("182", "modifier"), ("231", "bundling"), ("B16", "missing_information"),
    ("150", "medical_necessity"), ("242", "authorization")])
def test_common_real_denial_carcs_have_a_category(carc: str, category: str) -> None:
    # a real 835 brings CARCs our generator never writes (COB, previously paid, screening,
    # invalid modifier, mutually exclusive, new-patient criteria): their denials must still
    # teach the reason model, so each maps to the category a biller would file it under
    assert load_carc_categories()[carc] == category


def test_a_generic_denial_carc_keeps_no_category() -> None:
    # CO-A1 "claim/service denied" says nothing without its RARC: no guessed category
    assert "A1" not in load_carc_categories()
