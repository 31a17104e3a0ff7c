"""Practice profiles: who the practice bills (payers and their behaviour), who renders
(providers, enrolment dates), how its staff codes and submits (habits), and when.

A profile is data (profiles/model.py); `get_profile(name)` returns one of PROFILES.
"""

from __future__ import annotations

from synthetic_data.profiles.demo import DEMO
from synthetic_data.profiles.model import PracticeProfile
from synthetic_data.profiles.valley import VALLEY

PROFILES: dict[str, PracticeProfile] = {p.name: p for p in (DEMO, VALLEY)}


def get_profile(profile: str | PracticeProfile) -> PracticeProfile:
    """The named profile (a PracticeProfile passes through); ValueError names the known."""
    if isinstance(profile, PracticeProfile):
        return profile
    try:
        return PROFILES[profile]
    except KeyError:
        raise ValueError(f"unknown practice profile {profile!r} "
                         f"(known: {', '.join(sorted(PROFILES))})") from None
