"""What each kind of visit bills: the dispatch from visit kind to line builders, and the
office-type visits (problem visits, skin checks, AK and wart visits, benign removals,
injections, phototherapy weeks, biologics, PDT, cosmetic work, abscesses, telehealth).

Each builder receives all visits of its kind at once. Visits with a procedure carry an
E/M on a share of them (procedure_em: separately identifiable or not, the truth kept in
visits['em_separate']). G2211 (longitudinal care add-on, CMS from 2024) goes on
established E/Ms of chronic patients with Medicare; telehealth E/Ms carry 95 (POS 10).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from synthetic_data.arrays import isin, lookup
from synthetic_data.world import lesions as le
from synthetic_data.world import services_lesions as sl
from synthetic_data.world import services_surgery as ss
from synthetic_data.world.codebook import drug_ndc
from synthetic_data.world.context import WorldCtx
from synthetic_data.world.diagnoses import ABSCESS, SCREENING, em_problems, pick
from synthetic_data.world.em import em_block, procedure_em
from synthetic_data.world.lines import (
    ORDER_ADDON,
    ORDER_ADMIN,
    ORDER_DRUG,
    ORDER_PROC,
    Lines,
    make_block,
)
from synthetic_data.world.timeline import KINDS, K, Visits

Builder = Callable[[WorldCtx, Visits, np.ndarray], list[Lines]]
G2211_START = date(2024, 1, 1)
SCREENING_SHARE = 0.10  # non-cancer skin checks coded as screening
DRUG_UNITS = {"J3358": 130, "J3245": 100, "J2357": 60}  # HCPCS units per dose
DRUG_ADMIN = {"J3358": "96365", "J3245": "96372", "J2357": "96372"}
DRUG_DX = {"J3358": "L40.0", "J3245": "L40.0", "J2357": "L50.1"}


def condition_dx(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> np.ndarray:
    """The problem an E/M addresses, from the patient's conditions where they have one."""
    c = ctx.patients.conditions
    p = visits["patient"][v]
    dx = em_problems(ctx.rng, len(v))
    dx = np.where(c["acne"][p] & ctx.chance(0.6, len(v)), "L70.0", dx)
    dx = np.where(c["inflammatory"][p] & ctx.chance(0.7, len(v)),
                  np.where(ctx.chance(0.55, len(v)), "L40.0", "L20.9"), dx)
    return np.where(c["cancer"][p] & ctx.chance(0.3, len(v)), "Z85.828", dx).astype(object)


def g2211_lines(ctx: WorldCtx, visits: Visits, v: np.ndarray, has_procedure: np.ndarray,
                dx: np.ndarray) -> Lines:
    """G2211 on established Medicare E/Ms of patients in ongoing care (inflammatory
    disease, skin-cancer follow-up); the coder also adds it beside a 25 E/M."""
    p = visits["patient"][v]
    medicare = isin(ctx.archetype(p), ("medicare_ffs", "medicare_advantage"))
    chronic = ctx.patients.conditions["inflammatory"][p] | ctx.patients.conditions["cancer"][p]
    day0 = (np.datetime64(G2211_START) - ctx.start).astype(np.int64)
    rate = np.where(has_procedure, ctx.rate("g2211_with_25"), 0.35)
    keep = (medicare & chronic & ~visits["new_patient"][v] & (visits["day"][v] >= day0)
            & ctx.chance(rate, len(v)))
    return make_block(v[keep], "G2211", order=ORDER_ADDON + 9, dx=dx[keep])


def office(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """A problem visit: the E/M, sometimes with a small procedure on the same day."""
    c, p, n = ctx.patients.conditions, visits["patient"][v], len(v)
    dx = condition_dx(ctx, visits, v)
    biopsy = ctx.chance(0.05, n)
    ak = c["actinic"][p] & ctx.chance(0.10, n)
    wart = c["warts"][p] & ctx.chance(0.15, n)
    inject = (c["keloid_alopecia"][p] | c["acne"][p]) & ctx.chance(0.08, n)
    visits["em_separate"][v] = True
    blocks = [em_block(ctx, visits, v, dx)]
    biopsy_blocks, truth = sl.biopsies(ctx, v[biopsy], c["cancer"][p[biopsy]])
    ctx.biopsied.append(truth)
    blocks += biopsy_blocks
    blocks += sl.ak_destruction(ctx, v[ak]) + sl.warts(ctx, v[wart])
    blocks += sl.intralesional(ctx, v[inject])
    return blocks + [g2211_lines(ctx, visits, v, biopsy | ak | wart | inject, dx)]


def skin_check(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """A lesion check or full-skin exam: E/M (screening Z12.83 or cancer history, plus
    the lesion it found), biopsies of suspicious lesions, AKs treated, an occasional
    shave."""
    c, p, n = ctx.patients.conditions, visits["patient"][v], len(v)
    screening = ~c["cancer"][p] & ctx.chance(SCREENING_SHARE, n)
    dx = np.where(c["cancer"][p], "Z85.828", np.where(screening, SCREENING, "D22.5"))
    biopsy = ctx.chance(0.5, n)
    ak = c["actinic"][p] & ctx.chance(0.35, n)
    shave = ctx.chance(0.05, n)
    shared = ak[biopsy] & ctx.err("bypass_same_lesion", int(biopsy.sum()))
    visits["em_separate"][v] = True
    biopsy_blocks, truth = sl.biopsies(ctx, v[biopsy], c["cancer"][p[biopsy]], shared)
    ctx.biopsied.append(truth)
    found = np.full(n, None, dtype=object)
    first = biopsy_blocks[0]["order"] == ORDER_PROC
    found[np.searchsorted(v, biopsy_blocks[0]["visit"][first])] = biopsy_blocks[0]["dx"][first]
    found = np.where(ak & (found == None), "L57.0", found)  # noqa: E711
    blocks = [em_block(ctx, visits, v, dx.astype(object), found)]
    return blocks + biopsy_blocks + sl.ak_destruction(ctx, v[ak]) + sl.shaves(ctx, v[shave])


def ak_visit(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """Seasonal AK treatment, with an E/M on a share of visits."""
    dx = np.full(len(v), "L57.0", dtype=object)
    return sl.ak_destruction(ctx, v) + [
        procedure_em(ctx, visits, v, 0.85 * ctx.rate("em_with_procedure"), dx)]


def warts_visit(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """Wart cryotherapy (a series), E/M on the first visits of some."""
    blocks = sl.warts(ctx, v)
    return blocks + [procedure_em(ctx, visits, v, 0.30, blocks[0]["dx"])]


def benign_removal(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """A benign growth removed: shave, excision (cyst, nevus), SK destruction or tags."""
    rng, n = ctx.rng, len(v)
    what = rng.choice(4, n, p=[0.35, 0.25, 0.20, 0.20])
    exc = v[what == 1]
    visits["f_site"][exc] = le.sample_sites(rng, len(exc), "body")
    visits["f_side"][exc] = le.sides(rng, visits["f_site"][exc])
    kind = pick(rng, ("cyst", "nevus", "benign_neoplasm", "uncertain"), len(exc),
                (0.45, 0.30, 0.15, 0.10))
    visits["f_kind"][exc] = kind
    visits["f_size"][exc] = np.where(kind == "cyst", le.diameters(rng, len(exc), 1.3, 0.4, 4),
                                     le.diameters(rng, len(exc), 0.6, 0.2, 2.5))
    blocks = (sl.shaves(ctx, v[what == 0]) + ss.excision(ctx, visits, exc, "excision_benign")
              + sl.seborrheic_keratoses(ctx, v[what == 2]) + sl.skin_tags(ctx, v[what == 3]))
    dx = np.full(n, "L82.0", dtype=object)
    keep = what != 1  # the excision built its own optional E/M
    return blocks + [procedure_em(ctx, visits, v[keep], 0.35, dx[keep])]


def injection(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """Intralesional triamcinolone (keloids, acne cysts, alopecia areata)."""
    blocks = sl.intralesional(ctx, v)
    return blocks + [procedure_em(ctx, visits, v, 0.45, blocks[0]["dx"])]


def phototherapy(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """A week of sessions: one line per session date (Mon/Wed/Fri) of the patient's
    modality; psoriasis or eczema."""
    p = visits["patient"][v]
    rows = np.repeat(np.arange(len(v)), visits["sessions"][v])
    session = np.arange(len(rows)) - np.repeat(np.cumsum(visits["sessions"][v])
                                                - visits["sessions"][v], visits["sessions"][v])
    code = ctx.photo_code[p]
    dx = np.where(ctx.patients.conditions["acne"][p], "L20.9", "L40.0").astype(object)
    return [make_block(v[rows], code[rows], order=ORDER_PROC, dx=dx[rows], day=2 * session)]


def biologic(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """An office-administered biologic: the drug (J-code, NDC) and its administration."""
    drug = visits["drug"][v]
    units = lookup(DRUG_UNITS, drug, 1, dtype=np.int64)
    dx = lookup(DRUG_DX, drug)
    admin = lookup(DRUG_ADMIN, drug)
    ndc, qty = drug_ndc(drug, np.ones(len(v), dtype=np.int64))
    return [make_block(v, drug, order=ORDER_DRUG, units=units, dx=dx, ndc=ndc, qty=qty),
            make_block(v, admin, order=ORDER_ADMIN, dx=dx),
            procedure_em(ctx, visits, v, 0.25, dx)]


def pdt(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """Photodynamic therapy of AKs: 96567 with aminolevulinic acid J7308 (NDC)."""
    site = pick(ctx.rng, ("face", "scalp"), len(v))
    ndc, qty = drug_ndc(np.full(len(v), "J7308", dtype=object), np.ones(len(v), np.int64))
    return [make_block(v, "96567", order=ORDER_PROC, dx="L57.0", site=site, side="midline",
                       count=le.counts(ctx.rng, len(v), 8, 40), lesion=sl.LESION_AK),
            make_block(v, "J7308", order=ORDER_DRUG, dx="L57.0", ndc=ndc, qty=qty),
            procedure_em(ctx, visits, v, 0.2, np.full(len(v), "L57.0", dtype=object))]


def cosmetic(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """Cosmetic work the patient asked for: dermabrasion of scars, a chemical peel, SKs
    or tags removed for appearance (the cosmetic intake form, GY for Medicare)."""
    what = ctx.rng.choice(4, len(v), p=[0.2, 0.35, 0.28, 0.17])
    visits["cosmetic"][v] = True
    scars = v[what == 0]
    peel = v[what == 1]
    return [make_block(scars, "15780", order=ORDER_PROC, dx="L90.5",
                       site="face", side="midline", count=1, lesion=70),
            make_block(peel, "17360", order=ORDER_PROC, dx=pick(ctx.rng, ("L81.4", "L70.0"),
                                                                 len(peel), (0.7, 0.3)))]\
        + sl.seborrheic_keratoses(ctx, v[what == 2], cosmetic=True) \
        + sl.skin_tags(ctx, v[what == 3])


def abscess(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """Incision and drainage of an abscess or inflamed cyst (10060, 010 global)."""
    dx = pick(ctx.rng, ABSCESS, len(v))
    site = pick(ctx.rng, ("trunk", "legs", "arms", "neck"), len(v))
    return [make_block(v, "10060", order=ORDER_PROC, dx=dx, site=site,
                       side=le.sides(ctx.rng, site), count=1, lesion=80),
            procedure_em(ctx, visits, v, 0.5, dx)]


def telehealth(ctx: WorldCtx, visits: Visits, v: np.ndarray) -> list[Lines]:
    """A synchronous video follow-up (E/M with 95, place of service 10)."""
    visits["telehealth"][v] = True
    visits["em_separate"][v] = True
    return [em_block(ctx, visits, v, condition_dx(ctx, visits, v))]


BUILDERS: dict[int, Builder] = {
    K["office"]: office, K["skin_check"]: skin_check, K["ak"]: ak_visit, K["warts"]: warts_visit,
    K["benign_removal"]: benign_removal, K["injection"]: injection,
    K["phototherapy"]: phototherapy, K["biologic"]: biologic, K["pdt"]: pdt,
    K["cosmetic"]: cosmetic, K["abscess"]: abscess, K["telehealth"]: telehealth,
    K["excision_malignant"]: lambda c, vis, v: ss.excision(c, vis, v, "excision_malignant"),
    K["reexcision"]: lambda c, vis, v: ss.excision(c, vis, v, "excision_malignant"),
    K["mohs"]: ss.mohs, K["edc"]: ss.edc, K["att"]: ss.att_excision,
    K["complication"]: ss.complication, K["postop"]: ss.postop,
}
assert set(BUILDERS) == set(range(len(KINDS)))


def build_services(ctx: WorldCtx, visits: Visits) -> list[Lines]:
    """Line blocks of every visit; lesions biopsied go to ctx.biopsied (follow-ups)."""
    blocks: list[Lines] = []
    for kind in range(len(KINDS)):
        v = np.flatnonzero(visits["kind"] == kind)
        if len(v):
            blocks += BUILDERS[kind](ctx, visits, v)
    return blocks
