"""The practice's coding slips against the lesion record and the payers' answer to them
(demo 30k claims, valley 12k; module fixtures).

The model can learn a payer's weight for a coding error only if the generated practice
makes it sometimes and the payers deny it per their habits (shared/domain §2, §3, §10,
§11). Slips are measured from the claim as a coder sees it (code, units, modifiers,
lesion site/side/size/count, pointed diagnoses), never with the model's checker.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from contract.frames import CLAIM_COLUMNS, LINE_COLUMNS, ClaimFrames
from reference.families import descriptors
from reference.icd10 import dx_site_side
from reference.modifiers import LEFT_MODIFIERS, RIGHT_MODIFIERS
from synthetic_data.adjudicate import rule_probabilities
from synthetic_data.generate import GeneratorConfig, generate_frames
from synthetic_data.profiles import get_profile

DEMO = GeneratorConfig(claims=30_000, seed=707)
VALLEY = GeneratorConfig(profile="valley", claims=12_000, seed=708)
MODS = ["mod_1", "mod_2", "mod_3", "mod_4"]
NEW_RULES = ("count_code_mismatch", "mohs_site_code", "code_site_group", "code_size_band",
             "side_modifier_wrong", "modifier_57_minor", "modifier_25_procedure",
             "dx_side_lesion", "dx_site_lesion",
             "dx_not_supporting")  # now also met by lines pointed at another problem's code


@pytest.fixture(scope="module")
def demo() -> ClaimFrames:
    return generate_frames(DEMO)


@pytest.fixture(scope="module")
def valley() -> ClaimFrames:
    return generate_frames(VALLEY)


def has_mod(lines: pd.DataFrame, *mods: str) -> np.ndarray:
    return lines[MODS].isin(list(mods)).any(axis=1).to_numpy()


def pointed_dx(frames: ClaimFrames) -> np.ndarray:
    """The first diagnosis each line points to."""
    dx = frames.claims.set_index("claim_id")[[f"dx_{i}" for i in range(1, 13)]]
    codes = dx.reindex(frames.lines["claim_id"]).to_numpy(dtype=object, na_value=None)
    ptr = frames.lines["dxp_1"].fillna(1).astype(int).clip(1, 12).to_numpy()
    return codes[np.arange(len(ptr)), ptr - 1]


def slip_lines(frames: ClaimFrames) -> dict[str, np.ndarray]:
    """Per slip, the lines that show it on the claim."""
    lines = frames.lines
    cpt = lines["cpt"].astype(str).to_numpy()
    count = pd.to_numeric(lines["lesion_count"]).to_numpy(dtype=float, na_value=np.nan)
    size = pd.to_numeric(lines["lesion_size_cm"]).to_numpy(dtype=float, na_value=np.nan)
    site = lines["lesion_site"].to_numpy(dtype=object, na_value=None)
    side = lines["lesion_laterality"].to_numpy(dtype=object, na_value=None)
    table = descriptors()
    in_site = np.array([c not in table or not isinstance(s, str) or s in table[c].sites
                        for c, s in zip(cpt, site)])
    in_band = np.array([c not in table or table[c].family not in (
        "excision_benign", "excision_malignant") or np.isnan(z)
        or table[c].size_min_cm - 1e-9 <= round(z, 1) <= table[c].size_max_cm + 1e-9
        for c, z in zip(cpt, size)])
    dx = pointed_dx(frames)
    facts = [dx_site_side(d) if isinstance(d, str) else None for d in dx]
    dx_side = np.array([f.side if f else "" for f in facts], dtype=object)
    dx_sites = [f.sites if f else () for f in facts]
    procedure = ~pd.Series(cpt).str.match(r"^(992|J|88|G2211)").to_numpy()
    em = pd.Series(cpt).str.match(r"^992").to_numpy()
    same_claim = lines.groupby("claim_id")["cpt"].transform(
        lambda s: s.isin(["17000", "17003"]).any()).to_numpy(dtype=bool)
    return {
        "wrong side modifier": (has_mod(lines, *RIGHT_MODIFIERS) & (side == "left"))
        | (has_mod(lines, *LEFT_MODIFIERS) & (side == "right")),
        "Mohs code of the other site family": (np.isin(cpt, ["17313", "17314"])
                                               & ~np.isin(site, ["trunk", "arms", "legs"]))
        | (np.isin(cpt, ["17311", "17312"]) & np.isin(site, ["trunk", "arms", "legs"])),
        "17110 for 15+ / 11900 for 8+": ((cpt == "17110") & (count >= 15))
        | ((cpt == "11900") & (count > 7)),
        "17004 for <15 AKs": (cpt == "17004") & (count < 15) & ~same_claim,
        "NCCI indicator-0 count pair": np.isin(cpt, ["17004", "17111", "11901"])
        & lines.groupby("claim_id")["cpt"].transform(
            lambda s: s.isin(["17000", "17110", "11900"]).any()).to_numpy(dtype=bool),
        "primary biopsy x n": np.isin(cpt, ["11102", "11104", "11106"])
        & (lines["units"].to_numpy() > 1),
        "second primary biopsy": np.isin(cpt, ["11102", "11104", "11106"])
        & (lines.groupby("claim_id")["cpt"].transform(
            lambda s: s.isin(["11102", "11104", "11106"]).sum()).to_numpy() > 1),
        "57 on a minor E/M": em & has_mod(lines, "57") & ~lines.groupby("claim_id")[
            "cpt"].transform(lambda s: s.str.match(r"^14").any()).to_numpy(dtype=bool),
        "25 on a procedure": ~em & has_mod(lines, "25"),
        "59 and XS": has_mod(lines, "59") & has_mod(lines, "XS", "XE", "XP", "XU"),
        "code of another site group": ~in_site,
        "code of another size band": ~in_band,
        "diagnosis of another side": procedure & np.isin(side, ["left", "right"])
        & np.isin(dx_side, ["left", "right"]) & (dx_side != side),
        "diagnosis of another site": procedure & np.array(
            [bool(t) and isinstance(s, str) and s not in t for s, t in zip(site, dx_sites)]),
        "AK destruction pointed at another problem": np.isin(cpt, ["17000", "17003", "17004"])
        & ~pd.Series(dx, dtype=object).fillna("").str.match(r"^(L57|Z12)").to_numpy(),
    }


def claims_with(frames: ClaimFrames, mask: np.ndarray) -> int:
    return frames.lines.loc[mask, "claim_id"].nunique()


@pytest.mark.parametrize("name", ["demo", "valley"])
def test_each_slip_occurs_at_a_plausible_rate(name, request):
    # Every coding error the model is asked to weigh appears in the practice's claims,
    # a few per thousand at most (shared/domain §11: coder errors are the exception).
    frames = request.getfixturevalue(name)
    n = len(frames.claims)
    floor = 12 if name == "demo" else 4
    counts = {slip: claims_with(frames, mask) for slip, mask in slip_lines(frames).items()}
    rare = {s: c for s, c in counts.items() if c < floor}
    common = {s: c for s, c in counts.items() if c > 0.012 * n}
    assert not rare and not common, counts


def test_valley_slips_differ_from_demo(demo, valley):
    # The second practice has its own coders: more wrong-side modifiers and primary
    # biopsies x n per claim than demo (its habits), so habits are practice-specific.
    d, v = slip_lines(demo), slip_lines(valley)
    for slip in ("wrong side modifier", "primary biopsy x n"):
        rate_d = claims_with(demo, d[slip]) / len(demo.claims)
        rate_v = claims_with(valley, v[slip]) / len(valley.claims)
        assert rate_v > rate_d, (slip, rate_d, rate_v)


@pytest.fixture(scope="module")
def alone(demo) -> tuple[pd.DataFrame, pd.Series]:
    """Per new rule, claims where it is the only rule that can fire, and the archetype."""
    probs = rule_probabilities(ClaimFrames(demo.claims[CLAIM_COLUMNS],
                                           demo.lines[LINE_COLUMNS]), demo.claims)
    only = (probs > 0).sum(axis=1) == 1
    archetype = demo.claims.set_index("claim_id")["payer_id"].map(
        {p.id: p.archetype for p in get_profile("demo").payers})
    return probs[only], archetype


def test_new_rules_deny_at_payer_dependent_rates(demo, alone):
    # Payers deny each slip per their habits (shared/domain §10): Medicare edits catch
    # record contradictions most of the time, 25 on a procedure line is mostly ignored,
    # and the observed denial rate matches each rule's enforcement.
    probs, archetype = alone
    denied = demo.claims.set_index("claim_id")["denied"]
    medicare = archetype.isin(["medicare_ffs", "medicare_advantage"])
    for rule in NEW_RULES:
        ids = probs.index[probs[rule] > 0]
        assert len(ids) >= 3, rule
        mcare = ids[medicare.reindex(ids).to_numpy()]
        rate = denied.reindex(mcare).mean()
        expected = probs.loc[mcare, rule].mean()
        assert abs(rate - expected) < 4 * np.sqrt(expected * (1 - expected) / max(len(mcare), 1)
                                                  ) + 0.05, (rule, rate, expected)
        if rule == "modifier_25_procedure":
            assert expected < 0.3, (rule, expected)
        else:
            assert expected > 0.6, (rule, expected)


def test_small_commercial_enforces_less_than_medicare(alone):
    # The small commercial plan's edit system is the laxest (§10): its enforcement of
    # the record edits is below Medicare's for every new rule it meets.
    probs, archetype = alone
    for rule in NEW_RULES:
        ids = probs.index[probs[rule] > 0]
        arch = archetype.reindex(ids)
        small = probs.loc[ids[(arch == "commercial_small").to_numpy()], rule]
        mcr = probs.loc[ids[(arch == "medicare_ffs").to_numpy()], rule]
        if len(small) and len(mcr):
            assert small.mean() <= mcr.mean(), (rule, small.mean(), mcr.mean())
