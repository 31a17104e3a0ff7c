"""`demo`: the contract's six payers (MCR, MCA, MCD, COA, COB, COC) as shared/domain §10
describes them, a 14-provider practice and average coding habits.

Targets (§10): MCR ~8% initial denials, MCA ~15%, MCD ~16%, COA ~13%, COB ~14%, COC ~9%.
COA's quiet change (2026-04-01) extends its modifier-25 review to 17000-series
destructions and reviews nearly every 25-E/M with a minor procedure; one physician and
one NP join mid-window and are billed before some payers enrol them.
"""

from __future__ import annotations

from datetime import date

from reference.families import MOHS_CODES, PHOTOTHERAPY_CODES
from synthetic_data.profiles.model import (
    BIOLOGICS,
    Benefits,
    Habits,
    PayerProfile,
    PracticeProfile,
    ProviderProfile,
    RuleChange,
)

MEDICARE_BENEFITS = Benefits(fee_factor=1.0, deductible=257.0, coinsurance=0.20,
                             met_elsewhere_days=120, sequestration=0.02)

PAYERS = (
    PayerProfile(
        id="MCR", name="Medicare Part B", archetype="medicare_ffs", share=0.30,
        age_mix=(0.0, 0.08, 0.92), member_id_shape="NLDLDLDLLDD", filing_limit_days=365,
        em25_review_rate=0.02, admin_error_rate=0.003, eligibility_churn=0.5,
        rule_probability={"benign_removal_no_symptoms": 0.22},
        benefits=MEDICARE_BENEFITS, claim_number_prefix="22"),
    PayerProfile(
        id="MCA", name="Medicare Advantage plan", archetype="medicare_advantage", share=0.20,
        age_mix=(0.0, 0.05, 0.95), member_id_shape="NLDLDLDLLDD", filing_limit_days=365,
        prior_auth_codes=PHOTOTHERAPY_CODES + MOHS_CODES[:2] + BIOLOGICS,
        photo_sessions_per_year=48, em25_review_rate=0.12, ndc_required=True,
        strictness="strict", admin_error_rate=0.005, eligibility_churn=1.2,
        benefits=Benefits(fee_factor=1.0, coinsurance=0.20, em_copay=40.0),
        claim_number_prefix="MA"),
    PayerProfile(
        id="MCD", name="State Medicaid plan", archetype="medicaid", share=0.12,
        age_mix=(0.35, 0.62, 0.03), member_id_shape="DDDDDDDDDDD", filing_limit_days=180,
        prior_auth_codes=PHOTOTHERAPY_CODES + BIOLOGICS, photo_sessions_per_year=30,
        em25_review_rate=0.04, anatomic_modifiers_required=True, ndc_required=True,
        admin_error_rate=0.006, eligibility_churn=3.5,
        benefits=Benefits(fee_factor=0.72, em_copay=3.0), claim_number_prefix="MD"),
    PayerProfile(
        id="COA", name="National commercial PPO", archetype="commercial_ppo", share=0.20,
        age_mix=(0.14, 0.81, 0.05), member_id_shape="WDDDDDDDDD", filing_limit_days=90,
        x_modifier_required=True, em25_review_rate=0.62, em25_review_destructions=False,
        ndc_required=True, admin_error_rate=0.005,
        benefits=Benefits(fee_factor=1.35, deductible=1500.0, coinsurance=0.20,
                          em_copay=50.0),
        changes=(RuleChange(rule="em25_not_supported", effective=date(2026, 4, 1),
                            params={"em25_review_destructions": True,
                                    "em25_review_rate": 0.9},
                            note="the 25 review extends to 17000-series destructions "
                                 "and reviews nearly every 25-E/M"),),
        claim_number_prefix="A"),
    PayerProfile(
        id="COB", name="Regional commercial HMO", archetype="commercial_hmo", share=0.16,
        age_mix=(0.15, 0.80, 0.05), member_id_shape="XJBDDDDDDDDD", filing_limit_days=180,
        prior_auth_codes=PHOTOTHERAPY_CODES + MOHS_CODES[:2] + BIOLOGICS,
        referral_required=True, photo_sessions_per_year=40, em25_review_rate=0.06,
        anatomic_modifiers_required=True, ndc_required=True, strictness="strict",
        admin_error_rate=0.005, eligibility_churn=1.2,
        rule_probability={"referral_missing": 0.8, "benign_removal_no_symptoms": 0.4},
        benefits=Benefits(fee_factor=1.15, coinsurance=0.10, em_copay=40.0),
        claim_number_prefix="B"),
    PayerProfile(
        id="COC", name="Small commercial plan", archetype="commercial_small", share=0.02,
        age_mix=(0.12, 0.83, 0.05), member_id_shape="CDDDDDDDD", filing_limit_days=180,
        em25_review_rate=0.08, admin_error_rate=0.01, ndc_required=True,
        rule_probability={"benign_removal_no_symptoms": 0.35, "em_in_global": 0.8,
                          "procedure_in_global": 0.8, "ncci_unbypassed": 0.75,
                          "dx_not_supporting": 0.85, "mue_exceeded": 0.85,
                          "cosmetic_not_covered": 0.95, "em_missing_modifier": 0.9},
        benefits=Benefits(fee_factor=1.25, deductible=2500.0, coinsurance=0.25,
                          em_copay=60.0),
        claim_number_prefix="C"),
)

PROVIDERS = (
    ProviderProfile(npi_base=123456780, kind="MD", mohs_surgeon=True, weight=1.2),
    ProviderProfile(npi_base=123464699, kind="MD", mohs_surgeon=True, weight=1.1),
    ProviderProfile(npi_base=123472618, kind="MD", weight=1.3),
    ProviderProfile(npi_base=123480537, kind="DO", weight=1.2),
    ProviderProfile(npi_base=123488456, kind="MD", weight=1.2),
    ProviderProfile(npi_base=123496375, kind="MD", weight=1.0),
    ProviderProfile(npi_base=123504294, kind="MD", weight=1.0),
    ProviderProfile(npi_base=123512213, kind="MD", weight=1.0, starts=date(2025, 9, 2),
                    enrolled={"MCR": date(2025, 9, 22), "MCA": date(2025, 10, 20),
                              "MCD": date(2025, 9, 22), "COA": date(2025, 11, 3),
                              "COB": date(2025, 10, 15)}),
    ProviderProfile(npi_base=123520132, kind="NP", weight=0.9),
    ProviderProfile(npi_base=123528051, kind="NP", weight=0.9),
    ProviderProfile(npi_base=123535970, kind="NP", weight=0.8,
                    enrolled={"COB": date(2025, 2, 3)}),
    ProviderProfile(npi_base=123543889, kind="NP", weight=0.8, starts=date(2026, 1, 5),
                    enrolled={"MCR": date(2026, 2, 16), "MCD": date(2026, 4, 1),
                              "COB": date(2026, 2, 2)}),
    ProviderProfile(npi_base=123551808, kind="PA", weight=0.8),
    ProviderProfile(npi_base=123559727, kind="PA", weight=0.8),
)

DEMO = PracticeProfile(
    name="demo",
    description="Six contract payers (shared/domain §10), 14 providers, average habits.",
    payers=PAYERS, providers=PROVIDERS, habits=Habits(),
    claims=300_000, start=date(2025, 1, 1), end=date(2026, 6, 30),
)
