"""Synthetic dermatology claims with hidden per-payer rules, outcomes and oracle truth.

Pipeline per chunk: patients (headers) -> encounters (line blocks) -> coding (modifiers,
diagnosis pointers) -> documentation / front desk -> synthesize (ClaimFrames) ->
adjudicate (outcome + oracle_p_* columns). Entry points live in synthetic_data.generate.
"""
