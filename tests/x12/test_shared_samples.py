"""Every public sample in ../shared/x12 is read: 837P -> claims or per-claim errors,
835 -> the CARC groups/codes and RARCs the file holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from interop.x12.claims837 import parse_837p
from interop.x12.labels import remit_outcome
from interop.x12.remit835 import parse_835, read_835
from interop.x12.samples import sample_files, transaction_kind
from tests.x12.conftest import sample_text

EXPECTED_835 = {
    "835_emedny_sample.txt": ({"CO-29", "CO-251"}, {"N206"}),
    "835_pyx12_mult_loops_denials.txt": ({"CO-16", "OA-A7"}, {"N14"}),
    "835_uhc_legacy_sample.txt": ({"CO-45", "PR-1", "PR-2"}, set()),
    "835_bcbsnc_sample.txt": ({"CO-42", "PR-2", "PR-3"}, set()),
    "835_lfh_managed_care.835": ({"CO-A2", "CO-45", "PR-1"}, set()),
    "835_lfh_secondary_payment.835": ({"OA-23", "PR-1", "PR-2", "CO-42"}, set()),
}


def test_every_sample_file_is_read(x12_dir: Path) -> None:
    files = sample_files(x12_dir)
    assert len(files) >= 10
    for path in files:
        kind = transaction_kind(path)
        assert kind in ("837", "835"), path.name
        text = path.read_text(encoding="utf-8")
        if kind == "837":
            results = parse_837p(text)
            claims = [r for r in results if r.level == "claim"]
            assert claims, path.name
            for r in claims:
                assert r.ok or all(e.segment and e.reason for e in r.errors), path.name
        else:
            assert parse_835(text), path.name


def test_icd9_sample_is_a_per_claim_error(x12_dir: Path) -> None:
    [result] = parse_837p(sample_text(x12_dir, "837p_lfh_demo_example1.837"))
    assert result.claim_id == "26463774" and not result.ok and result.claim is None
    assert "HI: ICD-9 qualifier BK not supported" in result.messages
    # 87070 (a lab culture) is a well-formed CPT outside our tables: kept, not an error.
    assert not any(m.startswith("SV1:") for m in result.messages), result.messages
    assert "documentation.separate_em_note" in result.assumed_defaults


def test_bad_segment_count_names_se_for_each_claim(x12_dir: Path) -> None:
    results = parse_837p(sample_text(x12_dir, "837p_imsweb_x12_valid.txt"))
    assert [r.claim_id for r in results] == ["A37YH556", "A37YH667"]
    for r in results:
        assert r.messages[0].startswith("SE: SE01 segment count '25'")


def test_complex_sample_keeps_primary_payer_and_all_claims(x12_dir: Path) -> None:
    results = parse_837p(sample_text(x12_dir, "837p_imsweb_x12_complex.txt"))
    assert len(results) == 6 and all(r.level == "claim" for r in results)
    assert {r.source_payer_id for r in results} == {"11122333"}  # not the 2330B COB payers
    assert all(r.payer_mapped is False for r in results)
    assert any("NM1*82" in m for r in results for m in r.messages)  # NM108 'X' bad NPI


def test_cob_sample_reads_subscriber_and_flags_unmapped_payer(x12_dir: Path) -> None:
    [result] = parse_837p(sample_text(x12_dir, "837p_lfh_demo_cob_example3A.837"))
    assert result.source_payer_id == "999996666" and result.payer_mapped is False
    assert any("not in the payer map" in w for w in result.warnings)


@pytest.mark.parametrize("name", sorted(EXPECTED_835))
def test_835_samples_yield_their_carcs_and_rarcs(x12_dir: Path, name: str) -> None:
    codes, rarcs = EXPECTED_835[name]
    remits = parse_835(sample_text(x12_dir, name))
    assert {c for r in remits for c in r.adjustment_codes} == codes
    assert {c for r in remits for c in r.rarcs} == rarcs


def test_835_sample_details(x12_dir: Path) -> None:
    [denied] = parse_835(sample_text(x12_dir, "835_pyx12_mult_loops_denials.txt"))
    assert denied.claim_id == "2005555A" and denied.status == "4"
    assert denied.services[0].adjustments[0].code == "CO-16"
    assert denied.services[0].remarks == ["N14"]
    secondary = parse_835(sample_text(x12_dir, "835_lfh_secondary_payment.835"))
    assert secondary[1].services[0].procedure == "12345"
    assert secondary[1].services[0].modifiers == ("26",)  # '>' inside a ':' interchange
    bcbs = read_835(sample_text(x12_dir, "835_bcbsnc_sample.txt"))
    assert bcbs.remits[0].issues[0].segment == "SE"  # companion-guide snippet, no ISA
    assert bcbs.remits[0].services[0].submitted_procedure == "59410"


def test_sample_outcomes(x12_dir: Path) -> None:
    emedny = parse_835(sample_text(x12_dir, "835_emedny_sample.txt"))
    lines = [{"line": n, "cpt": c} for n, c in enumerate(["V2020", "V2700", "V2103", "S0580"], 1)]
    paid, late, deficient = (remit_outcome(r, lines) for r in emedny)
    assert not paid.denied and paid.denial_carc is None
    assert (late.denied, late.denial_carc, late.denial_category) == (True, "CO-29",
                                                                     "timely_filing")
    assert late.denied_lines == "1 3"
    assert deficient.denial_category == "missing_information"
    assert deficient.denied_lines == "2 4" and deficient.denial_carc == "CO-251"
    [pyx12] = parse_835(sample_text(x12_dir, "835_pyx12_mult_loops_denials.txt"))
    outcome = remit_outcome(pyx12, [{"line": 1, "cpt": "T1005"}])
    assert outcome.denied and outcome.denial_carc == "CO-16"
    uhc = parse_835(sample_text(x12_dir, "835_uhc_legacy_sample.txt"))
    assert not any(remit_outcome(r, [{"line": 1, "cpt": "B4152"}]).denied for r in uhc)
