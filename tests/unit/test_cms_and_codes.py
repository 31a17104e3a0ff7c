"""CMS extract loader and the curated code / linkage tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from reference.cms import CmsDataError, load_cms_tables
from reference.codes import load_code_table
from reference.icd10 import normalize_icd10
from reference.linkage import (
    CONDITIONAL_CLASSES,
    DX_CLASSES,
    SUPPORTING_CLASSES,
    dx_class,
    example_codes,
    supports,
)


def test_cms_facts_match_domain_sheet(cms):
    # shared/domain §9: checked against the real 2024Q3 files.
    assert cms.ptp_indicator("17004", "17000") == 0
    assert cms.ptp_indicator("11102", "99213") == 1
    assert cms.ptp_indicator("11402", "11104") == 1
    assert cms.ptp_indicator("99213", "11102") is None
    assert cms.mue.loc["17003", "mue_units"] == 13
    assert cms.mue.loc["17000", "mue_mai"] == 2
    assert cms.mue.loc["88305", "mue_units"] == 16
    assert cms.global_days["11402"] == "010" and cms.global_days["11102"] == "000"
    # 4,753 active pairs among dermatology codes + 1,426 with another curated code
    assert len(cms.ptp) == 6179
    assert cms.ptp_indicator("14020", "11622") == 1  # the flap includes the excision
    assert cms.ptp_indicator("10060", "11402") == 1
    assert "2024Q3" in cms.releases["ptp"]


def test_missing_cms_dir_names_the_file(tmp_path: Path):
    with pytest.raises(CmsDataError, match="ncci_ptp_practitioner_2024q3_derm_pairs.csv"):
        load_cms_tables(tmp_path)


def test_malformed_cms_file_names_the_file(tmp_path: Path):
    (tmp_path / "ncci_ptp_practitioner_2024q3_derm_pairs.csv").write_text("a,b\n1,2\n")
    with pytest.raises(CmsDataError, match="malformed"):
        load_cms_tables(tmp_path)


def test_code_table_agrees_with_mpfs_global_days(cms):
    table = load_code_table().frame
    shared = table.index.intersection(cms.global_days.index)
    assert len(shared) > 140
    assert (table.loc[shared, "global_days"] == cms.global_days[shared]).all()
    for code in ("J3301", "J7308", "J3358", "11200", "11201", "88305", "99211"):
        assert code in table.index


def test_code_table_addon_parents_are_known_codes():
    table = load_code_table()
    assert table.addon_parents("17003") == ("17000",)
    for code in table.frame.index:
        assert set(table.addon_parents(code)) <= table.codes


def test_linkage_codes_are_billable_fy2026():
    for code in example_codes():
        assert normalize_icd10(code) == code, code
    families = set(load_code_table().frame["family"])
    assert set(SUPPORTING_CLASSES) <= families and set(CONDITIONAL_CLASSES) <= families
    for classes in [*SUPPORTING_CLASSES.values(), *CONDITIONAL_CLASSES.values()]:
        assert set(classes) <= set(DX_CLASSES)


def test_every_side_and_site_of_a_skin_cancer_supports_malignant_procedures():
    # Issue 16: left-side and other-site subcodes were scored as not supporting.
    for code in ("C44.612", "C44.619", "C44.622", "C44.629", "C44.712", "C44.719",
                 "C44.212", "C44.1121", "C44.1192", "C44.519", "C44.41", "C43.62",
                 "C43.72", "D03.62", "D04.62", "C4A.4"):
        assert normalize_icd10(code) == code, code
        assert dx_class(code) not in ("other", "nevus"), code
        for family in ("excision_malignant", "mohs", "destruction_malignant", "biopsy"):
            assert supports(family, code), (family, code)
    assert not supports("excision_malignant", "D22.62")
    assert supports("excision_benign", "D22.62") and supports("excision_benign", "D23.72")


def test_conditional_diagnoses_need_documented_symptoms():
    assert not supports("shave", "L82.1") and supports("shave", "L82.1", True)
    assert supports("destruction_benign", "L82.0") and supports("em", "Z12.83")
    assert dx_class("C44.622") == "scc" and dx_class("C44.619") == "bcc"
