"""The 837P-only oracle (synthetic_data/oracle837.py) on 6,000 valley claims.

A practice learned from its X12 history cannot see what no 837P carries (documentation
flags, eligibility and credentialing checks, lesion records), so its limit is the
claim-only oracle averaged over those fields. Drawn from the practice's own claims with
the same payer and services (lines: same code, diagnosis and side modifier), the estimate
must keep each payer's expected denial rate, rank below the contract claim's oracle and
well above chance, and be reproducible.
"""

from __future__ import annotations

import numpy as np
import pytest

from synthetic_data.generate import GeneratorConfig, generate_frames
from synthetic_data.oracle837 import donors, oracle_837
from training.metrics import safe_auc


@pytest.fixture(scope="module")
def valley():
    frames = generate_frames(GeneratorConfig(profile="valley", claims=6_000, seed=837))
    return frames, oracle_837(frames, "valley")


def test_the_estimate_keeps_each_payers_expected_denial_rate(valley):
    # Averaging over unseen fields drawn from their own distribution moves no payer's
    # mean: a shift would mean the draws make claims the practice does not make.
    frames, p837 = valley
    claims = frames.claims.reset_index(drop=True)
    for payer, rows in claims.groupby("payer_id").groups.items():
        visible = claims.loc[rows, "oracle_p_visible"].mean()
        assert abs(p837[rows].mean() - visible) < 0.01, (payer, p837[rows].mean(), visible)


def test_it_ranks_below_the_claim_oracle_and_far_above_chance(valley):
    # Less information, a lower limit; but codes, modifiers and pointers still tell most.
    frames, p837 = valley
    y = frames.claims["denied"].to_numpy(int)
    visible = safe_auc(y, frames.claims["oracle_p_visible"].to_numpy(float))
    limit = safe_auc(y, p837)
    assert 0.85 < limit < visible - 0.005, (limit, visible)


def test_it_is_reproducible(valley):
    frames, p837 = valley
    sub = type(frames)(frames.claims.head(500), frames.lines[
        frames.lines["claim_id"].isin(frames.claims["claim_id"].head(500))])
    assert np.array_equal(oracle_837(sub, "valley"), oracle_837(sub, "valley"))


def test_donors_come_from_the_same_key_and_a_lone_key_keeps_itself():
    import pandas as pd

    keys = pd.Series(["a", "b", "a", "c", "a", "b"])
    rng = np.random.default_rng(1)
    for _ in range(20):
        pos = donors(keys, rng)
        assert (keys.to_numpy()[pos] == keys.to_numpy()).all()
        assert pos[3] == 3
