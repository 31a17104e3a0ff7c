"""ICD-10-CM billability against the FY2026 code set shipped offline by simple-icd-10-cm."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=65536)
def normalize_icd10(code: str) -> str | None:
    """Return the dotted form of a billable ICD-10-CM code, or None when it is not billable.

    Billable means a leaf of the FY2026 tabular list (a category with subcodes is not).
    """
    import simple_icd_10_cm as icd  # deferred: reading the code set takes ~0.5 s

    text = code.strip().upper()
    if not text or not icd.is_valid_item(text):
        return None
    if not icd.is_leaf(text):
        return None
    return icd.add_dot(icd.remove_dot(text))
