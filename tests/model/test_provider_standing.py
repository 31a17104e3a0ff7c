"""A provider's credentialing gap ends when the payer pays them (issue 15: credentialing
gaps by rendering NPI). The generated practice bills a new physician and NP before some
payers enrol them; the model must learn from the remits that the gap is over, not that
the NPI is risky, and keep saying "credentialing" only while the gap lasts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from features.standing import GAP, PAID
from serving.scoring import Options
from tests.builders import line, make_claim_dict

pytestmark = pytest.mark.slow
EPOCH = date(2000, 1, 1)


def gap_then_paid(predictor: Any) -> tuple[str, str, int, int]:
    """(payer, NPI, day the gap was known, day the payment was known) of a provider the
    serving model's feature state saw denied for credentialing and then paid."""
    for payer in ("MCR", "MCA", "MCD", "COA", "COB", "COC"):
        changes = predictor.models.route(payer)[0].bundle.state.credentialing
        mine = [c for c in changes if c[0] == payer]
        for (_, npi, day, status), nxt in zip(mine, mine[1:]):
            if status == GAP and nxt[1] == npi and nxt[3] == PAID:
                return payer, npi, day, nxt[2]
    raise AssertionError("no provider with a credentialing gap and a payment after it")


def visit(payer: str, npi: str, day: int, cid: str) -> dict:
    """A clean established-patient visit of the provider on service day `day`."""
    dos = EPOCH + timedelta(days=day)
    return make_claim_dict(
        claim_id=cid, payer_id=payer, diagnoses=["L40.0"], referral_on_file=True,
        submission_date=(dos + timedelta(days=2)).isoformat(),
        provider={"rendering_npi": npi, "credentialed_with_payer": None},
        lines=[line(1, "99213", dos=dos.isoformat())])


def credentialing_risk(scored: Any) -> float:
    share = next((r.probability for r in scored.reasons if r.category == "credentialing"), 0.0)
    return scored.denial_probability * share


def test_a_provider_paid_after_a_credentialing_gap_is_no_credentialing_risk(service_predictor):
    payer, npi, gap_known, paid_known = gap_then_paid(service_predictor)
    inside = visit(payer, npi, gap_known + 1, "G-1") if paid_known - gap_known > 1 else None
    after = visit(payer, npi, paid_known + 60, "G-2")
    scored = service_predictor.predict([c for c in (inside, after) if c is not None],
                                       Options(explain=True, fixes=False))
    late = scored[-1]
    assert late.reasons[0].category != "credentialing", late.reasons
    assert credentialing_risk(late) < 0.05
    if inside is not None:
        assert credentialing_risk(scored[0]) > 4 * credentialing_risk(late)
        # the context says what the remits taught, in the billing office's words
        provider = [c.text for c in scored[0].context if c.factor == "rendering_provider"]
        assert provider and "denied their claims for credentialing" in provider[0], \
            scored[0].context


def test_the_standing_separates_the_gap_from_the_enrolled_months(training_data):
    """On the generated practice's training claims (two providers join mid-window and are
    billed before some payers enrol them), a claim read as "in a gap" is mostly denied
    for credentialing, and one read as "paid since" almost never: the feature carries
    the enrolment the NPI alone cannot."""
    from features.standing import STANDING

    data = training_data
    assert STANDING in data.state.columns and data.state.credentialing
    rows = data.split.train
    value = data.X[STANDING].to_numpy()[rows]
    cred = (data.category.astype(object) == "credentialing").to_numpy()[rows]
    assert cred[value == GAP].mean() > 0.3
    assert cred[value == PAID].mean() < 0.01
    assert cred[value == 0].mean() < 0.01
