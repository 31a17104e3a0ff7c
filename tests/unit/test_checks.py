"""The coding-consistency checker on coder-written pairs (tests/fixtures/coder_pairs.py):
each wrong claim yields its rule with the coder's change, the change makes the claim
coding-valid, corrected and tricky-but-correct claims raise no error, the frame path
agrees with the claim path, and no fix ever points a line to another side's diagnosis."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest

from contract.frames import claims_to_frames
from contract.schema import Claim
from features.build import compute_raw_features
from features.checks import (
    RULE_IDS,
    RULES,
    apply_fix,
    check_claim,
    check_claims,
    check_frames,
    errors_added,
    is_coding_valid,
)
from features.lineindex import code_vocab
from reference.icd10 import dx_site_side
from reference.modifiers import modifier_side
from reference.vocab import CATEGORIES, FIX_ACTIONS
from tests.builders import line, make_claim_dict
from tests.fixtures.coder_pairs import CLEAN, PAIRS, VARIANTS

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
    change = found.as_contract().change
    assert (change.action if change else None) == action


@pytest.mark.parametrize("pair", PAIRS, ids=PAIR_IDS)
def test_applying_the_change_makes_the_claim_coding_valid(cms, pair):
    found = expected_finding(pair, check_claim(pair.wrong, cms))
    if found.action is None:  # no single edit: the corrected claim is the coder's
        assert is_coding_valid(pair.corrected, cms)
        return
    fixed = apply_fix(pair.wrong, found)
    Claim.model_validate(fixed)
    assert errors_added(pair.wrong, fixed, cms) == []
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


@pytest.mark.parametrize("case", VARIANTS, ids=[f"{r}-{v}" for r, v, _ in VARIANTS])
def test_each_rule_variant_renders(cms, case):
    rule, variant, claim = case
    Claim.model_validate(claim)
    found = [f for f in check_claim(claim, cms) if f.rule == rule and f.variant == variant]
    assert found, check_claim(claim, cms)
    spec = RULES[rule].variants[variant]
    for f in found:
        assert (f.severity, f.action) == (spec.severity, spec.action)
        assert "{" not in f.text + f.source and f.text and f.source
        if f.action:
            assert apply_fix(claim, f) != claim or f.value == "ndc"


def test_every_variant_is_exercised(cms):
    """Every case of every rule is produced by some fixture claim (unreachable in
    FY2026: an unspecified-side code without sided siblings)."""
    seen = {(f.rule, f.variant) for fs in check_claims(
        all_claims() + [c for _, _, c in VARIANTS], cms) for f in fs}
    every = {(r, i) for r, rule in RULES.items() for i in range(len(rule.variants))}
    assert every - seen == {("dx_side_unspecified", 1)}


def test_pydantic_claim_objects_give_the_same_findings(cms):
    claims = all_claims()
    assert check_claims([Claim.model_validate(c) for c in claims], cms) == \
        check_claims(claims, cms)


def assert_frames_match_claims(cms, frames, claims) -> None:
    """check_frames over frames flags exactly what check_claims finds, line by line."""
    flags = check_frames(frames, cms)
    assert set(flags) == set(RULE_IDS)
    lines = frames.lines
    row = {(cid, n): i for i, (cid, n) in enumerate(zip(lines["claim_id"], lines["line"]))}
    expected = {rule: np.zeros(len(lines), dtype=np.int8) for rule in RULE_IDS}
    for claim, findings in zip(claims, check_claims(claims, cms)):
        for f in findings:
            i = row[(claim["claim_id"], f.line)]
            expected[f.rule][i] = max(expected[f.rule][i], 2 if f.is_error else 1)
    for rule in RULE_IDS:
        np.testing.assert_array_equal(flags[rule], expected[rule], err_msg=rule)


def test_frames_path_matches_claim_path(cms):
    claims = all_claims()
    assert_frames_match_claims(cms, claims_to_frames(claims), claims)  # pandas: bulk path


def line_side(line: dict) -> str:
    lesion = line.get("lesion") or {}
    if lesion.get("laterality") in ("left", "right"):
        return lesion["laterality"]
    sides = {modifier_side(m) for m in line["modifiers"]} - {""}
    return sides.pop() if len(sides) == 1 else ""  # modifiers of both sides: unknown


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


def assert_fixes_apply(cms, claims, no_new_errors: bool = False) -> int:
    """Every fix keeps a valid contract claim, removes its own finding, never links
    another side's diagnosis (and, with no_new_errors, adds no error finding); returns
    how many fixes were applied."""
    fixed_claims, fixed_from, originals = [], [], []
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
            originals.append(claim)
    for fixed in fixed_claims:
        Claim.model_validate(fixed)
    before = check_claims(originals, cms)
    for f, after, old in zip(fixed_from, check_claims(fixed_claims, cms), before):
        assert not [g for g in after if (g.rule, g.line) == (f.rule, f.line)
                    and g.action == f.action and g.value == f.value], f
        if no_new_errors:
            known = {(g.rule, g.line) for g in old if g.is_error}
            assert not [g for g in after if g.is_error and (g.rule, g.line) not in known], f
    return len(fixed_claims)


def test_generated_frames_match_claims(cms, generated):
    frames, claims = generated
    assert_frames_match_claims(cms, frames, claims)


def test_generated_fixes_apply_cleanly(cms, generated):
    assert assert_fixes_apply(cms, generated[1], no_new_errors=True) > 100


def test_fuzzed_claims(cms):
    """Random (seeded) claims mixing every code of the table, codes outside it, all kinds
    of modifiers, sided/unsided diagnoses, lesions and histories: no crash, frames =
    claims, every fix applies cleanly."""
    claims = fuzz_claims(random.Random(16), 600)
    for claim in claims:
        Claim.model_validate(claim)
    assert_frames_match_claims(cms, claims_to_frames(claims), claims)
    assert assert_fixes_apply(cms, claims) > 500


FUZZ_CODES = (*code_vocab(), "11730", "J1234", "0001U", "99499", "15100")
FUZZ_MODS = ("25", "59", "XS", "XE", "RT", "LT", "E1", "E3", "F5", "T2", "57", "58", "79",
             "78", "24", "95", "KX", "GA", "50")
FUZZ_DX = ("C44.612", "C44.619", "C44.621", "C44.519", "C44.311", "C44.212", "C44.1121",
           "C44.722", "D22.5", "D22.61", "D22.62", "L57.0", "L82.1", "L82.0", "B07.8", "L91.8",
           "L91.0", "Z12.83", "D48.5", "L40.0", "Z48.02", "T81.41XA", "C4A.61", "D03.62",
           "L02.211", "S41.111A")
FUZZ_SITES = ("face", "scalp", "neck", "ears", "eyelids", "nose", "lips", "hands", "feet",
              "genitalia", "trunk", "arms", "legs")


def fuzz_line(rng: random.Random, k: int, n: int, n_dx: int) -> dict:
    out = {"line": k, "cpt": rng.choice(FUZZ_CODES), "charge": 10.0,
           "modifiers": rng.sample(FUZZ_MODS, rng.choice([0, 0, 0, 1, 1, 2])),
           "units": rng.choice([1, 1, 1, 2, 3, 15]),
           "dx_pointers": rng.sample(range(1, n_dx + 1), rng.randint(1, min(4, n_dx))),
           "date_of_service": rng.choice(["2026-02-10", "2026-02-10", "2026-02-11"])}
    if rng.random() < 0.7:
        out["lesion"] = {
            "count": rng.choice([1, 1, 2, 9, 16]), "site": rng.choice(FUZZ_SITES),
            "size_cm": rng.choice([None, 0.3, 0.8, 1.4, 2.5, 5.0]),
            "distinct_from_line": rng.choice([None, None, *[j for j in range(1, n + 1)
                                                              if j != k]]),
            "laterality": rng.choice([None, None, "left", "right", "bilateral"])}
    if out["cpt"].startswith("J") and rng.random() < 0.5:
        out["ndc"] = "00003029320"
    return out


def fuzz_claims(rng: random.Random, count: int) -> list[dict]:
    claims = []
    for i in range(count):
        dx = rng.sample(FUZZ_DX, rng.randint(1, 5))
        n = rng.randint(1, 6)
        history = rng.choice([{}, {
            "days_since_related_global_procedure": rng.randint(0, 100),
            "related_global_days": rng.choice([0, 10, 90]),
            "related_procedure_code": rng.choice([None, "11602", "14040", "17000", "11402"])}])
        claims.append(make_claim_dict(
            claim_id=f"F{i}", diagnoses=dx, history=history,
            lines=[fuzz_line(rng, k, n, len(dx)) for k in range(1, n + 1)]))
    return claims


def test_pathology_beside_mohs_goes_only_without_a_same_day_biopsy(cms):
    # Without a biopsy that day the 88305 is the Mohs specimen's own pathology (the Mohs
    # surgeon is the pathologist): remove it. With a same-day biopsy it may be that
    # biopsy's diagnostic pathology (billable with 59 when no prior pathology exists): the
    # chart decides, so no change is proposed.
    nose = {"count": 1, "site": "nose", "size_cm": 0.9, "distinct_from_line": None}
    mohs, path = line(1, "17311", lesion=nose), line(2, "88305")
    biopsy = line(3, "11102", lesion=nose)

    def finding(lines):
        claim = make_claim_dict(diagnoses=["C44.311"], lines=lines)
        return next(f for f in check_claim(claim, cms)
                    if f.rule == "ptp_unbypassed" and f.line == 2)

    alone = finding([mohs, path])
    assert (alone.action, alone.severity) == ("remove_line", "error")
    assert finding([mohs, path, biopsy]).action is None


def test_a_drug_given_for_its_labelled_indication_is_not_relinked(cms):
    # Omalizumab (J2357) for chronic spontaneous urticaria and adalimumab (J0135) for
    # hidradenitis are labelled indications: no diagnosis finding on the drug line, and
    # never a fix that re-points omalizumab to another diagnosis on the claim (atopic
    # dermatitis is not its indication).
    for cid in ("omalizumab-csu", "adalimumab-hs"):
        claim = CLEAN[CLEAN_IDS.index(cid)].claim
        assert not [f for f in check_claim(claim, cms) if f.rule == "dx_not_supporting"]
    both = make_claim_dict(diagnoses=["L20.9", "L50.1"], lines=[
        {**line(1, "99213", mods=["25"]), "dx_pointers": [1]},
        {**line(2, "J2357", units=60, dx=[2]), "ndc": "50242004062", "drug_quantity": "UN 1"},
        line(3, "96372", dx=[2])])
    assert not [f for f in check_claim(both, cms) if f.line == 2 and f.rule.startswith("dx_")]


def test_one_lines_side_modifier_does_not_bypass_an_ncci_pair(cms):
    # NCCI PTP 11104/17000 (modifier indicator 1): LT on the 17000 beside a midline trunk
    # biopsy shows no second site, so the pair is unbypassed and the distinct lesion's
    # line takes XS; RT on the biopsy and LT on the destruction (two sides) or XS bypass.
    trunk = {"count": 1, "site": "trunk", "size_cm": 0.8, "laterality": "midline",
             "distinct_from_line": None}

    def pair_finding(biopsy_mods, destruction_mods):
        claim = make_claim_dict(diagnoses=["C44.519", "L57.0"], lines=[
            line(1, "11104", dx=[1], lesion=trunk, mods=biopsy_mods),
            line(2, "17000", dx=[2], mods=destruction_mods)])
        features = compute_raw_features(claims_to_frames([claim]), cms).iloc[0]
        found = [f for f in check_claim(claim, cms) if f.rule == "ptp_unbypassed"]
        return found, features["ptp_unbypassed"]

    found, flag = pair_finding([], ["LT"])
    assert flag == 1 and [(f.line, f.action, f.value) for f in found] == [
        (2, "add_modifier", "XS")]
    for biopsy_mods, destruction_mods in ((["RT"], ["LT"]), ([], ["LT", "XS"])):
        assert pair_finding(biopsy_mods, destruction_mods) == ([], 0)
