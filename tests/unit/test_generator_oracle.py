"""The claim-only oracle is exact: oracle_p_visible is the expectation of oracle_p over
the hidden factors' conditional distributions given the claim (issue 14 §2). Checked by
Monte Carlo: copies of a claim get hidden factors drawn as the generator draws them, and
the mean of their full oracle must match the closed form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from contract.frames import claims_to_frames
from reference.cms import load_cms_tables
from synthetic_data import hidden as hf
from synthetic_data.adjudicate import DEFAULT_CMS_DIR, make_view, true_risk
from synthetic_data.profiles import get_profile
from tests.unit.generator_claims import DOS, claim, line

COPIES = 3000


def em25(note: bool) -> dict:
    c = claim("COA", [line(1, "99214", mods=["25"], lesion={}), line(2, "11102")],
              dx=["L57.0"])
    c["documentation"]["separate_em_note"] = note
    return c


CASES = {
    "coa_25_no_note": em25(False),
    "coa_25_with_note": em25(True),
    "mcd_unverified": claim("MCD", [line(1, "17000")], eligibility={"verified": False}),
    "mca_bypassed_pair_59": claim("MCA", [
        line(1, "11102", lesion={"count": 1, "site": "arms"}, dx=[1]),
        line(2, "17000", mods=["59"], lesion={"count": 1, "site": "arms"}, dx=[2])],
        dx=["D48.5", "L57.0"]),
    "mcd_photo_near_cap": claim("MCD", [line(1, "96910", lesion={})], dx=["L40.0"],
                                history={"sessions_this_year": 24},
                                prior_authorization={"number": "P", "cpt_codes": ["96910"]}),
    "mca_mohs_trunk": claim("MCA", [line(1, "17313", lesion={"count": 1, "site": "trunk"})],
                            dx=["C44.519"], documentation={"medical_necessity_note": False},
                            prior_authorization={"number": "P", "cpt_codes": ["17313"]}),
    "mcr_late_looking": claim("MCR", [line(1, "17000")], lag=30),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_claim_only_oracle_is_the_expectation_over_hidden_factors(name):
    # The mean full oracle over sampled factors equals oracle_p_visible (4 standard
    # errors), per category too: the claim-only oracle is the physical limit of a model.
    base = CASES[name]
    frames = claims_to_frames([base | {"claim_id": f"T-{i}"} for i in range(COPIES)])
    profile = get_profile("demo")
    view = make_view(frames, profile, load_cms_tables(DEFAULT_CMS_DIR), {}, True, 1.0)
    rng = np.random.default_rng(7)
    duplicate = rng.random(COPIES) < hf.q_duplicate(view, view.late_share, view.duplicate_rate)
    hidden = hf.sample_hidden(view, rng, duplicate)
    truth = pd.DataFrame({"claim_id": frames.claims["claim_id"],
                          **{f"hidden_{k}": v for k, v in hidden.items()}})
    risk = true_risk(frames, truth, profile)
    visible = risk["oracle_p_visible"].iloc[0]
    assert np.allclose(risk["oracle_p_visible"], visible)  # a function of the claim alone
    sd = risk["oracle_p"].std() / np.sqrt(COPIES)
    assert abs(risk["oracle_p"].mean() - visible) < 4 * sd + 1e-9, (name, visible)
    for col in ("oracle_p_modifier", "oracle_p_eligibility", "oracle_p_frequency"):
        sd = risk[col].std() / np.sqrt(COPIES)
        vis = risk[col.replace("oracle_p_", "oracle_p_visible_")].iloc[0]
        assert abs(risk[col].mean() - vis) < 4 * sd + 1e-9, (name, col)


def test_hidden_factors_move_some_claims():
    # The factors matter: across the cases, the full oracle differs from the claim-only
    # one for some copies (otherwise the full oracle could not beat it).
    frames = claims_to_frames([em25(False) | {"claim_id": f"T-{i}"} for i in range(200)])
    profile = get_profile("demo")
    view = make_view(frames, profile, load_cms_tables(DEFAULT_CMS_DIR), {}, True, 1.0)
    hidden = hf.sample_hidden(view, np.random.default_rng(1), np.zeros(200, bool))
    truth = pd.DataFrame({"claim_id": frames.claims["claim_id"],
                          **{f"hidden_{k}": v for k, v in hidden.items()}})
    risk = true_risk(frames, truth, profile)
    assert risk["oracle_p"].nunique() > 1 and DOS.year == 2026
