"""Element look-ups for the FHIR Claim mapping (interop.fhir): codings, contained
resources, patient, coverage, payer, NPI, diagnoses and items.

Each returns the value it found and Issues named by FHIR element path, so one bad
element never hides another. Only references to contained resources ('#id') resolve:
the API receives one resource, not a bundle.
"""

from __future__ import annotations

from typing import Any

from interop.x12.results import Issue

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
CPT_HINTS = ("cpt", "hcpcs", "2.16.840.1.113883.6.12", "2.16.840.1.113883.6.285")
ICD10_HINTS = ("icd-10", "icd10", "2.16.840.1.113883.6.90")
GENDER = {"male": "M", "female": "F", "other": "U", "unknown": "U", "m": "M", "f": "F",
          "unk": "U"}
PERFORMING_ROLES = ("performing", "primary", "rendering")


def fhir_path(loc: tuple[Any, ...]) -> str:
    """'Claim.item[0].productOrService' from a pydantic location."""
    out = "Claim"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def coded(concept: dict | None, hints: tuple[str, ...]) -> str | None:
    """Code of the first coding whose system contains one of `hints` (case-insensitive)."""
    for coding in (concept or {}).get("coding") or []:
        system = str(coding.get("system") or "").lower()
        if coding.get("code") and any(h in system for h in hints):
            return str(coding["code"]).strip()
    return None


def resolve(resource: dict[str, Any], ref: dict | None) -> dict[str, Any]:
    """The contained resource a Reference points at ('#id'), else {}."""
    target = str((ref or {}).get("reference") or "")
    if not target.startswith("#"):
        return {}
    found = (r for r in resource.get("contained") or [] if r.get("id") == target[1:])
    return next(found, {})


def focal_insurance(resource: dict[str, Any]) -> dict[str, Any]:
    """The focal insurance (the one this claim is for), else the first."""
    insurance = resource.get("insurance") or []
    return next((i for i in insurance if i.get("focal")), insurance[0] if insurance else {})


def identifier_value(holder: dict[str, Any], system: str | None = None) -> str | None:
    """First identifier value of a resource/reference (optionally of one system)."""
    idents = holder.get("identifier") or []
    idents = [idents] if isinstance(idents, dict) else idents
    for ident in idents:
        if ident.get("value") and (system is None or ident.get("system") == system):
            return str(ident["value"]).strip()
    return None


def demographics(resource: dict[str, Any]) -> tuple[str | None, str | None, list[Issue]]:
    """Birth date and sex (M/F/U) from the contained Patient, else US Core extensions."""
    patient = resolve(resource, resource.get("patient"))
    birth, gender = patient.get("birthDate"), patient.get("gender")
    extensions = (resource.get("extension") or []) + (
        (resource.get("patient") or {}).get("extension") or [])
    for ext in extensions:
        url = str(ext.get("url") or "").lower()
        if url.endswith("birthsex") or url.endswith("gender"):
            gender = gender or ext.get("valueCode")
        elif url.endswith("birthdate"):
            birth = birth or ext.get("valueDate")
    issues = []
    if not birth:
        issues.append(Issue("Patient.birthDate", "no birth date (contained Patient or "
                                                 "birthDate extension)"))
    sex = GENDER.get(str(gender or "").lower())
    if sex is None:
        issues.append(Issue("Patient.gender", f"no usable gender ({gender!r})"))
    return birth, sex, issues


def member_id(resource: dict[str, Any]) -> tuple[str | None, list[Issue]]:
    """Member id: Coverage.subscriberId / identifier, else Patient identifier of type MB."""
    ref = focal_insurance(resource).get("coverage") or {}
    coverage = resolve(resource, ref)
    value = coverage.get("subscriberId") or identifier_value(coverage) or identifier_value(ref)
    patient = resolve(resource, resource.get("patient"))
    for ident in patient.get("identifier") or []:
        if not value and coded(ident.get("type"), ("v2-0203", "identifier-type")) == "MB":
            value = ident.get("value")
    if value:
        return str(value), []
    return None, [Issue("Claim.insurance[0].coverage", "no member id (Coverage.subscriberId, "
                                                       "coverage identifier or Patient MB)")]


def payer_identifier(resource: dict[str, Any]) -> tuple[str | None, list[Issue]]:
    """Payer id: Claim.insurer identifier (or contained Organization), else Coverage.payor."""
    insurer = resource.get("insurer") or {}
    found = identifier_value(insurer) or identifier_value(resolve(resource, insurer))
    coverage = resolve(resource, focal_insurance(resource).get("coverage"))
    for payor in coverage.get("payor") or []:
        found = found or identifier_value(payor) or identifier_value(resolve(resource, payor))
    if found:
        return found, []
    return None, [Issue("Claim.insurer", "no payer identifier (insurer or Coverage.payor)")]


def npi_of(resource: dict[str, Any], ref: dict | None) -> str | None:
    """NPI of a Reference: its own identifier or the contained resource's."""
    return identifier_value(ref or {}, NPI_SYSTEM) or identifier_value(
        resolve(resource, ref), NPI_SYSTEM)


def rendering_npi(resource: dict[str, Any]) -> tuple[str | None, list[Issue]]:
    """Rendering NPI: a performing/primary careTeam member, else Claim.provider."""
    team = sorted(resource.get("careTeam") or [], key=lambda m: not any(
        r in str(coded(m.get("role"), ("",)) or "").lower() for r in PERFORMING_ROLES))
    for member in team:
        npi = npi_of(resource, member.get("provider"))
        if npi:
            return npi, []
    npi = npi_of(resource, resource.get("provider"))
    if npi:
        return npi, []
    return None, [Issue("Claim.provider", f"no NPI identifier (system {NPI_SYSTEM})")]


def collect_diagnoses(resource: dict[str, Any]) -> tuple[list[str], dict[int, int], list[Issue]]:
    """ICD-10 codes in sequence order, FHIR sequence -> 1-based pointer, and issues."""
    codes: list[str] = []
    pointer: dict[int, int] = {}
    issues: list[Issue] = []
    entries = list(enumerate(resource.get("diagnosis") or []))
    for i, entry in sorted(entries, key=lambda pair: pair[1].get("sequence") or 0):
        code = coded(entry.get("diagnosisCodeableConcept"), ICD10_HINTS)
        if code is None:
            issues.append(Issue(f"Claim.diagnosis[{i}].diagnosisCodeableConcept",
                                "no ICD-10-CM coding"))
            continue
        codes.append(code)
        pointer[int(entry.get("sequence") or 0)] = len(codes)
    return codes, pointer, issues


def item_charge(item: dict[str, Any], units: float) -> float | None:
    """Line charge: item.net, else unitPrice x quantity."""
    if (item.get("net") or {}).get("value") is not None:
        return float(item["net"]["value"])
    price = (item.get("unitPrice") or {}).get("value")
    return None if price is None else round(float(price) * units, 2)


def item_line(resource: dict[str, Any], item: dict[str, Any], i: int,
              pointer: dict[int, int]) -> tuple[dict[str, Any], list[Issue]]:
    """Contract line of Claim.item[i] and the issues of its elements."""
    where, issues = f"Claim.item[{i}]", []
    cpt = coded(item.get("productOrService"), CPT_HINTS)
    if cpt is None:
        issues.append(Issue(f"{where}.productOrService", "no CPT coding"))
    units = (item.get("quantity") or {}).get("value", 1)
    charge = item_charge(item, float(units))
    if charge is None:
        issues.append(Issue(f"{where}.net", "no charge (net or unitPrice)"))
    served = item.get("servicedDate") or (item.get("servicedPeriod") or {}).get("start") or (
        resource.get("billablePeriod") or {}).get("start")
    if not served:
        issues.append(Issue(f"{where}.servicedDate", "no date of service"))
    sequences = item.get("diagnosisSequence") or []
    unknown = [s for s in sequences if s not in pointer]
    if unknown:
        issues.append(Issue(f"{where}.diagnosisSequence", f"{unknown} match no diagnosis"))
    modifiers = [c["code"] for m in item.get("modifier") or []
                 for c in (m.get("coding") or [])[:1] if c.get("code")]
    return {"line": item.get("sequence") or i + 1, "cpt": (cpt or "").upper(),
            "modifiers": modifiers, "units": units, "charge": charge,
            "dx_pointers": [pointer[s] for s in sequences if s in pointer],
            "date_of_service": str(served or "")[:10] or None}, issues


def collect_items(resource: dict[str, Any], pointer: dict[int, int]
                  ) -> tuple[list[dict[str, Any]], list[Issue], list[str]]:
    """Contract lines of Claim.item, their issues, and the defaults assumed."""
    items = resource.get("item") or []
    if not items:
        return [], [Issue("Claim.item", "no items")], []
    lines, issues = [], []
    for i, item in enumerate(items):
        line, found = item_line(resource, item, i, pointer)
        lines.append(line)
        issues.extend(found)
    assumed = ["lines[].units"] if any("quantity" not in it for it in items) else []
    return lines, issues, assumed
