"""Worked fixes and example de-duplication of the coder-training report, on hand-made claims
and predictions (serving/report/worked_fixes.py, examples.py): no model needed."""

from __future__ import annotations

from types import SimpleNamespace as NS
from typing import Any

from contract.schema import ExplanationItem, Fix
from serving.report.examples import new_lessons, pattern_key
from serving.report.rules import cited_rule
from serving.report.worked_fixes import (
    before_after,
    claim_changes,
    fix_key,
    pick,
    top_fix,
)
from tests.builders import make_claim_dict


def claim() -> dict[str, Any]:
    """E/M 99213 + biopsy 11102 (no 25) + 17000 on the same lesion."""
    def ln(n: int, cpt: str, dx: list[int]) -> dict[str, Any]:
        return {"line": n, "cpt": cpt, "modifiers": [], "units": 1, "dx_pointers": dx,
                "charge": 100.0, "date_of_service": "2026-06-01"}
    return make_claim_dict(claim_id="C-1", diagnoses=["L57.0", "D48.5"],
                           lines=[ln(1, "99213", [1]), ln(2, "11102", [2]),
                                  ln(3, "17000", [1])])


def pred(fixes: list[Fix], risk: float = 0.9, drivers: list[ExplanationItem] = ()) -> Any:
    return NS(denial_probability=risk, fixes=fixes, explanation=list(drivers), findings=[])


ADD_25 = Fix(action="add_modifier", line=1, value="25", risk_after=0.05,
             text="Add modifier 25 to 99213 (line 1).")
REMOVE_17000 = Fix(action="remove_line", line=3, risk_after=0.2, text="Remove 17000 (line 3).")
DOC = Fix(action="attach_documentation", value="margins_documented", risk_after=0.3,
          text="Attach documentation: margins documented (documentation.margins_documented).")


def test_before_after_marks_the_changed_cell_and_removed_lines(cms):
    fix, after = top_fix(pred([ADD_25]), claim(), cms)
    rows = before_after(claim(), after, fix.action)
    assert [r["changed"] for r in rows] == [["modifiers"], [], []]
    assert rows[0]["before"]["modifiers"] == "—" and rows[0]["after"]["modifiers"] == "25"
    assert rows[0]["before"]["diagnoses"] == "L57.0"
    _, removed = top_fix(pred([REMOVE_17000]), claim(), cms)
    rows = before_after(claim(), removed, "remove_line")
    assert rows[2]["after"] is None and rows[2]["gone"] == "line removed"
    assert "billed to the patient" in before_after(claim(), removed, "bill_patient")[2]["gone"]


def test_a_fix_deleting_work_on_another_lesion_is_never_worked_through(cms):
    c = claim()
    c["lines"][1]["lesion"] = {"count": 1, "site": "lips"}
    c["lines"][2]["lesion"] = {"count": 1, "site": "scalp"}
    other = REMOVE_17000.model_copy(update={"text": "Remove 17000 (line 3): same lesion as "
                                                    "11102 (line 2), bundled into it (NCCI)."})
    assert top_fix(pred([other]), c, cms) is None
    c["lines"][2]["lesion"] = {"count": 1, "site": "lips"}
    assert top_fix(pred([other]), c, cms)[0] is other


def test_claim_level_fixes_are_described_in_words(cms):
    _, after = top_fix(pred([DOC]), claim(), cms)
    assert claim_changes(claim(), after) == ["Documentation of the excision margins attached"]


def test_top_fix_skips_fixes_that_do_not_lower_the_risk_or_edit_nothing(cms):
    worse = ADD_25.model_copy(update={"risk_after": 0.95})
    blocked = Fix(action="not_fixable", text="Not fixable: late.")
    assert top_fix(pred([worse, blocked]), claim(), cms) is None
    assert top_fix(pred([worse, DOC]), claim(), cms)[0] is DOC


def test_pick_prefers_line_edits_and_distinct_actions():
    c = claim()
    fixed = [(0, DOC, c), (1, ADD_25, c), (2, ADD_25, c), (3, REMOVE_17000, c)]
    chosen = pick(fixed, [c] * 4, 3)
    assert [f.action for _, f, _ in chosen] == ["add_modifier", "remove_line",
                                                "attach_documentation"]
    assert fix_key(ADD_25, c) == ("add_modifier", "25", "99213")


def test_cited_rule_prefers_the_fix_then_the_driver_on_the_line_then_learned():
    ncci = ExplanationItem(factor="em_with_procedure_without_25", contribution=2.0,
                           lines=[1, 2], text="E/M ...",
                           source="NCCI PTP practitioner 2024Q3 11102/99213, modifier "
                                  "indicator 1")
    assert cited_rule(pred([ADD_25], drivers=[ncci]), ADD_25, None) == ncci.source
    own = ADD_25.model_copy(update={"source": "CPT modifier 25"})
    assert cited_rule(pred([own], drivers=[ncci]), own, None) == "CPT modifier 25"
    learned = "learned from 5,715 MCR claims of this practice (2025-01 to 2026-02)"
    symptoms = ExplanationItem(factor="documentation_symptoms", contribution=2.0, lines=[2],
                               text="Symptoms not documented for 11102 (line 2)")
    habit = ExplanationItem(factor="code_11102", contribution=1.0, lines=[2], text="11102",
                            source=learned)
    attach = DOC.model_copy(update={"value": "symptoms_documented"})
    assert cited_rule(pred([attach], drivers=[symptoms, habit]), attach, learned) \
        .startswith("LCD L35498")
    enrol = Fix(action="credential_provider", risk_after=0.1, text="Hold the claim.")
    assert cited_rule(pred([enrol], drivers=[ncci]), enrol, learned).endswith(learned + ".")
    assert cited_rule(pred([DOC]), DOC, learned) == f"No rule cited by the service: the model " \
                                                     f"{learned}."


def test_examples_of_the_same_lesson_share_a_pattern_key():
    a = "MCR denied 5 claims of the rendering provider up to 2025-06-27; paid from 2025-07-02"
    b = "MCR denied 3 claims of the rendering provider up to 2026-02-18; paid from 2026-02-19"
    assert pattern_key("provider_credentialing", a) == pattern_key("provider_credentialing", b)
    assert pattern_key("code_x", "L82.1 on 17110 (line 1)") != \
        pattern_key("code_x", "L82.0 on 17110 (line 1)")
    assert pattern_key("f", "17000 (line 3)") != pattern_key("f", "17003 (line 3)")


def lesson(why: str, fix: str) -> dict[str, Any]:
    """A worked-example record with one driver and its best fix."""
    return {"explanation": [(why, 0.4)], "context": [], "findings": [], "other_fixes": [],
            "not_fixable": [], "best_fix": (fix, 0.05)}


def test_two_claims_teaching_the_same_lesson_are_shown_once():
    """Claims chosen under different drivers can come back with the same explanation and
    fix (line numbers and days aside): the report shows that lesson once."""
    a = lesson("99213 on line 2 is 8 days after 11602", "Add modifier 24 to line 2")
    b = lesson("99213 on line 3 is 12 days after 11602", "Add modifier 24 to line 3")
    c = lesson("99213 on line 3 is 12 days after 11602", "Remove line 3")
    shown: set[str] = set()
    assert new_lessons([a], shown) == [a]
    assert new_lessons([b, c], shown) == [c]
