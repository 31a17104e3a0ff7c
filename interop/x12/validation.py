"""Contract validation of a mapped claim, with errors named where they came from.

The X12 and FHIR readers build a contract-shaped dict and validate it with
contract.schema.Claim; each pydantic error is turned into an Issue whose location is
the source element (an 837P segment or a FHIR path), chosen by the caller's `where`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from contract.schema import Claim
from interop.x12.results import Issue

Locator = Callable[[tuple[Any, ...], str], str]


def loc_text(loc: tuple[Any, ...]) -> str:
    """Pydantic location as a contract field path, e.g. ('lines', 0, 'cpt') -> lines[0].cpt."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def clean_message(message: str) -> str:
    """Pydantic message without its 'Value error, ' prefix."""
    return message.removeprefix("Value error, ")


def validation_issues(exc: ValidationError, where: Locator) -> list[Issue]:
    """One Issue per pydantic error, located by `where(loc, message)`."""
    issues = []
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        message = clean_message(str(err.get("msg", "invalid")))
        path = loc_text(loc)
        reason = message if not path or message.startswith(path) else f"{path}: {message}"
        issues.append(Issue(where(loc, message), reason))
    return issues


def validate_contract(draft: dict[str, Any],
                      where: Locator) -> tuple[dict[str, Any] | None, list[Issue]]:
    """(validated contract dict in JSON form, []) or (None, issues naming the source)."""
    try:
        claim = Claim.model_validate(draft)
    except ValidationError as exc:
        return None, validation_issues(exc, where)
    return claim.model_dump(mode="json"), []
