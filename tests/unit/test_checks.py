"""The coding-consistency checker on coder-written pairs (tests/fixtures/coder_pairs.py):
each wrong claim yields its rule with the coder's change, the change makes the claim
coding-valid, corrected and tricky-but-correct claims raise no error, the frame path
agrees with the claim path, and no fix ever points a line to another side's diagnosis."""

from __future__ import annotations

import time

import numpy as np
import pytest

from contract.frames import claims_to_frames
from contract.schema import Claim
from features.checks import (
    RULE_IDS,
    RULES,
    apply_fix,
    check_claim,
    check_claims,
    check_frames,
    is_coding_valid,
)
from reference.icd10 import dx_site_side
from reference.modifiers import modifier_side
from reference.vocab import CATEGORIES, FIX_ACTIONS
from tests.fixtures.coder_pairs import CLEAN, PAIRS

PAIR_IDS = [p.id for p in PAIRS]
CLEAN_IDS = [c.id for c in CLEAN]


def expected_finding(pair, findings):
    """The finding of the pair's rule on the pair's line, if any."""
    action, line, _ = pair.fix
    return next((f for f in findings if f.rule == pair.rule and f.line == line), None)


def all_claims():
    return ([p.wrong for p in PAIRS] + [p.corrected for p in PAIRS]
            + [c.claim for c in CLEAN])


def test_fixture_claims_are_valid_contract_claims():
    for claim in all_claims():
        Claim.model_validate(claim)


def test_every_rule_and_vocabulary_is_covered():
    assert {p.rule for p in PAIRS} == set(RULE_IDS)
    for pair in PAIRS:
        assert pair.category in CATEGORIES
        assert pair.category == RULES[pair.rule].category, pair.id
    for rule in RULES.values():
        assert rule.category in CATEGORIES
        for variant in rule.variants:
            assert variant.action is None or variant.action in FIX_ACTIONS


@pytest.mark.parametrize("pair", PAIRS, ids=PAIR_IDS)
def test_wrong_claim_yields_the_coders_change(cms, pair):
    findings = check_claim(pair.wrong, cms)
    found = expected_finding(pair, findings)
    assert found is not None, [(f.rule, f.line) for f in findings]
    action, line, value = pair.fix
    assert (found.action, found.line, found.value) == (action, line, value), found
    assert found.severity == pair.severity
    assert found.category == pair.category
    assert found.text and found.source
    assert "{" not in found.text + found.source


@pytest.mark.parametrize("pair", PAIRS, ids=PAIR_IDS)
def test_applying_the_change_makes_the_claim_coding_valid(cms, pair):
    found = expected_finding(pair, check_claim(pair.wrong, cms))
    if found.action is None:  # no single edit: the corrected claim is the coder's
        assert is_coding_valid(pair.corrected, cms)
        return
    fixed = apply_fix(pair.wrong, found)
    Claim.model_validate(fixed)
    assert is_coding_valid(fixed, cms), [f for f in check_claim(fixed, cms) if f.is_error]
    if found.value != "ndc":  # the NDC itself comes from the chart, not from the finding
        assert expected_finding(pair, check_claim(fixed, cms)) is None
    assert pair.wrong == PAIRS[PAIR_IDS.index(pair.id)].wrong  # apply_fix is pure


@pytest.mark.parametrize("pair", PAIRS, ids=PAIR_IDS)
def test_corrected_claim_has_no_error_and_not_the_rule(cms, pair):
    findings = check_claim(pair.corrected, cms)
    assert not [f for f in findings if f.is_error], findings
    assert not [f for f in findings if f.rule == pair.rule], findings


@pytest.mark.parametrize("clean", CLEAN, ids=CLEAN_IDS)
def test_tricky_correct_claim_has_no_error(cms, clean):
    findings = check_claim(clean.claim, cms)
    assert not [f for f in findings if f.is_error], findings
    assert is_coding_valid(clean.claim, cms)


def test_pydantic_claim_objects_give_the_same_findings(cms):
    claims = all_claims()
    assert check_claims([Claim.model_validate(c) for c in claims], cms) == \
        check_claims(claims, cms)


def test_frames_path_matches_claim_path(cms):
    claims = all_claims()
    frames = claims_to_frames(claims)  # pandas columns: the bulk path
    flags = check_frames(frames, cms)
    assert set(flags) == set(RULE_IDS)
    per_claim = check_claims(claims, cms)
    lines = frames.lines
    expected = {rule: np.zeros(len(lines), dtype=np.int8) for rule in RULE_IDS}
    row = {(cid, n): i for i, (cid, n) in enumerate(zip(lines["claim_id"], lines["line"]))}
    for claim, findings in zip(claims, per_claim):
        for f in findings:
            i = row[(claim["claim_id"], f.line)]
            expected[f.rule][i] = max(expected[f.rule][i], 2 if f.is_error else 1)
    for rule in RULE_IDS:
        np.testing.assert_array_equal(flags[rule], expected[rule], err_msg=rule)


def line_side(line: dict) -> str:
    lesion = line.get("lesion") or {}
    if lesion.get("laterality") in ("left", "right"):
        return lesion["laterality"]
    return next((modifier_side(m) for m in line["modifiers"] if modifier_side(m)), "")


def test_no_fix_links_a_diagnosis_of_the_other_side(cms):
    claims = all_claims()
    links = 0
    for claim, findings in zip(claims, check_claims(claims, cms)):
        lines = {ln["line"]: ln for ln in claim["lines"]}
        for f in findings:
            if f.action != "link_diagnosis":
                continue
            links += 1
            side, target = line_side(lines[f.line]), dx_site_side(f.value).side
            assert not (side and target in ("left", "right") and target != side), f
    assert links >= 4


def test_fixes_recode_rather_than_delete_work(cms):
    """Count and pathology problems are fixed by change_code, never by removing the line
    or cutting units below the lesions treated."""
    recode_rules = {"ak_15_plus", "benign_destruction_count", "intralesional_count",
                    "code_pathology", "code_size_band", "code_site_group",
                    "biopsy_primary_twice", "addon_without_primary"}
    for pair in PAIRS:
        for f in check_claim(pair.wrong, cms):
            if f.rule in recode_rules and f.action:
                assert f.action == "change_code", f


def test_remove_line_only_where_the_service_is_included(cms):
    allowed = {"ptp_mi0", "ptp_unbypassed", "ptp_bypass_not_distinct", "em_in_global",
               "em_without_25", "g2211_with_25", "addon_without_primary"}
    for findings in check_claims(all_claims(), cms):
        for f in findings:
            if f.action == "remove_line":
                assert f.rule in allowed, f
                assert "included" in f.text or "never payable" in f.text \
                    or "not separately billable" in f.text or "not billable" in f.text \
                    or "not pay" in f.text, f


def test_single_claim_is_fast(cms):
    claim = CLEAN[CLEAN_IDS.index("em25-biopsy")].claim
    for _ in range(50):
        check_claim(claim, cms)
    n = 300
    started = time.process_time()
    for _ in range(n):
        check_claim(claim, cms)
    per_claim = (time.process_time() - started) / n
    assert per_claim < 0.005, per_claim  # < 1 ms typical on an idle core; slack for CI


@pytest.fixture(scope="module")
def generated(cms):
    """2,000 generated claims (frames and contract dicts): realistic variety."""
    from contract.frames import frames_to_claims
    from settings import get_settings
    from synthetic_data.generate import GeneratorConfig, generate_frames

    frames = generate_frames(GeneratorConfig(claims=2000, seed=16,
                                             cms_dir=get_settings().cms_dir))
    return frames, frames_to_claims(frames)


def test_generated_frames_match_claims(cms, generated):
    frames, claims = generated
    flags = check_frames(frames, cms)
    per_claim = check_claims(claims, cms)
    lines = frames.lines
    row = {(cid, n): i for i, (cid, n) in enumerate(zip(lines["claim_id"], lines["line"]))}
    expected = {rule: np.zeros(len(lines), dtype=np.int8) for rule in RULE_IDS}
    for claim, findings in zip(claims, per_claim):
        for f in findings:
            i = row[(claim["claim_id"], f.line)]
            expected[f.rule][i] = max(expected[f.rule][i], 2 if f.is_error else 1)
    for rule in RULE_IDS:
        np.testing.assert_array_equal(flags[rule], expected[rule], err_msg=rule)


def test_generated_fixes_apply_cleanly(cms, generated):
    """Every fix on generated claims keeps a valid contract claim, removes its own finding
    and never links another side's diagnosis."""
    _, claims = generated
    fixed_claims, fixed_from = [], []
    for claim, findings in zip(claims, check_claims(claims, cms)):
        lines = {ln["line"]: ln for ln in claim["lines"]}
        for f in findings:
            if f.action is None or f.value == "ndc":
                continue
            if f.action == "link_diagnosis":
                side, target = line_side(lines[f.line]), dx_site_side(f.value).side
                assert not (side and target in ("left", "right") and target != side), f
            if f.action == "remove_line" and len(claim["lines"]) == 1:
                continue  # the whole claim is not billable
            fixed_claims.append(apply_fix(claim, f))
            fixed_from.append(f)
    assert len(fixed_claims) > 100
    for fixed in fixed_claims:
        Claim.model_validate(fixed)
    for f, after in zip(fixed_from, check_claims(fixed_claims, cms)):
        assert not [g for g in after if (g.rule, g.line) == (f.rule, f.line)
                    and g.action == f.action and g.value == f.value], f
