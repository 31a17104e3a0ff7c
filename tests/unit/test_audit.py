"""Audit lines: one JSON line per prediction, ids hashed, one log record per scoring call."""

from __future__ import annotations

import json
import logging

from contract.schema import ModelInfo, Prediction
from serving.audit import AUDIT_LOGGER, audit_predictions, claim_hash


def prediction(claim_id: str, p: float) -> Prediction:
    return Prediction(claim_id=claim_id, payer_id="MCR", denial_probability=p,
                      risk_band="warn" if p > 0.5 else "pass",
                      model=ModelInfo(name="denialrisk-MCR", version="v1", fallback=False))


def test_one_json_line_per_prediction_in_one_record(caplog):
    caplog.set_level(logging.INFO, logger=AUDIT_LOGGER)
    audit_predictions([prediction("CLM-1", 0.1234567), prediction("CLM-2", 0.9)], 12.345)
    records = [r for r in caplog.records if r.name == AUDIT_LOGGER]
    assert len(records) == 1
    lines = [json.loads(line) for line in records[0].getMessage().splitlines()]
    assert [x["claim"] for x in lines] == [claim_hash("CLM-1"), claim_hash("CLM-2")]
    assert lines[0]["probability"] == 0.1235 and lines[1]["band"] == "warn"
    assert all(x["batch"] == 2 and x["latency_ms"] == 12.35 for x in lines)
    assert "CLM-1" not in caplog.text


def test_nothing_is_logged_for_no_predictions_or_when_audit_is_off(caplog):
    caplog.set_level(logging.INFO, logger=AUDIT_LOGGER)
    audit_predictions([], 1.0)
    caplog.set_level(logging.WARNING, logger=AUDIT_LOGGER)
    audit_predictions([prediction("CLM-3", 0.2)], 1.0)
    assert not [r for r in caplog.records if r.name == AUDIT_LOGGER]


def test_audit_lines_are_valid_json_for_awkward_values(caplog):
    caplog.set_level(logging.INFO, logger=AUDIT_LOGGER)
    pred = Prediction(claim_id='C"1\\', payer_id='ZZ', denial_probability=1e-7,
                      risk_band="pass", model=ModelInfo(name='pooled "x"', version="1.0\n",
                                                        fallback=True))
    audit_predictions([pred], 1e-9)
    [line] = [r for r in caplog.records if r.name == AUDIT_LOGGER][0].getMessage().splitlines()
    record = json.loads(line)
    assert record == {"event": "prediction", "claim": claim_hash('C"1\\'), "payer": "ZZ",
                      "model": 'pooled "x"', "model_version": "1.0\n", "fallback": True,
                      "probability": 0.0, "band": "pass", "latency_ms": 0.0, "batch": 1}
