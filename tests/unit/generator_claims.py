"""Hand-built contract claims and their exact oracle, for the generator's rule tests."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from contract.frames import claims_to_frames
from synthetic_data.adjudicate import true_risk
from synthetic_data.world.providers import luhn_npi

DOS = date(2026, 2, 2)
SURGEON = luhn_npi(123456780)  # demo Mohs surgeon, enrolled with every payer
NEW_MD = luhn_npi(123512213)  # demo physician starting 2025-09-02, MCR from 2025-09-22
NP = luhn_npi(123520132)
FULL_DOCS = {f: True for f in (
    "separate_em_note", "lesion_size_documented", "lesion_site_documented",
    "symptoms_documented", "margins_documented", "pathology_report_attached",
    "medical_necessity_note", "prior_treatment_failed")}
NO_HIDDEN = {"strictness": 1.0, "chart_supports_em": True, "symptoms_in_chart": True,
             "coverage_terminated": False, "sessions_elsewhere": 0, "admin_error": False,
             "lesions_distinct": True, "necessity_met": True, "duplicate": False}


def line(n: int, cpt: str, units: int = 1, mods: list[str] | None = None,
         dx: list[int] | None = None, lesion: dict | None = None, dos: date = DOS,
         **extra) -> dict:
    """One contract line (a face lesion unless given; {} = no lesion)."""
    if lesion is None:
        lesion = {"count": units, "site": "face", "size_cm": None, "distinct_from_line": None}
    return {"line": n, "cpt": cpt, "modifiers": mods or [], "units": units, "charge": 100.0,
            "dx_pointers": dx or [1], "date_of_service": dos.isoformat(),
            "lesion": lesion or None, **extra}


def claim(payer: str, lines: list[dict], dx: list[str] | None = None, lag: int = 5,
          **fields) -> dict:
    """A clean claim (verified, enrolled provider, documented) with the given lines."""
    first = max(date.fromisoformat(ln["date_of_service"]) for ln in lines)
    base = {
        "claim_id": "T-1", "payer_id": payer,
        "submission_date": (first + timedelta(days=lag)).isoformat(),
        "place_of_service": "11",
        "patient": {"member_id": "T1", "birth_date": "1950-03-01", "sex": "F"},
        "provider": {"rendering_npi": SURGEON, "credentialed_with_payer": True},
        "eligibility": {"verified": True, "coverage_active": True},
        "prior_authorization": None, "referral_on_file": True, "cosmetic_intake": False,
        "diagnoses": dx or ["L57.0"], "lines": lines, "documentation": dict(FULL_DOCS),
        "history": {},
    }
    base.update(fields)
    return base


def judge(c: dict, profile: str = "demo", drift: bool = True, **hidden) -> pd.Series:
    """The exact oracle of one claim with the given hidden factors (others: benign)."""
    frames = claims_to_frames([c])
    truth = pd.DataFrame({"claim_id": [c["claim_id"]],
                          **{f"hidden_{k}": [v] for k, v in (NO_HIDDEN | hidden).items()}})
    return true_risk(frames, truth, profile, drift=drift).iloc[0]
