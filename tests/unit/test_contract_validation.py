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


def test_unknown_cpt_names_the_line_field():
    claim = make_claim_dict(lines=[line(1, "99999")])
    msg = errors_of(claim)
    assert "lines.0.cpt" in msg and "unknown CPT/HCPCS" in msg


def test_non_billable_icd10_names_the_diagnosis():
    # L57 is a category with subcodes: not billable in FY2026.
    msg = errors_of(make_claim_dict(diagnoses=["L57", "D48.5"]))
    assert "diagnoses" in msg and "diagnoses[0]" in msg and "not a billable" in msg


def test_icd10_without_dot_is_accepted_and_normalised():
    claim = Claim.model_validate(make_claim_dict(diagnoses=["L570", "D485"]))
    assert claim.diagnoses == ["L57.0", "D48.5"]


def test_unknown_modifier_names_the_modifiers_field():
    msg = errors_of(make_claim_dict(lines=[line(1, "99213", mods=["ZZ"])]))
    assert "lines.0.modifiers" in msg and "unknown modifier" in msg


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
