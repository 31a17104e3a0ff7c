"""Drug lines: a J-code carries the drug's NDC (837P loop 2410 LIN*N4 with its CTP
quantity; shared/domain §11). Medicaid requires it (DRA 2005) and many commercial payers
deny without it (CO-16, RARC M119); Medicare Part B practitioner claims mostly do not,
so the finding is a warning whose weight the model learns per payer.
"""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from contract.typed import as_objects, is_present
from features.checks.context import Ctx
from features.checks.findings import Hits, empty_hits, hits
from features.encode import is_small_objects, to_arrow_strings


def check_drugs(ctx: Ctx) -> list[Hits]:
    """Drug-line findings of the batch."""
    return [drug_ndc_missing(ctx)]


def is_j_code(column) -> np.ndarray:
    """HCPCS J-codes (drugs administered other than oral method), per line."""
    if is_small_objects(column):
        return np.fromiter((c is not None and c.startswith("J") for c in column), dtype=bool,
                           count=len(column))
    found = pc.starts_with(to_arrow_strings(column), "J").fill_null(False)
    return found.to_numpy(zero_copy_only=False)


def drug_ndc_missing(ctx: Ctx) -> Hits:
    """A J-code line without an NDC: add the 11-digit NDC and the quantity."""
    lines = ctx.frames.lines
    fire = is_j_code(lines["cpt"])
    if not fire.any():
        return empty_hits("drug_ndc_missing")
    fire &= ~is_present(lines["ndc"])
    quantity = as_objects(lines["drug_quantity"])
    return hits("drug_ndc_missing", fire, value="ndc",
                quantity=np.where(is_present(lines["drug_quantity"])[fire],
                                  quantity[fire], "its quantity"))
