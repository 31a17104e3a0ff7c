"""The coding pass: modifier 25 on E/Ms with procedures, NCCI bypass modifiers, dx slips.

Runs on the numbered lines of a chunk. A careful coder appends 25 to an E/M billed with a
procedure and, for each NCCI PTP pair (modifier indicator 1) on *different* lesions,
appends XS to the column-2 line and names the column-1 line in lesion.distinct_from_line.
The coder errors of ErrorRates are drawn here: 25 forgotten, 59 where XS fits, no bypass,
no distinct line named, a wrong diagnosis, a pointer to the wrong diagnosis.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from contract.frames import DXP_COLS, MOD_COLS
from features.billing_rules import ptp_matrix
from reference.cms import CmsTables
from synthetic_data.codemask import family_mask, family_of_index
from synthetic_data.context import Ctx
from synthetic_data.lines import Lines

NON_PROCEDURE_FAMILIES = ("em", "drug", "pathology")
# A diagnosis a rushed coder picks that does not support the family (shared/domain §4).
WRONG_DX: dict[str, str] = {
    "destruction_ak": "L82.1", "excision_malignant": "D22.5", "excision_benign": "L30.9",
    "mohs": "D48.5", "biopsy": "L57.0", "phototherapy": "L30.9", "destruction_benign": "L57.0",
    "intralesional": "L30.9", "shave": "L57.0", "destruction_malignant": "D22.5",
}


def add_modifier(lines: Lines, mask: np.ndarray, value: str) -> None:
    """Put `value` into the first empty modifier slot of the masked lines (in place)."""
    todo = np.asarray(mask, dtype=bool).copy()
    for col in MOD_COLS:
        free = todo & pd.isna(lines[col])
        lines[col] = np.where(free, value, lines[col])
        todo &= ~free


def code_modifier_25(ctx: Ctx, lines: Lines) -> None:
    """Append 25 to E/M lines of claims that also bill a procedure (unless forgotten)."""
    claim = lines["claim"]
    proc = ~family_mask(lines["code"], NON_PROCEDURE_FAMILIES)
    has_proc = np.zeros(claim.max() + 1 if len(claim) else 1, dtype=bool)
    has_proc[claim[proc]] = True
    em = family_mask(lines["code"], ("em",)) & has_proc[claim]
    add_modifier(lines, em & ~ctx.error("missing_25", len(claim)), "25")


def claim_pairs(claim: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All ordered pairs (a, b), a != b, of line positions on the same (sorted) claim."""
    firsts, seconds = [], []
    for d in range(1, len(claim)):
        same = np.flatnonzero(claim[:-d] == claim[d:])
        if len(same) == 0:
            break
        firsts += [same, same + d]
        seconds += [same + d, same]
    if not firsts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(firsts), np.concatenate(seconds)


def bypass_targets(lines: Lines, cms: CmsTables) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column-2 lines of MI-1 pairs (non-E/M), their column-1 line, and lesion distinctness."""
    a, b = claim_pairs(lines["claim"])
    mi = ptp_matrix(cms)[lines["code"][a], lines["code"][b]]
    keep = (mi == 1) & ~family_mask(lines["code"][b], ("em",))
    a, b = a[keep], b[keep]
    col2, first = np.unique(b, return_index=True)
    return col2, a[first], lines["lesion"][col2] != lines["lesion"][a[first]]


def code_bypass_modifiers(ctx: Ctx, lines: Lines, cms: CmsTables) -> None:
    """XS + distinct_from_line on column-2 lines of MI-1 pairs on different lesions."""
    col2, col1, distinct = bypass_targets(lines, cms)
    n = len(col2)
    missing, use59 = ctx.error("bypass_missing", n), ctx.error("bypass_59_not_x", n)
    careless = ~distinct & ctx.chance(0.5, n)  # unbundled same-lesion line, 59 anyway
    mask = np.zeros(len(lines["claim"]), dtype=bool)
    mask[col2[distinct & ~missing & ~use59]] = True
    add_modifier(lines, mask, "XS")
    mask[:] = False
    mask[col2[(distinct & ~missing & use59) | careless]] = True
    add_modifier(lines, mask, "59")
    named = distinct & ~missing & ~ctx.error("bypass_no_distinct", n)
    lines["distinct_from"][col2[named]] = lines["line"][col1[named]]


def slip_diagnosis_codes(ctx: Ctx, lines: Lines) -> None:
    """Replace a procedure line's diagnosis with one that does not support it (in place)."""
    wrong = pd.Series(family_of_index(lines["code"]), dtype=object).map(WRONG_DX)
    wrong = wrong.to_numpy(dtype=object)
    slip = ctx.error("dx_wrong_code", len(wrong)) & pd.notna(wrong)
    lines["dx"] = np.where(slip, wrong, lines["dx"])


def slip_dx_pointers(ctx: Ctx, lines: Lines, n_dx: np.ndarray) -> None:
    """Point a procedure line at the next diagnosis of its claim instead of its own."""
    claim_n = n_dx[lines["claim"]]
    ptr = lines[DXP_COLS[0]]
    procedure = ~family_mask(lines["code"], ("em",))
    slip = ctx.error("dx_pointer", len(ptr)) & (claim_n >= 2) & procedure
    moved = np.where(slip, ptr % np.maximum(claim_n, 1) + 1, ptr)
    lines[DXP_COLS[0]] = moved
    second = lines[DXP_COLS[1]]
    lines[DXP_COLS[1]] = np.where(slip & (second == moved), np.nan, second)
