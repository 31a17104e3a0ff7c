"""Diagnosis coding: the claim's diagnosis list (CMS-1500 box 21 / 837P HI, first use
first) and each line's pointers to the diagnoses of its own lesion or problem.

Slips from the profile's habits, per lesion: the other side's code (C44.619 for a
right-arm BCC), the unspecified-side code, a neighbouring site's code (C44.41 scalp/neck
for a face BCC, D22.5 trunk for an arm nevus), a procedure line pointing at a screening
code (Z12.83) instead of its lesion's diagnosis, and a procedure line pointing at another
problem's diagnosis of the same claim (17000 pointed at the SK's L82.1 on a claim that
also lists the AK's L57.0: shared/domain §4, §6 CO-11, §11). The lesion's
recorded side (lesion.laterality) and the RT/LT modifier stay the truth.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from reference.families import EM_CODES
from reference.vocab import MAX_DIAGNOSES
from synthetic_data.arrays import isin, lookup, object_index
from synthetic_data.world.context import WorldCtx
from synthetic_data.world.diagnoses import SCREENING, neoplasm_table
from synthetic_data.world.lines import group_rank

POINTER_SLOTS = ("dxp_1", "dxp_2", "dxp_3", "dxp_4")


@lru_cache(maxsize=1)
def side_swaps() -> tuple[dict[str, str], dict[str, str]]:
    """Code -> the same kind and site on the other side, and -> unspecified side."""
    table = neoplasm_table()
    other, unspecified = {}, {}
    for key, code in table.items():
        kind, site, side = key.split("|")
        if side in ("right", "left"):
            flip = "left" if side == "right" else "right"
            other[code] = table[f"{kind}|{site}|{flip}"]
            unspecified[code] = table[f"{kind}|{site}|unspecified"]
    return other, unspecified


# Lesion site -> the neighbouring site whose subcode a coder slips to (unsided targets).
NEIGHBOUR_SITE = {"face": "scalp", "scalp": "face", "neck": "face", "nose": "scalp",
                  "lips": "neck", "ears": "scalp", "eyelids": "scalp", "trunk": "neck",
                  "arms": "trunk", "hands": "trunk", "legs": "trunk", "feet": "trunk"}


@lru_cache(maxsize=1)
def site_swaps() -> dict[str, str]:
    """Neoplasm code -> the same kind's code of the neighbouring site (codes whose
    neighbour shares the code, e.g. D22.39 nose/face, are left out)."""
    table = neoplasm_table()
    out: dict[str, str] = {}
    for key, code in table.items():
        kind, site, _ = key.split("|")
        wrong = table.get(f"{kind}|{NEIGHBOUR_SITE.get(site, '')}|")
        if wrong is not None and wrong != code:
            out.setdefault(code, wrong)
    return out


def slip_sites(ctx: WorldCtx, lines: dict) -> None:
    """Per (visit, diagnosis) of a sited neoplasm: the neighbouring site's subcode, on
    every line of the visit that carries it (in place on dx, dx2)."""
    swaps = site_swaps()
    vocab = object_index(sorted(swaps))
    width = len(vocab) + 1
    where = {col: vocab.get_indexer(object_index(lines[col])) for col in ("dx", "dx2")}
    keys = {col: lines["visit"] * width + where[col] for col in ("dx", "dx2")}
    unique = pd.Index(pd.unique(keys["dx"][where["dx"] >= 0]))
    code = vocab.to_numpy(dtype=object)[unique.to_numpy() % width]
    swapped = np.where(ctx.err("wrong_site_dx", len(unique)), lookup(swaps, code), code)
    for col in ("dx", "dx2"):
        pos = unique.get_indexer(keys[col])
        hit = (pos >= 0) & (where[col] >= 0)
        lines[col] = np.where(hit, swapped[np.maximum(pos, 0)], lines[col])


def slip_sides(ctx: WorldCtx, lines: dict) -> None:
    """Per (visit, diagnosis) of a sided lesion: the other side's or the unspecified
    code, on every line of the visit that carries it (in place on dx, dx2)."""
    other, unspecified = side_swaps()
    vocab = object_index(sorted(other))
    width = len(vocab) + 1
    where = {col: vocab.get_indexer(object_index(lines[col])) for col in ("dx", "dx2")}
    keys = {col: lines["visit"] * width + where[col] for col in ("dx", "dx2")}
    sided = where["dx"] >= 0
    unique = pd.Index(pd.unique(keys["dx"][sided]))
    n = len(unique)
    wrong, blur = ctx.err("wrong_side_dx", n), ctx.err("unspecified_side_dx", n)
    code = vocab.to_numpy(dtype=object)[unique.to_numpy() % width]
    swapped = np.where(wrong, lookup(other, code), np.where(blur, lookup(unspecified, code),
                                                            code))
    for col in ("dx", "dx2"):
        pos = unique.get_indexer(keys[col])
        hit = (pos >= 0) & (where[col] >= 0)
        lines[col] = np.where(hit, swapped[np.maximum(pos, 0)], lines[col])


def diagnosis_matrix(lines: dict, n_visits: int) -> np.ndarray:
    """Claim diagnosis lists (n_visits x 12, None padded) in order of first use; sets
    dxp_1..dxp_4 on the lines (1-based pointers to their own dx, dx2)."""
    dx = np.stack([lines["dx"], lines["dx2"]], axis=1).ravel()
    visit = np.repeat(lines["visit"], 2)
    present = pd.notna(dx)
    codes, vocab = pd.factorize(dx)
    key = visit * (len(vocab) + 1) + codes
    first = present & ~pd.Series(key).duplicated().to_numpy()
    rank = group_rank(visit[first])
    keep = rank < MAX_DIAGNOSES
    matrix = np.full((n_visits, MAX_DIAGNOSES), None, dtype=object)
    matrix[visit[first][keep], rank[keep]] = dx[first][keep]
    slot = pd.Index(key[first])
    pointer = np.where(keep, rank + 1, 0).astype(float)
    for j, col in enumerate(POINTER_SLOTS[:2]):
        pos = slot.get_indexer(key[j::2])
        ok = present[j::2] & (pos >= 0)
        lines[col] = np.where(ok, pointer[np.maximum(pos, 0)], np.nan)
        lines[col] = np.where(lines[col] == 0, np.nan, lines[col])
    lines["dxp_2"] = np.where(lines["dxp_2"] == lines["dxp_1"], np.nan, lines["dxp_2"])
    for col in POINTER_SLOTS[2:]:
        lines[col] = np.full(len(lines["visit"]), np.nan)
    return matrix


def slip_screening_pointers(ctx: WorldCtx, lines: dict, matrix: np.ndarray) -> None:
    """A procedure line of a claim that lists Z12.83 points at it instead of its own
    diagnosis (the lesion's code stays on the claim, unpointed by that line)."""
    screening_slot = np.argmax(matrix == SCREENING, axis=1) + 1
    has = (matrix == SCREENING).any(axis=1)
    procedure = ~isin(lines["cpt"], EM_CODES) & pd.notna(lines["dx"])
    slip = procedure & has[lines["visit"]] & ctx.err("screening_pointer", len(procedure))
    lines["dxp_1"] = np.where(slip, screening_slot[lines["visit"]], lines["dxp_1"])
    lines["dxp_2"] = np.where(slip, np.nan, lines["dxp_2"])


def first_two_problems(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per claim, the 1-based slots of its first two non-screening diagnoses (0: none)."""
    problem = pd.notna(matrix) & (matrix != SCREENING)
    order = np.cumsum(problem, axis=1)
    first = np.where(problem.any(axis=1), np.argmax(problem & (order == 1), axis=1) + 1, 0)
    second = np.where(order[:, -1] >= 2, np.argmax(problem & (order == 2), axis=1) + 1, 0)
    return first, second


def slip_cross_pointers(ctx: WorldCtx, lines: dict, matrix: np.ndarray) -> None:
    """A procedure line of a claim listing two or more problems points at another
    problem's diagnosis instead of its own (the pointer box filled from the wrong row)."""
    first, second = first_two_problems(matrix)
    visit = lines["visit"]
    own = lines["dxp_1"]
    slot = np.nan_to_num(own, nan=1).astype(np.int64).clip(1, matrix.shape[1]) - 1
    screening = matrix[visit, slot] == SCREENING
    procedure = ~isin(lines["cpt"], EM_CODES) & pd.notna(lines["dx"]) & pd.notna(own) \
        & ~screening
    other = np.where(own == first[visit], second[visit], first[visit])
    slip = procedure & (second[visit] > 0) & (other != own) \
        & ctx.err("cross_pointer", len(procedure))
    lines["dxp_1"] = np.where(slip, other, own).astype(float)
    lines["dxp_2"] = np.where(slip, np.nan, lines["dxp_2"])


def code_diagnoses(ctx: WorldCtx, lines: dict, n_visits: int) -> np.ndarray:
    """Slip, list and point the diagnoses; returns the claims' diagnosis matrix."""
    slip_sites(ctx, lines)
    slip_sides(ctx, lines)
    matrix = diagnosis_matrix(lines, n_visits)
    slip_screening_pointers(ctx, lines, matrix)
    slip_cross_pointers(ctx, lines, matrix)
    return matrix
