"""Codes outside the reference tables: scored like any other, and listed in the response.

Known procedure codes are the curated code table plus every code of the CMS extracts
(MPFS, MUE); known modifiers are reference/modifiers.py; known diagnoses are the FY2026
ICD-10-CM set. A well-formed code outside them is not an error (real claims bring 87070,
0479T, new ICD-10-CM codes...): the claim system shows the list to the coder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contract.frames import fields
from reference.cms import CmsTables
from reference.codes import load_code_table
from reference.icd10 import check_icd10
from reference.modifiers import MODIFIERS


def known_procedure_codes(cms: CmsTables) -> frozenset[str]:
    """The code table plus the codes of the CMS extracts (built once per tables)."""
    cached = getattr(cms, "_known_codes", None)
    if cached is None:
        cached = frozenset(load_code_table().codes | set(cms.global_days.index)
                           | set(cms.mue.index))
        object.__setattr__(cms, "_known_codes", cached)
    return cached


def outside_reference(lines: Sequence[Any], diagnoses: Sequence[str],
                      cms: CmsTables) -> list[str]:
    """Sorted unique codes, modifiers and diagnoses of a claim the tables do not hold."""
    known = known_procedure_codes(cms)
    out: set[str] = set()
    for ln in lines:
        ln = fields(ln)
        if ln["cpt"] not in known:
            out.add(str(ln["cpt"]))
        out.update(m for m in ln.get("modifiers") or () if m not in MODIFIERS)
    out.update(d for d in diagnoses if not check_icd10(d).known)
    return sorted(out)
