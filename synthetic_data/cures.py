"""Each rule's own cure: the change a coder who read the chart makes to the claims a rule
fired on (a modifier added or replaced, the code that describes the work, the diagnosis
of the same lesion and side, documentation attached, an auth obtained, a line the payer
never pays removed or billed to the patient). `cure` applies it; re-adjudicating with
synthetic_data.adjudicate.true_risk shows the true risk it leaves.

Cures read the claim and the chart's truth (hidden_* columns): 25 is documented only when
the chart bears it out, otherwise the E/M is not separately billable; the modifier of a
procedure in a global is the one its relation calls for (hidden_relation).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from reference.cms import load_cms_tables
from synthetic_data import edits
from synthetic_data.adjudicate import DEFAULT_CMS_DIR, hidden_from_truth, make_view, payer_history
from synthetic_data.arrays import as_object, lookup
from synthetic_data.cures_coding import CODING_CURES
from synthetic_data.cures_lesion import LESION_CURES
from synthetic_data.profiles import get_profile
from synthetic_data.profiles.model import PracticeProfile
from synthetic_data.rules import RULES_BY_ID
from synthetic_data.rules.view import ClaimView
from synthetic_data.world.codebook import drug_ndc

Cure = Callable[[ClaimFrames, ClaimView, np.ndarray, dict], ClaimFrames]


def frame_mask(view: ClaimView, view_mask: np.ndarray) -> np.ndarray:
    """A view-order line mask in frames.lines order."""
    out = np.zeros(view.m, dtype=bool)
    out[view.line_order] = view_mask
    return out


def claims_of(frames: ClaimFrames, lines: np.ndarray) -> np.ndarray:
    """Claims (frames.claims rows) owning any masked line."""
    ids = frames.lines["claim_id"][lines].unique()
    return frames.claims["claim_id"].isin(ids).to_numpy()


def per_line(frames: ClaimFrames, claim_values: np.ndarray) -> np.ndarray:
    """A per-claim array spread to frames.lines rows."""
    pos = pd.Index(frames.claims["claim_id"].to_numpy(dtype=object), dtype=object).get_indexer(
        pd.Index(frames.lines["claim_id"].to_numpy(dtype=object), dtype=object))
    return claim_values[pos]


def truth_value(frames: ClaimFrames, hidden: dict, name: str) -> np.ndarray:
    """A truth column per claim (frames.claims order)."""
    return np.asarray(hidden[name])


def document(field: str) -> Cure:
    """Attach the documentation the chart holds; lines the chart does not support are
    removed instead (not billable / billed to the patient)."""
    factor = {"separate_em_note": "chart_supports_em", "symptoms_documented": "symptoms_in_chart",
              "medical_necessity_note": "necessity_met"}.get(field)

    def cure(frames, view, lines, hidden):
        claims = claims_of(frames, lines)
        holds = truth_value(frames, hidden, factor).astype(bool) if factor else np.ones(
            len(claims), dtype=bool)
        out = edits.set_claim_values(frames, claims & holds, f"doc_{field}", True)
        if field == "medical_necessity_note":
            out = edits.set_claim_values(out, claims & holds, "doc_prior_treatment_failed",
                                         True)
        return edits.remove_lines(out, with_addons(out, lines & ~per_line(out, holds)))
    return cure


def with_addons(frames: ClaimFrames, lines: np.ndarray) -> np.ndarray:
    """The masked lines plus the add-on lines of the same claims whose primaries they
    are (a Mohs stage add-on goes with its first stage)."""
    from synthetic_data.rules.coding_edits import addon_parents

    parents = addon_parents()
    cpt = as_object(frames.lines["cpt"]).astype(str)
    claim = frames.lines["claim_id"].to_numpy(dtype=object)
    removed = set(zip(claim[lines].tolist(), cpt[lines].tolist()))
    extra = np.array([any((c, p) in removed for p in parents.get(code, ()))
                      for c, code in zip(claim.tolist(), cpt.tolist())], dtype=bool)
    return lines | extra


def remove(frames, view, lines, hidden) -> ClaimFrames:
    return edits.remove_lines(frames, with_addons(frames, lines))


def modifier(value: str) -> Cure:
    def cure(frames, view, lines, hidden):
        return edits.add_modifier(frames, lines, value)
    return cure


def swap(old: str, new: str) -> Cure:
    def cure(frames, view, lines, hidden):
        return edits.replace_modifier(frames, lines, old, new)
    return cure


def em_modifier(frames, view, lines, hidden) -> ClaimFrames:
    """25 on an E/M with a minor procedure; 57 when the day's procedure is a 090 one."""
    from synthetic_data.rules.modifiers import procedure_days

    minor, major = procedure_days(view)
    value = np.where(frame_mask(view, major & ~minor), "57", "25")
    return edits.add_modifier(frames, lines, value)


def em_in_global(frames, view, lines, hidden) -> ClaimFrames:
    """24 on an unrelated E/M; a routine post-op visit is not billed at all."""
    postop = per_line(frames, truth_value(frames, hidden, "relation") == "postop")
    out = edits.add_modifier(frames, lines & ~postop, "24")
    return edits.remove_lines(out, lines & postop)


def global_modifier(frames, view, lines, hidden) -> ClaimFrames:
    """58 staged, 78 complication, 79 unrelated: the case's own modifier."""
    relation = per_line(frames, truth_value(frames, hidden, "relation"))
    value = lookup({"staged": "58", "complication": "78"}, relation, "79")
    return edits.add_modifier(frames, lines, value)


def related_79(frames, view, lines, hidden) -> ClaimFrames:
    relation = per_line(frames, truth_value(frames, hidden, "relation"))
    return edits.replace_modifier(frames, lines, "79",
                                  np.where(relation == "complication", "78", "58"))


def side_modifier(frames, view, lines, hidden) -> ClaimFrames:
    """RT/LT from the side the line's diagnosis names."""
    right = frame_mask(view, (view.pointed_side == "right").any(axis=1))
    return edits.add_modifier(frames, lines, np.where(right, "RT", "LT"))


def obtain_auth(frames, view, lines, hidden) -> ClaimFrames:
    """An auth listing the claim's codes that need one."""
    claims = claims_of(frames, lines)
    codes = frames.lines.loc[lines].groupby("claim_id")["cpt"].agg(
        lambda s: " ".join(sorted(set(s))))
    current = frames.claims["prior_auth_cpt_codes"].fillna("").to_numpy(dtype=object)
    extra = codes.reindex(frames.claims["claim_id"]).fillna("").to_numpy(dtype=object)
    out = edits.set_claim_values(frames, claims, "prior_auth_cpt_codes",
                                 np.char.strip((current + " " + extra).astype(str)))
    number = frames.claims["prior_auth_number"].fillna("PA-RETRO").to_numpy(dtype=object)
    return edits.set_claim_values(out, claims, "prior_auth_number", number)


def referral(frames, view, lines, hidden) -> ClaimFrames:
    return edits.set_claim_values(frames, claims_of(frames, lines), "referral_on_file", True)


def add_ndc(frames, view, lines, hidden) -> ClaimFrames:
    ndc, qty = drug_ndc(as_object(frames.lines["cpt"]), frames.lines["units"].to_numpy())
    out = edits.set_line_values(frames, lines, "ndc", ndc)
    return edits.set_line_values(out, lines, "drug_quantity", qty)


CURES: dict[str, Cure] = {
    "em_missing_modifier": em_modifier,
    "modifier_59_with_x": lambda f, v, ln, h: edits.remove_modifier(f, ln, "59"),
    "x_modifier_required": swap("59", "XS"),
    "em_25_not_57": swap("25", "57"),
    "side_modifier_missing": side_modifier,
    "em25_not_supported": document("separate_em_note"),
    "benign_removal_no_symptoms": document("symptoms_documented"),
    "necessity_criteria_not_met": document("medical_necessity_note"),
    "pathology_report_missing": document("pathology_report_attached"),
    "bypass_not_distinct": remove, "excision_with_flap": remove, "g2211_with_25": remove,
    "em_24_related": remove, "cosmetic_gy": remove, "cosmetic_not_covered": remove,
    "abn_patient_liable": remove,
    "em_in_global": em_in_global, "procedure_in_global": global_modifier,
    "modifier_79_related": related_79, "prior_auth_missing": obtain_auth,
    "referral_missing": referral, "ndc_missing": add_ndc, **CODING_CURES,
    **LESION_CURES,
}


def cure(frames: ClaimFrames, truth: pd.DataFrame, rule_id: str,
         profile: str | PracticeProfile = "demo", cms_dir: Path | str = DEFAULT_CMS_DIR,
         drift: bool = True, claim_ids=None, follow_up: bool = True) -> ClaimFrames:
    """Apply `rule_id`'s cure to the lines it fires on (all its claims, or claim_ids),
    then (follow_up) what the coder fixes along with it (tidy)."""
    rule = RULES_BY_ID[rule_id]
    if rule_id not in CURES:
        raise ValueError(f"rule {rule_id} has no cure ({rule.fix})")
    cms = load_cms_tables(Path(cms_dir))
    frames = ClaimFrames(frames.claims.reset_index(drop=True),
                         frames.lines.reset_index(drop=True))
    claims = payer_history(frames.claims, truth)
    hidden = hidden_from_truth(claims, truth)
    table = truth.set_index("claim_id") if "claim_id" in truth.columns else truth
    pos = pd.Index(table.index, dtype=object).get_indexer(
        pd.Index(claims["claim_id"].to_numpy(dtype=object), dtype=object))
    for extra in ("relation", "lesion_ids"):
        if f"hidden_{extra}" in table:
            hidden[extra] = table[f"hidden_{extra}"].to_numpy(dtype=object)[pos]
    view = make_view(ClaimFrames(claims, frames.lines), get_profile(profile), cms, hidden,
                     drift, 1.0)
    hit = rule.condition(view)
    at_fault = hit.denied_lines if hit.denied_lines is not None else hit.lines
    if at_fault is None:
        at_fault = view.to_lines(hit.claims)
    lines = frame_mask(view, at_fault)
    if claim_ids is not None:
        lines &= frames.lines["claim_id"].isin(list(claim_ids)).to_numpy()
    fixed = CURES[rule_id](frames, view, lines, hidden)
    if not follow_up:
        return fixed
    return tidy(fixed, truth, hidden, get_profile(profile), cms, drift)


def tidy(frames: ClaimFrames, truth: pd.DataFrame, hidden: dict, profile: PracticeProfile,
         cms, drift: bool) -> ClaimFrames:
    """What the coder fixes along with a cure: an add-on left without its primary takes
    the primary's place, a pair that now needs it takes XS, and an E/M now billed beside
    a minor procedure takes 25 (57 beside a 090 one)."""
    from synthetic_data.rules.coding_edits import orphan_addons, unbypassed_pair
    from synthetic_data.rules.modifiers import em_without_modifier

    for condition, fix in ((orphan_addons, CODING_CURES["addon_without_primary"]),
                           (unbypassed_pair, CODING_CURES["ncci_unbypassed"]),
                           (em_without_modifier, em_modifier)):
        claims = payer_history(frames.claims, truth)
        view = make_view(ClaimFrames(claims, frames.lines), profile, cms,
                         hidden_from_truth(claims, truth), drift, 1.0)
        lines = frame_mask(view, condition(view).lines)
        if lines.any():
            frames = fix(frames, view, lines, hidden)
    return frames
