"""Fixtures for the X12/FHIR tests: the shared sample folder and labelled test frames."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from contract.frames import ClaimFrames, claims_to_frames
from interop.x12.samples import sample_files, x12_samples_dir
from tests.builders import line, make_claim_dict


@pytest.fixture(scope="session")
def x12_dir() -> Path:
    folder = x12_samples_dir()
    if not sample_files(folder):
        pytest.skip(f"no X12 samples in {folder} (set DENIALRISK_X12_DIR)")
    return folder


def sample_text(folder: Path, name: str) -> str:
    return (folder / name).read_text(encoding="utf-8")


def hand_claims() -> list[dict[str, Any]]:
    """Claims exercising what X12 carries: PA, 4 modifiers/pointers, units, many dx."""
    return [
        make_claim_dict(claim_id="H-1"),
        make_claim_dict(
            claim_id="H-2", payer_id="COB",
            prior_authorization={"number": "PA-991", "cpt_codes": ["96910"]},
            diagnoses=["L40.0", "L57.0", "D48.5", "C44.311", "L82.1"],
            lines=[line(1, "96910", dx=[1, 2, 3, 4], charge=140.5),
                   line(2, "17000", mods=["59", "RT"], dx=[2], charge=95.25),
                   line(3, "17003", units=6, dx=[2, 5], charge=60.0)]),
        make_claim_dict(claim_id="H-3", payer_id="MCD", submission_date="2026-05-01",
                        lines=[line(1, "11102", mods=["XS", "LT", "76", "GA"], dx=[2],
                                    dos="2026-04-20", charge=0.0)]),
    ]


def with_outcomes(frames: ClaimFrames, outcomes: dict[str, tuple]) -> ClaimFrames:
    """frames plus the generator's outcome columns: claim_id -> (carc, category, lines)."""
    claims = frames.claims.copy()
    picked = [outcomes.get(cid, (None, None, "")) for cid in claims["claim_id"]]
    claims["denied"] = [p[0] is not None for p in picked]
    claims["denial_carc"] = pd.array([p[0] for p in picked], dtype="string")
    claims["denial_category"] = pd.array([p[1] for p in picked], dtype="string")
    claims["denied_lines"] = pd.array([p[2] for p in picked], dtype="string")
    return ClaimFrames(claims, frames.lines)


@pytest.fixture
def labelled_frames(contract_examples: dict[str, dict]) -> ClaimFrames:
    """Contract examples + hand-built claims, some denied (line- and claim-level)."""
    claims = list(contract_examples.values()) + hand_claims()
    outcomes = {"H-2": ("CO-4", "modifier", "2"), "H-3": ("CO-27", "eligibility", "1"),
                "C-0000101": ("CO-236", "bundling", "2 3")}
    return with_outcomes(claims_to_frames(claims), outcomes)
