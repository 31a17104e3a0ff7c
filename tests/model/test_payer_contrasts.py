"""Payer contrasts (issue: coder-correct answers): the same claim is judged by each payer's
learned habits, as a billing team knows them. The generated world gives its payers
different rules (shared/domain §10: COB is an HMO that needs a referral, COA insists on
X{EPSU} over 59, Medicaid wants anatomic modifiers); the service must have learned them
from the claims alone and say so in its risk, reason and fix."""

from __future__ import annotations

from typing import Any

import pytest

from serving.scoring import Options
from tests.fixtures.coder_pairs import claim, les, ln

pytestmark = pytest.mark.slow
PAYERS = ("MCR", "MCA", "MCD", "COA", "COB", "COC")


def score_per_payer(predictor: Any, dx: list[str], lines: list[dict], **extra: Any
                    ) -> dict[str, Any]:
    claims = [dict(claim(f"K-{p}", dx, lines, **extra), payer_id=p) for p in PAYERS]
    preds = predictor.predict(claims, Options(explain=False, fixes=True, max_fixes=3))
    return dict(zip(PAYERS, preds))


def test_only_the_hmo_denies_a_visit_without_a_referral(service_predictor):
    scored = score_per_payer(service_predictor, ["L40.0"], [ln(1, "99213")],
                             referral_on_file=False)
    hmo = scored.pop("COB")
    assert all(hmo.denial_probability > 4 * s.denial_probability for s in scored.values())
    # the referral fix goes to the payer whose history shows referral denials, only
    assert "referral_on_file" in {f.value for f in hmo.fixes}
    assert not [f for s in scored.values() for f in s.fixes if f.value == "referral_on_file"]


def test_the_payer_that_insists_on_x_modifiers_denies_59_more(service_predictor):
    lines = [ln(1, "11402", lesion=les("trunk", 1.4)),
             ln(2, "11104", mods=["59"], dx=[2], lesion=les("neck"))]
    scored = score_per_payer(service_predictor, ["D22.5", "D48.5"], lines,
                             referral_on_file=True)
    assert scored["COA"].denial_probability > 1.5 * scored["MCR"].denial_probability
    top = scored["COA"].fixes[0]
    assert (top.action, top.line, top.value, top.old) == ("replace_modifier", 2, "XS", "59")


def test_medicaid_denies_a_missing_side_modifier_more_than_medicare(service_predictor):
    lines = [ln(1, "11602", lesion=les("arms", 1.4, side="right"))]
    scored = score_per_payer(service_predictor, ["C44.612"], lines, referral_on_file=True)
    assert scored["MCD"].denial_probability > 3 * scored["MCR"].denial_probability
    assert scored["MCD"].denial_probability > 3 * scored["COA"].denial_probability
    assert ("add_modifier", 1, "RT") in {(f.action, f.line, f.value)
                                         for f in scored["MCD"].fixes}
