"""Time split, model planning and unknown-payer errors."""

import numpy as np
import pandas as pd
import pytest

from contract.frames import ClaimFrames
from training.data import POOLED, UnknownPayerError, plan_models
from training.split import claim_service_dates, time_split


def test_time_split_uses_last_months_for_test_and_previous_for_validation():
    dates = pd.Series(pd.date_range("2025-01-01", "2026-06-30", freq="D"))
    s = time_split(dates, test_months=3, val_months=1)
    assert str(s.test_start) == "2026-04" and str(s.val_start) == "2026-03"
    months = s.months
    assert (months[s.test] >= s.test_start).all() and (months[s.train] < s.val_start).all()
    assert (s.train ^ s.val ^ s.test).all()  # each claim in exactly one part
    assert s.window()["test_end"] == "2026-06" and s.window()["train_end"] == "2026-02"


def test_time_split_too_short_raises():
    with pytest.raises(ValueError, match="too short"):
        time_split(pd.Series(pd.date_range("2026-02-01", "2026-03-31")), 3, 1)


@pytest.mark.parametrize(("end", "test", "train_end"), [
    ("2026-06-30", 2, "2026-03"),  # 6 months: 3 train, 1 validation, 2 test
    ("2026-03-31", 1, "2026-01"),  # 3 months: one each
    ("2026-12-31", 3, "2026-08"),  # 12 months: as configured
])
def test_a_short_history_keeps_as_many_training_months_as_test_months(end, test, train_end):
    s = time_split(pd.Series(pd.date_range("2026-01-01", end, freq="D")), 3, 1)
    window = s.window()
    assert window["train_end"] == train_end
    assert len(s.months[s.test].unique()) == test


def test_service_date_is_earliest_line_date_else_submission():
    claims = pd.DataFrame({"claim_id": ["a", "b"],
                           "submission_date": pd.to_datetime(["2026-02-01", "2026-03-05"])})
    lines = pd.DataFrame({"claim_id": ["a", "a"],
                          "date_of_service": pd.to_datetime(["2026-01-20", "2026-01-10"])})
    dos = claim_service_dates(ClaimFrames(claims, lines))
    assert list(dos.dt.strftime("%Y-%m-%d")) == ["2026-01-10", "2026-03-05"]


PAYER = pd.Series(["MCR"] * 50 + ["COA"] * 30 + ["COC"] * 5)
TRAIN = np.ones(len(PAYER), bool)


def test_plan_gives_small_payers_the_pooled_model_trained_first():
    plan = plan_models(PAYER, TRAIN, min_claims=20)
    assert plan == {"MCR": "payer", "COA": "payer", POOLED: "pooled"}
    assert next(iter(plan)) == POOLED  # the baseline payer models are gated against


def test_plan_minimum_scales_with_the_data_and_needs_denials():
    from training.data import min_claims_for_own_model

    assert min_claims_for_own_model(40_000, None) == 1000
    assert min_claims_for_own_model(300_000, None) == 3000
    assert min_claims_for_own_model(300_000, 500) == 500
    big = pd.Series(["MCR"] * 1200 + ["COA"] * 1200 + ["COC"] * 300)
    denied = np.zeros(len(big), int)
    denied[:100] = 1  # MCR has 100 denials, COA none
    plan = plan_models(big, np.ones(len(big), bool), None, None, denied, min_denials=50)
    assert plan == {POOLED: "pooled", "MCR": "payer"}


def test_plan_requested_small_payer_trains_pooled():
    assert plan_models(PAYER, TRAIN, 20, ["COC"]) == {POOLED: "pooled"}
    assert plan_models(PAYER, TRAIN, 20, ["MCR"]) == {"MCR": "payer"}


def test_unknown_payer_is_a_clear_error():
    with pytest.raises(UnknownPayerError, match="unknown payer 'XYZ'"):
        plan_models(PAYER, TRAIN, 20, ["XYZ"])


def test_refit_split_moves_validation_to_the_newest_months_and_has_no_test():
    from training.refit import refit_split

    dates = pd.Series(pd.date_range("2025-01-01", "2026-06-30", freq="D"))
    for val_months in (1, 2):
        tested = time_split(dates, test_months=3, val_months=val_months)
        served = refit_split(tested)
        assert not served.test.any() and (served.train ^ served.val).all()
        window = served.window()
        assert window["val_start"] == ("2026-06" if val_months == 1 else "2026-05")
        assert window["train_end"] == ("2026-05" if val_months == 1 else "2026-04")
        assert window["test_start"] > window["test_end"] == "2026-06"  # nothing tested
