"""Coding-consistency checker: pure functions over claims that return findings with the
line, the rule, claim-language text, the correct change (contract fix vocabulary) and
its source (NCCI PTP/MUE, MPFS global days, CPT descriptors, ICD-10-CM, LCDs, CMS
manuals, shared/domain §). Reads reference/ and contract/ only.

    check_frames(frames, cms)   per-line int8 flags per rule (0/1 warning/2 error)
    check_claims(claims, cms)   list of Finding lists, one per claim
    check_claim(claim, cms)     Finding list of one claim
    is_coding_valid(claim, cms) no error-severity finding
    errors_added(before, after, cms)  errors a change introduced
    apply_fix(claim, finding)   the claim dict with the finding's change applied
"""

from features.checks.apply import apply_fix
from features.checks.engine import (
    RULE_IDS,
    check_claim,
    check_claims,
    check_frames,
    check_hits,
    errors_added,
    is_coding_valid,
)
from features.checks.findings import Finding
from features.checks.texts import RULES

__all__ = ["RULES", "RULE_IDS", "Finding", "apply_fix", "check_claim", "check_claims",
           "check_frames", "check_hits", "errors_added", "is_coding_valid"]
