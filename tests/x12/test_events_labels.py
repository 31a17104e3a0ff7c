"""Ingest keeps corrected/void claims and reversals as the payer sent them, and labels
lines the way shared/domain §11 reads an 835 (allowed with patient share = paid)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from contract.dataset import read_dataset
from contract.frames import claims_to_frames
from interop.x12.envelope import Parties, interchange, segment, transaction
from interop.x12.ingest import ingest
from interop.x12.labels import label_one
from interop.x12.numbering import Numbering
from interop.x12.outcomes import is_denial
from interop.x12.remit835 import Adjustment
from interop.x12.writer837 import write_837p
from tests.builders import line, make_claim_dict


def claim(cid: str, submitted: str, **extra) -> dict:
    lines = extra.pop("lines", [line(1, "99213", charge=100.0), line(2, "11102", charge=100.0)])
    return make_claim_dict(claim_id=cid, submission_date=submitted, lines=lines, **extra)


def remit_file(path: Path, paid_on: str, *clps: list[str]) -> Path:
    body = [segment("BPR", "I", "0", "C", "CHK", *[""] * 11, paid_on),
            segment("TRN", "1", "T1", "1123456789"), segment("DTM", "405", paid_on),
            segment("N1", "PR", "PAYER"), segment("N1", "PE", "PRACTICE", "XX", "1234567893"),
            segment("LX", 1)] + [s for clp in clps for s in clp]
    text = interchange("HP", "005010X221A1", [transaction("835", 1, "", body)], 1, Parties(),
                       datetime.strptime(paid_on, "%Y%m%d").replace(hour=12))
    path.write_text(text)
    return path


def clp(clm01: str, status: str, paid: str, pcn: str, frequency: str = "",
        claim_cas: list[str] | None = None, services: list[list[str]] | None = None,
        f8: str = "") -> list[str]:
    out = [segment("CLP", clm01, status, "200", paid, "0", "MB", pcn, "11", frequency),
           *(claim_cas or [])]
    if f8:
        out.append(segment("REF", "F8", f8))
    return out + [s for svc in services or [] for s in svc]


def svc(n: int, code: str, paid: str, *cas: str, rarc: str = "") -> list[str]:
    out = [segment("SVC", f"HC:{code}", "100", paid, "", 1),
           segment("DTM", "472", "20260227"), *cas, segment("REF", "6R", n)]
    return out + ([segment("LQ", "HE", rarc)] if rarc else [])


PAID = [svc(1, "99213", "64", segment("CAS", "CO", "45", "20"), segment("CAS", "PR", "2", "16")),
        svc(2, "11102", "64", segment("CAS", "CO", "45", "20"), segment("CAS", "PR", "2", "16"))]


def write_claims(path: Path, claims: list[dict]) -> Path:
    frames = claims_to_frames(claims)
    path.write_text(write_837p(frames, numbering=Numbering.of(frames.claims, reuse=True)))
    return path


def run(tmp_path: Path, claims: list[Path], remits: list[Path]):
    report = ingest(claims, remits, tmp_path / "ds")
    data = read_dataset(tmp_path / "ds")
    return report, data.claims.set_index("claim_id"), data.lines


@pytest.mark.parametrize("hint", ["clp09", "ref_f8", "dates only"])
def test_replacement_reusing_clm01_is_a_second_event_linked_to_the_original(
        tmp_path: Path, hint: str) -> None:
    with_clp09 = hint == "clp09"
    original = claim("K-1", "2026-03-02")
    fixed = claim("K-1b", "2026-03-20", claim_frequency="7", original_claim_id="K-1")
    claims = write_claims(tmp_path / "c.837", [original, fixed])
    denied = clp("K-1", "4", "0", "PK-1", "1" if with_clp09 else "",
                 services=[svc(1, "99213", "0", segment("CAS", "CO", "4", "100"), rarc="M114"),
                           PAID[1]])
    paid = clp("K-1", "1", "128", "PK-1b", "7" if with_clp09 else "", services=PAID,
               f8="PK-1" if hint == "ref_f8" else "")
    remits = [remit_file(tmp_path / "b.835", "20260403", paid),  # newest file first
              remit_file(tmp_path / "a.835", "20260316", denied)]
    report, out, lines = run(tmp_path, [claims], remits)
    assert list(out.index) == ["K-1", "K-1-F7"]
    assert out.loc["K-1", "denied"] and out.loc["K-1", "denial_carc"] == "CO-4"
    assert out.loc["K-1", "denial_rarc"] == "M114" and out.loc["K-1", "denied_lines"] == "1"
    assert not out.loc["K-1-F7", "denied"]
    assert out.loc["K-1-F7", "claim_frequency"] == "7"
    assert out.loc["K-1-F7", "original_claim_id"] == "K-1"
    assert out.loc["K-1-F7", "payer_claim_number"] == "PK-1b"
    assert (report.events_replacement, report.events_linked, report.matched) == (1, 1, 2)


def test_reversal_and_readjudication_keep_the_newest_decision(tmp_path: Path) -> None:
    claims = write_claims(tmp_path / "c.837", [claim("K-2", "2026-03-02")])
    first = clp("K-2", "1", "128", "PCN1", "1", services=PAID)
    reversal = [segment("CLP", "K-2", "22", "-200", "-128", "0", "MB", "PCN1", "11", "1")]
    again = clp("K-2", "4", "0", "PCN2", "1", claim_cas=[segment("CAS", "CO", "50", "200")])
    remits = [remit_file(tmp_path / "a.835", "20260316", first),
              remit_file(tmp_path / "b.835", "20260410", reversal, again)]
    report, out, lines = run(tmp_path, [claims], remits)
    assert out.loc["K-2", "denial_carc"] == "CO-50" and out.loc["K-2", "claim_status"] == "4"
    assert out.loc["K-2", "denied_lines"] == "1 2"  # claim-level: every line
    assert (report.reversals, report.superseded_adjudications) == (1, 1)


def test_void_is_kept_and_an_exact_resend_is_one_event(tmp_path: Path) -> None:
    original = claim("K-3", "2026-03-02")
    void = claim("K-3v", "2026-03-25", claim_frequency="8", original_claim_id="K-3")
    files = [write_claims(tmp_path / "c.837", [original, void]),
             write_claims(tmp_path / "again.837", [original])]
    remits = [remit_file(tmp_path / "a.835", "20260316", clp("K-3", "1", "128", "PK-3", "1",
                                                              services=PAID)),
              remit_file(tmp_path / "b.835", "20260401", clp("K-3", "1", "0", "PK-3v", "8",
                                                              f8="PK-3"))]
    report, out, lines = run(tmp_path, files, remits)
    assert report.duplicate_claims == 1 and report.events_void == 1
    assert out.loc["K-3-F8", "original_claim_id"] == "K-3"
    assert not out["denied"].any()


def labels(*services: list[str], status: str = "1", claim_cas: list[str] | None = None):
    from interop.x12.remit835 import parse_835

    body = [segment("BPR", "I", "0", "C", "CHK", *[""] * 11, "20260316"),
            segment("N1", "PR", "P"), segment("LX", 1),
            *clp("X", status, "0", "PCN", "1", claim_cas=claim_cas, services=list(services))]
    text = interchange("HP", "005010X221A1", [transaction("835", 1, "", body)], 1, Parties(),
                       datetime(2026, 3, 16, 12))
    [remit] = parse_835(text)
    from interop.x12.outcomes import remit_row, service_rows

    lines = [{"line": 1, "cpt": "99213"}, {"line": 2, "cpt": "J3301"}]
    return label_one(remit_row(remit, 0), service_rows(remit, 0), lines)


def test_deductible_at_zero_paid_is_paid_not_denied() -> None:
    out = labels(svc(1, "99213", "0", segment("CAS", "CO", "45", "20"),
                     segment("CAS", "PR", "1", "80")),
                 svc(2, "J3301", "0", segment("CAS", "CO", "45", "20", "", "253", "1"),
                     segment("CAS", "PR", "1", "79")))
    assert not out.denied and out.denied_lines == "" and out.denial_carc is None
    first = out.lines.iloc[0]
    assert first["line_adjustments"] == "CO-45:20.00 PR-1:80.00"
    assert (first["line_allowed"], first["line_paid"], first["line_denied"]) == (80.0, 0.0, False)


def test_payer_carc_and_rarc_are_kept_beside_the_category() -> None:
    out = labels(PAID[0], svc(2, "J3301", "0", segment("CAS", "CO", "16", "100"), rarc="M119"))
    assert (out.denied, out.denial_carc, out.denial_rarc) == (True, "CO-16", "M119")
    assert out.denial_category == "missing_information" and out.denied_lines == "2"
    assert list(out.lines["line_denied"]) == [False, True]
    assert out.lines.iloc[1]["line_rarcs"] == "M119"


def test_denial_codes_outside_our_table_still_deny_with_no_category() -> None:
    out = labels(svc(1, "99213", "0", segment("CAS", "CO", "A1", "100")), PAID[1])
    assert (out.denied, out.denial_carc, out.denial_category) == (True, "CO-A1", None)
    no_carc = labels(svc(1, "99213", "0"), svc(2, "J3301", "0"), status="4")
    assert no_carc.denied and no_carc.denied_lines == "1 2"


def test_claim_level_denial_denies_every_line() -> None:
    out = labels(status="4", claim_cas=[segment("CAS", "CO", "27", "200")])
    assert out.denial_carc == "CO-27" and out.denial_category == "eligibility"
    assert out.denied_lines == "1 2" and out.lines["line_denied"].all()


@pytest.mark.parametrize("group,carc,denial", [
    ("CO", "45", False), ("PR", "1", False), ("PR", "2", False), ("PR", "3", False),
    ("CO", "253", False), ("CO", "42", False), ("CO", "A2", False), ("OA", "23", False),
    ("CO", "24", False),
    ("CR", "4", False), ("PI", "16", False), ("CO", "4", True), ("PR", "96", True),
    ("OA", "18", True), ("CO", "B7", True)])
def test_which_adjustments_are_denials(group: str, carc: str, denial: bool) -> None:
    assert is_denial(Adjustment(group, carc, 10.0)) is denial


def test_lines_pair_by_code_when_there_is_no_line_reference() -> None:
    no_ref = [segment("SVC", "HC:J3301", "100", "0", "", 1), segment("CAS", "CO", "16", "100"),
              segment("SVC", "HC:99213", "100", "80", "", 1), segment("CAS", "CO", "45", "20")]
    out = labels(no_ref)
    assert out.denied_lines == "2" and out.unmatched_services == 0
    assert pd.isna(out.lines.iloc[0]["line_rarcs"]) or out.lines.iloc[0]["line_rarcs"] == ""
