"""The six payers' hidden behaviour: mix, members, and how hard each rule is enforced.

Everything here is ground truth the models must learn from outcomes, never read:
`ENFORCEMENT[rule][payer]` is the probability that the payer denies a claim on which the
rule's trigger is present (1.0 = hard, deterministic edit). Values follow shared/domain
§10: Medicare runs NCCI/MUE edits mechanically, MA adds prior auth and stricter medical
necessity review, Medicaid churns eligibility and caps phototherapy, COA wants X{EPSU}
and a separate E/M note (and tightens that on a dated rule change), COB is an HMO with
referrals, prior auth and a strict cosmetic exclusion, COC is small and lenient.
"""

from __future__ import annotations

from reference.vocab import PAYERS

PAYER_MIX: dict[str, float] = {
    "MCR": 0.30, "MCA": 0.20, "MCD": 0.12, "COA": 0.20, "COB": 0.16, "COC": 0.02,
}
# P(child <18, adult 18-64, senior 65+) of a payer's patients.
AGE_BANDS: dict[str, tuple[float, float, float]] = {
    "MCR": (0.0, 0.08, 0.92), "MCA": (0.0, 0.05, 0.95), "MCD": (0.35, 0.62, 0.03),
    "COA": (0.14, 0.81, 0.05), "COB": (0.15, 0.80, 0.05), "COC": (0.12, 0.83, 0.05),
}

# rule -> reason category it denies under (contract vocabulary).
RULE_CATEGORY: dict[str, str] = {
    "em_missing_25": "modifier",
    "em_25_no_note": "modifier",
    "em_25_destruction_no_note": "modifier",
    "bypass_59_not_x": "modifier",
    "ptp_unbypassed": "bundling",
    "ptp_mi0": "bundling",
    "bypass_no_distinct": "bundling",
    "orphan_addon": "bundling",
    "in_global": "global_period",
    "mue_mai1": "units",
    "mue_mai2": "units",
    "mue_mai3": "units",
    "dx_unsupported": "diagnosis_mismatch",
    "benign_no_symptoms": "medical_necessity",
    "screening_only": "medical_necessity",
    "no_prior_treatment": "medical_necessity",
    "no_necessity_note": "medical_necessity",
    "mohs_auc_fail": "medical_necessity",
    "cosmetic_dx": "cosmetic",
    "cosmetic_dx_symptomatic": "cosmetic",
    "cosmetic_intake": "cosmetic",
    "pa_missing": "authorization",
    "referral_missing": "authorization",
    "photo_over_cap": "frequency",
    "docs_missing": "missing_information",
    "no_pathology": "missing_information",
    "base_noise": "missing_information",
    "eligibility_unknown": "eligibility",
    "credential_unknown": "credentialing",
}

_ROWS: dict[str, tuple[float, ...]] = {
    #                            MCR    MCA    MCD    COA    COB    COC
    "em_missing_25":            (0.90, 0.95, 0.90, 0.95, 0.90, 0.80),
    "em_25_no_note":            (0.03, 0.25, 0.05, 0.85, 0.08, 0.03),
    "em_25_destruction_no_note": (0.03, 0.25, 0.05, 0.05, 0.08, 0.03),
    "bypass_59_not_x":          (0.00, 0.00, 0.00, 0.90, 0.10, 0.00),
    "ptp_unbypassed":           (0.97, 0.95, 0.90, 0.90, 0.75, 0.60),
    "ptp_mi0":                  (1.00, 1.00, 1.00, 0.95, 0.90, 0.80),
    "bypass_no_distinct":       (0.10, 0.30, 0.15, 0.20, 0.15, 0.08),
    "orphan_addon":             (0.95, 0.95, 0.90, 0.90, 0.85, 0.70),
    "in_global":                (0.90, 0.90, 0.85, 0.85, 0.85, 0.60),
    "mue_mai1":                 (0.70, 0.70, 0.70, 0.50, 0.50, 0.30),
    "mue_mai2":                 (1.00, 1.00, 1.00, 0.90, 0.85, 0.70),
    "mue_mai3":                 (0.85, 0.85, 0.80, 0.60, 0.60, 0.40),
    "dx_unsupported":           (0.85, 0.90, 0.85, 0.80, 0.85, 0.70),
    "benign_no_symptoms":       (0.45, 0.85, 0.65, 0.40, 0.50, 0.30),
    "screening_only":           (0.90, 0.90, 0.60, 0.10, 0.15, 0.05),
    "no_prior_treatment":       (0.10, 0.40, 0.35, 0.15, 0.35, 0.05),
    "no_necessity_note":        (0.15, 0.50, 0.25, 0.15, 0.30, 0.05),
    "mohs_auc_fail":            (0.05, 0.45, 0.10, 0.10, 0.60, 0.02),
    "cosmetic_dx":              (0.70, 0.85, 0.70, 0.65, 0.90, 0.55),
    "cosmetic_dx_symptomatic":  (0.03, 0.08, 0.05, 0.08, 0.35, 0.03),
    "cosmetic_intake":          (0.95, 0.95, 0.95, 0.90, 0.98, 0.85),
    "pa_missing":               (0.00, 0.95, 0.95, 0.00, 0.95, 0.00),
    "referral_missing":         (0.00, 0.00, 0.00, 0.00, 0.85, 0.00),
    "photo_over_cap":           (0.00, 0.60, 0.90, 0.00, 0.70, 0.00),
    "docs_missing":             (0.10, 0.60, 0.40, 0.40, 0.30, 0.15),
    "no_pathology":             (0.05, 0.45, 0.20, 0.25, 0.30, 0.10),
    "base_noise":               (0.006, 0.012, 0.012, 0.010, 0.010, 0.012),
    "eligibility_unknown":      (0.02, 0.06, 0.18, 0.03, 0.04, 0.04),
    "credential_unknown":       (0.05, 0.08, 0.10, 0.08, 0.10, 0.08),
}

# Dated rule changes: rule -> payer -> probability from the drift date on (date of service).
DRIFT_RULES: dict[str, dict[str, float]] = {"em_25_destruction_no_note": {"COA": 0.85}}
# 17000-series destructions that COA's drifted 25 policy covers.
DRIFT_DESTRUCTION_CODES: tuple[str, ...] = ("17000", "17003", "17004", "17110", "17111")

PHOTOTHERAPY_CODES: tuple[str, ...] = ("96900", "96910", "96912", "96920", "96921", "96922")
BIOLOGIC_CODES: tuple[str, ...] = ("J3358",)
MOHS_CODES: tuple[str, ...] = ("17311", "17312", "17313", "17314", "17315")
# Codes each payer puts under prior authorization (§10).
PA_REQUIRED: dict[str, tuple[str, ...]] = {
    "MCR": (),
    "MCA": PHOTOTHERAPY_CODES + MOHS_CODES + BIOLOGIC_CODES,
    "MCD": PHOTOTHERAPY_CODES + BIOLOGIC_CODES,
    "COA": (),
    "COB": PHOTOTHERAPY_CODES + MOHS_CODES + BIOLOGIC_CODES,
    "COC": (),
}
REFERRAL_REQUIRED: frozenset[str] = frozenset({"COB"})
# Phototherapy sessions per claim period a payer pays before CO-119.
PHOTO_SESSION_CAP: dict[str, int] = {"MCA": 15, "MCD": 10, "COB": 15}


def default_enforcement() -> dict[str, dict[str, float]]:
    """A fresh copy of the enforcement table as rule -> payer -> probability."""
    return {rule: dict(zip(PAYERS, row)) for rule, row in _ROWS.items()}
