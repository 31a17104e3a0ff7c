"""Hand-written claim builders for tests (valid by default; override what a test needs)."""

from __future__ import annotations

import copy
from typing import Any

BASE_CLAIM: dict[str, Any] = {
    "claim_id": "T-1",
    "payer_id": "MCR",
    "submission_date": "2026-03-02",
    "place_of_service": "11",
    "patient": {"member_id": "W1", "birth_date": "1950-04-12", "sex": "F"},
    "provider": {"rendering_npi": "1234567893", "credentialed_with_payer": True},
    "eligibility": {"verified": True, "coverage_active": True},
    "prior_authorization": None,
    "referral_on_file": False,
    "cosmetic_intake": False,
    "diagnoses": ["L57.0", "D48.5"],
    "lines": [
        {"line": 1, "cpt": "99213", "modifiers": ["25"], "units": 1, "charge": 125.0,
         "dx_pointers": [1], "date_of_service": "2026-02-27"},
        {"line": 2, "cpt": "11102", "modifiers": [], "units": 1, "charge": 110.0,
         "dx_pointers": [2], "date_of_service": "2026-02-27",
         "lesion": {"count": 1, "site": "arms", "size_cm": 0.6, "distinct_from_line": None}},
    ],
    "documentation": {
        "separate_em_note": True, "lesion_size_documented": True,
        "lesion_site_documented": True, "symptoms_documented": True,
        "margins_documented": False, "pathology_report_attached": False,
        "medical_necessity_note": True, "prior_treatment_failed": False,
    },
    "history": {"days_since_related_global_procedure": None, "related_global_days": None},
}



def make_claim_dict(**overrides: Any) -> dict[str, Any]:
    """A valid claim dict (E/M-25 + tangential biopsy under MCR) with top-level overrides."""
    claim = copy.deepcopy(BASE_CLAIM)
    claim.update(copy.deepcopy(overrides))
    return claim


def line(n: int, cpt: str, *, mods: list[str] | None = None, units: int = 1,
         dx: list[int] | None = None, lesion: dict | None = None,
         dos: str = "2026-02-27", charge: float = 100.0) -> dict[str, Any]:
    """A claim line dict for hand-written test claims."""
    out = {"line": n, "cpt": cpt, "modifiers": mods or [], "units": units, "charge": charge,
           "dx_pointers": dx or [1], "date_of_service": dos}
    if lesion is not None:
        out["lesion"] = lesion
    return out
