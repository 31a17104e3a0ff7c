"""Each rule's own cure works: applied to claims denied by that rule alone and
re-adjudicated with the same hidden factors (true_risk), it lowers the true probability
of denial for >= 95% of them (issue 14 §4 fixes judged by the generator's own rules)."""

from __future__ import annotations

import numpy as np
import pytest

from contract.frames import CLAIM_COLUMNS, LINE_COLUMNS, ClaimFrames
from synthetic_data.adjudicate import rule_probabilities, true_risk
from synthetic_data.cures import CURES, cure
from synthetic_data.generate import GeneratorConfig, generate_frames
from synthetic_data.rules import RULES_BY_ID

CONFIG = GeneratorConfig(claims=30_000, seed=5)
MIN_CLAIMS = 5


@pytest.fixture(scope="module")
def generated() -> tuple[ClaimFrames, dict[str, np.ndarray]]:
    frames = generate_frames(CONFIG)
    probs = rule_probabilities(ClaimFrames(frames.claims[CLAIM_COLUMNS],
                                           frames.lines[LINE_COLUMNS]), frames.claims)
    alone = (probs > 0).sum(axis=1) == 1
    denied = frames.claims.set_index("claim_id")["denial_rule"]
    by_rule = {rule: probs.index[alone & (denied.reindex(probs.index) == rule).to_numpy()
                                 & (probs[rule] > 0).to_numpy()].to_numpy()
               for rule in CURES}
    return frames, by_rule


def test_cures_lower_the_true_risk(generated):
    frames, by_rule = generated
    tested, failures = 0, {}
    for rule, ids in by_rule.items():
        if len(ids) < MIN_CLAIMS or not RULES_BY_ID[rule].curable:
            continue
        sub = ClaimFrames(frames.claims[frames.claims["claim_id"].isin(ids)][CLAIM_COLUMNS],
                          frames.lines[frames.lines["claim_id"].isin(ids)][LINE_COLUMNS])
        before = true_risk(sub, frames.claims)["oracle_p"]
        fixed = cure(sub, frames.claims, rule)
        with_lines = fixed.claims["claim_id"].isin(fixed.lines["claim_id"])
        after = true_risk(ClaimFrames(fixed.claims[with_lines], fixed.lines),
                          frames.claims)["oracle_p"].reindex(before.index).fillna(0.0)
        lowered = (after < before - 1e-9).mean()
        tested += 1
        if lowered < 0.95:
            failures[rule] = (round(lowered, 3), len(ids))
    assert tested >= 12 and not failures, (tested, failures)
