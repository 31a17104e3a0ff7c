"""The fix audit's summary: claims the service calls not fixable (past the filing limit)
count in the share lowered, and apart from it (the share lowered among the others)."""

from __future__ import annotations

import math

import numpy as np

from contract.schema import Fix
from serving.edits import DUPLICATE_SUBMISSION
from serving.fix_audit import is_unfixable, summarise


def test_not_fixable_claims_are_counted_apart_and_in_the_overall_share():
    before = np.array([0.8, 0.6, 0.9, 0.5])
    after = np.array([0.1, 0.5, 0.9, 0.2])  # halved: claims 0 and 3
    block = summarise(before, after, np.array([False, False, True, False]))
    assert block["lowered_true_risk"] == 0.5
    assert block["n_not_fixable"] == 1
    assert math.isclose(block["lowered_true_risk_fixable"], 2 / 3)
    assert "n_not_fixable" not in summarise(before, after)  # keys of old reports stay


def test_all_not_fixable_leaves_no_fixable_share():
    block = summarise(np.array([0.9]), np.array([0.9]), np.array([True]))
    assert block["n_not_fixable"] == 1 and math.isnan(block["lowered_true_risk_fixable"])


def test_a_duplicate_not_to_send_is_a_cure_not_an_unfixable_claim():
    late = Fix(action="not_fixable", value="submitted 120 days after service", text="x")
    copy = Fix(action="not_fixable", value=DUPLICATE_SUBMISSION, text="x")
    assert is_unfixable(late) and not is_unfixable(copy) and not is_unfixable(None)
