"""Rule triggers: where each hidden payer rule's condition holds, from claim fields only.

Starts from features.billing_rules.line_rule_flags (NCCI/MUE/global/linkage/PA flags)
and adds what the payers' rules need on top: documentation gaps, the 25-E/M policy
split (17000-series destructions vs other minor procedures), phototherapy session caps,
Mohs appropriate-use criteria and MUE units counted per date of service. Every trigger
is a function of observable claim fields, so the oracle is too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from features.billing_rules import line_rule_flags
from features.lineindex import LineIndex, index_lines
from reference.cms import CmsTables
from reference.vocab import PAYERS
from synthetic_data.codemask import code_mask, family_mask
from synthetic_data.payers import (
    DRIFT_DESTRUCTION_CODES,
    PA_REQUIRED,
    PHOTO_SESSION_CAP,
    PHOTOTHERAPY_CODES,
    REFERRAL_REQUIRED,
)

SIZE_CODED = ("shave", "excision_benign", "excision_malignant", "destruction_malignant")
LESION_FAMILIES = SIZE_CODED + ("biopsy", "mohs", "destruction_ak", "destruction_benign",
                                "skin_tag")
MALIGNANT_PRIMARY = ("excision_malignant", "destruction_malignant")
NECESSITY_CODES = ("17311", "17313", "J3358") + PHOTOTHERAPY_CODES
STEP_CODES = ("J3358",) + PHOTOTHERAPY_CODES
EXCISIONS = ("excision_benign", "excision_malignant")
REMOVALS = ("shave", "excision_benign", "destruction_benign", "skin_tag")
MOHS_AUC_TRUNK_CM = 2.0  # Mohs on trunk/limbs is appropriate from 2 cm (CG-SURG-90)


@dataclass
class Triggers:
    """Line-level (n_lines) and claim-level (n_claims) boolean triggers per rule."""

    ix: LineIndex
    line: dict[str, np.ndarray]
    claim: dict[str, np.ndarray]


def claim_bool(frames: ClaimFrames, column: str) -> np.ndarray:
    """A nullable boolean claim column as plain bool (missing -> False)."""
    return frames.claims[column].astype("boolean").fillna(False).to_numpy(dtype=bool)


def any_per_claim(ix: LineIndex, mask: np.ndarray) -> np.ndarray:
    """Per claim: does any of its lines satisfy mask."""
    return np.bincount(ix.claim_pos[mask], minlength=ix.n_claims) > 0


def mue_per_date(frames: ClaimFrames, ix: LineIndex, cms: CmsTables) -> dict[str, np.ndarray]:
    """Lines whose code's units on one date of service exceed its MUE, split by MAI."""
    mue = cms.mue.reindex(pd.Index(ix.cpt))
    limit = mue["mue_units"].fillna(0).to_numpy()
    mai = mue["mue_mai"].fillna(0).to_numpy()
    day = frames.lines["date_of_service"].to_numpy().astype("datetime64[D]").view("int64")
    groups = [ix.claim_pos, ix.code_idx, day]
    totals = pd.Series(ix.units).groupby(groups, sort=False).transform("sum").to_numpy()
    over = (limit > 0) & (totals > limit)
    return {f"mue_mai{k}": over & (mai == k) for k in (1, 2, 3)}


def sessions_over_cap(ix: LineIndex, payer: np.ndarray) -> np.ndarray:
    """Phototherapy session lines past the payer's per-claim cap (in line order)."""
    photo = code_mask(ix.code_idx, PHOTOTHERAPY_CODES)
    cap_by_payer = np.array([PHOTO_SESSION_CAP.get(p, 10**6) for p in PAYERS] + [10**6])
    rank = np.zeros(ix.n_lines, dtype=np.int64)
    pos = np.flatnonzero(photo)
    rank[pos] = pd.Series(ix.claim_pos[pos]).groupby(ix.claim_pos[pos]).cumcount().to_numpy()
    return photo & (rank >= cap_by_payer[payer[ix.claim_pos]])


def payer_code_mask(ix: LineIndex, payer: np.ndarray, table: dict[str, tuple[str, ...]]):
    """Lines whose code is in the per-payer code set `table[payer]`."""
    out = np.zeros(ix.n_lines, dtype=bool)
    line_payer = payer[ix.claim_pos]
    for i, p in enumerate(PAYERS):
        if table.get(p):
            out |= (line_payer == i) & code_mask(ix.code_idx, table[p])
    return out


def payer_index(frames: ClaimFrames) -> np.ndarray:
    """Payer position in vocab.PAYERS per claim; len(PAYERS) for an unknown payer."""
    idx = pd.Index(PAYERS).get_indexer(frames.claims["payer_id"].astype(str))
    return np.where(idx < 0, len(PAYERS), idx)


def _modifier_rules(f: pd.DataFrame, ix: LineIndex, note: np.ndarray) -> dict:
    """Modifier-25 and 59/X triggers (E/M without 25; 25 without a separate note)."""
    minor = np.isin(ix.global_days, ("000", "010")) & ~ix.is_em
    other_minor = any_per_claim(ix, minor & ~code_mask(ix.code_idx, DRIFT_DESTRUCTION_CODES))
    with25_no_note = f["em_has_25_with_proc"].to_numpy(bool) & ~note[ix.claim_pos]
    return {
        "em_missing_25": f["em_needs_25"].to_numpy(bool)
        | (f["ptp_unbypassed"].to_numpy(bool) & ix.is_em),
        "em_25_no_note": with25_no_note & other_minor[ix.claim_pos],
        "em_25_destruction_no_note": with25_no_note & ~other_minor[ix.claim_pos],
        "bypass_59_not_x": f["ptp_bypass_59"].to_numpy(bool),
    }


def _coding_rules(f: pd.DataFrame, ix: LineIndex) -> dict:
    """NCCI bundling, global period and diagnosis-linkage triggers."""
    col = {c: f[c].to_numpy(bool) for c in (
        "ptp_unbypassed", "ptp_mi0", "ptp_bypass_no_distinct", "orphan_addon",
        "in_global_unmodified", "dx_supported", "dx_conditional_only")}
    return {
        "ptp_unbypassed": col["ptp_unbypassed"] & ~ix.is_em,
        "ptp_mi0": col["ptp_mi0"],
        "bypass_no_distinct": col["ptp_bypass_no_distinct"],
        "orphan_addon": col["orphan_addon"],
        "in_global": col["in_global_unmodified"],
        "dx_unsupported": ~col["dx_supported"] & ~col["dx_conditional_only"],
    }


def _line_docs(frames: ClaimFrames, ix: LineIndex) -> dict[str, np.ndarray]:
    """Each documentation flag of the claim, broadcast to its lines (missing -> False)."""
    fields = ("symptoms_documented", "lesion_size_documented", "lesion_site_documented",
              "margins_documented", "pathology_report_attached", "medical_necessity_note",
              "prior_treatment_failed")
    return {c: claim_bool(frames, f"doc_{c}")[ix.claim_pos] for c in fields}


def _documentation_rules(frames: ClaimFrames, f: pd.DataFrame, ix: LineIndex) -> dict:
    """Medical necessity, cosmetic and documentation triggers (LCD, AUC, step therapy)."""
    doc = _line_docs(frames, ix)
    code, cosmetic = ix.code_idx, f["cosmetic_dx"].to_numpy(bool)
    size = frames.lines["lesion_size_cm"].astype("float64").fillna(99).to_numpy()
    screening = (frames.claims["dx_1"].astype(str) == "Z12.83").to_numpy()[ix.claim_pos]
    only_em = ~any_per_claim(ix, ~ix.is_em)[ix.claim_pos]
    malignant = family_mask(code, MALIGNANT_PRIMARY) | code_mask(code, ("17311", "17313"))
    size_gap = family_mask(code, SIZE_CODED) & ~doc["lesion_size_documented"]
    site_gap = family_mask(code, LESION_FAMILIES) & ~doc["lesion_site_documented"]
    margin_gap = family_mask(code, EXCISIONS) & ~doc["margins_documented"]
    return {
        "benign_no_symptoms": f["benign_lesion_no_symptoms"].to_numpy(bool) & ~cosmetic,
        "screening_only": ix.is_em & screening & only_em,
        "no_prior_treatment": code_mask(code, STEP_CODES) & ~doc["prior_treatment_failed"],
        "no_necessity_note": code_mask(code, NECESSITY_CODES) & ~doc["medical_necessity_note"],
        "mohs_auc_fail": code_mask(code, ("17313",)) & (size < MOHS_AUC_TRUNK_CM)
        & f["pa_missing"].to_numpy(bool),
        "cosmetic_dx": cosmetic & ~doc["symptoms_documented"],
        "cosmetic_dx_symptomatic": cosmetic & doc["symptoms_documented"],
        "docs_missing": size_gap | site_gap | margin_gap,
        "no_pathology": malignant & ~doc["pathology_report_attached"],
    }


def find_triggers(frames: ClaimFrames, cms: CmsTables) -> Triggers:
    """Every rule's trigger on these frames (line-level where a line is at fault)."""
    ix = index_lines(frames)
    f = line_rule_flags(frames, cms)
    payer = payer_index(frames)
    note = claim_bool(frames, "doc_separate_em_note")
    line = _modifier_rules(f, ix, note) | _coding_rules(f, ix)
    line |= _documentation_rules(frames, f, ix) | mue_per_date(frames, ix, cms)
    line["pa_missing"] = f["pa_missing"].to_numpy(bool) & payer_code_mask(ix, payer, PA_REQUIRED)
    line["photo_over_cap"] = sessions_over_cap(ix, payer)
    removal = family_mask(ix.code_idx, REMOVALS)
    line["cosmetic_intake"] = removal & claim_bool(frames, "cosmetic_intake")[ix.claim_pos]
    hmo = np.isin(frames.claims["payer_id"].astype(str), list(REFERRAL_REQUIRED))
    verified = claim_bool(frames, "eligibility_verified")
    active = frames.claims["coverage_active"].astype("boolean")
    credentialed = frames.claims["credentialed_with_payer"].astype("boolean")
    claim = {
        "referral_missing": hmo & ~claim_bool(frames, "referral_on_file"),
        "base_noise": np.ones(len(frames.claims), dtype=bool),
        "eligibility_unknown": ~verified & (active != False).fillna(True).to_numpy(bool),  # noqa: E712
        "coverage_inactive": (active == False).fillna(False).to_numpy(bool),  # noqa: E712
        "credential_unknown": credentialed.isna().to_numpy(),
        "not_credentialed": (credentialed == False).fillna(False).to_numpy(bool),  # noqa: E712
    }
    return Triggers(ix=ix, line=line, claim=claim)
