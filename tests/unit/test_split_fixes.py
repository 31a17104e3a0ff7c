"""A split fix (17000 x4 -> 17000 x1 + 17003 x3, 11104 x2 -> 11104 x1 + 11105 x1) moves the
remaining lesions to the add-on: no treated lesion goes unbilled, the charge is kept."""

from __future__ import annotations

from contract.schema import Claim
from features.checks import apply_fix, check_claim, is_coding_valid
from tests.builders import line, make_claim_dict

FACE = {"count": 4, "site": "face", "size_cm": None, "distinct_from_line": None}


def split_finding(claim, cms, rule):
    return next(f for f in check_claim(claim, cms) if f.rule == rule)


def test_a_primary_billed_in_units_is_split_onto_a_new_add_on_line(cms):
    claim = make_claim_dict(diagnoses=["L57.0"],
                            lines=[line(1, "17000", units=4, lesion=FACE, mods=["RT"],
                                         charge=400.0)])
    finding = split_finding(claim, cms, "ak_first_units")
    assert (finding.action, finding.value, finding.adds) == ("change_units", "1", ("17003", 3))
    fixed = apply_fix(claim, finding)
    Claim.model_validate(fixed)
    got = [(ln["cpt"], ln["units"], ln["lesion"]["count"], ln["modifiers"])
           for ln in fixed["lines"]]
    assert got == [("17000", 1, 1, ["RT"]), ("17003", 3, 3, ["RT"])]
    assert sum(ln["charge"] for ln in fixed["lines"]) == 400.0
    assert fixed["lines"][1]["dx_pointers"] == claim["lines"][0]["dx_pointers"]
    assert is_coding_valid(fixed, cms)


def test_the_split_adds_units_to_an_add_on_line_already_on_the_claim(cms):
    lesion = {**FACE, "count": 2}
    claim = make_claim_dict(diagnoses=["L57.0"],
                            lines=[line(1, "17000", units=2, lesion=lesion),
                                   line(2, "17003", units=2, lesion=lesion)])
    fixed = apply_fix(claim, split_finding(claim, cms, "ak_first_units"))
    assert [(ln["cpt"], ln["units"]) for ln in fixed["lines"]] == [("17000", 1), ("17003", 3)]


def test_an_add_on_billed_alone_in_units_gets_its_primary_for_the_first_lesion(cms):
    claim = make_claim_dict(diagnoses=["D48.5"],
                            lines=[line(1, "11105", units=2, lesion={**FACE, "count": 2})])
    finding = split_finding(claim, cms, "addon_without_primary")
    assert (finding.action, finding.value, finding.units, finding.adds) == (
        "change_code", "11104", 1, ("11105", 1))
    fixed = apply_fix(claim, finding)
    assert [(ln["cpt"], ln["units"]) for ln in fixed["lines"]] == [("11104", 1), ("11105", 1)]
    assert is_coding_valid(fixed, cms)
    change = finding.as_contract().change
    assert (change.add_code, change.add_units) == ("11105", 1)
