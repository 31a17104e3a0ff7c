"""Calibrator choice: sigmoid for a logistic miscalibration, isotonic for a step shape."""

import numpy as np
import pytest

from training.calibration import Calibrator, calibrate, fit_isotonic, fit_sigmoid


def test_sigmoid_recovers_platt_parameters():
    rng = np.random.default_rng(1)
    raw = rng.normal(size=20_000)
    y = (rng.random(raw.size) < 1 / (1 + np.exp(-(0.5 * raw - 1.0)))).astype(int)
    cal = fit_sigmoid(raw, y)
    assert cal.a == pytest.approx(0.5, abs=0.06) and cal.b == pytest.approx(-1.0, abs=0.06)


def test_calibrate_picks_sigmoid_when_truth_is_logistic():
    rng = np.random.default_rng(2)
    raw = rng.normal(size=3000) * 2
    y = (rng.random(raw.size) < 1 / (1 + np.exp(-(0.4 * raw - 1.5)))).astype(int)
    cal = calibrate(raw, y)
    assert cal.method == "sigmoid"
    assert cal.validation_logloss["sigmoid"] < cal.validation_logloss["isotonic"]


def test_calibrate_picks_isotonic_for_a_step_shape():
    rng = np.random.default_rng(3)
    raw = rng.normal(size=20_000)
    truth = np.where(raw < 0.8, 0.05, 0.6)  # a cliff a sigmoid cannot follow
    y = (rng.random(raw.size) < truth).astype(int)
    cal = calibrate(raw, y)
    assert cal.method == "isotonic"
    p = cal.apply(np.array([-1.0, 2.0]))
    assert p[0] == pytest.approx(0.05, abs=0.02) and p[1] == pytest.approx(0.6, abs=0.05)


def test_single_class_falls_back_to_identity():
    cal = calibrate(np.array([0.1, 0.2, 0.3] * 10), np.zeros(30, int))
    assert cal.method == "identity"
    assert cal.apply(np.array([0.0]))[0] == pytest.approx(0.5)


def test_calibrator_json_round_trip_is_exact():
    rng = np.random.default_rng(4)
    raw = rng.normal(size=500)
    y = (rng.random(500) < 0.3).astype(int)
    for cal in (fit_isotonic(raw, y), fit_sigmoid(raw, y)):
        again = Calibrator.model_validate_json(cal.model_dump_json())
        assert np.array_equal(again.apply(raw), cal.apply(raw))


def test_isotonic_is_monotone_and_clipped_outside_range():
    raw = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    cal = fit_isotonic(raw, np.array([0, 0, 1, 0, 1]))
    p = cal.apply(np.array([-10.0, -2.0, 0.5, 10.0]))
    assert np.all(np.diff(p) >= 0) and p[0] > 0 and p[-1] < 1
