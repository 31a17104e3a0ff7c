"""Assembly of one 837P claim draft into a validated contract claim (or its issues).

Fields the 837P does not carry default to unknown (None), never to an assumed True, and
are listed in the result's assumed_defaults; the prior-auth code list is assumed to be the
claim's procedure codes (the 837P carries only the REF*G1 number). A referral is on file
when REF*9F or a referring provider (NM1*DN) is sent, else unknown. Contract validation
errors are reported on the segment the field came from (CPT -> SV1, ICD-10 -> HI, birth
date -> DMG ...). A malformed NDC or drug quantity is dropped with a warning rather than
refusing the claim: the payer adjudicated the claim as sent, and that is what we learn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contract.schema import DRUG_QUANTITY, NDC
from interop.x12.payer_map import PayerMap, map_payer
from interop.x12.reader import is_truncation
from interop.x12.results import UNCARRIED_FIELDS, ClaimResult, Issue
from interop.x12.segments837 import (
    parse_hi,
    parse_sv1,
    transaction_submission_date,
    x12_date,
)
from interop.x12.validation import validate_contract

if TYPE_CHECKING:  # pragma: no cover - typing only
    from interop.x12.drafts import ClaimDraft, LineDraft
    from interop.x12.reader import Transaction

FIELD_SEGMENTS = {
    "claim_id": "CLM", "place_of_service": "CLM", "claim_frequency": "CLM",
    "payer_id": "NM1*PR", "submission_date": "BHT", "prior_authorization": "REF*G1",
    "diagnoses": "HI", "provider": "NM1*82", "lines": "SV1",
}


def x12_segment_for(loc: tuple[Any, ...], message: str) -> str:
    """The 837P segment a contract validation error points at."""
    if not loc:
        return "DTP*472" if "date" in message else "CLM"
    if loc[0] == "patient":
        return "NM1*IL" if "member_id" in loc else "DMG"
    if loc[0] == "lines" and "date_of_service" in loc:
        return "DTP*472"
    return FIELD_SEGMENTS.get(str(loc[0]), "CLM")


def collect_diagnoses(draft: ClaimDraft) -> tuple[list[str], list[Issue]]:
    """ICD-10 codes of the claim's HI segments, principal (ABK) first."""
    ranked: list[tuple[int, str]] = []
    issues: list[Issue] = []
    for seg in draft.hi:
        codes, found = parse_hi(seg)
        ranked.extend(codes)
        issues.extend(i for i in found if i not in issues)
    return [code for _, code in sorted(ranked, key=lambda pair: pair[0])], issues


def drug_fields(line: LineDraft) -> tuple[dict[str, str | None], list[str]]:
    """ndc and drug_quantity of a line's 2410 loop, and warnings for malformed ones."""
    out: dict[str, str | None] = {"ndc": None, "drug_quantity": None}
    notes = []
    if line.ndc and NDC.match(line.ndc):
        out["ndc"] = line.ndc
    elif line.ndc:
        notes.append(f"LIN*N4: line {line.number} NDC {line.ndc!r} is not 11 digits; dropped")
    quantity = f"{line.drug_unit} {line.drug_amount}".strip()
    if line.drug_amount and DRUG_QUANTITY.match(quantity):
        out["drug_quantity"] = quantity
    elif line.drug_amount or line.drug_unit:
        notes.append(f"CTP: line {line.number} drug quantity {quantity!r} is not a unit "
                     "(UN/ML/GR/F2/ME) and an amount; dropped")
    return out, notes


def build_line(draft: ClaimDraft,
               line: LineDraft) -> tuple[dict[str, Any] | None, list[Issue], list[str]]:
    """Contract line of one LX loop (SV1 + its own or the claim's DTP*472, LIN/CTP)."""
    if line.sv1 is None:
        return None, [Issue("SV1", f"line {line.number} (LX {line.number}) has no SV1")], []
    out, issues = parse_sv1(line.sv1, line.number)
    raw_date = line.dos or draft.dos
    out["date_of_service"] = x12_date(raw_date) if raw_date else None
    if out["date_of_service"] is None:
        issues.append(Issue("DTP*472", f"line {line.number}: no valid date of service "
                                       f"({raw_date or 'missing'})"))
    drug, notes = drug_fields(line)
    out.update(drug)
    return out, issues, notes


def collect_lines(draft: ClaimDraft) -> tuple[list[dict[str, Any]], list[Issue], list[str]]:
    """Contract lines of the claim, their issues and warnings; a claim without LX/SV1 is
    an SV1 issue."""
    if not draft.lines:
        return [], [Issue("SV1", "claim has no service lines (LX/SV1)")], []
    lines, issues, notes = [], [], []
    for line in draft.lines:
        out, found, more = build_line(draft, line)
        issues.extend(found)
        notes.extend(more)
        if out is not None:
            lines.append(out)
    return lines, issues, notes


def rendering_npi(draft: ClaimDraft) -> tuple[str, list[str]]:
    """Rendering NPI: claim NM1*82 (2310B), else the first line's (2420A), else billing
    NM1*85; lines rendered by another NPI are noted (the contract has one per claim)."""
    line_npis = [ln.rendering_npi for ln in draft.lines if ln.rendering_npi]
    npi = draft.rendering_npi or next(iter(line_npis), "")
    if npi:
        others = sorted({n for n in line_npis if n != npi})
        return npi, [f"NM1*82 (2420A): lines rendered by {len(others)} other NPI(s); the "
                     "claim keeps the first"] if others else []
    note = "NM1*82: no rendering provider; billing provider (NM1*85) NPI used"
    return draft.party.billing_npi, [note]


def prior_authorization(draft: ClaimDraft, lines: list[dict[str, Any]]) -> dict | None:
    """REF*G1 as a contract prior authorization covering the claim's procedure codes."""
    number = draft.refs.get("G1")
    if not number:
        return None
    codes = list(dict.fromkeys(str(ln["cpt"]) for ln in lines if ln.get("cpt")))
    return {"number": number, "cpt_codes": codes}


def contract_draft(draft: ClaimDraft, tx: Transaction, payer_id: str,
                   lines: list[dict[str, Any]], diagnoses: list[str],
                   npi: str) -> dict[str, Any]:
    """The contract-shaped dict of one claim (unknown fields None)."""
    birth, sex = draft.party.patient_dmg or draft.party.subscriber_dmg
    referral = bool(draft.refs.get("9F")) or draft.referring
    return {
        "claim_id": draft.clm.el(1), "payer_id": payer_id,
        "submission_date": transaction_submission_date(tx),
        "place_of_service": draft.clm.comp(5, 1),
        "patient": {"member_id": draft.party.member_id,
                    "birth_date": x12_date(birth) if birth else None, "sex": sex or None},
        "provider": {"rendering_npi": npi, "credentialed_with_payer": None},
        "eligibility": {"verified": None, "coverage_active": None},
        "prior_authorization": prior_authorization(draft, lines),
        "referral_on_file": True if referral else None,
        "cosmetic_intake": None, "diagnoses": diagnoses, "lines": lines,
        "claim_frequency": draft.clm.comp(5, 3) or "1",
    }


def assumed_defaults(contract: dict[str, Any]) -> tuple[str, ...]:
    """Contract fields set by assumption rather than read from the 837P."""
    extra = [] if contract["referral_on_file"] else ["referral_on_file"]
    if contract["prior_authorization"]:
        extra.append("prior_authorization.cpt_codes")
    return (*UNCARRIED_FIELDS, *extra)


def assemble_claim(draft: ClaimDraft, tx: Transaction, warnings: tuple[str, ...] = (),
                   payer_map: PayerMap | None = None, lenient: bool = False) -> ClaimResult:
    """Validated contract claim of one CLM loop, or every issue found in it. `lenient`
    (bulk ingest) keeps a claim whose transaction only has a wrong SE count or control
    number, noting it: every segment of the claim was read."""
    soft = [i for i in tx.issues if lenient and not is_truncation(i)]
    diagnoses, issues = collect_diagnoses(draft)
    lines, line_issues, line_notes = collect_lines(draft)
    issues += line_issues
    if not draft.party.payer:
        issues.append(Issue("NM1*PR", "no payer identifier (NM109)"))
    if not (draft.party.patient_dmg or draft.party.subscriber_dmg)[0]:
        issues.append(Issue("DMG", "no patient birth date/sex (DMG in 2010BA or 2010CA)"))
    payer_id, mapped = map_payer(draft.party.payer, payer_map)
    npi, notes = rendering_npi(draft)
    notes.extend([*line_notes, *map(str, soft)])
    if not mapped and draft.party.payer:
        notes.append(f"NM1*PR: payer id {draft.party.payer!r} not in the payer map; kept "
                     "as is (scored by the pooled model)")
    contract = contract_draft(draft, tx, payer_id, lines, diagnoses, npi)
    claim, invalid = validate_contract(contract, x12_segment_for)
    seen = {i.segment for i in issues}
    hard = [i for i in tx.issues if i not in soft]
    errors = [*hard, *issues, *(i for i in invalid if i.segment not in seen)]
    return ClaimResult(
        claim_id=draft.clm.el(1) or None, claim=None if errors else claim,
        errors=tuple(errors), assumed_defaults=assumed_defaults(contract),
        warnings=(*notes, *warnings), source_payer_id=draft.party.payer or None,
        payer_mapped=mapped, original_reference=draft.refs.get("F8") or None,
    )
