"""The 837P-only oracle: the best a model that sees only what an 837P carries could do.

`oracle_p_visible` averages over the hidden factors given the contract claim, and the
contract claim holds fields no 837P carries: the documentation flags, the eligibility
and credentialing checks, the cosmetic intake, the codes a prior authorization covers
(the 837P carries only its REF*G1 number) and each line's lesion record (count, site,
size, side, distinct lesion). For a practice learned from its X12 history the fair
limit averages over those too: oracle_p_837 = E[oracle_p_visible | the 837P].

It is estimated by Monte Carlo (DRAWS replicas): the uncarried claim fields are drawn
together from a claim of the practice with the same payer, codes and presence of a prior
authorization number, each line's lesion record from a line of the practice with the
same code, pointed diagnosis and anatomic modifier, and the replica is re-adjudicated
with the claim's own hidden factors (adjudicate.true_risk). Drawing given those keys
rather than given the whole claim leaves some dependence out, so the estimate sits a
little below the exact 837P limit; a key met once keeps its own value (no uncertainty),
a little above it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from contract.frames import DX_COLS, MOD_COLS, ClaimFrames
from reference.modifiers import ANATOMIC_MODIFIERS
from reference.vocab import CATEGORIES
from synthetic_data.adjudicate import DEFAULT_CMS_DIR, true_risk

DRAWS = 8
CLAIM_FIELDS = ("credentialed_with_payer", "eligibility_verified", "coverage_active",
                "cosmetic_intake", "prior_auth_cpt_codes", "doc_separate_em_note",
                "doc_lesion_size_documented", "doc_lesion_site_documented",
                "doc_symptoms_documented", "doc_margins_documented",
                "doc_pathology_report_attached", "doc_medical_necessity_note",
                "doc_prior_treatment_failed")
LINE_FIELDS = ("lesion_count", "lesion_site", "lesion_size_cm", "lesion_laterality",
               "lesion_distinct_from_line")


def donors(keys: pd.Series, rng: np.random.Generator) -> np.ndarray:
    """Per row, the position of a random row with the same key (possibly itself)."""
    codes, _ = pd.factorize(keys, use_na_sentinel=False)
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pick = starts[codes] + np.floor(rng.random(len(codes)) * sizes[codes]).astype(np.int64)
    return order[pick]


def line_keys(frames: ClaimFrames) -> np.ndarray:
    """code | first pointed diagnosis | anatomic modifier of each line."""
    lines = frames.lines
    dx = frames.claims.set_index("claim_id")[DX_COLS]
    codes = dx.reindex(lines["claim_id"]).to_numpy(dtype=object, na_value=None)
    ptr = pd.to_numeric(lines["dxp_1"]).fillna(1).astype(int).clip(1, len(DX_COLS))
    pointed = codes[np.arange(len(lines)), ptr.to_numpy() - 1]
    side = np.full(len(lines), "", dtype=object)
    for col in MOD_COLS:
        mods = lines[col].to_numpy(dtype=object, na_value="")
        side = np.where(np.isin(mods, sorted(ANATOMIC_MODIFIERS)), mods, side)
    return (lines["cpt"].astype(str).to_numpy(dtype=object) + "|"
            + pd.Series(pointed).fillna("").astype(str).to_numpy(dtype=object) + "|" + side)


def services(frames: ClaimFrames) -> pd.Series:
    """Each claim's sorted distinct codes (claims order): the documentation a claim
    needs follows from what it bills."""
    codes = frames.lines.groupby("claim_id", sort=False)["cpt"].agg(
        lambda s: " ".join(sorted(set(map(str, s)))))
    return codes.reindex(frames.claims["claim_id"]).fillna("").reset_index(drop=True)


def replica(frames: ClaimFrames, claim_keys: pd.Series, keys: pd.Series,
            rng: np.random.Generator) -> ClaimFrames:
    """The claims with their uncarried fields drawn from donors of the same keys."""
    claims, lines = frames.claims.copy(), frames.lines.copy()
    pos = donors(claim_keys, rng)
    for col in CLAIM_FIELDS:
        claims[col] = frames.claims[col].to_numpy()[pos]
    pos = donors(keys, rng)
    for col in LINE_FIELDS:
        lines[col] = frames.lines[col].to_numpy()[pos]
    distinct = pd.notna(lines["lesion_distinct_from_line"].to_numpy(dtype=object))
    own = lines["line"].to_numpy()
    lines["lesion_distinct_from_line"] = pd.array(
        np.where(distinct, np.where(own == 1, 2, 1), None), dtype=frames.lines[
            "lesion_distinct_from_line"].dtype)
    return ClaimFrames(claims, lines)


def oracle_837_frame(frames: ClaimFrames, profile: str = "demo",
                     cms_dir: Path | str = DEFAULT_CMS_DIR, draws: int = DRAWS,
                     seed: int = 0) -> pd.DataFrame:
    """oracle_p_837 and oracle_p_837_<category> (E[oracle_p_visible(_<category>) | the
    837P]) of each claim, in frames.claims order, estimated from `draws` replicas; frames
    carry the generator's hidden_* truth columns."""
    rng = np.random.default_rng(seed)
    claims = frames.claims.reset_index(drop=True)
    frames = ClaimFrames(claims, frames.lines.reset_index(drop=True))
    has_auth = claims["prior_auth_number"].notna().map({True: "|auth", False: "|"})
    claim_keys = claims["payer_id"].astype(str) + "|" + services(frames) + has_auth
    keys = pd.Series(line_keys(frames))
    columns = ["oracle_p_visible", *[f"oracle_p_visible_{c}" for c in CATEGORIES]]
    total = np.zeros((len(claims), len(columns)))
    for _ in range(draws):
        scored = true_risk(replica(frames, claim_keys, keys, rng), claims, profile, cms_dir)
        total += scored[columns].reindex(claims["claim_id"]).to_numpy(float)
    names = [c.replace("oracle_p_visible", "oracle_p_837") for c in columns]
    return pd.DataFrame(total / draws, columns=names)


def oracle_837(frames: ClaimFrames, profile: str = "demo",
               cms_dir: Path | str = DEFAULT_CMS_DIR, draws: int = DRAWS,
               seed: int = 0) -> np.ndarray:
    """E[oracle_p_visible | the 837P] of each claim (oracle_837_frame's first column)."""
    return oracle_837_frame(frames, profile, cms_dir, draws, seed)["oracle_p_837"].to_numpy()
