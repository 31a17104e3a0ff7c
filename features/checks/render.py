"""Turn Hits into Finding objects: the variant's text and source filled with the hit's
facts and, computed only when a text asks for them, descriptions from the reference
tables (ICD-10-CM descriptions, CPT descriptor facts, MUE values, global days)."""

from __future__ import annotations

from typing import Any

import numpy as np

from features.checks.context import Ctx
from features.checks.findings import Finding, Hits
from features.checks.texts import RULES
from reference import icd10
from reference.codes import load_code_table
from reference.families import descriptors
from reference.modifiers import MODIFIER_MEANINGS

FAMILY_TEXT = {
    "destruction_ak": "actinic keratosis destruction",
    "destruction_benign": "benign lesion destruction",
    "destruction_malignant": "malignant lesion destruction",
    "excision_benign": "benign excision", "excision_malignant": "malignant excision",
    "skin_tag": "skin tag removal", "shave": "shave removal", "mohs": "Mohs surgery",
    "pdt": "photodynamic therapy", "intralesional": "intralesional injection",
}


def descriptor_text(code: str | None) -> str:
    """'excised diameter 1.1-2.0 cm, trunk/arms/legs' for a size/site-coded code."""
    d = descriptors().get(code or "")
    if d is None:
        return "see CPT descriptor"
    what = "excised diameter" if d.family.startswith("excision") else "lesion diameter"
    band = f"over {d.size_min_cm - 0.1:.1f} cm" if d.size_max_cm >= 99 else \
        f"{d.size_min_cm:.1f}-{d.size_max_cm:.1f} cm"
    return f"{what} {band}, {'/'.join(d.sites)}"


class Facts(dict):
    """Template facts; descriptions are looked up on first use only."""

    def __init__(self, ctx: Ctx, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.ctx = ctx

    def __missing__(self, key: str) -> str:
        value = self._lookup(key)
        self[key] = value
        return value

    def _lookup(self, key: str) -> str:
        cms = self.ctx.cms
        if key in ("ptp", "mue", "mpfs"):
            return cms.releases.get(key, key.upper())
        if key == "icd":
            return icd10.RELEASE
        if key == "dx_desc":
            return icd10.description(self.get("dx") or "") or "description not in FY2026 set"
        if key in ("old_desc", "value_desc"):
            return descriptor_text(self.get(key[:-5]))
        if key == "old_meaning":
            return MODIFIER_MEANINGS.get(self.get("old") or "", "modifier")
        if key == "family_text":
            family = self.get("family") or ""
            return FAMILY_TEXT.get(family, family.replace("_", " "))
        if key == "mue_text":
            return mue_text(self.ctx, self["code"])
        if key == "earlier_global":
            return earlier_global(self.ctx, self.get("earlier"), self.get("glob"))
        raise KeyError(key)


def mue_text(ctx: Ctx, code: str) -> str:
    """'NCCI MUE practitioner 2024Q3: 17110 = 1 (MAI 2)' (or that the file has none)."""
    release = ctx.cms.releases.get("mue", "MUE")
    if code in ctx.cms.mue.index:
        row = ctx.cms.mue.loc[code]
        return f"{release}: {code} = {int(row['mue_units'])} (MAI {int(row['mue_mai'])})"
    return f"{release}: no MUE for {code}"


def earlier_global(ctx: Ctx, code: str | None, glob: Any) -> str:
    """Where the earlier surgery's global days come from."""
    if not code:
        return f"claim history: {glob}-day global"
    if code in ctx.cms.global_days.index:
        return f"{ctx.cms.releases.get('mpfs', 'MPFS')}: {code} global {ctx.cms.global_days[code]}"
    days = load_code_table().global_days(code)
    if days:
        return f"MPFS CY2025 (reference code table): {code} global {days}"
    return f"claim history: {code} with a {glob}-day global"


def render(ctx: Ctx, h: Hits, i: int) -> Finding:
    """The Finding of firing i of h."""
    pos = int(h.pos[i])
    variant = RULES[h.rule].variants[int(h.variant[i])]
    units = int(h.units[i]) or None
    values = {"line": int(ctx.line_no[pos]), "code": ctx.codes[pos], "value": h.value[i],
              "old": h.old[i], "units": int(ctx.ix.units[pos])}
    values.update({k: v[i] for k, v in h.fields.items()})
    facts = Facts(ctx, values)
    text = variant.text.format_map(facts)
    if variant.action == "remove_line" and h.removes[i]:
        text += f" Its add-on line(s) {', '.join(map(str, h.removes[i]))} go with it."
    return Finding(
        rule=h.rule, line=values["line"], severity=variant.severity,
        category=RULES[h.rule].category, text=text,
        action=variant.action, value=None if variant.action is None else h.value[i],
        old=h.old[i] if variant.action in ("replace_modifier", "link_diagnosis") else None,
        units=units if variant.action in ("change_code", "change_units") else None,
        source=variant.source.format_map(facts),
        removes=tuple(h.removes[i] or ()) if variant.action else (),
        adds=added_line(h, i) if variant.action in ("change_code", "change_units") else None,
        variant=int(h.variant[i]))


def added_line(h: Hits, i: int) -> tuple[str, int] | None:
    """(add-on code, units) a split moves the remaining lesions to, when the hit has one."""
    code, units = h.fields.get("addon"), h.fields.get("addon_units")
    if code is None or units is None or code[i] is None or not int(units[i]) > 0:
        return None
    return str(code[i]), int(units[i])


def render_all(ctx: Ctx, results: list[Hits]) -> list[list[Finding]]:
    """Findings per claim of the batch, each claim's sorted by line then rule order."""
    out: list[list[Finding]] = [[] for _ in range(ctx.ix.n_claims)]
    order = {rule: k for k, rule in enumerate(RULES)}
    for h in results:
        if not len(h):
            continue
        claims = ctx.ix.claim_pos[h.pos]
        for i in np.flatnonzero(claims >= 0):
            out[int(claims[i])].append(render(ctx, h, int(i)))
    for findings in out:
        findings.sort(key=lambda f: (f.line or 0, order[f.rule]))
    return out
