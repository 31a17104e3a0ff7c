"""Each validation rule of the claim contract rejects bad input with a message naming the field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from contract.schema import Claim
from tests.builders import line, make_claim_dict


def errors_of(claim: dict) -> str:
    with pytest.raises(ValidationError) as info:
        Claim.model_validate(claim)
    return "\n".join(
        ".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in info.value.errors()
    )


def test_base_claim_and_contract_examples_validate(contract_examples):
    Claim.model_validate(make_claim_dict())
    for example in contract_examples.values():
        Claim.model_validate(example)


def test_malformed_cpt_names_the_line_field():
    for bad in ("9921", "ABCDE", "992133", "1110-"):
        msg = errors_of(make_claim_dict(lines=[line(1, bad)]))
        assert "lines.0.cpt" in msg and "is not a CPT/HCPCS code" in msg, bad


def test_well_formed_codes_outside_our_tables_are_accepted():
    # I&D, adjacent tissue transfer, injection, a J-code, G2211, category III: all real.
    lines = [line(i + 1, code) for i, code in enumerate(
        ("10060", "14040", "96372", "J3301", "G2211", "0479T"))]
    claim = Claim.model_validate(make_claim_dict(lines=lines))
    assert [ln.cpt for ln in claim.lines] == ["10060", "14040", "96372", "J3301", "G2211",
                                              "0479T"]


def test_non_billable_icd10_names_the_diagnosis():
    # L57 is a category with subcodes: not billable in FY2026.
    msg = errors_of(make_claim_dict(diagnoses=["L57", "D48.5"]))
    assert "diagnoses" in msg and "diagnoses[0]" in msg and "not a billable code" in msg


def test_icd10_without_dot_is_accepted_and_normalised():
    claim = Claim.model_validate(make_claim_dict(diagnoses=["L570", "D485"]))
    assert claim.diagnoses == ["L57.0", "D48.5"]


def test_malformed_modifier_names_the_modifiers_field():
    msg = errors_of(make_claim_dict(lines=[line(1, "99213", mods=["Z"])]))
    assert "lines.0.modifiers" in msg and "malformed modifier" in msg
    msg = errors_of(make_claim_dict(lines=[line(1, "99213", mods=["25", "25"])]))
    assert "repeated" in msg


def test_well_formed_modifiers_outside_our_list_are_accepted():
    claim = Claim.model_validate(make_claim_dict(lines=[line(1, "99213", mods=["95", "kx"])]))
    assert claim.lines[0].modifiers == ["95", "KX"]


def test_ndc_is_normalised_to_eleven_digits_and_named_when_malformed():
    ok = make_claim_dict(lines=[{**line(1, "J3301"), "ndc": "0003-0293-05",
                                 "drug_quantity": "un4"}])
    parsed = Claim.model_validate(ok).lines[0]
    assert (parsed.ndc, parsed.drug_quantity) == ("00003029305", "UN 4")
    msg = errors_of(make_claim_dict(lines=[{**line(1, "J3301"), "ndc": "12345"}]))
    assert "lines.0.ndc" in msg and "is not an NDC" in msg
    msg = errors_of(make_claim_dict(lines=[{**line(1, "J3301"), "drug_quantity": "4 vials"}]))
    assert "lines.0.drug_quantity" in msg


def test_lesion_laterality_takes_the_contract_values():
    lesion = {"count": 1, "site": "arms", "size_cm": 0.5, "laterality": "left"}
    claim = Claim.model_validate(make_claim_dict(lines=[line(1, "11102", lesion=lesion)]))
    assert claim.lines[0].lesion.laterality == "left"
    msg = errors_of(make_claim_dict(lines=[line(1, "11102", lesion={**lesion,
                                                                    "laterality": "up"})]))
    assert "lines.0.lesion.laterality" in msg


def test_icd10_outside_the_fy2026_set_is_kept_but_malformed_is_refused():
    claim = Claim.model_validate(make_claim_dict(diagnoses=["Z99999", "D48.5"]))
    assert claim.diagnoses[0] == "Z99.999"
    msg = errors_of(make_claim_dict(diagnoses=["702.0", "D48.5"]))
    assert "diagnoses[0]" in msg and "not an ICD-10-CM code" in msg


def test_more_than_four_modifiers_rejected():
    claim = make_claim_dict(lines=[line(1, "11102", mods=["59", "RT", "LT", "76", "GA"])])
    msg = errors_of(claim)
    assert "lines.0.modifiers" in msg and "at most 4" in msg


def test_units_below_one_rejected():
    msg = errors_of(make_claim_dict(lines=[line(1, "17003", units=0)]))
    assert "lines.0.units" in msg


def test_dx_pointer_out_of_range_names_the_line():
    msg = errors_of(make_claim_dict(lines=[line(1, "99213", dx=[3])]))
    assert "lines[0].dx_pointers" in msg and "out of range" in msg


def test_date_of_service_after_submission_rejected():
    claim = make_claim_dict(submission_date="2026-02-01")
    msg = errors_of(claim)
    assert "lines[0].date_of_service" in msg and "after submission_date" in msg


def test_date_of_service_in_future_rejected():
    future = (date.today() + timedelta(days=30)).isoformat()
    later = (date.today() + timedelta(days=40)).isoformat()
    claim = make_claim_dict(submission_date=later, lines=[line(1, "99213", dos=future)])
    msg = errors_of(claim)
    assert "lines[0].date_of_service" in msg and "future" in msg


def test_negative_charge_rejected():
    msg = errors_of(make_claim_dict(lines=[line(1, "99213", charge=-5.0)]))
    assert "lines.0.charge" in msg


def test_missing_required_field_named():
    claim = make_claim_dict()
    del claim["payer_id"]
    assert "payer_id" in errors_of(claim)


def test_distinct_from_line_must_reference_another_line():
    lesion = {"count": 1, "site": "arms", "size_cm": 0.5, "distinct_from_line": 7}
    msg = errors_of(make_claim_dict(lines=[line(1, "11102", lesion=lesion)]))
    assert "lines[0].lesion.distinct_from_line" in msg


def test_unknown_payer_is_not_a_validation_error():
    assert Claim.model_validate(make_claim_dict(payer_id="ZZZ")).payer_id == "ZZZ"
