"""KPIs and claim patterns on hand-made frames with answers worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from contract.frames import ClaimFrames
from reference.vocab import CATEGORIES
from training.kpis import (
    claim_charges,
    claim_tokens,
    denial_rate_by_category,
    denial_rates_by_month,
    payer_summary,
    scored_outcomes,
)

# claim: payer, date of service, (cpt, modifiers, charge) lines, denied category or None,
#        P(denied), risk band, P(category | denied) as {category: share}
CLAIMS = {
    "A1": ("COA", "2026-03-02", [("99213", ["25"], 100.0), ("17110", [], 50.0)], "modifier",
           0.9, "block", {"modifier": 1.0}),
    "A2": ("COA", "2026-03-09", [("11102", [], 200.0)], None, 0.6, "warn", {"bundling": 1.0}),
    "A3": ("COA", "2026-04-06", [("17000", [], 300.0)], "bundling", 0.2, "pass",
           {"modifier": 0.5, "bundling": 0.5}),
    "A4": ("COA", "2026-04-13", [("99213", [], 400.0)], None, 0.1, "pass", {"modifier": 1.0}),
    "B1": ("MCR", "2026-03-02", [("11102", ["59"], 80.0), ("11104", ["XS"], 20.0)], None,
           0.3, "warn", {"bundling": 1.0}),
    "B2": ("MCR", "2026-04-01", [("17000", [], 50.0)], "modifier", 0.7, "block",
           {"modifier": 1.0}),
}
MIXED = {"A5": ("COA", "2026-04-14", [("99213", ["25"], 90.0), ("11102", [], 60.0),
                                      ("17000", [], 40.0)], None, 0.0, "pass", {})}


def make_frames(spec: dict | None = None) -> ClaimFrames:
    spec = CLAIMS if spec is None else spec
    claims = pd.DataFrame({
        "claim_id": list(spec), "payer_id": [c[0] for c in spec.values()],
        "submission_date": pd.to_datetime([c[1] for c in spec.values()]),
        "denied": [c[3] is not None for c in spec.values()],
        "denial_category": pd.array([c[3] for c in spec.values()], dtype="string"),
        "doc_separate_em_note": pd.array([cid != "A1" for cid in spec], dtype="boolean"),
    })
    rows = []
    for cid, (_, dos, lines, *_rest) in spec.items():
        for n, (cpt, mods, charge) in enumerate(lines, start=1):
            padded = (mods + [None] * 4)[:4]
            rows.append({"claim_id": cid, "line": n, "cpt": cpt, "charge": charge,
                         "date_of_service": pd.Timestamp(dos),
                         **{f"mod_{i}": m for i, m in enumerate(padded, start=1)}})
    return ClaimFrames(claims, pd.DataFrame(rows))


def make_scores() -> pd.DataFrame:
    out = pd.DataFrame(0.0, index=list(CLAIMS), columns=list(CATEGORIES))
    for cid, c in CLAIMS.items():
        for cat, share in c[6].items():
            out.at[cid, cat] = share
    out.insert(0, "risk_band", [c[5] for c in CLAIMS.values()])
    out.insert(0, "denial_probability", [c[4] for c in CLAIMS.values()])
    return out


@pytest.fixture
def table() -> pd.DataFrame:
    return scored_outcomes(make_frames(), make_scores())


def test_claim_charges_sum_lines_in_claim_order():
    assert claim_charges(make_frames()).tolist() == [150.0, 200.0, 300.0, 400.0, 100.0, 50.0]


def test_scored_outcomes_joint_probabilities_and_calendar(table):
    a3 = table.set_index("claim_id").loc["A3"]
    assert a3["p_modifier"] == pytest.approx(0.1) and a3["p_bundling"] == pytest.approx(0.1)
    assert a3["month"] == "2026-04" and a3["week"] == pd.Timestamp("2026-04-06")
    assert table.set_index("claim_id").loc["B2", "week"] == pd.Timestamp("2026-03-30")
    assert table["denial_category"].isna().tolist() == [False, True, False, True, True, False]


def test_payer_summary_kpis(table):
    s = payer_summary(table)
    coa = s.loc["COA"]
    assert coa["claims"] == 4 and coa["charges"] == pytest.approx(1050.0)
    assert coa["predicted_denial_rate"] == pytest.approx((0.9 + 0.6 + 0.2 + 0.1) / 4)
    assert coa["actual_denial_rate"] == pytest.approx(0.5)
    assert coa["first_pass_acceptance"] == pytest.approx(0.5)
    assert coa["clean_claim_rate"] == pytest.approx(0.5)  # A3, A4 in the pass band
    assert coa["revenue_at_risk"] == pytest.approx(150.0 + 200.0)  # block + warn charges
    assert coa["revenue_protected"] == pytest.approx(150.0)  # denied and in block band
    everyone = s.loc["ALL"]
    assert everyone["claims"] == 6 and everyone["revenue_at_risk"] == pytest.approx(500.0)
    assert everyone["revenue_protected"] == pytest.approx(200.0)
    assert everyone["actual_denial_rate"] == pytest.approx(3 / 6)


def test_denial_rates_by_month(table):
    m = denial_rates_by_month(table)
    assert m.loc[("COA", "2026-03"), "actual_denial_rate"] == pytest.approx(0.5)
    assert m.loc[("COA", "2026-03"), "predicted_denial_rate"] == pytest.approx(0.75)
    assert m.loc[("COA", "2026-04"), "gap"] == pytest.approx(0.5 - 0.15)
    assert m.loc[("MCR", "2026-04"), "claims"] == 1


def test_denial_rate_by_category(table):
    c = denial_rate_by_category(table)
    mod = c.loc[("COA", "modifier")]
    assert mod["denials"] == 1 and mod["actual_rate"] == pytest.approx(0.25)
    assert mod["predicted_rate"] == pytest.approx((0.9 + 0.1 + 0.1) / 4)
    assert mod["share_of_denials"] == pytest.approx(0.5)
    assert c.loc[("COA", "bundling"), "predicted_rate"] == pytest.approx((0.6 + 0.1) / 4)
    assert c.loc[("MCR", "modifier"), "share_of_denials"] == pytest.approx(1.0)
    assert ("COA", "eligibility") not in c.index


def test_claim_tokens_name_families_modifiers_and_em_patterns():
    tokens = claim_tokens(make_frames(), codes=True)
    by_claim = tokens.groupby("claim_id")["token"].apply(set)
    assert by_claim["A1"] == {"destruction_benign", "modifier 25", "CPT 99213", "CPT 17110",
                              "E/M+25, no separate note, with destruction_benign"}
    mixed = set(claim_tokens(make_frames(MIXED))["token"])
    assert "E/M+25 with biopsy+destruction_ak" in mixed  # the claim's whole pattern, noted
    assert {"biopsy", "modifier 59", "modifier XS"} <= by_claim["B1"]
    assert "A4" not in by_claim or not any(t.startswith("E/M") for t in by_claim["A4"])
    plain = claim_tokens(make_frames())
    assert not plain["token"].str.startswith("CPT").any()


def test_scored_outcomes_refuses_claims_without_outcomes():
    frames = make_frames()
    unlabelled = ClaimFrames(frames.claims.drop(columns=["denied", "denial_category"]),
                             frames.lines)
    with pytest.raises(ValueError, match="outcome"):
        scored_outcomes(unlabelled, make_scores())
