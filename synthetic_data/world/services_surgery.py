"""Surgical visits: excisions (benign 114xx, malignant 116xx), re-excision for positive
margins (58), Mohs (17311/17313 + stages), ED&C of superficial cancers (172xx), adjacent
tissue transfer (14040/14060, 090 global, excision included) with the decision E/M (57),
repairs, the unplanned return for a complication (78) and billed routine post-op visits.

Excision codes come from the excised diameter (lesion + 2 x narrowest margin) and site
group; intermediate/complex repairs by repair group and length, never after a benign
excision <=0.5 cm (NCCI: repair included). Slips drawn here: the lesion diameter coded
instead of the excised one, a code of another site group (excisions, shaves, ED&C),
benign codes for a malignant report, the excision billed beside the flap that includes
it, the Mohs code of the other site family (17313 for the face), 88305 on Mohs tissue.
"""

from __future__ import annotations

import numpy as np

from synthetic_data.arrays import isin
from synthetic_data.world import lesions as le
from synthetic_data.world.codebook import (
    LESION_GROUP,
    att_codes,
    complex_repair_codes,
    intermediate_repair_codes,
    lesion_codes,
    mohs_codes,
    site_index,
)
from synthetic_data.world.context import WorldCtx
from synthetic_data.world.diagnoses import AFTERCARE, DEHISCENCE, WOUND_INFECTION, lesion_dx
from synthetic_data.world.em import em_block, procedure_em
from synthetic_data.world.lines import (
    ORDER_ADDON,
    ORDER_PATH,
    ORDER_PROC,
    ORDER_REPAIR,
    Lines,
    make_block,
)
from synthetic_data.world.timeline import Visits

LESION_SURGERY = 60
WRONG_GROUP_SITE = np.array(["face", "trunk", "neck"], dtype=object)  # a site of group g+2
MOHS_PATH_SLIP = 0.02
MOHS_OTHER_SITE = np.array(["trunk", "face"], dtype=object)  # [head site, trunk site]


def repairs(ctx: WorldCtx, v: np.ndarray, site: np.ndarray, side: np.ndarray,
            length: np.ndarray, p_intermediate: float, p_complex: float,
            dx: np.ndarray) -> list[Lines]:
    """Intermediate or complex repair lines of the wound (complex add-on past 7.5 cm)."""
    u = ctx.rng.random(len(v))
    inter, cplx = u < p_intermediate, (u >= p_intermediate) & (u < p_intermediate + p_complex)
    length = np.round(np.maximum(length, 1.1), 1)
    primary, addon, units = complex_repair_codes(site[cplx], length[cplx])
    common = {"order": ORDER_REPAIR, "count": 1, "lesion": LESION_SURGERY}
    return [
        make_block(v[inter], intermediate_repair_codes(site[inter], length[inter]),
                   dx=dx[inter], site=site[inter], side=side[inter], size_cm=length[inter],
                   **common),
        make_block(v[cplx], primary, dx=dx[cplx], site=site[cplx], side=side[cplx],
                   size_cm=length[cplx], **common),
        make_block(v[cplx], addon, units=units, dx=dx[cplx], site=site[cplx],
                   side=side[cplx], **{**common, "order": ORDER_REPAIR + 1}),
    ]


def coded_sites(ctx: WorldCtx, site: np.ndarray) -> np.ndarray:
    """The site a coder codes from: the lesion's, or (slip) one of another site group."""
    wrong = ctx.err("wrong_site_code", len(site))
    return np.where(wrong, WRONG_GROUP_SITE[LESION_GROUP[site_index(site)]], site)


def coded_excision(ctx: WorldCtx, family: str, site: np.ndarray, size: np.ndarray,
                   excised: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(billed, true) excision codes: the slips code the lesion diameter, another site
    group, or (malignant) the benign family."""
    n = len(site)
    true = lesion_codes(family, site, excised)
    wrong_size = ctx.err("wrong_size_code", n)
    coded_site = coded_sites(ctx, site)
    coded_family = family
    billed = lesion_codes(coded_family, coded_site, np.where(wrong_size, size, excised))
    if family == "excision_malignant":
        benign = ctx.err("benign_code_malignant", n)
        billed = np.where(benign, lesion_codes("excision_benign", coded_site,
                                               np.where(wrong_size, size, excised)), billed)
    return billed.astype(object), true


def excision(ctx: WorldCtx, visits: Visits, v: np.ndarray, family: str) -> list[Lines]:
    """One excision per visit of the carried lesion (f_site/f_side/f_size/f_kind), coded
    on the excised diameter, with its repair and the specimen's 88305."""
    site, side, kind = visits["f_site"][v], visits["f_side"][v], visits["f_kind"][v]
    size = visits["f_size"][v]
    excised = np.round(size + 2 * le.margins(ctx.rng, kind), 1)
    visits["f_excised"][v] = excised
    dx = lesion_dx(kind, site, side)
    billed, true = coded_excision(ctx, family, site, size, excised)
    block = make_block(v, billed, order=ORDER_PROC, dx=dx, site=site, side=side,
                       size_cm=excised, count=1, lesion=LESION_SURGERY,
                       gmod=np.where(visits["relation"][v] == 1, "58", "").astype(object))
    block["true_cpt"] = true
    repairable = ~isin(true, ("11400", "11420", "11440"))
    p_int, p_cx = (0.60, 0.15) if family == "excision_malignant" else (0.45, 0.04)
    length = excised * ctx.rng.uniform(2.5, 3.5, len(v))
    r = repairable
    out = [block] + repairs(ctx, v[r], site[r], side[r], length[r], p_int, p_cx, dx[r])
    out.append(make_block(v, "88305", order=ORDER_PATH, dx=dx))
    return out + [procedure_em(ctx, visits, v, 0.12, dx)]


def mohs(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """Mohs first stage + added stages, then a repair or an adjacent tissue transfer."""
    rng, n = ctx.rng, len(v)
    site, side, kind = visits["f_site"][v], visits["f_side"][v], visits["f_kind"][v]
    dx = lesion_dx(kind, site, side)
    first, extra = mohs_codes(site)
    slip = ctx.err("wrong_mohs_site", n)
    billed, billed_extra = mohs_codes(np.where(slip, MOHS_OTHER_SITE[
        (LESION_GROUP[site_index(site)] == 0).astype(int)], site))
    stages = rng.choice([0, 1, 2, 3], n, p=[0.50, 0.33, 0.12, 0.05])
    common = {"dx": dx, "site": site, "side": side, "count": 1, "lesion": LESION_SURGERY}
    defect = visits["f_size"][v] + 0.4 * (1 + stages)
    visits["f_excised"][v] = np.round(defect, 1)
    blocks = [make_block(v, billed, order=ORDER_PROC, size_cm=visits["f_size"][v], **common),
              make_block(v, billed_extra, order=ORDER_ADDON, units=stages, **common)]
    blocks[0]["true_cpt"], blocks[1]["true_cpt"] = first, extra
    flap = ctx.chance(0.20, n) & (LESION_GROUP[site_index(site)] > 0)
    blocks.append(make_block(v[flap], att_codes(site[flap], 2.5 * defect[flap] ** 2),
                             order=ORDER_REPAIR, dx=dx[flap], site=site[flap],
                             side=side[flap], count=1, lesion=LESION_SURGERY))
    rest = ~flap
    blocks += repairs(ctx, v[rest], site[rest], side[rest], defect[rest] * 2.6, 0.40, 0.40,
                      dx[rest])
    slip = ctx.chance(MOHS_PATH_SLIP, n)
    blocks.append(make_block(v[slip], "88305", order=ORDER_PATH, dx=dx[slip]))
    return blocks + [procedure_em(ctx, visits, v, ctx.rate("em_with_mohs"), dx)]


def edc(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """Electrodesiccation and curettage of a superficial cancer (172xx by site and
    lesion diameter)."""
    site, side, kind = visits["f_site"][v], visits["f_side"][v], visits["f_kind"][v]
    size = visits["f_size"][v]
    dx = lesion_dx(kind, site, side)
    block = make_block(v, lesion_codes("destruction_malignant", coded_sites(ctx, site), size),
                       order=ORDER_PROC, dx=dx, site=site, side=side, size_cm=size, count=1,
                       lesion=LESION_SURGERY)
    block["true_cpt"] = lesion_codes("destruction_malignant", site, size)
    return [block, procedure_em(ctx, visits, v, 0.25, dx)]


def att_excision(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """Excision closed by adjacent tissue transfer (14040/14060 include the excision),
    decided at an E/M the same day (57). The slip bills the excision too."""
    rng, n = ctx.rng, len(v)
    site, side, kind = visits["f_site"][v], visits["f_side"][v], visits["f_kind"][v]
    excised = np.round(visits["f_size"][v] + 2 * le.margins(rng, kind), 1)
    visits["f_excised"][v] = excised
    dx = lesion_dx(kind, site, side)
    common = {"dx": dx, "site": site, "side": side, "count": 1, "lesion": LESION_SURGERY}
    decision = ctx.chance(0.6, n)
    visits["decision"][v[decision]] = True
    extra = ctx.err("excision_with_att", n)
    return [
        make_block(v, att_codes(site, 2.5 * excised ** 2), order=ORDER_PROC,
                   size_cm=excised, **common),
        make_block(v[extra], lesion_codes("excision_malignant", site[extra], excised[extra]),
                   order=ORDER_ADDON, dx=dx[extra], site=site[extra], side=side[extra],
                   size_cm=excised[extra], count=1, lesion=LESION_SURGERY),
        make_block(v, "88305", order=ORDER_PATH, dx=dx),
        em_block(ctx, visits, v[decision], dx[decision], gmod="57"),
    ]


def complication(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """Unplanned return in the global (78): wound dehiscence repair (12020) or drainage
    of a postoperative wound infection (10180)."""
    dehiscence = ctx.chance(0.5, len(v))
    site, side = visits["f_site"][v], visits["f_side"][v]
    return [make_block(v, np.where(dehiscence, "12020", "10180"), order=ORDER_PROC,
                       dx=np.where(dehiscence, DEHISCENCE, WOUND_INFECTION).astype(object),
                       site=site, side=side, count=1, lesion=LESION_SURGERY, gmod="78")]


def postop(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """A routine post-op visit billed as an E/M (it is inside the surgery's global)."""
    lesion = lesion_dx(visits["f_kind"][v], visits["f_site"][v], visits["f_side"][v])
    dx = np.where(ctx.chance(0.6, len(v)), AFTERCARE, lesion).astype(object)
    return [em_block(ctx, visits, v, dx)]
