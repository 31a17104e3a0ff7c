"""Global-period edits from the payer's record of the patient's earlier claims: an E/M
or a procedure inside another procedure's 010/090 global without 24 / 58 / 78 / 79, a
24 on a visit about the surgery itself, and 79 on a staged or complication procedure
(shared/domain §2, §11; CMS Claims Processing Manual ch. 12 §40).

The payer's record is the claim's history columns (days since the related procedure, its
global, its code), or, when re-adjudicating a changed claim, the hidden_payer_* copy.
"""

from __future__ import annotations

import numpy as np

from reference.codes import load_code_table
from reference.families import EM_CODES, MALIGNANT_FAMILIES
from synthetic_data.arrays import isin, reindexed
from synthetic_data.rules.base import Hit, Rule, archetypes

SURGERY_KINDS = ("aftercare", "complication")


def inside_global(view) -> np.ndarray:
    """Per line: its date falls inside the global of the payer's recorded procedure."""
    since = view.history("days_since_related_global_procedure")
    length = view.history("related_global_days")
    inside = (since >= 1) & (since <= length) & (length >= 10)
    return view.to_lines(np.nan_to_num(inside, nan=0).astype(bool))


def related_family(view) -> np.ndarray:
    """Per line: the family of the recorded global procedure ('' when none)."""
    code = view.history("related_procedure_code")
    family = reindexed(load_code_table().frame["family"], code, "")
    return view.to_lines(family)


def points_to_surgery(view) -> np.ndarray:
    """Per line: its diagnoses are about the recorded surgery: aftercare or a wound
    complication, or (after cancer surgery) the cancer itself."""
    kinds = view.pointed_kind
    present = kinds != ""
    about = isin(kinds.ravel(), SURGERY_KINDS).reshape(kinds.shape)
    malignant = isin(kinds.ravel(), ("malignant", "in_situ")).reshape(kinds.shape)
    cancer_surgery = isin(related_family(view), MALIGNANT_FAMILIES + ("tissue_transfer",))
    same = malignant & cancer_surgery[:, None]
    return present.any(axis=1) & ((present & (about | same)).sum(axis=1)
                                  == present.sum(axis=1))


def em_in_global(view) -> Hit:
    """An E/M inside another procedure's global without 24 (25/57 with a same-day
    procedure are judged by the modifier edits): post-op care is in the surgery's fee."""
    em = view.cpt_in(EM_CODES)
    return Hit(lines=em & inside_global(view) & ~view.has_mod("24", "25", "57"))


def em_24_about_surgery(view) -> Hit:
    """24 on an E/M whose diagnoses are the surgery's own (aftercare, its lesion, its
    complication): the visit is the post-op care 24 excludes."""
    em = view.cpt_in(EM_CODES)
    return Hit(lines=em & inside_global(view) & view.has_mod("24") & points_to_surgery(view))


def procedure_lines(view) -> np.ndarray:
    """Primary procedure lines a global package can hold: MPFS global 000, 010 or 090
    (shared/domain §2). Add-ons (ZZZ) follow their primary; services outside the global
    concept (XXX: drug administration 96372, phototherapy, pathology) are paid on their
    own inside another surgery's global."""
    return np.isin(view.global_days, ("000", "010", "090")) & ~view.family_in(
        ("em", "em_addon", "drug", "pathology"))


def procedure_in_global(view) -> Hit:
    """A procedure inside another procedure's global without 58, 78 or 79."""
    return Hit(lines=procedure_lines(view) & inside_global(view)
               & ~view.has_mod("58", "78", "79"))


def unrelated_but_related(view) -> Hit:
    """79 (unrelated) on a procedure about the recorded surgery: a staged re-excision
    takes 58, a return for its complication 78."""
    return Hit(lines=procedure_lines(view) & inside_global(view) & view.has_mod("79")
               & points_to_surgery(view))


RULES = (
    Rule(id="em_in_global", category="global_period", carc="CO-97", rarc="N525",
         priority=60, fix="add_modifier 24", section="§2 global periods, 24; §11 history",
         enforce=archetypes(0.95, 0.95, 0.9, 0.9, 0.9, 0.6), condition=em_in_global,
         description=em_in_global.__doc__ or ""),
    Rule(id="em_24_related", category="global_period", carc="CO-97", rarc="M144",
         priority=61, fix="remove_line", section="§2 modifier 24; §11 global modifiers",
         enforce=archetypes(0.7, 0.8, 0.6, 0.6, 0.7, 0.3), condition=em_24_about_surgery,
         description=em_24_about_surgery.__doc__ or ""),
    Rule(id="procedure_in_global", category="global_period", carc="CO-97", rarc="N525",
         priority=62, fix="add_modifier 58/78/79", section="§2 58/78/79; §11",
         enforce=archetypes(0.95, 0.95, 0.9, 0.9, 0.9, 0.6), condition=procedure_in_global,
         description=procedure_in_global.__doc__ or ""),
    Rule(id="modifier_79_related", category="global_period", carc="CO-97", rarc="M144",
         priority=63, fix="replace_modifier 79->58",
         section="§11 58 staged / 78 complication / 79 unrelated",
         enforce=archetypes(0.85, 0.85, 0.7, 0.6, 0.7, 0.3),
         condition=unrelated_but_related, description=unrelated_but_related.__doc__ or ""),
)
