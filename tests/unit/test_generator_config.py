"""GeneratorConfig, chunking and determinism of the generator (small N, fast)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pydantic import ValidationError

from settings import Settings
from synthetic_data.config import ErrorRates, GeneratorConfig
from synthetic_data.generate import chunk_bounds, generate_frames
from synthetic_data.payers import PAYER_MIX, RULE_CATEGORY, default_enforcement

SMALL = {"claims": 2_500, "chunk_size": 1_000}


def test_from_settings_copies_every_generator_field():
    # The CLI builds the config from Settings: every shared field must carry over.
    s = Settings(claims=1234, seed=7, start=date(2025, 3, 1), end=date(2025, 9, 30),
                 drift=False, drift_date=date(2025, 6, 1), error_scale=2.0, chunk_size=5000)
    c = GeneratorConfig.from_settings(s)
    for field in ("claims", "seed", "start", "end", "drift", "drift_date", "error_scale",
                  "chunk_size", "cms_dir"):
        assert getattr(c, field) == getattr(s, field)


def test_error_rates_scale_and_cap():
    # error_scale multiplies every coder/front-desk error rate and never exceeds 1.
    base = ErrorRates()
    assert GeneratorConfig(error_scale=2).error_rate("missing_25") == 2 * base.missing_25
    assert GeneratorConfig(error_scale=0).error_rate("missing_25") == 0
    assert GeneratorConfig(error_scale=5, errors=ErrorRates(missing_25=0.5)).error_rate(
        "missing_25") == 1.0


def test_end_before_start_is_refused():
    with pytest.raises(ValidationError, match="before start"):
        GeneratorConfig(start=date(2026, 1, 2), end=date(2026, 1, 1))


def test_enforcement_table_covers_every_rule_and_payer():
    # Each hidden rule has a probability in [0, 1] for each of the six payers.
    table = default_enforcement()
    assert set(table) == set(RULE_CATEGORY)
    for row in table.values():
        assert set(row) == set(PAYER_MIX) and all(0 <= p <= 1 for p in row.values())
    assert sum(PAYER_MIX.values()) == pytest.approx(1.0)


def test_chunks_cover_all_claims():
    assert chunk_bounds(GeneratorConfig(**SMALL)) == [(0, 1000), (1000, 1000), (2000, 500)]


def test_same_seed_identical_frames_different_seed_differs():
    # Reproducibility: a data set is a pure function of its config.
    a = generate_frames(GeneratorConfig(seed=3, **SMALL))
    b = generate_frames(GeneratorConfig(seed=3, **SMALL))
    c = generate_frames(GeneratorConfig(seed=4, **SMALL))
    pd.testing.assert_frame_equal(a.claims, b.claims)
    pd.testing.assert_frame_equal(a.lines, b.lines)
    assert not a.claims["payer_id"].equals(c.claims["payer_id"])
    assert not a.lines["cpt"].equals(c.lines["cpt"])


def test_claim_ids_unique_across_chunks_and_lines_reference_claims():
    f = generate_frames(GeneratorConfig(seed=5, **SMALL))
    assert f.claims["claim_id"].is_unique and len(f.claims) == SMALL["claims"]
    assert f.claims["claim_id"].iloc[0] == "C-0000001"
    assert set(f.lines["claim_id"]) == set(f.claims["claim_id"])
    assert not f.lines.duplicated(["claim_id", "line"]).any()


def test_dates_stay_in_range_and_submission_follows_service():
    cfg = GeneratorConfig(seed=6, start=date(2025, 5, 1), end=date(2025, 8, 31), **SMALL)
    f = generate_frames(cfg)
    dos = f.lines["date_of_service"]
    assert dos.min() >= pd.Timestamp(cfg.start) - pd.Timedelta(days=60)
    assert dos.max() <= pd.Timestamp(cfg.end)
    last = f.lines.groupby("claim_id")["date_of_service"].max()
    sub = f.claims.set_index("claim_id")["submission_date"]
    assert (sub.loc[last.index] > last).all()
