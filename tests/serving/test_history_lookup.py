"""A claim sent without history is looked up in the practice's history store (issue 15:
E/M inside a global needs the patient's earlier claims; no PHI in clear in the store)."""

from __future__ import annotations

from contract.frames import claims_to_frames
from interop.history import build_store
from serving.scoring import Predictor, with_history
from tests.builders import line, make_claim_dict

LESION = {"count": 1, "site": "trunk", "size_cm": 1.4}


def excision_then_visit() -> tuple[dict, dict]:
    earlier = make_claim_dict(claim_id="H-1", diagnoses=["C44.519"], submission_date=
                              "2026-02-05", lines=[line(1, "11602", dos="2026-02-02",
                                                        lesion=LESION)])
    later = make_claim_dict(claim_id="H-2", diagnoses=["C44.519"], submission_date=
                            "2026-02-10", lines=[line(1, "99213", dos="2026-02-09")])
    later["history"] = None
    return earlier, later


def test_a_claim_without_history_gets_the_patients_earlier_claims(predictor):
    earlier, later = excision_then_visit()
    store = build_store(claims_to_frames([earlier]))
    [filled] = with_history([later], store)
    history = filled["history"]
    assert history["days_since_related_global_procedure"] == 7
    assert history["related_global_days"] == 10 and history["related_procedure_code"] == "11602"
    sent = {**later, "history": {"days_since_related_global_procedure": 100}}
    assert with_history([sent], store)[0]["history"] == sent["history"]  # caller's kept
    scored = Predictor(predictor.models, predictor.cms, store).predict([later])
    assert scored[0].claim_id == "H-2"
    assert later["history"] is None  # the caller's claim is not changed


def test_no_store_no_lookup(predictor):
    _, later = excision_then_visit()
    assert with_history([later], None)[0] is later


def test_a_claim_sent_again_is_found_in_the_store_and_not_sent(predictor):
    # The practice's store holds the first submission; the same visit sent again as an
    # original claim two weeks later is a copy: its only fix is "do not send"
    # (not_fixable, duplicate submission) and its explanation says why. A replacement
    # (frequency 7) of the same visit is scored as usual.
    earlier, _ = excision_then_visit()
    store = build_store(claims_to_frames([earlier]))
    copy = {**earlier, "claim_id": "H-1-AGAIN", "submission_date": "2026-02-19",
            "history": None}
    service = Predictor(predictor.models, predictor.cms, store)
    [scored] = service.predict([copy])
    assert [(f.action, f.value) for f in scored.fixes] == [
        ("not_fixable", "duplicate submission")]
    assert scored.denial_probability > 0.5  # the model learned copies from the history
    top = scored.explanation[0]
    assert top.factor == "billed_before" and "exact duplicate" in top.text
    replacement = {**copy, "claim_frequency": "7", "original_claim_id": "H-1"}
    [fixed] = service.predict([replacement])
    assert ("not_fixable", "duplicate submission") not in {
        (f.action, f.value) for f in fixed.fixes}
