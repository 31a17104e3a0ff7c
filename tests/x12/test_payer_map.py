"""Payer mapping: source payer ids -> our payer ids, overridable, unmapped flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from interop.x12.payer_map import (
    PAYER_MAP_ENV,
    PayerMapError,
    load_payer_map,
    map_payer,
    source_payer_id,
)
from reference.vocab import PAYERS


def test_default_map_covers_our_payers_both_ways() -> None:
    table = load_payer_map()
    for payer in PAYERS:
        assert map_payer(source_payer_id(payer, table), table) == (payer, True)
        assert map_payer(payer, table) == (payer, True)
    assert map_payer(" drmcr01 ", table) == ("MCR", True)


def test_unmapped_payer_keeps_its_id_and_is_flagged() -> None:
    assert map_payer(" 87726 ") == ("87726", False)


def test_map_is_overridable_by_path_and_env(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    custom = tmp_path / "payers.csv"
    custom.write_text("source_payer_id,payer_id,note\n87726,COA,UHC commercial\n")
    assert map_payer("87726", load_payer_map(custom)) == ("COA", True)
    monkeypatch.setenv(PAYER_MAP_ENV, str(custom))
    assert map_payer("87726") == ("COA", True)
    assert source_payer_id("COA") == "87726"


def test_malformed_map_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("source_payer_id,payer_id\n87726,\n")
    with pytest.raises(PayerMapError, match="row 2"):
        load_payer_map(bad)
    with pytest.raises(PayerMapError, match="cannot read"):
        load_payer_map(tmp_path / "missing.csv")
