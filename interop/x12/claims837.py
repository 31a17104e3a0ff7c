"""837P (005010X222A1) -> contract claims: parse_837p(text) -> list[ClaimResult].

A small loop-aware walker collects, per CLM, what the claim inherits from its HL
hierarchy (billing NPI from 2010AA, member id and payer from 2010BA/BB; DMG from the
subscriber, or from the patient loop 2010CA when the patient is a dependant: the member
id stays the subscriber's) and what it holds itself (CLM05-3 frequency, HI, REF*G1 prior
auth, REF*9F referral, REF*F8 original claim, NM1*DN referring and NM1*82 rendering
provider, LX/SV1/DTP, LIN*N4 + CTP drug lines). The 2320/2330 other-subscriber loops (COB)
are skipped so a secondary payer never replaces the primary. Assembly and validation live
in build837.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from interop.x12.build837 import assemble_claim
from interop.x12.drafts import ClaimDraft, LineDraft, Party
from interop.x12.payer_map import PayerMap, load_payer_map
from interop.x12.reader import Seg, Transaction, read_interchange
from interop.x12.results import ClaimResult, interchange_error

HL_ZONES = {"20": "billing", "22": "subscriber", "23": "patient"}
CLAIM_ZONES = {"claim", "other", "line"}


@dataclass
class Walk:
    """Walker state: the current loop zone, inherited party, open claim, finished claims."""

    zone: str = "header"
    party: Party = field(default_factory=Party)
    claim: ClaimDraft | None = None
    done: list[ClaimDraft] = field(default_factory=list)


def close_claim(walk: Walk) -> None:
    """Finish the open claim (at HL, CLM or the end of the transaction)."""
    if walk.claim is not None:
        walk.done.append(walk.claim)
    walk.claim = None


def on_hl(walk: Walk, seg: Seg) -> None:
    """HL: a new billing provider (20), subscriber (22) or patient (23) level."""
    close_claim(walk)
    walk.zone = HL_ZONES.get(seg.el(3), "other")
    if walk.zone == "billing":
        walk.party = Party()
    elif walk.zone == "subscriber":
        walk.party = Party(billing_npi=walk.party.billing_npi)
    elif walk.zone == "patient":
        walk.party = replace(walk.party, patient_dmg=None)


def on_nm1(walk: Walk, seg: Seg) -> None:
    """NM1: billing (85), subscriber (IL), payer (PR), referring (DN), rendering (82)."""
    role, ident = seg.el(1), seg.el(9)
    if walk.zone == "billing" and role == "85":
        walk.party.billing_npi = ident
    elif walk.zone == "subscriber" and role == "IL":
        walk.party.member_id = ident
    elif walk.zone == "subscriber" and role == "PR":
        walk.party.payer, walk.party.payer_name = ident, seg.el(3)
    elif walk.claim is not None and role == "DN" and walk.zone == "claim":
        walk.claim.referring = True
    elif walk.claim is not None and role == "82" and walk.zone == "claim":
        walk.claim.rendering_npi = walk.claim.rendering_npi or ident
    elif walk.claim is not None and role == "82" and walk.zone == "line":
        walk.claim.lines[-1].rendering_npi = ident


def on_dmg(walk: Walk, seg: Seg) -> None:
    """DMG: birth date and sex of the subscriber (2010BA) or patient (2010CA)."""
    values = (seg.el(2), seg.el(3).upper())
    if walk.zone == "subscriber":
        walk.party.subscriber_dmg = values
    elif walk.zone == "patient":
        walk.party.patient_dmg = values


def on_clm(walk: Walk, seg: Seg) -> None:
    """CLM: open a claim that inherits a copy of the current hierarchy values."""
    close_claim(walk)
    walk.claim = ClaimDraft(clm=seg, party=replace(walk.party))
    walk.zone = "claim"


def on_claim_segment(walk: Walk, seg: Seg) -> None:
    """HI, REF, DTP, SBR, LX, SV1 inside a claim (2300/2320/2400 loops)."""
    claim = walk.claim
    if claim is None or walk.zone not in CLAIM_ZONES:
        return
    if seg.id == "SBR":
        walk.zone = "other"
    elif seg.id == "LX":
        number = int(seg.el(1)) if seg.el(1).isdecimal() else len(claim.lines) + 1
        claim.lines.append(LineDraft(number))
        walk.zone = "line"
    elif walk.zone == "claim":
        note_claim_level(claim, seg)
    elif walk.zone == "line":
        note_line_level(claim, seg)


def note_claim_level(claim: ClaimDraft, seg: Seg) -> None:
    """Claim-level HI, REF (G1 prior auth, 9F referral) and DTP*472."""
    if seg.id == "HI":
        claim.hi.append(seg)
    elif seg.id == "REF":
        claim.refs.setdefault(seg.el(1).upper(), seg.el(2))
    elif seg.id == "DTP" and seg.el(1) == "472":
        claim.dos = seg.el(3)


def note_line_level(claim: ClaimDraft, seg: Seg) -> None:
    """Line-level SV1, DTP*472, REF*G1 (a prior auth may sit on the line) and the drug
    identification of 2410: LIN*<>*N4*<NDC> and CTP04 quantity / CTP05-1 unit."""
    line = claim.lines[-1]
    if seg.id == "SV1" and line.sv1 is None:
        line.sv1 = seg
    elif seg.id == "DTP" and seg.el(1) == "472":
        line.dos = line.dos or seg.el(3)
    elif seg.id == "REF" and seg.el(1).upper() == "G1":
        claim.refs.setdefault("G1", seg.el(2))
    elif seg.id == "LIN" and seg.el(2).upper() == "N4":
        line.ndc = line.ndc or seg.el(3)
    elif seg.id == "CTP":
        line.drug_amount, line.drug_unit = seg.el(4), seg.comp(5, 1).upper()


HANDLERS: dict[str, Callable[[Walk, Seg], None]] = {
    "HL": on_hl, "NM1": on_nm1, "DMG": on_dmg, "CLM": on_clm,
}


def walk_claims(tx: Transaction) -> list[ClaimDraft]:
    """The CLM loops of one 837P transaction, in file order."""
    walk = Walk()
    for seg in tx.segments:
        HANDLERS.get(seg.id, on_claim_segment)(walk, seg)
    close_claim(walk)
    return walk.done


def transaction_error(tx: Transaction) -> ClaimResult | None:
    """A transaction-level error when the transaction is not an 837P (else None)."""
    if tx.kind != "837":
        return interchange_error("ST", f"transaction set {tx.kind!r} is not an 837P",
                                 "transaction", tx.control)
    if tx.version and not tx.version.startswith("005010X222"):
        return interchange_error("ST", f"implementation {tx.version!r} is not 837P "
                                       "005010X222", "transaction", tx.control)
    return None


def parse_transaction(tx: Transaction, warnings: tuple[str, ...],
                      payer_map: PayerMap | None = None,
                      lenient: bool = False) -> list[ClaimResult]:
    """Results of one transaction: its claims, or one transaction-level error."""
    refused = transaction_error(tx)
    if refused is not None:
        return [refused]
    drafts = walk_claims(tx)
    if not drafts:
        reason = "; ".join(map(str, tx.issues)) or "transaction holds no CLM claim"
        return [interchange_error("CLM", reason, "transaction", tx.control)]
    return [assemble_claim(d, tx, warnings, payer_map, lenient) for d in drafts]


def parse_safely(tx: Transaction, warnings: tuple[str, ...], payer_map: PayerMap,
                 lenient: bool = False) -> list[ClaimResult]:
    """parse_transaction with a last-resort guard: input must never make the reader raise."""
    try:
        return parse_transaction(tx, warnings, payer_map, lenient)
    except Exception as exc:  # noqa: BLE001 - reported as a transaction error instead
        return [interchange_error("ST", f"transaction could not be read: {exc!r}",
                                  "transaction", tx.control)]


def parse_837p(text: str, payer_map: PayerMap | None = None, fast: bool = False,
               lenient: bool = False) -> list[ClaimResult]:
    """Contract claims (or per-claim errors) of an 837P interchange; never raises.

    Interchange-level problems (not X12, truncated, missing IEA) come back as extra
    results with level='interchange' and claim_id None, after the claims that were read.
    Bulk ingest sets `fast` (no pyx12 envelope warnings; see reader.tokenize) and
    `lenient` (a wrong SE count is a warning, not a refusal; build837.assemble_claim).
    """
    interchange = read_interchange(text, fast)
    payer_map = payer_map or load_payer_map()
    results: list[ClaimResult] = []
    for tx in interchange.transactions:
        results.extend(parse_safely(tx, interchange.warnings, payer_map, lenient))
    results.extend(ClaimResult(claim_id=None, errors=(issue,), level="interchange",
                               warnings=interchange.warnings)
                   for issue in interchange.issues)
    return results


def read_837p_file(path: str | Path, payer_map: PayerMap | None = None,
                   fast: bool = False, lenient: bool = False) -> list[ClaimResult]:
    """parse_837p of a file (undecodable bytes are replaced, so they surface as errors)."""
    return parse_837p(Path(path).read_text(encoding="utf-8", errors="replace"), payer_map,
                      fast, lenient)
