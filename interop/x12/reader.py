"""Tolerant X12 reading: pyx12 tokenizes, we group segments into ST..SE transactions.

pyx12's X12Reader reads ISA-led interchanges (delimiters from the ISA, envelope checks);
text without a fixed-length ISA (companion-guide snippets that start at ST) is split on
its sniffed segment terminator and each piece tokenized by pyx12's Segment. Bulk ingest
reads ISA-led files with `fast=True`: the same segments split directly on the ISA's
delimiters (~20x faster than pyx12, without pyx12's envelope warnings; a test keeps the
two paths equal on every sample). Transaction checks (SE count, SE/ST control numbers,
missing SE) are ours so they work on all paths and land on the transaction they concern.
Nothing here raises on malformed input.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import NamedTuple

from pyx12.segment import Segment
from pyx12.x12file import X12Reader

from interop.x12.results import Issue

ISA_LENGTH = 106
MAX_WARNINGS = 20
NO_TRAILER = "has no SE trailer"
_FIRST_SEGMENT = re.compile(r"\s*([A-Z][A-Z0-9]{1,2})([^A-Za-z0-9\s])")
_PROCEDURE_SEPARATOR = re.compile(r"^[A-Z]{2}([^A-Za-z0-9\s])[A-Za-z0-9]")


class Seg(NamedTuple):
    """One segment: id, raw element strings (1-based access) and component separator
    (a NamedTuple: bulk ingest builds millions, and tuples build fastest)."""

    id: str
    elements: tuple[str, ...]
    sub: str = ":"

    def el(self, n: int) -> str:
        """Element n (1-based, e.g. CLM01 = el(1)), stripped; '' when absent."""
        return self.elements[n - 1].strip() if 0 < n <= len(self.elements) else ""

    def comps(self, n: int) -> list[str]:
        """Components of composite element n (a simple element is one component)."""
        return [c.strip() for c in self.el(n).split(self.sub)]

    def procedure(self, n: int) -> list[str]:
        """Components of a procedure composite (SV101/SVC01), tolerating a component
        separator that differs from ISA16 (e.g. 'HC>12345>26' in a ':' interchange)."""
        parts = self.comps(n)
        found = _PROCEDURE_SEPARATOR.match(parts[0]) if len(parts) == 1 else None
        return [c.strip() for c in parts[0].split(found.group(1))] if found else parts

    def comp(self, n: int, k: int) -> str:
        """Component k (1-based) of element n, e.g. CLM05-1 = comp(5, 1); '' when absent."""
        parts = self.comps(n)
        return parts[k - 1] if 0 < k <= len(parts) else ""


@dataclass(frozen=True)
class Transaction:
    """One ST..SE transaction set with its envelope context and structural issues."""

    control: str
    kind: str
    version: str
    segments: tuple[Seg, ...]
    issues: tuple[Issue, ...]
    group_date: str = ""
    interchange_date: str = ""


@dataclass(frozen=True)
class Interchange:
    """The transactions of one input text, its fatal issues and non-fatal warnings."""

    transactions: tuple[Transaction, ...]
    issues: tuple[Issue, ...]
    warnings: tuple[str, ...]


def to_seg(segment: Segment, sub: str) -> Seg:
    """Our immutable view of a pyx12 Segment (formatted once, then split: the fast way)."""
    ele = segment.ele_term
    elements = segment.format("", ele, sub).split(ele)[1:] if segment.elements else []
    return Seg(str(segment.get_seg_id() or ""), tuple(elements), sub)


def read_with_pyx12(text: str) -> tuple[list[Seg], list[Issue], list[str]]:
    """Segments of an ISA-led interchange via pyx12's X12Reader (stops at the first crash)."""
    segs: list[Seg] = []
    issues: list[Issue] = []
    warnings: list[str] = []
    try:
        reader = X12Reader(io.StringIO(text))
        sub = reader.subele_term or ":"
        for segment in reader:
            segs.append(to_seg(segment, sub))
            warnings.extend(f"{e[0].upper()} {e[1]}: {e[2]}" for e in reader.pop_errors()
                            if e[0] != "st")  # ST/SE problems are ours: se_issues
    except Exception as exc:  # noqa: BLE001 - pyx12 raises several types on garbled input
        where = segs[-1].id if segs else "ISA"
        issues.append(Issue(where, f"X12 reader stopped after {len(segs)} segments: {exc}"))
    return segs, issues, warnings


def sniff_delimiters(text: str) -> tuple[str, str, str] | None:
    """(segment terminator, element separator, component separator) of text, or None."""
    match = _FIRST_SEGMENT.match(text)
    if match is None:
        return None
    ele = match.group(2)
    if match.group(1) == "ISA":
        parts = text.lstrip().split(ele, 16)
        if len(parts) == 17 and len(parts[16]) >= 2:
            return parts[16][1], ele, parts[16][0]
    seg = "~" if "~" in text else "\n"
    found = re.search(r"(?:SV1|SVC|SV2)" + re.escape(ele) + r"[A-Z]{2}([^A-Za-z0-9\s])", text)
    return seg, ele, found.group(1) if found else ":"


def read_tolerantly(text: str) -> tuple[list[Seg], list[Issue], list[str]]:
    """Segments of text without a usable fixed-length ISA, tokenized by pyx12's Segment."""
    delims = sniff_delimiters(text)
    if delims is None:
        return [], [Issue("ISA", "not X12: no segment identifier at the start")], []
    seg_term, ele, sub = delims
    pieces = (p.strip("\r\n ") for p in text.split(seg_term))
    segs = [to_seg(Segment(p, seg_term, ele, sub), sub) for p in pieces if p]
    note = "no fixed-length ISA header; delimiters sniffed from the text"
    return segs, [], [f"ISA: {note}"]


def split_directly(body: str, delims: tuple[str, str, str]) -> list[Seg]:
    """Segments of an ISA-led interchange split on its own delimiters (the fast path)."""
    seg_term, ele, sub = delims
    out = []
    for raw in body.split(seg_term):
        raw = raw.strip("\r\n ")
        if raw:
            parts = raw.split(ele)
            out.append(Seg(parts[0], tuple(parts[1:]), sub))
    return out


def tokenize(text: str, fast: bool = False) -> tuple[list[Seg], list[Issue], list[str]]:
    """Segments, fatal issues and warnings of any X12 text (pyx12, or split directly when
    fast, for ISA-led text; else the tolerant reader)."""
    body = text.lstrip("\ufeff \r\n\t")
    if body.startswith("ISA") and len(body) >= ISA_LENGTH:
        delims = sniff_delimiters(body)
        if delims and body[ISA_LENGTH - 1] == delims[0]:
            return (split_directly(body, delims), [], []) if fast else read_with_pyx12(body)
    return read_tolerantly(body)


def se_issues(st: Seg, count: int, se: Seg | None) -> list[Issue]:
    """Trailer problems of one transaction: missing SE, wrong SE01 count, SE02 != ST02."""
    control = st.el(2)
    if se is None:
        return [Issue("SE", f"transaction {control!r} {NO_TRAILER} (truncated input?)")]
    issues = []
    if not se.el(1).isdecimal() or int(se.el(1)) != count:
        issues.append(Issue("SE", f"SE01 segment count {se.el(1)!r} does not match the "
                                  f"{count} segments of transaction {control!r}"))
    if se.el(2) != control:
        issues.append(Issue("SE", f"SE02 {se.el(2)!r} does not match ST02 {control!r}"))
    return issues


def is_truncation(issue: Issue) -> bool:
    """True for a transaction cut short (no SE): its last claim may be incomplete. A wrong
    SE count or control number alone leaves every segment readable."""
    return issue.segment == "SE" and NO_TRAILER in issue.reason


def make_transaction(segs: list[Seg], se: Seg | None, envelope: dict[str, str]) -> Transaction:
    """A Transaction from its segments (ST first, SE excluded) and the enclosing GS/ISA."""
    st = segs[0]
    count = len(segs) + (1 if se is not None else 0)
    return Transaction(
        control=st.el(2), kind=st.el(1), version=st.el(3) or envelope.get("version", ""),
        segments=tuple(segs), issues=tuple(se_issues(st, count, se)),
        group_date=envelope.get("group_date", ""),
        interchange_date=envelope.get("interchange_date", ""),
    )


def note_envelope(seg: Seg, envelope: dict[str, str]) -> None:
    """Remember the ISA/GS values transactions inherit (dates, implementation version)."""
    if seg.id == "ISA":
        envelope["interchange_date"] = seg.el(9)
    elif seg.id == "GS":
        envelope.update(group_date=seg.el(4), version=seg.el(8))


def group_transactions(segs: list[Seg]) -> tuple[list[Transaction], list[Issue]]:
    """Split segments into ST..SE transactions; stray SE and a missing IEA are issues."""
    out: list[Transaction] = []
    issues: list[Issue] = []
    envelope: dict[str, str] = {}
    current: list[Seg] | None = None
    for seg in segs:
        note_envelope(seg, envelope)
        if seg.id == "ST":
            if current:
                out.append(make_transaction(current, None, envelope))
            current = [seg]
        elif seg.id == "SE":
            if current is None:
                issues.append(Issue("SE", f"SE {seg.el(2)!r} without a matching ST"))
            else:
                out.append(make_transaction(current, seg, envelope))
            current = None
        elif current is not None:
            current.append(seg)
    if current:
        out.append(make_transaction(current, None, envelope))
    if segs and segs[0].id == "ISA" and segs[-1].id != "IEA":
        issues.append(Issue("IEA", "interchange trailer missing (truncated input?)"))
    return out, issues


def read_interchange(text: str, fast: bool = False) -> Interchange:
    """Read any X12 text into transactions; never raises (problems become issues)."""
    try:
        segs, issues, warnings = tokenize(text, fast)
        transactions, more = group_transactions(segs)
    except Exception as exc:  # noqa: BLE001 - last resort: garbled input must not raise
        return Interchange((), (Issue("ISA", f"unreadable X12 input: {exc}"),), ())
    issues.extend(more)
    if not transactions and not issues:
        issues.append(Issue("ST", "no ST transaction set found"))
    return Interchange(tuple(transactions), tuple(issues), tuple(warnings[:MAX_WARNINGS]))
