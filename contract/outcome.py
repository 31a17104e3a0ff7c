"""What a payer answered, as columns beside the contract columns of a data set.

A data set (contract/dataset.py) holds the contract columns (contract/frames.py) and, for
claims with an answer, these outcome columns. Two writers fill them: the X12 ingest from
a practice's 835 remits (interop/), and the generator (synthetic_data/), which also adds
its ground truth. Readers: training (labels), KPIs, the monitor, the X12 835 writer.

Claims:
  denied              bool: some line (or the claim) was not allowed for a denial reason
  denial_carc         the payer's primary denial CARC with its group, as sent ("CO-16")
  denial_rarc         the payer's RARCs on that denial, space-joined ("M119"); "" if none
  denial_category     our reason category (reference/vocab.CATEGORY_CARC keys) of it
  denied_lines        space-joined line numbers denied ("" when paid)
  claim_status        835 CLP02: "1" processed as primary, "2" secondary, "4" denied,
                      "22" reversal of a previous payment
  payer_claim_number  835 CLP07, the payer's claim control number (a corrected claim's
                      REF*F8 points at it)
  paid_amount         CLP04; patient_responsibility: CLP05
Lines:
  line_allowed, line_paid      SVC allowed (charge - CO adjustments) and paid amounts
  line_adjustments    every CAS of the line, space-joined "GROUP-CARC:amount"
                      ("CO-45:35.00 PR-1:80.00"; a denial: "CO-4:125.00")
  line_rarcs          LQ*HE remark codes of the line, space-joined
  line_denied         bool: the line carries a denial CARC

Allowed with patient responsibility is paid, not denied: CO-45 (contractual), CO-253,
CO-42, CO-A2 and PR-1/2/3 (deductible, coinsurance, copay) are never denials, even at $0
paid (shared/domain §11). Generated data sets add `oracle_*`, `hidden_*` and
`denial_rule` columns (synthetic_data/): ground truth no feature may read.
"""

from __future__ import annotations

from typing import Any

LABEL_COLUMNS: tuple[str, ...] = (
    "denied", "denial_carc", "denial_rarc", "denial_category", "denied_lines",
)
CLAIM_OUTCOME_COLUMNS: tuple[str, ...] = (
    *LABEL_COLUMNS, "claim_status", "payer_claim_number", "paid_amount",
    "patient_responsibility",
)
# What a practice learns about its providers from each remit, kept in its history store
# (interop/history.py): who was paid or denied, by which payer, for which CARC, and when
# the claim went out (features/standing.py reads a provider's enrolment from them).
PROVIDER_OUTCOME_COLUMNS: tuple[str, ...] = (
    "payer_id", "rendering_npi", "submission_date", "denied", "denial_carc",
)


def has_provider_outcomes(claims: Any) -> bool:
    """The claims carry PROVIDER_OUTCOME_COLUMNS (a data set's or a history store's;
    claims to be scored do not)."""
    return all(c in claims for c in PROVIDER_OUTCOME_COLUMNS)


LINE_OUTCOME_COLUMNS: tuple[str, ...] = (
    "line_allowed", "line_paid", "line_adjustments", "line_rarcs", "line_denied",
)
# Ground truth of generated data sets: never a feature (features/registry.py checks).
TRUTH_PREFIXES: tuple[str, ...] = ("oracle_", "hidden_")
TRUTH_COLUMNS: tuple[str, ...] = ("denial_rule",)
# CARCs of an allowed line: contractual write-downs and the patient's share.
NOT_DENIAL_CARCS: frozenset[str] = frozenset({"45", "42", "253", "A2", "1", "2", "3"})
