"""Excisions (benign 114xx, malignant 116xx), Mohs (17311/17313 + stages) and repairs.

Excision codes come from the excised diameter (lesion + 2 x margin) and the site group;
intermediate/complex repairs are coded by repair group and length, never after a benign
excision <=0.5 cm (NCCI: repair included). Injected errors: the biopsy of the very lesion
being excised billed too, a simple repair billed with an excision, 88305 on Mohs tissue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic_data.codebook import (
    complex_repair_codes,
    intermediate_repair_code,
    lesion_code,
    mohs_codes,
    simple_repair_code,
)
from synthetic_data.context import Ctx
from synthetic_data.dxpools import (
    BENIGN_EXCISION_DX,
    BODY_SITES,
    BODY_WEIGHTS,
    MOHS_SITES,
    MOHS_WEIGHTS,
    SUN_SITES,
    malignant_dx,
    pick,
)
from synthetic_data.lesions import sizes
from synthetic_data.lines import (
    ORDER_ADDON,
    ORDER_PATH,
    ORDER_PROC,
    ORDER_REPAIR,
    Lines,
    make_block,
)

SMALLEST_BENIGN = ("11400", "11420", "11440")


def repairs(ctx: Ctx, claims: np.ndarray, site: np.ndarray, length: np.ndarray,
            p_intermediate: float, p_complex: float, dx: np.ndarray,
            lesion: int) -> list[Lines]:
    """Intermediate or complex repair lines (with complex add-on units past 7.5 cm)."""
    u = ctx.rng.random(len(claims))
    inter = u < p_intermediate
    cplx = (u >= p_intermediate) & (u < p_intermediate + p_complex)
    length = np.round(np.maximum(length, 1.1), 1)
    primary, addon, addon_units = complex_repair_codes(site[cplx], length[cplx])
    return [
        make_block(claims[inter], intermediate_repair_code(site[inter], length[inter]),
                   order=ORDER_REPAIR, dx=dx[inter], site=site[inter], size_cm=length[inter],
                   count=1, lesion=lesion),
        make_block(claims[cplx], primary, order=ORDER_REPAIR, dx=dx[cplx], site=site[cplx],
                   size_cm=length[cplx], count=1, lesion=lesion),
        make_block(claims[cplx], addon, order=ORDER_REPAIR + 1, units=addon_units,
                   dx=dx[cplx], site=site[cplx], count=1, lesion=lesion),
    ]


def _excision_lesions(ctx: Ctx, n: int, malignant: bool):
    """Site, lesion diameter, diagnosis and margin of each excised lesion."""
    rng = ctx.rng
    if malignant:
        site = pick(rng, BODY_SITES + SUN_SITES, n)
        size = sizes(rng, n, 1.0, 0.3, 4.0)
        dx = malignant_dx(rng, site)
        margin = np.where(pd.Series(dx).str.startswith("C43").to_numpy(), 1.0, 0.4)
    else:
        site = pick(rng, BODY_SITES, n, BODY_WEIGHTS)
        size = sizes(rng, n, 0.8, 0.2, 4.0)
        dx = pick(rng, BENIGN_EXCISION_DX, n)
        margin = rng.choice([0.1, 0.2], n, p=[0.6, 0.4])
    return site, size, dx, margin


def excisions(ctx: Ctx, claims: np.ndarray, malignant: bool,
              lesion: int = 0) -> list[Lines]:
    """One excision per claim, coded on the excised diameter, plus its repair."""
    n, rng = len(claims), ctx.rng
    site, size, dx, margin = _excision_lesions(ctx, n, malignant)
    excised = np.round(size + 2 * margin, 1)
    family = "excision_malignant" if malignant else "excision_benign"
    cpt = lesion_code(family, site, excised)
    blocks = [make_block(claims, cpt, order=ORDER_PROC, dx=dx, site=site, size_cm=excised,
                         count=1, lesion=lesion)]
    repairable = ~np.isin(cpt, SMALLEST_BENIGN)
    length = excised * rng.uniform(2.5, 3.5, n)
    p_int, p_cx = (0.65, 0.15) if malignant else (0.45, 0.04)
    blocks += repairs(ctx, claims[repairable], site[repairable], length[repairable],
                      p_int, p_cx, dx[repairable], lesion)
    biopsied = ctx.error("same_lesion_unbundled", n)  # biopsy of the lesion it excises
    blocks.append(make_block(claims[biopsied], "11102", order=ORDER_ADDON, dx=dx[biopsied],
                             site=site[biopsied], count=1, lesion=lesion))
    closed = ctx.error("same_lesion_unbundled", n)  # simple closure billed separately
    blocks.append(make_block(claims[closed], simple_repair_code(site[closed], length[closed]),
                             order=ORDER_REPAIR + 2, dx=dx[closed], site=site[closed],
                             size_cm=np.round(length[closed], 1), count=1, lesion=lesion))
    return blocks


def mohs(ctx: Ctx, claims: np.ndarray, lesion: int = 0) -> list[Lines]:
    """Mohs first stage + additional stages, repair, sometimes a biopsy of another lesion."""
    n, rng = len(claims), ctx.rng
    site = pick(rng, MOHS_SITES, n, MOHS_WEIGHTS)
    size = sizes(rng, n, 1.0, 0.3, 4.0)
    dx = malignant_dx(rng, site)
    first, extra = mohs_codes(site)
    stages = rng.choice([0, 1, 2, 3], n, p=[0.50, 0.33, 0.12, 0.05])
    blocks = [
        make_block(claims, first, order=ORDER_PROC, dx=dx, site=site, size_cm=size, count=1,
                   lesion=lesion),
        make_block(claims, extra, order=ORDER_ADDON, units=stages, dx=dx, site=site,
                   count=1, lesion=lesion),
    ]
    defect = size + 0.4 * (1 + stages)
    blocks += repairs(ctx, claims, site, defect * rng.uniform(2.2, 3.2, n), 0.35, 0.45, dx,
                      lesion)
    other = ctx.chance(0.06, n)  # biopsy of a different, undiagnosed lesion (billable, XS)
    blocks.append(make_block(claims[other], "11102", order=ORDER_ADDON + 5, dx="D49.2",
                             site=pick(rng, BODY_SITES, int(other.sum())), count=1,
                             lesion=lesion + 1))
    path = ctx.error("same_lesion_unbundled", n)  # 88305 on Mohs tissue (§1: never)
    blocks.append(make_block(claims[path], "88305", order=ORDER_PATH, dx=dx[path],
                             lesion=lesion))
    return blocks
