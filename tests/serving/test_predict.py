"""The scoring path on the trained fixture models: routing, reasons, fixes, batching."""

from __future__ import annotations

import numpy as np
import pytest

from contract.schema import Claim
from reference.vocab import CATEGORIES
from serving.fixes import rescore
from serving.scoring import Options
from tests.builders import line, make_claim_dict

pytestmark = pytest.mark.slow


def claims(*dicts):
    return [Claim.model_validate(d) for d in dicts]


def test_em_with_biopsy_without_25_is_fixed_by_25_on_the_em_line(predictor,
                                                                 em_biopsy_without_25):
    [pred] = predictor.predict(claims(em_biopsy_without_25))
    assert pred.model.name == "denialrisk-MCR" and not pred.model.fallback
    assert pred.denial_probability > 0.3
    top = pred.fixes[0]
    assert (top.action, top.line, top.value) == ("add_modifier", 1, "25")
    assert top.risk_after < pred.denial_probability / 2
    assert pred.reasons[0].category == "modifier" and 1 in pred.reasons[0].lines
    factors = {e.factor: e for e in pred.explanation}
    em = factors["em_with_procedure_without_25"]
    assert em.contribution > 0 and "99213" in em.text and "line 1" in em.text


def test_fixes_only_lower_risk_best_first_and_are_valid(predictor, contract_examples,
                                                        em_biopsy_without_25):
    risky = make_claim_dict(claim_id="R", diagnoses=["L57.0"], lines=[
        line(1, "17000", units=3, lesion={"count": 3, "site": "face", "size_cm": 0.3,
                                          "distinct_from_line": None})])
    batch = claims(*contract_examples.values(), em_biopsy_without_25, risky)
    for pred in predictor.predict(batch):
        after = [f.risk_after for f in pred.fixes if f.action != "not_fixable"]
        assert all(r < pred.denial_probability for r in after)
        assert after == sorted(after)
        for fix in pred.fixes:
            if fix.value == "25":
                assert fix.line == 1  # the E/M line of these claims
            if fix.value == "XS":
                assert fix.action in ("add_modifier", "replace_modifier")


def test_unknown_and_small_payers_fall_back_to_pooled(predictor):
    preds = predictor.predict(claims(make_claim_dict(claim_id="U", payer_id="ACME1"),
                                     make_claim_dict(claim_id="S", payer_id="COB"),
                                     make_claim_dict(claim_id="M", payer_id="MCR")))
    assert [p.model.fallback for p in preds] == [True, True, False]
    assert preds[0].model.name == "denialrisk-pooled" and preds[0].payer_id == "ACME1"


def test_batch_keeps_order_and_duplicate_ids(predictor, em_biopsy_without_25):
    a = make_claim_dict(claim_id="SAME", payer_id="COA")
    b = dict(em_biopsy_without_25, claim_id="SAME")
    batch = claims(a, b, make_claim_dict(claim_id="X", payer_id="MCR"))
    preds = predictor.predict(batch, Options(explain=False, fixes=False))
    alone = [predictor.predict([c], Options(explain=False, fixes=False))[0] for c in batch]
    assert [p.claim_id for p in preds] == ["SAME", "SAME", "X"]
    assert [p.payer_id for p in preds] == ["COA", "MCR", "MCR"]
    np.testing.assert_allclose([p.denial_probability for p in preds],
                               [p.denial_probability for p in alone], rtol=1e-9)
    assert preds[0].explanation == [] and preds[0].fixes == []


def test_batch_builds_features_once_and_each_model_scores_its_rows(predictor, monkeypatch):
    import serving.scoring as scoring
    from training.bundle import ModelBundle

    flattened, scored = [], []
    original, raw_input = scoring.claims_to_columns, ModelBundle.raw_input
    monkeypatch.setattr(scoring, "claims_to_columns",
                        lambda cs, ids=None: flattened.append(len(cs)) or original(cs, ids))
    monkeypatch.setattr(ModelBundle, "raw_input",
                        lambda self, raw, n: scored.append(n) or raw_input(self, raw, n))
    batch = claims(*[make_claim_dict(claim_id=f"C{i}", payer_id=("MCR", "COA", "ZZ")[i % 3])
                     for i in range(30)])
    together = predictor.predict(batch, Options(explain=False, fixes=False))
    assert flattened == [30]  # one flatten + featurisation for the whole request
    assert sorted(scored) == [10, 20]  # MCR model + pooled model (COA and ZZ)
    alone = [predictor.predict([c], Options(explain=False, fixes=False))[0] for c in batch]
    assert [p.denial_probability for p in together] == [p.denial_probability for p in alone]
    assert [p.reasons for p in together] == [p.reasons for p in alone]


def test_reason_probability_is_joint(predictor, em_biopsy_without_25):
    claim = Claim.model_validate(em_biopsy_without_25)
    [pred] = predictor.predict([claim])
    served, _ = predictor.models.route("MCR")
    X = served.bundle.features([dict(claim.model_dump(), claim_id="0")], predictor.cms)
    cond = served.bundle.predict_reasons(X)[list(CATEGORIES)].to_numpy()[0]
    top = pred.reasons[0]
    expected = pred.denial_probability * cond[CATEGORIES.index(top.category)]
    assert top.probability == pytest.approx(expected)
    assert len(pred.reasons) <= 3 and top.carc == "CO-4" and top.group == "CO"


def test_risk_band_uses_bundle_thresholds(predictor, em_biopsy_without_25):
    [pred] = predictor.predict(claims(em_biopsy_without_25), Options(explain=False))
    bundle = predictor.models.route("MCR")[0].bundle
    assert pred.risk_band == bundle.risk_band(np.array([pred.denial_probability]))[0]


def test_fixes_asked_for_without_an_explanation_still_come(predictor, em_biopsy_without_25):
    # a claim system that skips the (costly) explanation still gets the fixes and the
    # checker's findings it asked for; they are the ones the explained call returns
    [plain] = predictor.predict(claims(em_biopsy_without_25), Options(explain=False))
    [full] = predictor.predict(claims(em_biopsy_without_25), Options(explain=True))
    assert plain.fixes and plain.explanation == []
    assert [f.model_dump() for f in plain.fixes] == [f.model_dump() for f in full.fixes]
    assert plain.findings == full.findings
    [bare] = predictor.predict(claims(em_biopsy_without_25), Options(explain=False,
                                                                     fixes=False))
    assert bare.fixes == [] and bare.findings == []


def test_an_edit_that_removes_every_line_is_not_sent_risk_zero(predictor):
    # the post-op visit that was the whole claim: "remove line 1" leaves nothing to bill;
    # a batch of such edits alone has no line to build features from
    bundle = predictor.models.route("MCR")[0].bundle
    claim = dict(make_claim_dict(), claim_id="kept")
    empty = dict(claim, claim_id="empty", lines=[])
    assert rescore(bundle, predictor.cms, [empty]).tolist() == [0.0]
    both = rescore(bundle, predictor.cms, [empty, claim])
    assert both[0] == 0.0 and 0.0 < both[1] < 1.0
