"""Labels and prose helpers of the coder-training report (serving/report/labels.py, text.py).

A coder reads titles and sentences, never a field or feature name: every factor the
service can name gets a label without underscores, counts read as counts, a reason never
prints as 0%, and contract fields in the service's texts become words or code.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from serving.report.labels import (
    category_label,
    factor_label,
    family_ranges,
    is_curated,
    lower_first,
    pattern_label,
)
from serving.report.text import (
    contract_fields,
    count,
    driver_text,
    percent,
    plain_documentation,
    prose,
    segments,
    share,
    shown_reasons,
)

SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


def factor_universe() -> set[str]:
    """Every factor name serving/factors.py can produce from the known features, plus one
    of each factor family per family, modifier and diagnosis class."""
    from features.registry import CHANGEABLE, RULE_FEATURES
    from reference.codes import load_code_table
    from reference.linkage import DX_CLASSES
    from reference.modifiers import MODIFIER_MEANINGS
    from serving.factors import CONTEXT_FACTORS, EXACT, factor_of

    families = set(load_code_table().frame["family"].astype(str))
    return ({factor_of(f) for f in (*EXACT, *RULE_FEATURES, *CHANGEABLE)}
            | set(EXACT.values()) | set(CONTEXT_FACTORS)
            | {f"services_{f}" for f in families} | {f"diagnosis_{c}" for c in DX_CLASSES}
            | {f"modifier_{m}" for m in MODIFIER_MEANINGS} | {"code_17110", "code_J7308"})


def test_every_factor_gets_a_curated_label_without_underscores():
    universe = factor_universe()
    assert len(universe) > 100
    missing = sorted(f for f in universe if "_" in factor_label(f) or not is_curated(f))
    assert not missing, missing


@pytest.mark.parametrize(("factor", "label"), [
    ("em_with_procedure_without_25", "E/M billed with a minor procedure without modifier 25"),
    ("code_17110", "Code 17110"), ("modifier_59", "Modifier 59"), ("modifier_XS", "Modifier XS"),
    ("services_biopsy", "Biopsies billed"), ("diagnosis_bcc", "Diagnosis: basal cell carcinoma"),
    ("services_destruction_ak", "Actinic keratosis destructions billed"),
    ("coding_laterality_mismatch", "Coding check: laterality mismatch"),
    ("brand_new_factor", "Brand new factor"),
])
def test_factor_labels_read_as_titles(factor, label):
    assert factor_label(factor) == label


def test_categories_patterns_and_families_in_words():
    from reference.vocab import CATEGORIES

    assert category_label("medical_necessity") == "Medical necessity (CO-50)"
    assert category_label("timely_filing", carc=False) == "Timely filing"
    assert not [c for c in CATEGORIES if "_" in category_label(c)]
    ranges = family_ranges()
    assert ranges["biopsy"].startswith("Biopsies (111")
    assert not [v for v in ranges.values() if "_" in v]
    assert pattern_label("E/M without 25 with biopsy+destruction_ak", ranges) == \
        "E/M without 25, with biopsies + actinic keratosis destructions"
    assert pattern_label("E/M+25 with mohs", ranges) == "E/M with 25, with Mohs surgery"
    assert pattern_label("modifier 59", ranges) == "Modifier 59"
    assert lower_first("E/M visits") == "E/M visits" and lower_first("Biopsies") == "biopsies"


def test_counts_read_as_counts_never_as_a_year():
    assert count(2012, "claim") == "2,012 claims"
    assert count(1, "claim") == "1 claim"
    assert count(0, "claim") == "0 claims"
    assert count(12345, "diagnosis", "diagnoses") == "12,345 diagnoses"


def test_percentages_never_print_a_small_value_as_zero():
    assert percent(0.284) == "28%" and percent(0.001) == "<1%" and percent(0.0) == "0%"
    assert share(0.102) == "10.2%" and share(0.0003) == "<0.1%" and share(-0.0002) == "<0.1%"


def test_reasons_below_half_a_percent_are_not_listed():
    reasons = [SimpleNamespace(category="cosmetic", carc="CO-96", probability=0.78),
               SimpleNamespace(category="diagnosis_mismatch", carc="CO-11", probability=0.004)]
    assert shown_reasons(reasons) == ["Cosmetic, not covered (CO-96), 78%"]


def test_documentation_gaps_and_fixes_become_plain_words():
    assert plain_documentation("documentation.margins_documented is not documented for "
                               "11602 (line 1)") == "Excision margins not documented for " \
                                                    "11602 (line 1)"
    assert plain_documentation("documentation.symptoms_documented is not reported for 11200 "
                               "(line 2)").startswith("Symptoms not documented (not stated")
    assert plain_documentation("Attach documentation: margins documented "
                               "(documentation.margins_documented).") == \
        "Attach the documentation of the excision margins."


def test_contract_fields_stay_as_code_other_snake_case_becomes_words():
    fields = contract_fields()
    assert {"referral_on_file", "documentation.margins_documented", "eligibility.verified",
            "lesion.distinct_from_line", "provider.credentialed_with_payer"} <= fields
    parts = segments("Obtain and attach the referral (referral_on_file); see some_feature.")
    assert ("referral_on_file", True) in parts
    assert not [t for t, code in parts if not code and SNAKE.search(t)]
    html = str(prose("No referral <on file> (referral_on_file)"))
    assert html == "No referral &lt;on file&gt; (<code>referral_on_file</code>)"


def test_services_drivers_are_named_by_their_family():
    claim = {"lines": [{"line": 1, "cpt": "99213"}, {"line": 4, "cpt": "17003"}]}
    assert driver_text("services_destruction_ak", "Destruction ak billed: 17003 (line 4)", [4],
                       claim) == "Actinic keratosis destructions billed: 17003 (line 4)"
    assert driver_text("em_service", "Em billed: 99213 (line 1)", [1], claim) == \
        "E/M visit billed: 99213 (line 1)"
    assert driver_text("modifier_59", "Modifier 59 on 17000 (line 3)", [3], claim) == \
        "Modifier 59 on 17000 (line 3)"


def test_long_figure_labels_wrap_and_the_figure_grows_with_them():
    from serving.report.plots import bar_height, wrap_labels

    labels = wrap_labels(["NCCI pair billed without a 59, X or anatomic modifier", "Code 17110"])
    assert labels[0].count("\n") >= 1 and all(len(x) <= 34 for x in labels[0].split("\n"))
    assert labels[1] == "Code 17110"
    assert bar_height(labels * 6) > bar_height(labels) >= 2.4
