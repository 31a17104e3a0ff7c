"""A provider's credentialing gap ends when the payer pays them (issue 15: credentialing
gaps by rendering NPI). The generated practice bills a new physician and NP before some
payers enrol them; the model must learn from the remits that the gap is over, not that
the NPI is risky, and keep saying "credentialing" only while the gap lasts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from features.standing import GAP, PAID, REMIT_AFTER_DAYS, STANDING
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
    # enrolled: the clean visit's credentialing risk is noise (whichever reason tops a
    # claim at a fraction of a percent), not the gap's
    credentialing_reason = [r.probability for r in late.reasons if r.category == "credentialing"]
    assert max(credentialing_reason, default=0.0) < 0.01, late.reasons
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
    the enrolment the NPI alone cannot. (A standing is known only once its remit is back,
    30 days after submission: the gap reading lasts a month past the enrolment, so a
    gap's claims are not all denied.)"""
    data = training_data
    assert STANDING in data.state.columns and data.state.credentialing
    rows = data.split.train
    value = data.X[STANDING].to_numpy()[rows]
    cred = (data.category.astype(object) == "credentialing").to_numpy()[rows]
    assert cred[value == GAP].mean() > 0.1
    assert cred[value == PAID].mean() < 0.01
    assert cred[value == 0].mean() < 0.01


def remits_of(payer: str, npi: str, sent: list[tuple[int, str | None]]) -> Any:
    """A practice's history store holding the provider's remits: (submission day, CARC of
    the denial, None when paid)."""
    from contract.frames import claims_to_frames
    from interop.history import build_store

    claims = [visit(payer, npi, day - 2, f"S-{k}") for k, (day, _) in enumerate(sent)]
    frames = claims_to_frames(claims)
    carcs = [carc for _, carc in sent]
    frames.claims["denied"] = [carc is not None for carc in carcs]
    frames.claims["denial_carc"] = carcs
    return build_store(frames)


def without_payment(models: Any, payer: str, npi: str) -> Any:
    """The models as if training had ended inside the provider's gap (no payment known)."""
    from dataclasses import replace

    def stale(state: Any) -> Any:
        return state.model_copy(update={"credentialing": [
            c for c in state.credentialing if (c[0], c[1], c[3]) != (payer, npi, PAID)]})
    return replace(models, models={k: replace(m, bundle=replace(m.bundle, state=stale(
        m.bundle.state))) for k, m in models.models.items()})


def test_the_service_reads_an_enrolment_after_training_from_the_history_store(
        service_predictor, cms, tmp_path):
    """Training ended inside a provider's gap; the practice's history store, refreshed
    by each ingest, holds the payer's payment since. The served models read the standing
    from the store's remits: the provider's next visit reads "paid since", without a
    retrain, where the models alone still read "in a gap". (What the standing is worth
    to the scores is measured on the 300k world and the demo X12 practice, README: this
    store's dates alone already separate the gap from the months after it.)"""
    from interop.history import HistoryStore
    from serving.modelset import with_live_standing

    payer, npi, gap_known, paid_known = gap_then_paid(service_predictor)
    stale = without_payment(service_predictor.models, payer, npi)
    sent = gap_known - REMIT_AFTER_DAYS
    store = remits_of(payer, npi, [(sent - 2, "CO-185"), (sent - 1, "CO-B7"),
                                   (sent, "CO-185"), (paid_known - REMIT_AFTER_DAYS, None)])
    store = HistoryStore.load(store.save(tmp_path / "history"))
    live = with_live_standing(stale, store.outcomes)
    later = [visit(payer, npi, paid_known + 60, "G-3")]

    def read(models: Any) -> float:
        return float(models.route(payer)[0].bundle.features(later, cms)[STANDING].iloc[0])
    assert (read(stale), read(live)) == (GAP, PAID)
    # a provider the store does not cover keeps what training learned
    others = {tuple(c) for c in stale.route(payer)[0].bundle.state.credentialing
              if c[1] != npi}
    assert others <= set(live.route(payer)[0].bundle.state.credentialing)


def test_load_predictor_reads_the_standing_from_the_history_store(service_predictor, tmp_path):
    """`serve`, `score` and the server load the models with the practice's store: a gap
    the store's remits show (a payer that dropped a provider after training) is read."""
    from serving.scoring import load_predictor
    from settings import get_settings

    npi = "1093817465"
    folder = remits_of("COB", npi, [(9000, "CO-B7"), (9001, "CO-B7"), (9002, "CO-185")]
                       ).save(tmp_path / "history")
    loaded = load_predictor(service_predictor.models.home, get_settings().cms_dir,
                            history=folder)
    state = loaded.models.route("COB")[0].bundle.state
    assert ("COB", npi, 9002 + REMIT_AFTER_DAYS, GAP) in state.credentialing
    assert loaded.history is not None and len(loaded.history.outcomes) == 3
