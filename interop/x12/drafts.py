"""The 837P loops as read (HL party, CLM claim, LX lines), before mapping to the contract.

Filled by the walker in claims837, mapped and validated by build837.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from interop.x12.reader import Seg


@dataclass
class Party:
    """Values a claim inherits from its HL hierarchy."""

    billing_npi: str = ""
    member_id: str = ""
    payer: str = ""
    payer_name: str = ""
    subscriber_dmg: tuple[str, str] = ("", "")
    patient_dmg: tuple[str, str] | None = None


@dataclass
class LineDraft:
    """One LX loop: its number, SV1, date of service, rendering NPI (2420A) and drug
    identification (2410: LIN*N4 NDC, CTP quantity and unit)."""

    number: int
    sv1: Seg | None = None
    dos: str = ""
    rendering_npi: str = ""
    ndc: str = ""
    drug_amount: str = ""
    drug_unit: str = ""


@dataclass
class ClaimDraft:
    """One CLM loop as read, before mapping to the contract. `referring` is True when a
    referring provider (2310A NM1*DN) is named."""

    clm: Seg
    party: Party
    hi: list[Seg] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)
    rendering_npi: str = ""
    dos: str = ""
    referring: bool = False
    lines: list[LineDraft] = field(default_factory=list)
