"""SHAP additivity of the factor explanations, and pred_contrib vs shap.TreeExplainer."""

from __future__ import annotations

import time

import numpy as np
import pytest

from contract.frames import frames_to_claims
from serving.explain import factor_scores
from serving.lift_notes import LIFT_FACTOR
from tests.builders import make_claim_dict

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample(predictor):
    """300 generated claims (MCR payer model) and their model matrix."""
    from synthetic_data.config import GeneratorConfig
    from synthetic_data.generate import generate_frames

    frames = generate_frames(GeneratorConfig(claims=900, seed=23))
    dicts = [d for d in frames_to_claims(frames) if d["payer_id"] == "MCR"][:300]
    bundle = predictor.models.route("MCR")[0].bundle
    return bundle, bundle.features(dicts, predictor.cms)


def test_factor_contributions_plus_base_reproduce_the_raw_score(sample):
    bundle, X = sample
    scores = factor_scores(bundle.contributions(X), bundle.feature_names)
    np.testing.assert_allclose(scores.raw_score, bundle.raw_score(X), atol=1e-9)
    p = bundle.calibrator.apply(scores.raw_score)
    np.testing.assert_allclose(p, bundle.calibrated(X), atol=1e-12)
    # the returned risk adds the learned coding-check lift (training/lifts.py) and only that
    lifted, chosen = bundle.lifted(X, p)
    np.testing.assert_allclose(lifted, bundle.predict_proba(X), atol=1e-12)
    assert (lifted[chosen < 0] == p[chosen < 0]).all() and (lifted >= p).all()


def test_response_explanation_adds_up(predictor, contract_examples, em_biopsy_without_25):
    from contract.schema import Claim

    batch = [Claim.model_validate(c) for c in [*contract_examples.values(),
                                               em_biopsy_without_25]]
    for pred in predictor.predict(batch):
        served = predictor.models.route(pred.payer_id)[0]
        claim = next(c for c in batch if c.claim_id == pred.claim_id)
        X = served.bundle.features([dict(claim.model_dump(), claim_id="0")], predictor.cms)
        total = (pred.base_value + sum(e.contribution for e in pred.explanation
                                       if e.factor != LIFT_FACTOR)
                 + sum(c.contribution for c in pred.context))
        assert total == pytest.approx(served.bundle.raw_score(X)[0], abs=1e-3)
        context = {c.factor for c in pred.context}
        drivers = {e.factor for e in pred.explanation}
        # Context a coder cannot change is never a driver, and no driver is an absence.
        assert not drivers & {"payer", "patient", "rendering_provider", "service_dates"}
        assert context <= {"payer", "patient", "rendering_provider", "place_of_service",
                           "service_dates", "claim_size", "patient_history",
                           "claim_frequency", "submission_lag"}
        assert not [e for e in pred.explanation if e.text.startswith("Not on this claim")]
        assert not [e for e in pred.explanation if "_" in e.text.split("(")[0]
                    and "documentation." not in e.text and e.factor != "other_factors"]


def test_pred_contrib_equals_tree_explainer_and_timing(sample, record_property):
    import shap  # test-only: the service never imports shap

    bundle, X = sample
    Xf = X[bundle.feature_names]
    t0 = time.perf_counter()
    contrib = bundle.binary.predict(Xf, pred_contrib=True)
    t_contrib = time.perf_counter() - t0
    t0 = time.perf_counter()
    explainer = shap.TreeExplainer(bundle.binary)
    values = explainer.shap_values(Xf)
    t_shap = time.perf_counter() - t0
    values = values[1] if isinstance(values, list) else values
    np.testing.assert_allclose(values, contrib[:, :-1], atol=1e-9)
    np.testing.assert_allclose(np.ravel(explainer.expected_value)[-1], contrib[0, -1],
                               atol=1e-9)
    record_property("pred_contrib_ms", round(t_contrib * 1000, 1))
    record_property("tree_explainer_ms", round(t_shap * 1000, 1))
    print(f"\n{len(X)} rows: pred_contrib {t_contrib * 1000:.1f} ms, "
          f"TreeExplainer (incl. construction) {t_shap * 1000:.1f} ms")


def test_explanation_names_lines_and_sources(predictor, em_biopsy_without_25):
    from contract.schema import Claim

    [pred] = predictor.predict([Claim.model_validate(em_biopsy_without_25)])
    assert pred.explanation and pred.base_value is not None
    named = [e for e in pred.explanation if e.lines]
    assert named and all("line" in e.text for e in named)
    assert any(e.source and "NCCI PTP" in e.source for e in pred.explanation)
    shown = [e.contribution for e in pred.explanation if e.factor != "other_factors"]
    assert shown == sorted(shown, reverse=True) and len(shown) <= 5


def test_no_phi_in_explanations(predictor):
    from contract.schema import Claim

    claim = make_claim_dict(patient={"member_id": "MBR-PHI-4417", "birth_date": "1950-04-12",
                                     "sex": "F"})
    [pred] = predictor.predict([Claim.model_validate(claim)])
    text = pred.model_dump_json()
    assert "MBR-PHI-4417" not in text and "1950-04-12" not in text
    assert "1234567893" not in text
