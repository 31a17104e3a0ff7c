"""Vectorised billing-rule detectors per claim line, from the code table and CMS files.

`line_rule_flags` answers, for every line at once, the questions a scrubber asks: is this
line the column-2 code of an unbypassed NCCI PTP pair, does the E/M need 25, are units
over the MUE, is an add-on orphaned, is the diagnosis linkage weak, is a prior auth
missing. These are public rules anyone can compute (NCCI 2024Q3, MPFS global days, LCD
linkage lists of reference/); which payer enforces which, and how hard, is left to the
models to learn from outcomes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from contract.typed import as_float, as_strings, is_present
from features.encode import encode
from features.lineindex import (
    EMPTY_DX,
    LineIndex,
    class_mask,
    code_vocab,
    index_lines,
    line_dx_classes,
)
from reference.cms import CmsTables
from reference.codes import load_code_table
from reference.families import (
    BENIGN_REMOVAL_FAMILIES,
    DESTRUCTION_BENIGN,
    INTRALESIONAL,
    PRIOR_AUTH_FAMILIES,
    RESURFACING_FAMILIES,
    SKIN_TAGS,
)
from reference.linkage import (
    CONDITIONAL_CLASSES,
    COSMETIC_CLASSES,
    DX_CLASSES,
    SCREENING_CLASSES,
    SUPPORTING_CLASSES,
)

MINOR_GLOBALS = ("000", "010")
EM_PTP_PROBE = "99213"  # NCCI PTP lists every office E/M alike as column 2
# Codes billed once per session whatever the lesion count (CPT descriptors; MUE 1).
PER_SESSION_CODES = (*DESTRUCTION_BENIGN, *INTRALESIONAL, SKIN_TAGS[0])


def line_rule_flags(frames: ClaimFrames, cms: CmsTables,
                    ix: LineIndex | None = None) -> pd.DataFrame:
    """Per-line rule flags (index = frames.lines.index); see module docstring."""
    ix = ix if ix is not None else index_lines(frames)
    return pd.DataFrame(rule_flag_arrays(frames, cms, ix), index=frames.lines.index)


def rule_flag_arrays(frames: ClaimFrames, cms: CmsTables, ix: LineIndex) -> dict[str, Any]:
    """The flags of line_rule_flags as plain arrays (what build_features consumes: no
    DataFrame copy of ~25 columns x every line)."""
    out: dict[str, np.ndarray] = {"family": ix.family, "global_days": ix.global_days}
    out["em_bundling"] = em_bundling_codes(cms)[ix.code_idx] & ~ix.is_em
    out["em_needs_25"], out["em_has_25_with_proc"] = flag_em_modifier_25(ix, out["em_bundling"])
    out.update(flag_ptp_pairs(ix, cms))
    out.update(flag_mue_units(ix, cms))
    out["orphan_addon"] = flag_orphan_addons(ix)
    out["in_global_unmodified"] = flag_in_global(frames, ix)
    out.update(flag_diagnosis_linkage(frames, ix))
    out["pa_missing"] = flag_missing_prior_auth(frames, ix)
    out["x_would_fit"] = ix.has("59") & ~ix.is_em
    out["modifier_59_and_x"] = ix.has("59") & ix.has_x
    out["ndc_missing"] = ix.in_family("drug") & ~is_present(frames.lines["ndc"])
    out["per_session_units"] = ix.is_code(*PER_SESSION_CODES) & (ix.units > 1)
    return out


def em_bundling_codes(cms: CmsTables) -> np.ndarray:
    """Boolean over the code table (+ unknown): a same-day E/M beside this code needs 25.
    A 000/010 global procedure (CMS global surgery), or a code whose NCCI PTP edit lists
    the office E/M as column 2 with modifier indicator 1 (drug administration 96372 /
    96365, phototherapy 96910-96913), not an E/M, add-on (ZZZ) or 090 surgery (57)."""
    cached = getattr(cms, "_em_bundling", None)
    if cached is None:
        table = load_code_table().frame
        glob = np.append(table["global_days"].astype(str).to_numpy(), "")
        family = np.append(table["family"].astype(str).to_numpy(), "")
        probe = table.index.get_indexer([EM_PTP_PROBE])[0]
        edit = ptp_matrix(cms)[:, probe] == 1 if probe >= 0 else np.zeros(len(glob), bool)
        cached = np.isin(glob, MINOR_GLOBALS) | (
            edit & ~np.isin(glob, ("090", "ZZZ")) & ~np.isin(family, ("em", "em_addon")))
        object.__setattr__(cms, "_em_bundling", cached)
    return cached


def flag_em_modifier_25(ix: LineIndex, minor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E/M lines on a claim that also bills a `minor` line (a code the E/M needs 25
    beside: em_bundling_codes), without / with 25."""
    claim_has_minor = np.zeros(ix.n_claims, dtype=bool)
    claim_has_minor[ix.claim_pos[minor]] = True
    with_proc = ix.is_em & claim_has_minor[ix.claim_pos]
    has25 = ix.has("25")
    return with_proc & ~has25, with_proc & has25


def _pairs(ix: LineIndex, eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All ordered pairs (a, b), a != b, of eligible line positions on the same claim.

    Lines sorted by claim; at offset d only claims with more than d eligible lines can
    pair, so the candidate set shrinks fast (most claims have 1-3 lines, a few
    phototherapy courses 24). Only lines whose code is in some PTP edit are eligible.
    """
    keep = (ix.claim_pos[ix.order] >= 0) & eligible[ix.order]
    order = ix.order[keep]
    counts = np.bincount(ix.claim_pos[order], minlength=ix.n_claims)
    firsts, seconds = [], []
    for d in range(1, ix.max_lines):
        order = order[counts[ix.claim_pos[order]] > d]
        if len(order) <= d:
            break
        a, b = order[:-d], order[d:]
        same = ix.claim_pos[a] == ix.claim_pos[b]
        firsts.extend([a[same], b[same]])
        seconds.extend([b[same], a[same]])
    if not firsts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(firsts), np.concatenate(seconds)


def flag_ptp_pairs(ix: LineIndex, cms: CmsTables) -> dict[str, np.ndarray]:
    """NCCI PTP edits among the claim's lines, flagged on the column-2 line.

    MI 0 pairs are never payable together. MI 1 pairs pass with 25 on a column-2 E/M, or
    with 59/X{EPSU} on either line (Medicare accepts either line) or different anatomic
    modifiers on the two lines (LineIndex.pair_bypassed).
    """
    n = ix.n_lines
    flags = {k: np.zeros(n, dtype=bool) for k in (
        "ptp_unbypassed", "ptp_mi0", "ptp_bypass_59", "ptp_bypass_no_distinct", "ptp_any")}
    matrix, in_edits = ptp_matrix(cms), ptp_codes(cms)
    a, b = _pairs(ix, in_edits[ix.code_idx])  # a = column 1 candidate, b = column 2
    if len(a) == 0:
        return flags
    mi = matrix[ix.code_idx[a], ix.code_idx[b]]
    hit = mi >= 0
    a, b, mi = a[hit], b[hit], mi[hit]
    np.logical_or.at(flags["ptp_any"], b, True)
    np.logical_or.at(flags["ptp_mi0"], b[mi == 0], True)
    a1, b1 = a[mi == 1], b[mi == 1]
    em_col2 = ix.is_em[b1]
    bypass = ix.pair_bypassed(a1, b1)
    ok = np.where(em_col2, ix.has("25")[b1] | ix.has("57")[b1], bypass)
    np.logical_or.at(flags["ptp_unbypassed"], b1[~ok], True)
    has59 = ix.has("59")[a1] | ix.has("59")[b1]
    by59 = ~em_col2 & bypass & ~(ix.has_x[a1] | ix.has_x[b1]) & has59
    np.logical_or.at(flags["ptp_bypass_59"], b1[by59], True)
    distinct = ix.has_distinct_lesion[a1] | ix.has_distinct_lesion[b1]
    np.logical_or.at(flags["ptp_bypass_no_distinct"], b1[~em_col2 & bypass & ~distinct], True)
    return flags


def ptp_matrix(cms: CmsTables) -> np.ndarray:
    """Dense (K+1)x(K+1) modifier-indicator matrix over the code table (-1 = no edit)."""
    cached = getattr(cms, "_ptp_dense", None)
    if cached is not None:
        return cached
    codes = load_code_table().frame.index
    k = len(codes)
    mat = np.full((k + 1, k + 1), -1, dtype=np.int8)
    c1 = codes.get_indexer(cms.ptp["column_1"])
    c2 = codes.get_indexer(cms.ptp["column_2"])
    keep = (c1 >= 0) & (c2 >= 0)
    mat[c1[keep], c2[keep]] = cms.ptp["modifier_indicator"].to_numpy()[keep]
    object.__setattr__(cms, "_ptp_dense", mat)
    return mat


def ptp_codes(cms: CmsTables) -> np.ndarray:
    """Boolean over the code table (+ unknown): the code is in some PTP edit (cached)."""
    cached = getattr(cms, "_ptp_codes", None)
    if cached is None:
        matrix = ptp_matrix(cms)
        cached = (matrix >= 0).any(axis=0) | (matrix >= 0).any(axis=1)
        object.__setattr__(cms, "_ptp_codes", cached)
    return cached


def mue_limits(cms: CmsTables) -> tuple[np.ndarray, np.ndarray]:
    """MUE units and MAI of each code-table row (+ 0 for unknown codes), built once per
    CMS tables (a pandas reindex per call cost more than the flags on single claims)."""
    cached = getattr(cms, "_mue_limits", None)
    if cached is None:
        mue = cms.mue.reindex(load_code_table().frame.index)
        cached = (np.append(mue["mue_units"].fillna(0).to_numpy(np.int32), 0),
                  np.append(mue["mue_mai"].fillna(0).to_numpy(np.int8), 0))
        object.__setattr__(cms, "_mue_limits", cached)
    return cached


def flag_mue_units(ix: LineIndex, cms: CmsTables) -> dict[str, np.ndarray]:
    """Units of a code summed per claim and date of service against its MUE (MUEs are
    per beneficiary, provider and date: a phototherapy course billed one line per session
    date is not over a 1-unit MUE)."""
    mue_units, mue_mai = mue_limits(cms)
    day = ix.service_day - ix.service_day.min() if ix.n_lines else ix.service_day
    key = (ix.claim_pos.astype(np.int64) * len(mue_units) + ix.code_idx) * 100_000 + day
    _, inverse = np.unique(key, return_inverse=True)
    totals = np.bincount(inverse, weights=ix.units)[inverse]
    limit = mue_units[ix.code_idx]
    excess = np.where(limit > 0, np.maximum(totals - limit, 0), 0)
    return {
        "units_over_mue": excess > 0,
        "mue_units": limit,
        "mue_mai": mue_mai[ix.code_idx],
        "mue_excess": excess.astype(np.int32),
    }


def flag_orphan_addons(ix: LineIndex) -> np.ndarray:
    """Add-on codes billed without any of their primary (parent) codes on the claim."""
    orphan = np.zeros(ix.n_lines, dtype=bool)
    for code, parents in addon_codes():
        is_addon = ix.is_code(code)
        if not is_addon.any():
            continue
        has_parent = np.zeros(ix.n_claims, dtype=bool)
        has_parent[ix.claim_pos[ix.is_code(*parents)]] = True
        orphan |= is_addon & ~has_parent[ix.claim_pos]
    return orphan


@lru_cache(maxsize=1)
def addon_codes() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(add-on code, its primary codes) for every add-on in the code table, table order."""
    parents = load_code_table().frame["addon_parents"]
    return tuple((code, tuple(p.split("|"))) for code, p in parents.items() if p)


def flag_in_global(frames: ClaimFrames, ix: LineIndex) -> np.ndarray:
    """E/M lines without 24 and 000/010/090 procedures without 58/78/79 inside a prior
    procedure's global period (the surgical package holds only those: add-ons follow
    their primary, XXX services such as drug administration or phototherapy are paid on
    their own; CMS Claims Processing Manual ch. 12 §40)."""
    claims = frames.claims
    days = as_float(claims["days_since_related_global_procedure"])
    glob = as_float(claims["related_global_days"])
    inside = (glob > 0) & (days <= glob)
    line_inside = inside[ix.claim_pos] & (ix.is_em | ix.in_global("000", "010", "090"))
    em_ok = ix.has("24")
    proc_ok = ix.has("79") | ix.has("58") | ix.has("78")
    return line_inside & np.where(ix.is_em, ~em_ok, ~proc_ok)


def _class_matrix(families: list[str], table: dict[str, frozenset[str]]) -> np.ndarray:
    """(families + unknown) x (DX_CLASSES + empty) booleans: class in table[family]."""
    mat = np.zeros((len(families) + 1, len(DX_CLASSES) + 1), dtype=bool)
    for f, classes in table.items():
        if f in families:
            mat[families.index(f), :-1] = np.isin(np.array(DX_CLASSES), list(classes))
    return mat


@lru_cache(maxsize=1)
def linkage_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Static lookups of the linkage flags, built once: family of each code-table row
    (+ unknown), supporting and conditional (family x diagnosis class) matrices, and
    which families are linkage-checked at all."""
    frame = load_code_table().frame
    families = sorted(frame["family"].unique())
    fam_of_code = np.append(pd.Index(families).get_indexer(frame["family"]), len(families))
    checked = np.append(np.isin(families, list(SUPPORTING_CLASSES)), False)
    return (fam_of_code, _class_matrix(families, SUPPORTING_CLASSES),
            _class_matrix(families, CONDITIONAL_CLASSES), checked)


def flag_diagnosis_linkage(frames: ClaimFrames, ix: LineIndex) -> dict[str, np.ndarray]:
    """Does a diagnosis the LINE points to support the line's procedure family
    (reference/linkage.py classes; judged per line, shared/domain §11)?"""
    fam_of_code, supporting, conditional, checked = linkage_tables()
    line_dx = line_dx_classes(frames, ix)  # (n_lines, 4)
    fam_idx = fam_of_code[ix.code_idx]
    sup = supporting[fam_idx[:, None], line_dx].any(1)
    cond = conditional[fam_idx[:, None], line_dx].any(1)
    cosmetic = class_mask(COSMETIC_CLASSES)[line_dx].any(1)
    screening = class_mask(SCREENING_CLASSES)[line_dx]
    pointed = line_dx != EMPTY_DX
    symptoms = as_float(frames.claims["doc_symptoms_documented"], 0.0) > 0
    sym_line = symptoms[np.maximum(ix.claim_pos, 0)]
    free = ix.is_em | ~checked[fam_idx]
    benign = ix.in_family(*BENIGN_REMOVAL_FAMILIES)
    return {
        "dx_supported": free | sup | (cond & sym_line),
        "dx_conditional_only": cond & ~sup,
        "benign_lesion_no_symptoms": benign & ~sym_line,
        "cosmetic_dx": (cosmetic & ix.in_family(*BENIGN_REMOVAL_FAMILIES))
        | (ix.in_family(*RESURFACING_FAMILIES) & ~sup & ~cond),  # a peel for melasma
        "screening_only": (screening | ~pointed).all(1) & screening.any(1),
    }


def flag_missing_prior_auth(frames: ClaimFrames, ix: LineIndex) -> np.ndarray:
    """Lines of a family payers put under prior auth whose code the claim's PA does not list."""
    needs = ix.in_family(*PRIOR_AUTH_FAMILIES)
    if not needs.any():
        return needs
    width = len(code_vocab()) + 1
    pa = as_strings(frames.claims["prior_auth_cpt_codes"])
    has_pa = is_present(frames.claims["prior_auth_number"])
    with_codes = np.flatnonzero((pa != "") & has_pa)
    split = [text.split() for text in pa[with_codes]]
    owner = np.repeat(with_codes, [len(codes) for codes in split]).astype(np.int64)
    listed = np.array([code for codes in split for code in codes], dtype=object)
    pa_keys = owner * width + encode(listed, code_vocab())
    line_keys = ix.claim_pos.astype(np.int64) * width + ix.code_idx
    return needs & ~np.isin(line_keys, pa_keys)
