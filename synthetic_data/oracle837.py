"""The 837P-only oracle: the best a model that sees only what an 837P carries could do.

`oracle_p_visible` averages over the hidden factors given the contract claim, and the
contract claim holds fields no 837P carries: the documentation flags, the eligibility
and credentialing checks, the cosmetic intake, the codes a prior authorization covers
(the 837P carries only its REF*G1 number) and each line's lesion record (count, site,
size, side, distinct lesion). For a practice learned from its X12 history the fair
limit averages over those too: oracle_p_837 = E[oracle_p_visible | the 837P].

It is estimated by Monte Carlo (DRAWS replicas): the uncarried claim fields are drawn
together from another claim of the practice with the same payer, codes and presence of a
prior authorization number, each line's lesion record from a line of another claim with
the same code, pointed diagnosis and anatomic modifier, and the replica is re-adjudicated
with the claim's own hidden factors (adjudicate.true_risk).

Donors are leave-one-out: a claim never takes its own uncarried fields, nor a line its
own or a sibling line's lesion record, or the estimate reads what the 837P hides (when a
key met once kept its own values, the valley practice's test denials with a unique claim
key had their reason named .91 of the time against .83 for keys met over 30 times; now
.86 vs .81). A key with fewer than donors.MIN_DONORS other rows backs off to coarser keys
(claim_levels, line_levels) that keep what the rules check the drawn fields against
(the codes' documentation and auth needs; the site, side, size band and count the code,
diagnosis and modifier imply), so a rare claim does not re-adjudicate as denials drawn
from another claim's mismatches. A row alone even at the coarsest level (a frame of one
claim) keeps its own values. Drawing given keys rather than given the whole claim leaves
some dependence out, so the estimate sits a little below the exact 837P limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from contract.frames import DX_COLS, MOD_COLS, ClaimFrames
from reference.codes import load_code_table
from reference.families import (
    DESTRUCTION_AK,
    DESTRUCTION_BENIGN,
    INTRALESIONAL,
    NON_PROCEDURE_FAMILIES,
    PRIOR_AUTH_FAMILIES,
    SITE_GROUPS,
    descriptors,
)
from reference.icd10 import dx_site_side
from reference.modifiers import ANATOMIC_MODIFIERS, modifier_side
from reference.vocab import CATEGORIES, SITES
from synthetic_data.adjudicate import DEFAULT_CMS_DIR, true_risk
from synthetic_data.donors import donors
from synthetic_data.rules.lesion_record import (
    MOHS_HEAD,
    MOHS_TRUNK_LIMBS,
    SIZE_FAMILIES,
    TRUNK_LIMB_SITES,
)

DRAWS = 8
CLAIM_FIELDS = ("credentialed_with_payer", "eligibility_verified", "coverage_active",
                "cosmetic_intake", "prior_auth_cpt_codes", "doc_separate_em_note",
                "doc_lesion_size_documented", "doc_lesion_site_documented",
                "doc_symptoms_documented", "doc_margins_documented",
                "doc_pathology_report_attached", "doc_medical_necessity_note",
                "doc_prior_treatment_failed")
# Codes whose number the lesion count must fit (rules/lesion_record.count_code_mismatch).
COUNT_CODES = frozenset((*DESTRUCTION_AK, *DESTRUCTION_BENIGN, *INTRALESIONAL))
MOHS_SITES = tuple(s for s in SITES if s not in TRUNK_LIMB_SITES)
# Families whose lines the lesion-record rules skip (rules/lesion_record.py: no procedure).
NOT_PROCEDURES = (*NON_PROCEDURE_FAMILIES, "em_addon")
LINE_FIELDS = ("lesion_count", "lesion_site", "lesion_size_cm", "lesion_laterality",
               "lesion_distinct_from_line")


def line_parts(frames: ClaimFrames) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(code, first pointed diagnosis, anatomic modifier) of each line ('' for none)."""
    lines = frames.lines
    dx = frames.claims.set_index("claim_id")[DX_COLS]
    codes = dx.reindex(lines["claim_id"]).to_numpy(dtype=object, na_value=None)
    ptr = pd.to_numeric(lines["dxp_1"]).fillna(1).astype(int).clip(1, len(DX_COLS))
    pointed = codes[np.arange(len(lines)), ptr.to_numpy() - 1]
    side = np.full(len(lines), "", dtype=object)
    for col in MOD_COLS:
        mods = lines[col].to_numpy(dtype=object, na_value="")
        side = np.where(np.isin(mods, sorted(ANATOMIC_MODIFIERS)), mods, side)
    return (lines["cpt"].astype(str).to_numpy(dtype=object),
            pd.Series(pointed).fillna("").astype(str).to_numpy(dtype=object), side)


def per_value(values: np.ndarray, fn: Callable[[str], Any]) -> np.ndarray:
    """fn of each value, computed once per distinct value (a tuple result: one row)."""
    distinct, inverse = np.unique(np.asarray(values, dtype=str), return_inverse=True)
    return np.array([fn(v) for v in distinct.tolist()], dtype=object)[inverse.reshape(-1)]


def family(code: str) -> str:
    """The code's family in the curated code table (the code itself if unknown)."""
    return str(load_code_table().family(code) or code)


def code_sites(code: str) -> tuple[str, ...]:
    """The lesion sites a code's descriptor allows (site groups of excisions, shaves and
    malignant destructions, head or trunk-limb Mohs); () for a code of any site."""
    if code in descriptors():
        return descriptors()[code].sites
    if code in MOHS_TRUNK_LIMBS:
        return SITE_GROUPS["trunk_arms_legs"]
    return MOHS_SITES if code in MOHS_HEAD else ()


def record_facts(line: str) -> tuple[str, str, str, str, str]:
    """What the rules hold the lesion record of a 'code|diagnosis|modifier' line against:
    (the code's family, the sites the diagnosis and the code allow (where both name some:
    the overlap, or 'dx/code' when none), the side the diagnosis names (else the
    modifier's; 'left/right' when they disagree), the size band of an excision code, a
    lesion-count code). An E/M, drug or pathology line is held to nothing: family only."""
    code, dx, mod = line.split("|")
    kind = family(code)
    if kind in NOT_PROCEDURES:
        return kind, "", "", "", ""
    named, allowed = dx_site_side(dx), code_sites(code)
    both = sorted(set(named.sites) & set(allowed) if allowed else named.sites)
    sites = ",".join(both or sorted(allowed)) if both or not named.sites else \
        ",".join(sorted(named.sites)) + "/" + ",".join(sorted(allowed))
    sides = {named.side, modifier_side(mod)} & {"right", "left"}
    facts = descriptors().get(code)
    band = f"{facts.size_min_cm}-{facts.size_max_cm}" if facts and kind in SIZE_FAMILIES \
        else ""
    return (kind, sites, "/".join(sorted(sides)) or named.side, band,
            code if code in COUNT_CODES else "")


def line_levels(frames: ClaimFrames) -> list[np.ndarray]:
    """Line donor keys, finest first: code | diagnosis | anatomic modifier (the line as
    the 837P shows it); its record_facts; those but the count code; the same for any
    procedure family; a procedure's sites and size band; all lines. The rules hold a
    lesion record against the code (site group, size band, count), the diagnosis (its
    site and side) and the modifier (its side): a donor of the same code but another
    diagnosis (code | modifier, then code) has a record of another site or side, which
    re-adjudicates as a diagnosis or modifier mismatch the claim does not have: on the
    1,485 valley claims whose lines back off, mean oracle_p_837 - oracle_p_visible is
    +.28 that way and +.02 with these keys, so they give up exact codes and diagnoses
    before those facts."""
    code, dx, mod = line_parts(frames)
    line = joined(code, dx, mod)
    kind, sites, side, band, count = per_value(line, record_facts).reshape(-1, 5).T
    procedure = np.where(np.isin(kind, NOT_PROCEDURES), kind, "procedure")
    return [line, joined(kind, sites, side, band, count), joined(kind, sites, side, band),
            joined(procedure, sites, side, band), joined(procedure, sites, band),
            np.full(len(code), "", dtype=object)]


def joined(*parts: np.ndarray) -> np.ndarray:
    """The parts' strings joined row by row with '|'."""
    out = np.asarray(parts[0], dtype=object)
    for part in parts[1:]:
        out = out + "|" + np.asarray(part, dtype=object)
    return out


def per_claim(frames: ClaimFrames, tokens: np.ndarray) -> np.ndarray:
    """Each claim's sorted distinct line tokens, space-joined (claims order; '' for none)."""
    table = pd.DataFrame({"claim_id": frames.lines["claim_id"].to_numpy(),
                          "token": np.asarray(tokens, dtype=str)})
    table = table.drop_duplicates().sort_values(["claim_id", "token"], kind="stable")
    joined = table.groupby("claim_id", sort=False)["token"].agg(" ".join)
    return joined.reindex(frames.claims["claim_id"]).fillna("").to_numpy(dtype=object)


def services(frames: ClaimFrames) -> pd.Series:
    """Each claim's sorted distinct codes (claims order): the documentation a claim
    needs follows from what it bills."""
    return pd.Series(per_claim(frames, frames.lines["cpt"].astype(str).to_numpy()))


def needs(frames: ClaimFrames) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct code families with the codes of the prior-auth families kept,
    those codes alone) of each claim: what the documentation flags follow, and what a
    prior authorization must list."""
    code = frames.lines["cpt"].astype(str).to_numpy(dtype=object)
    families = per_value(code, family)
    listed = np.isin(families, PRIOR_AUTH_FAMILIES)
    return (per_claim(frames, np.where(listed, code, families)),
            per_claim(frames, np.where(listed, code, "")))


def claim_levels(frames: ClaimFrames) -> list[np.ndarray]:
    """Claim donor keys, finest first: payer | codes | prior auth number present; codes |
    auth; needs (families, prior-auth codes) | auth; prior-auth codes | auth; all claims.
    Ten of the thirteen uncarried fields follow the codes (documentation flags, cosmetic
    intake, the codes an auth lists), three the payer (eligibility churn, credentialing).
    A rare claim so gives up its payer before its codes, and its codes before what they
    need: a donor of the same payer but other codes (payer | auth) lacks the documentation
    and auth the claim needs and re-adjudicates as denials the claim does not have. On the
    2,176 valley claims that back off (their lines not), mean oracle_p_837 -
    oracle_p_visible is +.060 with payer | auth as the middle level and +.015 with this
    chain (+.013 when a claim could draw itself)."""
    claims = frames.claims
    payer = claims["payer_id"].astype(str).to_numpy(dtype=object)
    auth = np.where(claims["prior_auth_number"].notna().to_numpy(), "auth", "")
    codes = services(frames).to_numpy(dtype=object)
    families, listed = needs(frames)
    return [joined(payer, codes, auth), joined(codes, auth), joined(families, auth),
            joined(listed, auth), np.full(len(claims), "", dtype=object)]


def replica(frames: ClaimFrames, claim_keys: Sequence[np.ndarray],
            line_keys: Sequence[np.ndarray], rng: np.random.Generator) -> ClaimFrames:
    """The claims with their uncarried fields drawn from other claims' (claim_keys
    levels) and each line's lesion record from other claims' lines (line_keys levels)."""
    claims, lines = frames.claims.copy(), frames.lines.copy()
    pos = donors(claim_keys, rng)
    for col in CLAIM_FIELDS:
        claims[col] = frames.claims[col].to_numpy()[pos]
    pos = donors(line_keys, rng, owner=frames.lines["claim_id"].to_numpy(dtype=object))
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
    claim_keys, line_keys = claim_levels(frames), line_levels(frames)
    columns = ["oracle_p_visible", *[f"oracle_p_visible_{c}" for c in CATEGORIES]]
    total = np.zeros((len(claims), len(columns)))
    for _ in range(draws):
        scored = true_risk(replica(frames, claim_keys, line_keys, rng), claims, profile,
                            cms_dir)
        total += scored[columns].reindex(claims["claim_id"]).to_numpy(float)
    names = [c.replace("oracle_p_visible", "oracle_p_837") for c in columns]
    return pd.DataFrame(total / draws, columns=names)


def oracle_837(frames: ClaimFrames, profile: str = "demo",
               cms_dir: Path | str = DEFAULT_CMS_DIR, draws: int = DRAWS,
               seed: int = 0) -> np.ndarray:
    """E[oracle_p_visible | the 837P] of each claim (oracle_837_frame's first column)."""
    return oracle_837_frame(frames, profile, cms_dir, draws, seed)["oracle_p_837"].to_numpy()
