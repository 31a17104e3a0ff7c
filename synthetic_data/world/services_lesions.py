"""Office lesion procedures: biopsies (+88305), actinic keratosis destruction, benign
destruction (warts, SKs), skin tags, shaves, intralesional injections.

Codes follow shared/domain §1 (reference/families): one biopsy primary per session of the
highest-valued technique, every other lesion the add-on of its own technique; 17000 +
17003 x (n-1) up to 14 AKs, 17004 alone for 15+; 17110/17111 and 11900/11901 once per
session; 11200 + 11201 per further 10 tags; shaves by site group and lesion diameter.
The practice's structural slips are drawn where they occur: 17000 x n or 17003 x 14+
instead of 17004, 17004 for 8-14 AKs, 17003 without 17000, 17110 / 11900 x lesions,
17110 for 15+ / 11900 for 8+ lesions, the NCCI indicator-0 pair of the small and the
large count code billed together (17004 + 17000, 17111 + 17110, 11901 + 11900), 11102 on
every lesion, a primary biopsy x n, a second primary instead of the add-on.
Lesion numbers group the lines of one lesion: 0-9 biopsies, 10 AKs, 20 benign
destruction, 30-39 shaves, 40 tags, 50 injections (a biopsy of a lesion that is also
destroyed shares its number).
"""

from __future__ import annotations

import numpy as np

from reference.families import AK_15_PLUS, AK_ADDON, AK_FIRST, BIOPSY_ADDON, BIOPSY_PRIMARY
from synthetic_data.world import lesions as le
from synthetic_data.world.codebook import LESION_GROUP, drug_ndc, lesion_codes, site_index
from synthetic_data.world.context import WorldCtx
from synthetic_data.world.diagnoses import lesion_dx, pick
from synthetic_data.world.lines import (
    ORDER_ADDON,
    ORDER_DRUG,
    ORDER_PATH,
    ORDER_PROC,
    Lines,
    group_rank,
    make_block,
)

LESION_AK, LESION_BENIGN, LESION_SHAVE, LESION_TAG, LESION_INJECTION = 10, 20, 30, 40, 50
PRIMARY_CODES = np.array([BIOPSY_PRIMARY[t] for t in le.TECHNIQUES], dtype=object)
ADDON_CODES = np.array([BIOPSY_ADDON[t] for t in le.TECHNIQUES], dtype=object)
PATH_IN_HOUSE = 0.5  # share of biopsies read by the practice's dermatopathologist
WRONG_GROUP_SITE = np.array(["face", "trunk", "neck"], dtype=object)  # a site of group g+2
BILLED_BEFORE_PATH = 0.25  # biopsies coded D49.2 before the report (shared/domain §4)


def biopsies(ctx: WorldCtx, v: np.ndarray, high_risk: np.ndarray,
             shared_lesion: np.ndarray | None = None) -> tuple[list[Lines], dict]:
    """1-4 biopsied lesions per visit, one line each; returns the lesion truth too.
    `shared_lesion` marks visits whose first biopsy is of a lesion destroyed the same
    session (lesion number LESION_AK: the biopsy is bundled, shared/domain §3)."""
    rng, n = ctx.rng, len(v)
    k = rng.choice([1, 2, 3, 4], n, p=[0.55, 0.28, 0.12, 0.05])
    row = np.repeat(np.arange(n), k)
    tech = le.techniques(rng, len(row))
    order = np.lexsort((-tech, row))  # per visit, highest technique first
    row, tech = row[order], tech[order]
    lesion = group_rank(row)
    site = np.where(rng.random(len(row)) < 0.5, le.sample_sites(rng, len(row), "sun"),
                    le.sample_sites(rng, len(row), "body"))
    side = le.sides(rng, site)
    kind = le.pathology(rng, high_risk[row])
    billed_kind = np.where(ctx.chance(BILLED_BEFORE_PATH, len(row)), "pending", kind)
    dx = lesion_dx(billed_kind, site, side)
    primary = lesion == 0
    code = np.where(primary, PRIMARY_CODES[tech], ADDON_CODES[tech]).astype(object)
    all_tangential = np.ones(n, dtype=bool)
    np.logical_and.at(all_tangential, row, tech == 0)
    every_primary = ctx.err("per_lesion_units", n) & (k >= 2) & all_tangential
    billed = np.where(every_primary[row], "11102", code).astype(object)
    billed, units = slip_biopsy_primaries(ctx, row, lesion, tech, billed, k)
    if shared_lesion is not None:
        lesion = np.where(primary & shared_lesion[row], LESION_AK, lesion)
    size = le.diameters(rng, len(row), 0.6, 0.2, 2.5)
    block = make_block(v[row], billed, order=np.where(primary, ORDER_PROC, ORDER_ADDON),
                       units=units, dx=dx, site=site, side=side, size_cm=size, count=1,
                       lesion=lesion)
    block["true_cpt"] = code
    path = ctx.chance(PATH_IN_HOUSE, n)
    first_dx = dx[primary]
    second_dx = np.full(n, None, dtype=object)
    second_dx[row[lesion == 1]] = dx[lesion == 1]
    blocks = [block, make_block(v[path], "88305", order=ORDER_PATH, units=k[path],
                                dx=first_dx[path], dx2=second_dx[path])]
    truth = {"visit": v[row], "lesion": lesion, "site": site, "side": side, "size": size,
             "kind": kind}
    return blocks, truth


def slip_biopsy_primaries(ctx: WorldCtx, row: np.ndarray, lesion: np.ndarray,
                          tech: np.ndarray, billed: np.ndarray, k: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray]:
    """(codes, units) with the coder's primary slips on multi-biopsy visits: the primary
    x n (the other lesions' lines dropped, units 0) or the second lesion on its
    technique's primary instead of the add-on (CPT 2019: one primary per session)."""
    n = len(k)
    multi = k >= 2
    units_slip = ctx.err("biopsy_primary_units", n) & multi
    twice = ctx.err("second_biopsy_primary", n) & multi & ~units_slip
    units = np.where(units_slip[row], np.where(lesion == 0, k[row], 0), 1)
    billed = np.where(twice[row] & (lesion == 1), PRIMARY_CODES[tech], billed)
    return billed.astype(object), units


def ak_destruction(ctx: WorldCtx, v: np.ndarray) -> list[Lines]:
    """Premalignant destruction by count, with the practice's unit slips."""
    rng, n = ctx.rng, len(v)
    k = le.counts(rng, n, 5, 40)
    site = le.sample_sites(rng, n, "sun")
    side = le.sides(rng, site)
    many = k >= 15
    over = ctx.err("ak_addon_over", n) & many  # 17000 + 17003 x (k-1) for 15+
    per_lesion = ctx.err("per_lesion_units", n) & (k >= 2) & ~many  # 17000 x k
    orphan = ctx.err("orphan_addon", n) & (k >= 2) & ~many & ~per_lesion
    few = ctx.err("ak_17004_few", n) & (k >= 8) & ~many & ~per_lesion & ~orphan
    pair = ctx.err("mi0_pair_billed", n) & many & ~over  # 17004 + 17000
    big = (many & ~over) | few
    first = np.where(big, AK_15_PLUS, AK_FIRST).astype(object)
    first_units = np.where(per_lesion, k, np.where(orphan, 0, 1))
    add_units = np.where(big | per_lesion, np.where(pair, 1, 0),
                         np.where(orphan, k, k - 1))
    head = make_block(v, first, order=ORDER_PROC, units=first_units, dx="L57.0", site=site,
                      side=side, count=np.where(big, k, 1), lesion=LESION_AK)
    head["true_cpt"] = np.where(many, AK_15_PLUS, AK_FIRST).astype(object)
    addon = make_block(v, np.where(pair, AK_FIRST, AK_ADDON), order=ORDER_ADDON,
                       units=add_units, dx="L57.0", site=site, side=side,
                       count=np.maximum(add_units, 1), lesion=LESION_AK)
    return [head, addon]


def benign_destruction(ctx: WorldCtx, v: np.ndarray, kind: np.ndarray,
                       site_pool: str, median: float) -> list[Lines]:
    """17110 (1-14) / 17111 (15+) once per session; the per-lesion unit slip."""
    rng, n = ctx.rng, len(v)
    k = le.counts(rng, n, median, 30)
    site = le.sample_sites(rng, n, site_pool)
    side = le.sides(rng, site)
    over = ctx.err("per_lesion_units", n) & (k >= 2) & (k < 15)
    dx = lesion_dx(kind, site, side)
    code, pair = count_codes(ctx, k >= 15, "17111", "17110")
    return [make_block(v, code, order=ORDER_PROC, units=np.where(over, k, 1), dx=dx,
                       site=site, side=side, count=k, lesion=LESION_BENIGN),
            make_block(v[pair], "17110", order=ORDER_ADDON, dx=dx[pair], site=site[pair],
                       side=side[pair], count=1, lesion=LESION_BENIGN)]


def count_codes(ctx: WorldCtx, many: np.ndarray, large: str, small: str
                ) -> tuple[np.ndarray, np.ndarray]:
    """(billed per-session code, visits that also bill the small code) of a count-coded
    service: the slips bill the small code for many lesions, or both codes (an NCCI
    indicator-0 pair)."""
    n = len(many)
    under = ctx.err("count_code_under", n) & many
    pair = ctx.err("mi0_pair_billed", n) & many & ~under
    return np.where(many & ~under, large, small).astype(object), pair


def warts(ctx: WorldCtx, v: np.ndarray) -> list[Lines]:
    """Common, plantar and genital warts and molluscum destroyed by cryotherapy."""
    kind = pick(ctx.rng, ("wart", "plantar_wart", "molluscum", "genital_wart"), len(v),
                (0.50, 0.28, 0.18, 0.04))
    return benign_destruction(ctx, v, kind, "wart", 3)


def seborrheic_keratoses(ctx: WorldCtx, v: np.ndarray, cosmetic: bool = False) -> list[Lines]:
    """SK destruction: irritated (L82.0, covered) or not (L82.1, reads cosmetic)."""
    irritated = ctx.chance(0.15 if cosmetic else 0.55, len(v))
    kind = np.where(irritated, "inflamed_sk", "seborrheic_keratosis").astype(object)
    return benign_destruction(ctx, v, kind, "sun", 3)


def skin_tags(ctx: WorldCtx, v: np.ndarray) -> list[Lines]:
    """11200 for up to 15 tags, +11201 per additional 10 (L91.8)."""
    rng, n = ctx.rng, len(v)
    k = le.counts(rng, n, 6, 40)
    site = le.sample_sites(rng, n, "tag")
    side = le.sides(rng, site)
    extra = np.ceil(np.maximum(k - 15, 0) / 10).astype(np.int64)
    return [
        make_block(v, "11200", order=ORDER_PROC, dx="L91.8", site=site, side=side,
                   count=np.minimum(k, 15), lesion=LESION_TAG),
        make_block(v, "11201", order=ORDER_ADDON, units=extra, dx="L91.8", site=site,
                   side=side, count=np.maximum(k - 15, 1), lesion=LESION_TAG),
    ]


def shaves(ctx: WorldCtx, v: np.ndarray) -> list[Lines]:
    """Shave removals (11300-11313): one line per lesion by site group and diameter."""
    rng = ctx.rng
    k = rng.choice([1, 2, 3], len(v), p=[0.70, 0.22, 0.08])
    row = np.repeat(np.arange(len(v)), k)
    m = len(row)
    site = le.sample_sites(rng, m, "body")
    side = le.sides(rng, site)
    size = le.diameters(rng, m, 0.6, 0.2, 3.0)
    kind = pick(rng, ("nevus", "benign_neoplasm", "inflamed_sk", "seborrheic_keratosis",
                      "uncertain"), m, (0.45, 0.15, 0.18, 0.12, 0.10))
    wrong = ctx.err("wrong_site_code", m)
    coded = np.where(wrong, WRONG_GROUP_SITE[LESION_GROUP[site_index(site)]], site)
    block = make_block(v[row], lesion_codes("shave", coded, size), order=ORDER_PROC,
                       dx=lesion_dx(kind, site, side), site=site, side=side, size_cm=size,
                       count=1, lesion=LESION_SHAVE + group_rank(row))
    block["true_cpt"] = lesion_codes("shave", site, size)
    return [block]


def intralesional(ctx: WorldCtx, v: np.ndarray) -> list[Lines]:
    """11900 (<=7 lesions) / 11901 (>7) once per session, with J3301 per 10 mg."""
    rng, n = ctx.rng, len(v)
    k = le.counts(rng, n, 3, 15)
    dx = pick(rng, ("L91.0", "L70.0", "L63.9", "L40.0"), n, (0.45, 0.25, 0.22, 0.08))
    over = ctx.err("per_lesion_units", n) & (k >= 2) & (k <= 7)
    site = pick(rng, ("face", "trunk", "scalp", "ears", "neck"), n, (0.3, 0.3, 0.2, 0.1, 0.1))
    side = le.sides(rng, site)
    code, pair = count_codes(ctx, k > 7, "11901", "11900")
    return [
        make_block(v, code, order=ORDER_PROC, units=np.where(over, k, 1), dx=dx, count=k,
                   site=site, side=side, lesion=LESION_INJECTION),
        make_block(v[pair], "11900", order=ORDER_ADDON, dx=dx[pair], count=1,
                   site=site[pair], side=side[pair], lesion=LESION_INJECTION),
        drug_block(v, "J3301", rng.integers(1, 5, n), dx),
    ]


def drug_block(v: np.ndarray, code: str, units: np.ndarray, dx) -> Lines:
    """A J-code line with the stocked package's NDC and quantity (LIN*N4 / CTP)."""
    ndc, qty = drug_ndc(np.full(len(v), code, dtype=object), np.ones(len(v), np.int64))
    return make_block(v, code, order=ORDER_DRUG, units=units, dx=dx, ndc=ndc, qty=qty)
