"""The 837P-only oracle (synthetic_data/oracle837.py) on 6,000 valley claims.

A practice learned from its X12 history cannot see what no 837P carries (documentation
flags, eligibility and credentialing checks, lesion records), so its limit is the
claim-only oracle averaged over those fields. Drawn from the practice's other claims with
the same payer and services (lines: same code, diagnosis and side modifier), backing off
to coarser keys for rare ones, the estimate must keep each payer's expected denial rate,
rank below the contract claim's oracle and well above chance, be reproducible, and never
read a claim's own hidden fields.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from contract.frames import ClaimFrames
from synthetic_data.adjudicate import true_risk
from synthetic_data.donors import MIN_DONORS, donors
from synthetic_data.generate import GeneratorConfig, generate_frames
from synthetic_data.oracle837 import (
    CLAIM_FIELDS,
    claim_levels,
    line_levels,
    oracle_837,
    record_facts,
    replica,
)
from training.metrics import safe_auc

DRAWS = 200  # donor draws per unit test: every allowed donor of a small group shows up


@pytest.fixture(scope="module")
def valley():
    frames = generate_frames(GeneratorConfig(profile="valley", claims=6_000, seed=837))
    return frames, oracle_837(frames, "valley")


def head(frames: ClaimFrames, n: int) -> ClaimFrames:
    """The first n claims with their lines."""
    claims = frames.claims.head(n)
    return ClaimFrames(claims, frames.lines[frames.lines["claim_id"].isin(claims["claim_id"])])


def drawn(levels: list[np.ndarray], owner: np.ndarray | None = None,
          seed: int = 1) -> list[set[int]]:
    """Per row, every donor position met in DRAWS draws."""
    rng = np.random.default_rng(seed)
    met: list[set[int]] = [set() for _ in range(len(levels[0]))]
    for _ in range(DRAWS):
        for row, pos in enumerate(donors(levels, rng, owner).tolist()):
            met[row].add(pos)
    return met


def test_the_estimate_keeps_each_payers_expected_denial_rate(valley):
    # Averaging over unseen fields drawn from their own distribution moves no payer's
    # mean: a shift would mean the draws make claims the practice does not make.
    frames, p837 = valley
    claims = frames.claims.reset_index(drop=True)
    for payer, rows in claims.groupby("payer_id").groups.items():
        visible = claims.loc[rows, "oracle_p_visible"].mean()
        assert abs(p837[rows].mean() - visible) < 0.01, (payer, p837[rows].mean(), visible)


def test_claims_that_back_off_keep_their_expected_denial_rate(valley):
    # A rare claim's donors come from coarser keys; those keep what the rules check the
    # drawn fields against, so its claims are not denied for another claim's mismatches
    # (a middle level of payer | auth alone gives about +.05 here).
    frames, p837 = valley
    claims = frames.claims.reset_index(drop=True)
    keys = pd.Series(claim_levels(ClaimFrames(claims, frames.lines))[0])
    rare = (keys.map(keys.value_counts()) - 1 < MIN_DONORS).to_numpy()
    assert rare.sum() > 300
    shift = p837[rare].mean() - claims.loc[rare, "oracle_p_visible"].mean()
    assert abs(shift) < 0.025, shift


def test_it_ranks_below_the_claim_oracle_and_far_above_chance(valley):
    # Less information, a lower limit; but codes, modifiers and pointers still tell most.
    frames, p837 = valley
    y = frames.claims["denied"].to_numpy(int)
    visible = safe_auc(y, frames.claims["oracle_p_visible"].to_numpy(float))
    limit = safe_auc(y, p837)
    assert 0.85 < limit < visible - 0.005, (limit, visible)


def test_it_is_reproducible(valley):
    frames, p837 = valley
    sub = head(frames, 500)
    assert np.array_equal(oracle_837(sub, "valley"), oracle_837(sub, "valley"))


def flip_hidden(frames: ClaimFrames, claim_id: str) -> ClaimFrames:
    """The frames with one claim's uncarried fields changed: its flags negated, its
    lesions moved to another site and side."""
    claims, lines = frames.claims.copy(), frames.lines.copy()
    rows = (claims["claim_id"] == claim_id).to_numpy()
    for col in CLAIM_FIELDS:
        if str(claims[col].dtype) == "boolean":
            claims.loc[rows, col] = ~claims.loc[rows, col].fillna(False)
    lrows = (lines["claim_id"] == claim_id).to_numpy()
    lines.loc[lrows, "lesion_laterality"] = lines.loc[lrows, "lesion_laterality"].map(
        {"left": "right", "right": "left"}).fillna("left")
    lines.loc[lrows, "lesion_site"] = np.where(
        lines.loc[lrows, "lesion_site"].eq("trunk").fillna(False), "face", "trunk")
    return ClaimFrames(claims, lines)


def test_a_claims_own_hidden_fields_do_not_move_its_estimate(valley):
    # The 837P-only oracle must not see what the 837P hides: changing a claim's own
    # uncarried fields (documentation, eligibility, lesion records) changes its claim
    # oracle but not its 837P-only one. The claims are ones whose key no other claim
    # shares, where a draw that may pick the claim itself always did.
    frames, _ = valley
    sub = head(frames, 400)
    sub = ClaimFrames(sub.claims.reset_index(drop=True), sub.lines.reset_index(drop=True))
    claims, lines = sub.claims, sub.lines
    keys = pd.Series(claim_levels(sub)[0])
    lone = claims["claim_id"][(keys.map(keys.value_counts()) == 1).to_numpy()]
    lone = lone[lone.isin(lines.loc[lines["lesion_site"].notna(), "claim_id"])].head(3)
    assert len(lone) == 3
    before = oracle_837(sub, "valley")
    moved = 0.0
    for claim_id in lone:
        flipped = flip_hidden(sub, claim_id)
        own = (claims["claim_id"] == claim_id).to_numpy()
        visible = true_risk(flipped, claims, "valley").loc[claim_id, "oracle_p_visible"]
        moved = max(moved, abs(visible - claims.loc[own, "oracle_p_visible"].iloc[0]))
        assert oracle_837(flipped, "valley")[own] == before[own], claim_id
    assert moved > 0.05  # the change matters to a claim oracle that sees those fields


def test_a_replica_gives_no_claim_its_own_fields(valley):
    # Tag each claim's uncarried fields with its id and each line's lesion record with
    # its claim: no replica claim or line may carry its own claim's tag back.
    frames, _ = valley
    sub = head(frames, 400)
    claims, lines = sub.claims.reset_index(drop=True), sub.lines.reset_index(drop=True)
    claims["prior_auth_cpt_codes"] = claims["claim_id"].astype("string")
    lines["lesion_count"] = pd.array(np.arange(len(lines)), dtype="Int32")
    tagged = ClaimFrames(claims, lines)
    rng = np.random.default_rng(5)
    for _ in range(10):
        rep = replica(tagged, claim_levels(tagged), line_levels(tagged), rng)
        assert (rep.claims["prior_auth_cpt_codes"] != claims["claim_id"]).all()
        donor = lines["claim_id"].to_numpy()[rep.lines["lesion_count"].to_numpy(int)]
        assert (donor != lines["claim_id"].to_numpy()).all()


def test_no_row_donates_to_itself_while_another_row_exists():
    rng = np.random.default_rng(7)
    fine = rng.integers(0, 60, 300).astype(str).astype(object)
    middle = np.array([str(int(k) // 6) for k in fine], dtype=object)
    levels = [fine, middle, np.full(300, "", dtype=object)]
    for seed in range(20):
        pos = donors(levels, np.random.default_rng(seed))
        assert (pos != np.arange(300)).all()
        assert ((pos >= 0) & (pos < 300)).all()


def test_a_row_alone_even_at_the_coarsest_level_keeps_itself():
    # A frame of one claim (or of one claim's lines) has no other row to draw from.
    rng = np.random.default_rng(0)
    assert donors([np.array(["a"], dtype=object)], rng).tolist() == [0]
    same = np.array(["c1", "c1", "c1"], dtype=object)
    keys = np.array(["x", "x", "y"], dtype=object)
    assert donors([keys, np.full(3, "", dtype=object)], rng, owner=same).tolist() == [0, 1, 2]


def test_a_rare_key_backs_off_to_its_coarser_group():
    # Level 1: 's' alone and 'f' with MIN_DONORS rows (MIN_DONORS - 1 others: too few);
    # level 2: 's' shares 'X' with 'c' rows, 'f' shares 'Y' with 'd' rows.
    n_c, n_d = MIN_DONORS + 2, MIN_DONORS + 1
    fine = np.array(["s", *["c"] * n_c, *["f"] * MIN_DONORS, *["d"] * n_d], dtype=object)
    coarse = np.array(["X"] * (1 + n_c) + ["Y"] * (MIN_DONORS + n_d), dtype=object)
    met = drawn([fine, coarse, np.full(len(fine), "", dtype=object)])
    x_rows = set(np.flatnonzero(coarse == "X").tolist())
    assert met[0] == x_rows - {0}  # every other row of X, none of Y, never itself
    f_rows = np.flatnonzero(fine == "f").tolist()
    y_rows = set(np.flatnonzero(coarse == "Y").tolist())
    for row in f_rows:
        assert met[row] == y_rows - {row}
        assert met[row] - set(f_rows)  # it does reach beyond its own level-1 group


def test_a_big_enough_key_draws_only_within_itself():
    big = MIN_DONORS + 1  # MIN_DONORS other rows: enough
    fine = np.array(["b"] * big + ["e"] * 4, dtype=object)
    coarse = np.full(len(fine), "Z", dtype=object)
    met = drawn([fine, coarse])
    for row in range(big):
        assert met[row] == set(range(big)) - {row}
    for row in range(big, len(fine)):  # 'e' (3 others) backs off to all of Z
        assert met[row] == set(range(len(fine))) - {row}


def test_a_line_never_takes_a_record_of_its_own_claim():
    # Lines of one claim sharing a key (two lesions, same code and diagnosis) are not
    # each other's donors: a sibling's record is the claim's own hidden field too.
    owner = np.array(["A", "A", "A", "B", "C", "D", "E", "F", "G", "H"], dtype=object)
    keys = np.full(len(owner), "11102|L82.1|", dtype=object)
    met = drawn([keys, np.full(len(owner), "", dtype=object)], owner)
    for row in range(3):
        assert met[row] == set(range(3, len(owner)))
    assert met[9] == set(range(9))  # another claim's line may take any of A's


def test_donors_are_deterministic_given_the_rng():
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 40, 500).astype(str).astype(object)
    levels = [keys, np.full(500, "", dtype=object)]
    first = donors(levels, np.random.default_rng(11))
    assert np.array_equal(first, donors(levels, np.random.default_rng(11)))
    assert not np.array_equal(first, donors(levels, np.random.default_rng(12)))


def test_donors_come_from_the_same_key_and_a_lone_key_keeps_itself():
    keys = pd.Series(["a", "b", "a", "c", "a", "b"])
    rng = np.random.default_rng(1)
    for _ in range(20):
        pos = donors([keys], rng)
        assert (keys.to_numpy()[pos] == keys.to_numpy()).all()
        assert pos[3] == 3
        assert (np.delete(pos, 3) != np.delete(np.arange(6), 3)).all()


def test_record_facts_are_what_the_rules_check_a_lesion_record_against():
    # 11422: benign excision, scalp/neck/hands/feet/genitalia, 1.1-2.0 cm; C44.612: right
    # upper limb (arm or hand): the record must be of a right hand.
    kind, sites, side, band, count = record_facts("11422|C44.612|")
    assert (kind, sites, side, band, count) == ("excision_benign", "hands", "right",
                                                "1.1-2.0", "")
    assert record_facts("11422|C44.612|LT")[2] == "left/right"  # the 837P contradicts itself
    assert record_facts("17110|B07.0|")[4] == "17110"  # a count code: the count must fit
    assert record_facts("99213|C44.612|")[1:] == ("", "", "", "")  # E/M: no record


def test_key_levels_end_in_one_key_for_all(valley):
    frames, _ = valley
    sub = head(frames, 1_000)
    claims = ClaimFrames(sub.claims.reset_index(drop=True), sub.lines.reset_index(drop=True))
    for levels, n in ((claim_levels(claims), len(claims.claims)),
                      (line_levels(claims), len(claims.lines))):
        assert all(len(k) == n for k in levels)
        assert len(set(levels[-1].tolist())) == 1
        sizes = [len(set(k.tolist())) for k in levels]
        assert sizes[0] > sizes[1] > sizes[-1], sizes
