"""A provider's credentialing standing with a payer, read from the practice's own remits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from features.claim_features import EPOCH
from features.standing import REMIT_AFTER_DAYS, credentialing_changes, live_changes, standing

NEW, OLD = "1235438896", "1234567802"


def history() -> pd.DataFrame:
    """The new provider's first three claims at COB are denied as not enrolled (sent on
    days 100-120: CO-185, CO-B7), then COB pays them (day 140); the established provider is
    paid, once denied as not enrolled (a slip, not a gap), and three times for Mohs billed
    under their provider type (CO-170: no enrolment); MCR never denied the new provider;
    a claim without its remit yet (denied NA) tells nothing."""
    rows = [("COB", NEW, 100, True, "CO-185"), ("COB", NEW, 110, True, "CO-B7"),
            ("COB", NEW, 120, True, "CO-185"),
            ("COB", NEW, 140, False, None), ("COB", NEW, 150, True, "CO-4"),
            ("COB", OLD, 100, False, None), ("COB", OLD, 130, True, "CO-185"),
            ("COB", OLD, 160, True, "CO-170"), ("COB", OLD, 170, True, "CO-170"),
            ("COB", OLD, 180, True, "CO-170"), ("MCR", NEW, 105, False, None),
            ("COB", NEW, 125, None, None)]
    payer, npi, day, denied, carc = zip(*rows)
    return pd.DataFrame({"payer_id": payer, "rendering_npi": npi,
                         "submission_date": EPOCH + np.array(day, dtype="timedelta64[D]"),
                         "denied": pd.array(denied, dtype="boolean"), "denial_carc": carc})


def claims_on(payer: str, npi: str, days: list[int]) -> dict:
    return {"payer_id": np.array([payer] * len(days), dtype=object),
            "rendering_npi": np.array([npi] * len(days), dtype=object),
            "service_day": np.array(days, dtype=float)}


def test_standing_changes_only_for_a_provider_with_credentialing_denials():
    changes = credentialing_changes(history())
    # the gap known with its third denial, 30 days after its submission on day 120 (not
    # with the first: one denial alone may be a slip), then the payment sent on day 140;
    # the modifier denial, the claim still without a remit, the other provider's single
    # enrolment denial and its provider-type denials change nothing
    assert changes == [("COB", NEW, 120 + REMIT_AFTER_DAYS, 2),
                       ("COB", NEW, 140 + REMIT_AFTER_DAYS, 1)]


def test_a_claim_reads_the_standing_known_before_its_date_of_service():
    changes = credentialing_changes(history())
    gap, paid = 120 + REMIT_AFTER_DAYS, 140 + REMIT_AFTER_DAYS
    got = standing(claims_on("COB", NEW, [50, gap, gap + 1, paid, paid + 1, 900]), changes)
    assert got.tolist() == [0, 0, 2, 2, 1, 1]
    # another payer, another provider, an unknown provider: nothing known
    assert standing(claims_on("MCR", NEW, [900]), changes).tolist() == [0]
    assert standing(claims_on("COB", OLD, [900]), changes).tolist() == [0]
    assert standing(claims_on("COB", None, [900]), changes).tolist() == [0]


def test_claims_to_be_scored_carry_no_outcomes_and_learn_nothing():
    to_score = history().drop(columns=["denied", "denial_carc"])
    assert credentialing_changes(to_score) == []
    assert standing(claims_on("COB", NEW, [900, 901]), []).tolist() == [0.0, 0.0]


def test_later_remits_replace_a_providers_trained_standing_and_keep_the_others():
    """The service reads the standing from the practice's remits up to now (its history
    store): training ended inside the new provider's gap; the store's remits hold the
    payment since, so their claims read "paid" without a retrain. A provider the store
    does not cover keeps what training learned; claims without outcomes change nothing."""
    claims = history()
    trained = credentialing_changes(claims[claims["submission_date"]
                                           < EPOCH + np.timedelta64(130, "D")])
    assert trained == [("COB", NEW, 120 + REMIT_AFTER_DAYS, 2)]
    # two denials known at training's end are no gap yet
    early = claims[claims["submission_date"] < EPOCH + np.timedelta64(115, "D")]
    assert credentialing_changes(early) == []
    elsewhere = ("COC", "1999999999", 50, 2)
    live = live_changes([*trained, elsewhere], claims)
    assert live == sorted([elsewhere, *credentialing_changes(claims)])
    assert standing(claims_on("COB", NEW, [300]), live).tolist() == [1]
    assert standing(claims_on("COB", NEW, [300]), trained).tolist() == [2]
    unanswered = claims.drop(columns=["denied"])
    assert live_changes(trained, unanswered) == trained


def test_enrolment_carcs_are_read_from_the_payers_grouped_code():
    from reference.carc import ENROLMENT_CARCS, carc_of, load_carc_categories

    assert [carc_of(v) for v in ("CO-185", "co-b7", "B7", None, pd.NA, float("nan"))] == [
        "185", "B7", "B7", "", "", ""]
    # every enrolment CARC is a credentialing denial in the CARC table
    assert {load_carc_categories()[c] for c in ENROLMENT_CARCS} == {"credentialing"}
