"""GeneratorConfig, profiles, blocks and determinism of the generator (small N, fast)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pydantic import ValidationError

from settings import Settings
from synthetic_data.generate import GeneratorConfig, generate_frames, truth_frame
from synthetic_data.profiles import PROFILES, get_profile

SMALL = {"claims": 2_500}


def test_from_settings_copies_every_generator_field_for_demo():
    # The CLI builds the config from Settings: every shared field carries over (demo).
    s = Settings(claims=1234, seed=7, start=date(2025, 3, 1), end=date(2025, 9, 30),
                 drift=False, drift_date=date(2025, 6, 1), error_scale=2.0, chunk_size=5000)
    c = GeneratorConfig.from_settings(s)
    for field in ("claims", "seed", "start", "end", "drift", "drift_date", "error_scale",
                  "chunk_size", "cms_dir"):
        assert getattr(c, field) == getattr(s, field)
    assert c.profile == "demo"


def test_from_settings_other_profile_keeps_its_own_window():
    # A duck-typed settings object naming another profile: only explicit values apply.
    class S:
        profile = "valley"
        claims, seed, start = 999, 3, date(2025, 1, 1)
        model_fields_set = {"seed"}

    c = GeneratorConfig.from_settings(S())
    assert c.profile == "valley" and c.seed == 3
    assert c.n_claims == get_profile("valley").claims and c.window_start == date(2024, 7, 1)


def test_unknown_profile_and_empty_window_are_refused():
    with pytest.raises(ValidationError, match="unknown profile"):
        GeneratorConfig(profile="nowhere")
    with pytest.raises(ValidationError, match="before start"):
        GeneratorConfig(start=date(2026, 1, 2), end=date(2026, 1, 1))


def test_profiles_differ_in_payers_rules_and_habits():
    # At least two practices with different payer ids, rules and coding habits.
    demo, valley = get_profile("demo"), get_profile("valley")
    assert set(PROFILES) >= {"demo", "valley"}
    assert not set(demo.payer_ids) & set(valley.payer_ids)
    assert demo.habits.wrong_side_dx < valley.habits.wrong_side_dx
    assert {c.rule for p in demo.payers for c in p.changes} != \
        {c.rule for p in valley.payers for c in p.changes}
    assert valley.payer("TXMCD").filing_limit_days == 95
    assert valley.payer("00590").filing_limit_days == 120


def test_same_seed_identical_frames_different_seed_differs():
    # Reproducibility: a data set is a pure function of its config.
    a = generate_frames(GeneratorConfig(seed=3, **SMALL))
    b = generate_frames(GeneratorConfig(seed=3, **SMALL))
    c = generate_frames(GeneratorConfig(seed=4, **SMALL))
    pd.testing.assert_frame_equal(a.claims, b.claims)
    pd.testing.assert_frame_equal(a.lines, b.lines)
    assert not a.lines["cpt"].equals(c.lines["cpt"])


def test_chunk_size_never_changes_the_output():
    # Chunking is not part of the data: any chunk_size gives the same frames.
    a = generate_frames(GeneratorConfig(seed=8, chunk_size=1, **SMALL))
    b = generate_frames(GeneratorConfig(seed=8, chunk_size=100_000, **SMALL))
    pd.testing.assert_frame_equal(a.claims, b.claims)


def test_drift_changes_outcomes_never_claims():
    # The quiet rule changes are the payer's: the claims (and corrections) stay the same.
    a = generate_frames(GeneratorConfig(seed=9, drift=True, start=date(2026, 1, 1), **SMALL))
    b = generate_frames(GeneratorConfig(seed=9, drift=False, start=date(2026, 1, 1), **SMALL))
    cols = [c for c in a.claims if not c.startswith(("oracle_", "denie", "denial_",
                                                     "hidden_drift", "claim_status",
                                                     "paid_", "patient_resp"))]
    pd.testing.assert_frame_equal(a.claims[cols], b.claims[cols])


def test_claim_ids_unique_and_lines_reference_claims():
    f = generate_frames(GeneratorConfig(seed=5, **SMALL))
    assert f.claims["claim_id"].is_unique and len(f.claims) == SMALL["claims"]
    assert f.claims["claim_id"].iloc[0] == "C-0000001"
    assert set(f.lines["claim_id"]) == set(f.claims["claim_id"])
    assert not f.lines.duplicated(["claim_id", "line"]).any()
    assert f.claims["submission_date"].is_monotonic_increasing


def test_dates_stay_in_range_and_submission_follows_service():
    cfg = GeneratorConfig(seed=6, start=date(2025, 5, 1), end=date(2025, 8, 31), **SMALL)
    f = generate_frames(cfg)
    dos = f.lines["date_of_service"]
    assert dos.min() >= pd.Timestamp(cfg.start) and dos.max() <= pd.Timestamp(cfg.end)
    last = f.lines.groupby("claim_id")["date_of_service"].max()
    sub = f.claims.set_index("claim_id")["submission_date"]
    assert (sub.loc[last.index] > last).all()


def test_valley_small_set_and_truth_frame():
    # The second practice generates with its own payer ids; the truth table beside X12
    # files carries the oracles and the deciding rule per claim.
    f = generate_frames(GeneratorConfig(profile="valley", claims=1500, seed=2))
    assert set(f.claims["payer_id"]) <= set(get_profile("valley").payer_ids)
    truth = truth_frame(f)
    assert {"claim_id", "payer_id", "oracle_p", "oracle_p_visible",
            "oracle_p_visible_modifier", "denial_rule"} <= set(truth.columns)
    assert len(truth) == 1500


@pytest.mark.parametrize("n", [1, 7, 40])
def test_tiny_data_sets_generate(n):
    # A few claims (tests and examples ask for 40): every stage copes with empty waves.
    f = generate_frames(GeneratorConfig(claims=n, seed=3))
    assert len(f.claims) == n and set(f.lines["claim_id"]) == set(f.claims["claim_id"])
