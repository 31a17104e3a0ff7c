"""Prose of the report: counts that read as counts, percentages, reasons, and the service's
explanation and fix texts in claim language.

The service's texts may name a contract field, e.g. "documentation.margins_documented is
not documented for 11602 (line 1)". In the report a documentation gap becomes plain words
("Excision margins not documented for 11602 (line 1)"), a field the coder must set stays
visible only as code formatting (`referral_on_file`), and any other snake_case token
becomes words: the coder-training page has no field or feature names in its prose.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, get_args

from markupsafe import Markup, escape
from pydantic import BaseModel

from reference.vocab import DOCUMENTATION_LABELS
from serving.report.labels import category_label, factor_label

MIN_SHOWN_PROBABILITY = 0.005  # below this a reason would print as "0%": never listed
DOC_FIELDS = DOCUMENTATION_LABELS  # field -> (what is missing, what to attach)
DOC_GAP = re.compile(r"documentation\.(\w+) is not (documented|reported) for ")
DOC_ATTACH = re.compile(r"Attach documentation: [\w ]+ \(documentation\.(\w+)\)")
TOKEN = re.compile(r"\b[a-z][a-z0-9]*(?:[._][a-z0-9]+)+\b")
GENERIC_TEXT = ("services_", "em_service")  # "Destruction ak billed: ..." from the service


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'2,012 claims', '1 claim': a count with a thousands separator and its noun, so a
    number never reads as a year."""
    n = int(n)
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def percent(p: float) -> str:
    """A probability as a whole percentage ('28%'); '<1%' rather than a misleading 0%."""
    return "<1%" if 0 < p < MIN_SHOWN_PROBABILITY else f"{p:.0%}"


def share(p: float) -> str:
    """A share of claims to one decimal ('10.2%'); '<0.1%' rather than 0.0% when small."""
    return "<0.1%" if 0 < abs(p) < 5e-4 else f"{p:.1%}"


def nested_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (Model, Model | None, list[Model])."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = nested_model(arg)
        if found is not None:
            return found
    return None


@lru_cache(maxsize=1)
def contract_fields() -> frozenset[str]:
    """Every contract field as the service's texts name it: top-level and line fields bare
    (`referral_on_file`, `dx_pointers`), nested ones with their parent
    (`documentation.margins_documented`, `lesion.distinct_from_line`)."""
    from contract.schema import Claim

    out: set[str] = set()

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            out.add(prefix + name)
            sub = nested_model(info.annotation)
            if sub is not None:
                walk(sub, "" if name == "lines" else f"{name}.")
    walk(Claim, "")
    return frozenset(out)


def plain_documentation(text: str) -> str:
    """Documentation gaps and attach-fixes in words instead of field names."""
    def gap(m: re.Match[str]) -> str:
        missing = DOC_FIELDS.get(m.group(1), (m.group(1).replace("_", " "), ""))[0]
        return f"{missing}{' (not stated on the claim)' if m.group(2) == 'reported' else ''} for "

    def attach(m: re.Match[str]) -> str:
        what = DOC_FIELDS.get(m.group(1), ("", m.group(1).replace("_", " ")))[1]
        return f"Attach the documentation of {what}"
    return DOC_ATTACH.sub(attach, DOC_GAP.sub(gap, text))


def segments(text: str) -> list[tuple[str, bool]]:
    """(text, is_code) pieces: contract fields as code, other snake_case tokens as words."""
    text, out, start = plain_documentation(text), [], 0
    fields = contract_fields()
    for m in TOKEN.finditer(text):
        token = m.group(0)
        if token in fields:
            out += [(text[start:m.start()], False), (token, True)]
        elif "_" in token:
            out.append((text[start:m.start()] + token.replace("_", " "), False))
        else:
            continue
        start = m.end()
    out.append((text[start:], False))
    return [(t, code) for t, code in out if t]


def prose(text: str) -> Markup:
    """HTML of a service text for the page (escaped; contract fields in <code>)."""
    return Markup("").join(Markup("<code>{}</code>").format(t) if code else escape(t)
                           for t, code in segments(text))


def line_codes(claim: dict[str, Any], lines: list[int], limit: int = 3) -> str:
    """'17003 (line 4), 17000 (line 5)' for up to `limit` of the claim's lines."""
    cpt = {ln["line"]: str(ln["cpt"]) for ln in claim["lines"]}
    shown = ", ".join(f"{cpt[n]} (line {n})" for n in lines[:limit] if n in cpt)
    return shown + (" ..." if len(lines) > limit else "")


def driver_text(factor: str, text: str, lines: list[int], claim: dict[str, Any]) -> str:
    """The driver's claim-language text; 'services billed' factors are named by their
    family label ('Actinic keratosis destructions billed: 17003 (line 4)')."""
    if factor.startswith(GENERIC_TEXT) and lines:
        return f"{factor_label(factor)}: {line_codes(claim, lines)}"
    return text


def shown_reasons(reasons: list[Any]) -> list[str]:
    """'Medical necessity (CO-50), 66%' for each reason that would not print as 0%."""
    return [f"{category_label(r.category, carc=False)} ({r.carc}), {percent(r.probability)}"
            for r in reasons if r.probability >= MIN_SHOWN_PROBABILITY]
