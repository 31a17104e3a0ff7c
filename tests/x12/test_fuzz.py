"""Truncated and garbled interchanges never raise: they come back as issues."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interop.x12.claims837 import parse_837p
from interop.x12.remit835 import read_835
from interop.x12.samples import sample_files, x12_samples_dir

FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
TEXTS = [p.read_text(encoding="utf-8") for p in sample_files(x12_samples_dir())]
pytestmark = pytest.mark.skipif(not TEXTS, reason="no X12 samples (DENIALRISK_X12_DIR)")
JUNK = st.text(alphabet=st.sampled_from("*:~^>\n\r ISAGSTSE0123456789ABCDEFHIJKLMN"),
               max_size=40)


def read_everything(text: str) -> None:
    """Both readers on the same text; each must return, never raise."""
    results = parse_837p(text)
    assert isinstance(results, list)
    for r in results:
        assert r.ok or r.errors
        assert not any("could not be read" in m for m in r.messages)  # no internal crash
    remits = read_835(text)
    assert not any("could not be read" in str(i) for i in remits.issues)


@FUZZ
@given(st.sampled_from(range(len(TEXTS) or 1)), st.floats(0, 1))
def test_truncated_interchanges_never_raise(index: int, cut: float) -> None:
    text = TEXTS[index]
    read_everything(text[: int(len(text) * cut)])


@FUZZ
@given(st.sampled_from(range(len(TEXTS) or 1)), st.floats(0, 1), JUNK, st.integers(0, 30))
def test_garbled_interchanges_never_raise(index: int, where: float, junk: str,
                                          drop: int) -> None:
    text = TEXTS[index]
    at = int(len(text) * where)
    read_everything(text[:at] + junk + text[at + drop:])


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    read_everything(text)
    read_everything("ISA" + text)


def test_truncated_837_reports_an_interchange_error(x12_dir: Path) -> None:
    text = (x12_dir / "837p_lfh_demo_example1.837").read_text(encoding="utf-8")
    results = parse_837p(text[: len(text) // 2])
    levels = {r.level for r in results}
    assert "interchange" in levels
    assert any(m.startswith(("IEA:", "SE:")) for r in results for m in r.messages)


def test_empty_and_non_x12_input() -> None:
    assert parse_837p("")[0].level == "interchange"
    [result] = parse_837p("hello, this is not X12")
    assert result.level == "interchange" and result.claim_id is None
    assert read_835("garbage").remits == []
