"""Medical necessity and benefit limits: the benign-lesion LCD (symptoms in the record),
Mohs appropriate-use / phototherapy step therapy / biologic criteria, and phototherapy
sessions per calendar year counted by the payer (its claims from this practice, and
from other providers the practice cannot see) (shared/domain §4, §5, §10).
"""

from __future__ import annotations

import numpy as np

from reference.families import BENIGN_REMOVAL_FAMILIES, MOHS_FIRST_STAGE, PHOTOTHERAPY_CODES
from synthetic_data import hidden as hf
from synthetic_data.rules.base import Hit, Rule, archetypes, everyone
from synthetic_data.rules.diagnosis import pointed_any

LCD_KINDS = ("nevus", "benign_neoplasm", "sk", "cyst", "tag", "uncertain")
NECESSITY_CODES = MOHS_FIRST_STAGE + PHOTOTHERAPY_CODES + hf.BIOLOGIC_CODES


def benign_without_symptoms(view) -> Hit:
    """A benign-lesion removal whose record, when pulled, shows none of the LCD's
    covered indications (bleeding, itching, inflammation, change, ...)."""
    removal = view.family_in(BENIGN_REMOVAL_FAMILIES) & pointed_any(view, LCD_KINDS) \
        & ~view.has_mod("GA")
    flag = view.doc("symptoms_documented").astype(float)
    real = view.hidden["symptoms_in_chart"].astype(float)
    return Hit(lines=removal, scale=1 - flag * real,
               scale_visible=1 - flag * hf.q_symptoms_in_chart(view))


def removal_with_abn(view) -> Hit:
    """A benign removal billed with GA (the patient signed an ABN): not medically
    necessary by the LCD, the patient pays (PR-50)."""
    removal = view.family_in(BENIGN_REMOVAL_FAMILIES) & pointed_any(view, LCD_KINDS)
    return Hit(lines=removal & view.has_mod("GA"))


def criteria_not_met(view) -> Hit:
    """Mohs (AUC: site, size, histology), phototherapy (failed topicals) or a biologic
    (step therapy) whose record does not meet the payer's criteria."""
    lines = view.cpt_in(NECESSITY_CODES)
    met = view.hidden["necessity_met"].astype(float)
    return Hit(lines=lines, scale=1 - met, scale_visible=1 - hf.q_necessity_met(view))


def photo_over_cap(view) -> Hit:
    """Phototherapy sessions past the payer's yearly benefit maximum: the payer counts
    this practice's earlier sessions this year plus sessions at other providers."""
    cap = view.param("photo_sessions_per_year")
    has_cap = np.array([c is not None for c in cap], dtype=bool)
    cap = np.where(has_cap, cap, 10**6).astype(np.int64)
    photo = view.cpt_in(PHOTOTHERAPY_CODES)
    before = np.nan_to_num(view.history("sessions_this_year"), nan=0).astype(np.int64)
    rank = np.zeros(view.m, dtype=np.int64)
    idx = np.flatnonzero(photo)
    order = idx[np.lexsort((view.dos[idx], view.claim_pos[idx]))]
    starts = np.r_[0, np.flatnonzero(np.diff(view.claim_pos[order])) + 1]
    counts = np.diff(np.r_[starts, len(order)])
    rank[order] = np.arange(len(order)) - np.repeat(starts, counts) + 1
    billed = view.count_claim(photo)
    room = cap - before  # sessions left before counting other providers
    elsewhere = view.hidden["sessions_elsewhere"].astype(np.int64)
    over_line = photo & (view.to_lines(before + elsewhere) + rank > view.to_lines(cap))
    tail = np.cumsum(hf.elsewhere_pmf()[::-1])[::-1]  # P(h >= k)
    need = np.clip(room - billed + 1, 0, len(tail))  # h >= need puts the last one over
    p_over = np.where(need <= 0, 1.0, np.r_[tail, 0.0][np.minimum(need, len(tail))])
    fires = view.any_claim(over_line)
    return Hit(lines=photo & view.to_lines(has_cap), denied_lines=over_line,
               scale=fires.astype(float), scale_visible=np.where(has_cap, p_over, 0.0))


RULES = (
    Rule(id="benign_removal_no_symptoms", category="medical_necessity", carc="CO-50",
         rarc="N115", priority=82, fix="attach_documentation symptoms_documented",
         section="§4 benign-lesion LCDs (L35498, L34200); §10 strict cosmetic exclusion",
         enforce=archetypes(0.30, 0.55, 0.45, 0.25, 0.5, 0.12),
         condition=benign_without_symptoms, review=True, factor="symptoms_in_chart",
         description=benign_without_symptoms.__doc__ or ""),
    Rule(id="abn_patient_liable", category="medical_necessity", carc="PR-50", rarc="N115",
         priority=81, fix="bill_patient", section="§1 GA (ABN on file); §4 LCD; §6 CO-50",
         enforce=archetypes(0.85, 0.85, 0.0, 0.0, 0.0, 0.0), condition=removal_with_abn,
         description=removal_with_abn.__doc__ or ""),
    Rule(id="necessity_criteria_not_met", category="medical_necessity", carc="CO-50",
         priority=84, fix="attach_documentation medical_necessity_note",
         section="§5 Mohs AUC (CG-SURG-90), phototherapy and biologic criteria; §10",
         enforce=archetypes(0.05, 0.35, 0.2, 0.1, 0.35, 0.03), condition=criteria_not_met,
         review=True, factor="necessity_met", description=criteria_not_met.__doc__ or ""),
    Rule(id="phototherapy_cap", category="frequency", carc="CO-119", rarc="N640",
         priority=85, fix="bill_patient",
         section="§5 phototherapy limits; §10 Medicaid frequency limits; §11 history",
         enforce=everyone(0.97), condition=photo_over_cap, factor="sessions_elsewhere",
         curable=False, description=photo_over_cap.__doc__ or ""),
)
