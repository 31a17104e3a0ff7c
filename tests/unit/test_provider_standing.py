"""A provider's credentialing standing with a payer, read from the practice's own remits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from features.standing import KNOWN_AFTER_DAYS, credentialing_changes, standing

NEW, OLD = "1235438896", "1234567802"


def history() -> tuple[dict, pd.DataFrame]:
    """The new provider's first three claims at COB are denied as not enrolled (days
    100-120: CO-185, CO-B7), then COB pays them (day 140); the established provider is
    paid, once denied as not enrolled (a slip, not a gap), and three times for Mohs billed
    under their provider type (CO-170: no enrolment); MCR never denied the new provider."""
    rows = [("COB", NEW, 100, True, "CO-185"), ("COB", NEW, 110, True, "CO-B7"),
            ("COB", NEW, 120, True, "CO-185"),
            ("COB", NEW, 140, False, None), ("COB", NEW, 150, True, "CO-4"),
            ("COB", OLD, 100, False, None), ("COB", OLD, 130, True, "CO-185"),
            ("COB", OLD, 160, True, "CO-170"), ("COB", OLD, 170, True, "CO-170"),
            ("COB", OLD, 180, True, "CO-170"), ("MCR", NEW, 105, False, None)]
    payer, npi, day, denied, carc = zip(*rows)
    raw = {"payer_id": np.array(payer, dtype=object), "rendering_npi": np.array(npi, dtype=object),
           "service_day": np.array(day, dtype=float)}
    return raw, pd.DataFrame({"denied": denied, "denial_carc": carc})


def claims_on(payer: str, npi: str, days: list[int]) -> dict:
    return {"payer_id": np.array([payer] * len(days), dtype=object),
            "rendering_npi": np.array([npi] * len(days), dtype=object),
            "service_day": np.array(days, dtype=float)}


def test_standing_changes_only_for_a_provider_with_credentialing_denials():
    raw, outcomes = history()
    changes = credentialing_changes(raw, outcomes)
    # the denial known three weeks after day 100, then the payment after day 140; the
    # later denials of the gap, the modifier denial, the other provider's single enrolment
    # denial and its provider-type denials change nothing
    assert changes == [("COB", NEW, 100 + KNOWN_AFTER_DAYS, 2),
                       ("COB", NEW, 140 + KNOWN_AFTER_DAYS, 1)]


def test_a_claim_reads_the_standing_known_before_its_date_of_service():
    raw, outcomes = history()
    changes = credentialing_changes(raw, outcomes)
    gap, paid = 100 + KNOWN_AFTER_DAYS, 140 + KNOWN_AFTER_DAYS
    got = standing(claims_on("COB", NEW, [50, gap, gap + 1, paid, paid + 1, 900]), changes)
    assert got.tolist() == [0, 0, 2, 2, 1, 1]
    # another payer, another provider, an unknown provider: nothing known
    assert standing(claims_on("MCR", NEW, [900]), changes).tolist() == [0]
    assert standing(claims_on("COB", OLD, [900]), changes).tolist() == [0]
    assert standing(claims_on("COB", None, [900]), changes).tolist() == [0]


def test_claims_to_be_scored_carry_no_outcomes_and_learn_nothing():
    raw, _ = history()
    assert credentialing_changes(raw, pd.DataFrame({"claim_id": range(11)})) == []
    assert standing(raw, []).tolist() == [0.0] * 11


def test_enrolment_carcs_are_read_from_the_payers_grouped_code():
    from reference.carc import ENROLMENT_CARCS, carc_of, load_carc_categories

    assert [carc_of(v) for v in ("CO-185", "co-b7", "B7", None, pd.NA, float("nan"))] == [
        "185", "B7", "B7", "", "", ""]
    # every enrolment CARC is a credentialing denial in the CARC table
    assert {load_carc_categories()[c] for c in ENROLMENT_CARCS} == {"credentialing"}
