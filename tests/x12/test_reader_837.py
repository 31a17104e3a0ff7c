"""837P fields real histories carry (shared/domain §11): NDC drug lines, dependants,
referrals, corrected claims, codes outside the reference tables; and the fast reader."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from interop.x12.batches import rejection_reason
from interop.x12.claims837 import parse_837p
from interop.x12.envelope import Parties, interchange, segment, transaction
from interop.x12.reader import read_interchange
from interop.x12.results import UNCARRIED_FIELDS
from interop.x12.samples import sample_files, x12_samples_dir


def header(bht04: str = "20260302") -> list[str]:
    return [segment("BHT", "0019", "00", "B1", bht04, "1200", "CH"),
            segment("NM1", "41", "2", "PRACTICE", "", "", "", "", "46", "S1"),
            segment("NM1", "40", "2", "CH", "", "", "", "", "46", "R1"),
            segment("HL", 1, "", "20", 1),
            segment("NM1", "85", "2", "PRACTICE", "", "", "", "", "XX", "1234567893")]


def subscriber(member: str = "W100", dependant: bool = False) -> list[str]:
    out = [segment("HL", 2, 1, "22", 1 if dependant else 0),
           segment("SBR", "P", "" if dependant else "18", "", "", "", "", "", "", "CI"),
           segment("NM1", "IL", "1", "DOE", "JANE", "", "", "", "MI", member)]
    if not dependant:
        out.append(segment("DMG", "D8", "19500412", "F"))
    out.append(segment("NM1", "PR", "2", "PAYER", "", "", "", "", "PI", "87726"))
    if dependant:
        out += [segment("HL", 3, 2, "23", 0), segment("PAT", "19"),
                segment("NM1", "QC", "1", "DOE", "JIM"), segment("DMG", "D8", "20150601", "M")]
    return out


def claim(clm01: str = "A1", frequency: str = "1", refs: list[str] | None = None,
          lines: list[list[str]] | None = None, referring: bool = False) -> list[str]:
    out = [segment("CLM", clm01, "200", "", "", f"11:B:{frequency}", "Y", "A", "Y", "Y"),
           *(refs or []), segment("HI", "ABK:L400", "ABF:L570")]
    if referring:
        out.append(segment("NM1", "DN", "1", "REF", "DOC", "", "", "", "XX", "1003000126"))
    out.append(segment("NM1", "82", "1", "REN", "DOC", "", "", "", "XX", "1234567893"))
    for n, line in enumerate(lines or [service("99213")], start=1):
        out += [segment("LX", n), *line]
    return out


def service(code: str, mods: str = "", extra: list[str] | None = None) -> list[str]:
    procedure = ":".join(["HC", code, *[m for m in mods.split(":") if m]])
    return [segment("SV1", procedure, "100", "UN", 1, "", "", "1"),
            segment("DTP", "472", "D8", "20260227"), *(extra or [])]


def x12(*body: list[str]) -> str:
    segs = header() + [s for part in body for s in part]
    return interchange("HC", "005010X222A1", [transaction("837", 1, "005010X222A1", segs)], 1,
                       Parties(), datetime(2026, 3, 2, 12))


def one(text: str):
    [result] = parse_837p(text)
    return result


def test_ndc_and_drug_quantity_are_read_from_lin_and_ctp() -> None:
    drug = service("J3301", extra=[segment("LIN", "", "N4", "00003029320"),
                                   segment("CTP", "", "", "", "4", "UN")])
    result = one(x12(subscriber(), claim(lines=[service("11900"), drug])))
    assert result.ok, result.messages
    line = result.claim["lines"][1]
    assert (line["cpt"], line["ndc"], line["drug_quantity"]) == ("J3301", "00003029320", "UN 4")
    assert result.claim["lines"][0]["ndc"] is None


def test_malformed_ndc_is_dropped_with_a_warning_not_the_claim() -> None:
    drug = service("J3301", extra=[segment("LIN", "", "N4", "123")])
    result = one(x12(subscriber(), claim(lines=[drug])))
    assert result.ok and result.claim["lines"][0]["ndc"] is None
    assert any(w.startswith("LIN*N4") for w in result.warnings)


def test_dependant_patient_loop_gives_patient_demographics_and_subscriber_id() -> None:
    result = one(x12(subscriber("W200", dependant=True), claim()))
    assert result.ok, result.messages
    patient = result.claim["patient"]
    assert patient == {"member_id": "W200", "birth_date": "2015-06-01", "sex": "M"}


def test_referral_prior_auth_submission_date_and_uncarried_fields() -> None:
    refs = [segment("REF", "9F", "RF1"), segment("REF", "G1", "PA-9")]
    result = one(x12(subscriber(), claim(refs=refs)))
    assert result.claim["referral_on_file"] is True
    assert result.claim["prior_authorization"]["number"] == "PA-9"
    assert result.claim["submission_date"] == "2026-03-02"  # BHT04
    assert one(x12(subscriber(), claim(referring=True))).claim["referral_on_file"] is True
    bare = one(x12(subscriber(), claim()))
    assert bare.claim["referral_on_file"] is None  # unknown, never assumed
    assert bare.claim["documentation"]["separate_em_note"] is None
    assert "history.sessions_this_year" in UNCARRIED_FIELDS
    assert "referral_on_file" in bare.assumed_defaults


def test_line_rendering_npis_other_than_the_claims_are_noted() -> None:
    other = service("11102", extra=[segment("NM1", "82", "1", "B", "C", "", "", "", "XX",
                                            "1003000134")])
    result = one(x12(subscriber(), claim(lines=[service("99213"), other])))
    assert result.claim["provider"]["rendering_npi"] == "1234567893"  # 2310B
    assert any(w.startswith("NM1*82 (2420A)") for w in result.warnings)


def test_corrected_claim_frequency_and_original_reference() -> None:
    result = one(x12(subscriber(), claim(frequency="7", refs=[segment("REF", "F8", "ICN77")])))
    assert result.claim["claim_frequency"] == "7" and result.original_reference == "ICN77"
    assert result.claim["original_claim_id"] is None  # ingest links events, not the reader
    void = one(x12(subscriber(), claim(frequency="8")))
    assert void.claim["claim_frequency"] == "8"


@pytest.mark.parametrize("code,mods", [("10060", ""), ("14040", ""), ("14060", ""),
                                       ("96372", ""), ("J3245", ""), ("G2211", ""),
                                       ("99213", "95"), ("17000", "KX"), ("15271", "AQ")])
def test_well_formed_codes_outside_the_tables_are_kept(code: str, mods: str) -> None:
    result = one(x12(subscriber(), claim(lines=[service(code, mods)])))
    assert result.ok, result.messages
    assert result.claim["lines"][0]["cpt"] == code


@pytest.mark.parametrize("line,reason", [
    (service("1234"), "malformed_code"), (service("99213", "T"), "malformed_modifier")])
def test_malformed_codes_refuse_the_claim_with_a_reason(line: list[str], reason: str) -> None:
    result = one(x12(subscriber(), claim(lines=[line])))
    assert not result.ok and rejection_reason(result.errors) == reason


def test_icd9_and_no_lines_reasons(x12_dir: Path) -> None:
    [icd9] = parse_837p((x12_dir / "837p_lfh_demo_example1.837").read_text())
    assert rejection_reason(icd9.errors) == "icd9_diagnosis"
    no_lines = [s for s in claim() if not s.startswith(("LX", "SV1", "DTP"))]
    result = one(x12(subscriber(), no_lines))
    assert rejection_reason(result.errors) == "no_lines"


def normal(segs) -> list[tuple[str, tuple[str, ...]]]:
    """Segments without trailing empty elements/components (pyx12 drops them)."""
    out = []
    for s in segs:
        elements = [":".join(c.rstrip() for c in e.split(s.sub)).rstrip(":") for e in
                    s.elements] if s.id != "ISA" else list(s.elements)
        while elements and not elements[-1]:
            elements.pop()
        out.append((s.id, tuple(elements)))
    return out


def test_fast_reader_gives_the_segments_pyx12_gives() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sample_files(x12_samples_dir())]
    texts.append(x12(subscriber("W1", dependant=True), claim(refs=[segment("REF", "F8", "X")])))
    assert len(texts) > 1
    for text in texts:
        slow, fast = read_interchange(text), read_interchange(text, fast=True)
        assert [t.kind for t in slow.transactions] == [t.kind for t in fast.transactions]
        for a, b in zip(slow.transactions, fast.transactions):
            assert normal(a.segments) == normal(b.segments)
            assert a.issues == b.issues
