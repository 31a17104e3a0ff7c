"""side_missing_dx_named: a missing side modifier counts apart when the claim's own
diagnosis names the side (what a payer's edit reads from the 837P) from when only the
chart's lesion record knows it."""

from __future__ import annotations

from contract.frames import claims_to_frames
from features.build import compute_raw_features
from tests.builders import line, make_claim_dict

RIGHT_ARM = {"count": 1, "site": "arms", "size_cm": 1.4, "distinct_from_line": None,
             "laterality": "right"}


def side_counts(dx: str, mods: list[str], cms) -> tuple[float, float]:
    claim = make_claim_dict(diagnoses=[dx], lines=[line(1, "11602", mods=mods,
                                                        lesion=RIGHT_ARM)])
    row = compute_raw_features(claims_to_frames([claim]), cms).iloc[0]
    return row["check_side_modifier_missing"], row["side_missing_dx_named"]


def test_a_missing_rt_counts_as_named_only_when_the_diagnosis_names_the_side(cms):
    assert side_counts("C44.612", [], cms) == (1, 1)  # BCC, right upper limb
    assert side_counts("D22.60", [], cms) == (1, 0)  # nevus, unspecified upper limb
    assert side_counts("C44.612", ["RT"], cms) == (0, 0)
