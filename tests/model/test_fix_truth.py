"""Fixes judged by the world, not by the model (issue: independent truth, item 4).

The service trained on 100,000 generated claims (tests/model/conftest.py) scores 6,000
claims of another seed; for each claim whose claim-only truth is risky (oracle_p_visible
>= 0.3) its top fix is applied as the service scored it and the edited claim is
re-adjudicated by the generator's own rules with the claim's hidden factors
(synthetic_data.adjudicate.true_risk). Fixes must lower the true risk where the denial
is one a coder can fix (modifier, authorization, missing information), and on average
overall; denials no edit can cure (timely filing, coverage that ended, hidden chart
facts) keep the overall share well below 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

pytestmark = pytest.mark.slow

FIXABLE = ("modifier", "authorization", "missing_information")


@pytest.fixture(scope="module")
def audited(service_predictor) -> dict[str, Any]:
    from contract.frames import claims_to_frames, frames_to_claims
    from reference.cms import load_cms_tables  # noqa: F401 - tables come with the predictor
    from serving.fix_audit import NOT_SENT, fixed_claims, is_unfixable, risky_rows, top_answers
    from settings import Settings
    from synthetic_data.adjudicate import true_risk
    from synthetic_data.config import GeneratorConfig
    from synthetic_data.generate import generate_frames
    from training.split import subset_frames

    frames = generate_frames(GeneratorConfig(claims=6_000, seed=33))
    mask = np.zeros(len(frames.claims), bool)
    mask[risky_rows(frames.claims, np.ones(len(frames.claims), bool))] = True
    sub = subset_frames(frames, mask)
    claims = frames_to_claims(sub)
    answers = top_answers(service_predictor, claims)
    unfixable = np.array([is_unfixable(f) for f in answers])
    fixes = [None if u else f for f, u in zip(answers, unfixable)]
    fixed = fixed_claims(claims, fixes, service_predictor.cms)
    before = sub.claims["oracle_p"].to_numpy(float)
    after = before.copy()
    edited = [i for i, c in enumerate(fixed) if isinstance(c, dict)]
    after[edited] = true_risk(claims_to_frames([fixed[i] for i in edited]), frames.claims,
                              "demo", Settings().cms_dir)["oracle_p"].to_numpy(float)
    after[[i for i, c in enumerate(fixed) if c == NOT_SENT]] = 0.0
    return {"before": before, "after": after,
            "joint": np.array([f is not None and bool(f.together) for f in fixes]),
            "unfixable": unfixable,
            "category": sub.claims["denial_category"].astype("string").fillna("").to_numpy()}


def test_top_fixes_lower_the_true_risk(audited, record_property):
    before, after, category = audited["before"], audited["after"], audited["category"]
    lowered = after <= 0.5 * before
    fixable = np.isin(category, FIXABLE)
    record_property("risky_claims", len(before))
    record_property("lowered_share", round(float(lowered.mean()), 3))
    record_property("lowered_share_fixable", round(float(lowered[fixable].mean()), 3))
    record_property("mean_true_drop", round(float((before - after).mean()), 3))
    assert len(before) >= 300 and fixable.sum() >= 100
    assert lowered[fixable].mean() >= 0.85  # measured .914 (2026-12-07)
    assert lowered.mean() >= 0.7 and (before - after).mean() > 0.5  # .828, .722
    assert (after <= before + 1e-9).mean() >= 0.97  # a fix almost never makes it worse


def test_changes_made_together_cure_what_no_single_change_does(audited, record_property):
    """A claim with independent errors (a missing 25 beside a J-code without its NDC) gets
    its changes as one fix; the world must pay most of those claims."""
    before, after, joint = audited["before"], audited["after"], audited["joint"]
    lowered = after[joint] <= 0.5 * before[joint]
    record_property("joint_fixes", int(joint.sum()))
    record_property("joint_lowered_share", round(float(lowered.mean()), 3))
    assert joint.sum() >= 20 and lowered.mean() >= 0.8  # measured 45, .933


def test_not_fixable_answers_are_claims_past_the_filing_limit(audited, record_property):
    """The claims the service calls not fixable are the ones the world denies for timely
    filing (no edit cures a claim submitted too late); the fix audit counts them apart."""
    from serving.fix_audit import summarise

    before, after, category = audited["before"], audited["after"], audited["category"]
    unfixable = audited["unfixable"]
    late = category[unfixable] == "timely_filing"
    record_property("not_fixable", int(unfixable.sum()))
    record_property("not_fixable_timely_share", round(float(late.mean()), 3))
    assert unfixable.sum() >= 10 and late.mean() >= 0.8  # measured 43, .977
    block = summarise(before, after, unfixable)
    assert block["n_not_fixable"] == unfixable.sum()
    assert block["lowered_true_risk_fixable"] > block["lowered_true_risk"]
