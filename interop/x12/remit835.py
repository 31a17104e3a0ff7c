"""835 (005010X221A1) remittances: parse_835(text) -> list[Remit], one per CLP.

A remit keeps what labels a claim and what tells which claim event it answers: CLP01
(= the 837P CLM01), the CLP02 status, CLP03-05 amounts, CLP07 payer claim control number,
CLP09 claim frequency, REF*F8 (the original claim a replacement points at), the claim
dates (DTM*232/233) and the remittance date (DTM*405, else BPR16); the claim-level and
per-service CAS adjustments (group, CARC, amount), the RARCs (LQ*HE on a service, MOA/MIA
on the claim), AMT*B6 allowed amounts and REF*6R line references. Structural problems of
the transaction (bad SE count, truncation) ride along as issues so ingest can refuse them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from interop.x12.reader import Seg, Transaction, read_interchange
from interop.x12.results import Issue
from interop.x12.segments837 import parse_number, x12_date

MOA_REMARKS = range(3, 8)  # MOA03..MOA07
MIA_REMARKS = (5, 20, 21, 22, 23)


@dataclass(frozen=True)
class Adjustment:
    """One CAS triplet: group code (CO/PR/OA/PI/CR), CARC and amount."""

    group: str
    carc: str
    amount: float | None

    @property
    def code(self) -> str:
        """Group-CARC, e.g. CO-45."""
        return f"{self.group}-{self.carc}"


@dataclass
class ServiceRemit:
    """One SVC loop (2110): the service paid or adjusted, with its own CAS and RARCs."""

    procedure: str
    modifiers: tuple[str, ...]
    charge: float | None
    paid: float | None
    units: float | None
    submitted_procedure: str = ""
    line_ref: str = ""
    service_date: str | None = None
    allowed: float | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)


@dataclass
class Remit:
    """One CLP loop (2100): the payer's decision on one claim."""

    claim_id: str
    status: str
    charge: float | None
    paid: float | None
    patient_responsibility: float | None
    payer_claim_id: str = ""
    payer_name: str = ""
    payer_id: str = ""
    member_id: str = ""
    transaction: str = ""
    frequency: str = ""
    original_reference: str = ""
    service_from: str | None = None
    remitted_on: str | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    services: list[ServiceRemit] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    issues: tuple[Issue, ...] = ()

    @property
    def all_adjustments(self) -> list[Adjustment]:
        """Claim-level then service-level adjustments."""
        return self.adjustments + [a for s in self.services for a in s.adjustments]

    @property
    def adjustment_codes(self) -> list[str]:
        """Distinct Group-CARC codes at claim or line level, in file order."""
        return list(dict.fromkeys(a.code for a in self.all_adjustments))

    @property
    def rarcs(self) -> list[str]:
        """Distinct remark codes (MOA/MIA and LQ*HE), in file order."""
        return list(dict.fromkeys(self.remarks + [r for s in self.services for r in s.remarks]))


@dataclass(frozen=True)
class RemitFile:
    """All remits of one 835 text plus the problems that are not tied to one claim."""

    remits: list[Remit]
    issues: tuple[Issue, ...]


def parse_cas(seg: Seg) -> list[Adjustment]:
    """The up-to-six (CARC, amount, quantity) triplets of a CAS segment."""
    group = seg.el(1).upper()
    out = []
    for start in range(2, 20, 3):
        if seg.el(start):
            out.append(Adjustment(group, seg.el(start).upper(), parse_number(seg.el(start + 1))))
    return out


def parse_svc(seg: Seg) -> ServiceRemit:
    """SVC: procedure (HC:code:mods), charge, paid, units (SVC05, default 1) and the
    submitted procedure (SVC06) when the payer adjudicated a different code."""
    parts, submitted = seg.procedure(1), seg.procedure(6)
    units = parse_number(seg.el(5)) if seg.el(5) else 1.0
    return ServiceRemit(
        procedure=parts[1].upper() if len(parts) > 1 else parts[0].upper(),
        modifiers=tuple(m.upper() for m in parts[2:6] if m),
        charge=parse_number(seg.el(2)), paid=parse_number(seg.el(3)), units=units,
        submitted_procedure=submitted[1].upper() if len(submitted) > 1 else "",
    )


def parse_clp(seg: Seg, header: dict[str, str], tx: Transaction) -> Remit:
    """CLP: a new remit carrying the payer and remittance date of the transaction header."""
    return Remit(
        claim_id=seg.el(1), status=seg.el(2), charge=parse_number(seg.el(3)),
        paid=parse_number(seg.el(4)), patient_responsibility=parse_number(seg.el(5)),
        payer_claim_id=seg.el(7), payer_name=header.get("payer_name", ""),
        payer_id=header.get("payer_id", ""), transaction=tx.control, issues=tx.issues,
        frequency=seg.el(9), remitted_on=header.get("remitted_on"),
    )


def remark_codes(seg: Seg) -> list[str]:
    """RARCs of an MOA or MIA segment."""
    positions = MOA_REMARKS if seg.id == "MOA" else MIA_REMARKS
    return [seg.el(n).upper() for n in positions if seg.el(n)]


def remittance_date(seg: Seg, header: dict[str, str]) -> str | None:
    """DTM*405 (production date) wins over BPR16 (payment date) as the remit's date."""
    if seg.id == "DTM" and seg.el(1) == "405":
        return x12_date(seg.el(2))
    if seg.id == "BPR" and not header.get("remitted_on"):
        return x12_date(seg.el(16))
    return None


def note_header(seg: Seg, header: dict[str, str]) -> None:
    """Payer name/id from N1*PR (N104) or REF*2U, and the remittance date (DTM*405
    production date, else BPR16 payment date), before the first CLP."""
    if seg.id == "N1" and seg.el(1) == "PR":
        header.update(payer_name=seg.el(2), payer_id=seg.el(4))
    elif seg.id == "REF" and seg.el(1) == "2U" and not header.get("payer_id"):
        header["payer_id"] = seg.el(2)
    elif seg.id in ("DTM", "BPR") and (day := remittance_date(seg, header)):
        header["remitted_on"] = day


def note_service(service: ServiceRemit, seg: Seg) -> None:
    """CAS, LQ*HE, REF*6R and service dates inside an SVC loop."""
    if seg.id == "CAS":
        service.adjustments.extend(parse_cas(seg))
    elif seg.id == "LQ" and seg.el(1) == "HE":
        service.remarks.append(seg.el(2).upper())
    elif seg.id == "REF" and seg.el(1) == "6R":
        service.line_ref = seg.el(2)
    elif seg.id == "DTM" and seg.el(1) in ("472", "150") and service.service_date is None:
        service.service_date = x12_date(seg.el(2))
    elif seg.id == "AMT" and seg.el(1) == "B6":
        service.allowed = parse_number(seg.el(2))


def note_claim(remit: Remit, seg: Seg) -> None:
    """Claim-level CAS, MOA/MIA remarks, the patient's member id (NM1*QC), REF*F8 and the
    claim's first date of service (DTM*232 statement from, else the DTM*472 of a service)."""
    if seg.id == "CAS":
        remit.adjustments.extend(parse_cas(seg))
    elif seg.id in ("MOA", "MIA"):
        remit.remarks.extend(remark_codes(seg))
    elif seg.id == "NM1" and seg.el(1) == "QC":
        remit.member_id = seg.el(9)
    elif seg.id == "REF" and seg.el(1) == "F8":
        remit.original_reference = seg.el(2)
    elif seg.id == "DTM" and seg.el(1) == "232":
        remit.service_from = x12_date(seg.el(2))


def walk_remits(tx: Transaction) -> list[Remit]:
    """The CLP loops of one 835 transaction; PLB (provider-level) ends the claims."""
    header: dict[str, str] = {}
    remits: list[Remit] = []
    service: ServiceRemit | None = None
    for seg in tx.segments:
        if seg.id == "PLB":
            break
        if seg.id == "CLP":
            remits.append(parse_clp(seg, header, tx))
            service = None
        elif not remits:
            note_header(seg, header)
        elif seg.id == "SVC":
            service = parse_svc(seg)
            remits[-1].services.append(service)
        elif service is not None:
            note_service(service, seg)
        else:
            note_claim(remits[-1], seg)
    return remits


def walk_safely(tx: Transaction, issues: list[Issue]) -> list[Remit]:
    """walk_remits with a last-resort guard (a crash becomes an issue, never an exception)."""
    try:
        return walk_remits(tx)
    except Exception as exc:  # noqa: BLE001 - malformed input must not raise
        issues.append(Issue("ST", f"transaction {tx.control!r} could not be read: {exc!r}"))
        return []


def read_835(text: str, fast: bool = False) -> RemitFile:
    """Remits of an 835 text and its non-claim problems; never raises (`fast`: see
    reader.tokenize)."""
    interchange = read_interchange(text, fast)
    remits: list[Remit] = []
    issues = list(interchange.issues)
    for tx in interchange.transactions:
        if tx.kind != "835":
            issues.append(Issue("ST", f"transaction {tx.control!r} is a {tx.kind!r}, not an 835"))
        elif not (found := walk_safely(tx, issues)):
            issues.extend([*tx.issues, Issue("CLP", f"transaction {tx.control!r} has no CLP")])
        else:
            remits.extend(found)
    return RemitFile(remits, tuple(issues))


def parse_835(text: str) -> list[Remit]:
    """One Remit per CLP of an 835 text (see read_835 for the file-level problems)."""
    return read_835(text).remits
