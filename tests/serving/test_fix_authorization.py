"""A recode into a service under prior authorization asks for the new code's
authorization (serving/fix_authorization.py; hand-written claims, the real checker)."""

from __future__ import annotations

import numpy as np

from serving.candidates import Candidate
from serving.fix_authorization import (
    authorization_needed,
    authorize_recodes,
    dropped,
    with_authorizations,
)
from serving.fix_combos import followed_fix
from tests.builders import line, make_claim_dict
from tests.serving.test_candidates import cands_of

SCALP = {"count": 1, "site": "scalp", "size_cm": 1.2, "distinct_from_line": None}


def mohs_on_scalp(**extra) -> dict:
    """17313 (trunk/arms/legs Mohs) billed for a scalp BCC: the code is 17311."""
    return make_claim_dict(diagnoses=["C44.41"], lines=[line(1, "17313", lesion=SCALP)],
                           **extra)


def test_a_mohs_recode_asks_for_the_new_codes_authorization(cms):
    claim = mohs_on_scalp()
    recode = next(c for c in cands_of(claim, cms) if c.action == "change_code")
    assert recode.value == "17311"
    auth = authorization_needed(recode, claim)
    assert auth is not None and auth.action == "obtain_prior_auth" and auth.value == "17311"
    fix = followed_fix(recode, [auth], 0.1)
    assert [(c.action, c.value) for c in fix.together] == [("obtain_prior_auth", "17311")]
    assert "Obtain prior authorization for 17311" in fix.text
    on_file = mohs_on_scalp(prior_authorization={"number": "PA1", "cpt_codes": ["17313"]})
    assert "lists 17313" in authorization_needed(recode, on_file).text


def test_no_authorization_when_listed_or_the_code_needs_none(cms):
    listed = mohs_on_scalp(prior_authorization={"number": "PA1", "cpt_codes": ["17311"]})
    recode = Candidate("change_code", "check", "", line=1, value="17311")
    assert authorization_needed(recode, listed) is None
    excision = Candidate("change_code", "check", "", line=1, value="11602")
    assert authorization_needed(excision, mohs_on_scalp()) is None
    modifier = Candidate("add_modifier", "check", "", line=1, value="25")
    assert authorization_needed(modifier, mohs_on_scalp()) is None


def test_the_variant_replaces_the_recode_only_when_it_lowers_the_risk_further():
    claim = mohs_on_scalp()
    recode = Candidate("change_code", "check", "", line=1, value="17311")
    other = Candidate("add_modifier", "check", "", line=1, value="XS")
    edited = [{**claim, "claim_id": "A~0"}, {**claim, "claim_id": "A~1"}]
    v = with_authorizations(edited, [(0, recode), (0, other)], [[], []], {})
    assert v.base_of == {2: 0} and len(v.edited) == 3 == len(v.owners) == len(v.found)
    assert v.edited[2]["prior_authorization"]["cpt_codes"] == ["17311"]
    assert [c.action for c in v.follow[2]] == ["obtain_prior_auth"]
    assert dropped(v.base_of, np.array([0.9, 0.5, 0.1]), 0.02) == {0}
    # a payer that never denied for a missing authorization gets the recode alone
    quiet = with_authorizations(edited, [(0, recode), (0, other)], [[], []], {}, [False])
    assert quiet.base_of == {} and len(quiet.edited) == 2
    assert dropped(v.base_of, np.array([0.3, 0.5, 0.29]), 0.02) == {2}
    # the payer is likely to deny the claim for no authorization (the model's reasons):
    # the recode alone leaves that gap open, so the variant stays whatever its risk
    assert dropped(v.base_of, np.array([0.3, 0.5, 0.29]), 0.02, wanted={2}) == {0}


def test_an_authorization_made_with_a_recode_names_the_new_codes(cms):
    """17313 + 17314 on the face recoded to 17311 + 17312 together with the payer's
    authorization: the authorization asked for is of the codes billed after the recode;
    without an authorization among the changes none is added."""
    face = {"count": 1, "site": "face", "size_cm": 0.7, "distinct_from_line": None}
    claim = make_claim_dict(diagnoses=["C44.329"], lines=[
        line(1, "17313", lesion=face), line(2, "17314", lesion=face)])
    recode = next(c for c in cands_of(claim, cms) if c.action == "change_code")
    old_auth = Candidate("obtain_prior_auth", "pa_missing", "", value="17313,17314")
    out = authorize_recodes([(recode, 0.4), (old_auth, 0.5)], claim)
    assert out[0][0] is recode and out[1][0].value == "17311,17312"
    assert "17311, 17312" in out[1][0].text and out[1][1] == 0.5
    assert authorize_recodes([(recode, 0.4)], claim) == [(recode, 0.4)]
