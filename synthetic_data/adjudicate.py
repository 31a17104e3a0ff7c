"""Adjudication: the payers' hidden rules applied to claims -> oracle probabilities + outcome.

Per claim, every triggered rule r contributes its payer's enforcement probability p_r
(synthetic_data.payers, with the dated COA drift). Hard rules come first and are
deterministic: a claim past the filing limit is denied CO-29; else lapsed coverage CO-27;
else an uncredentialed provider CO-185. The remaining (soft) rules compete as independent
risks: P(soft denial) = 1 - prod(1 - p_r) and each category gets its share of hazard
-log(1 - p_r). The oracle_p_<category> columns are these exact probabilities (they sum to
oracle_p_denied); the sampled reason is drawn from them, so outcome and oracle agree.
Works on any ClaimFrames, including hand-built ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from reference.cms import load_cms_tables
from reference.vocab import CATEGORIES, CATEGORY_CARC, DEFAULT_FILING_LIMIT_DAYS, PAYERS
from reference.vocab import PAYER_FILING_LIMIT_DAYS as LIMITS
from synthetic_data.codemask import join_groups
from synthetic_data.config import GeneratorConfig
from synthetic_data.payers import DRIFT_RULES, RULE_CATEGORY
from synthetic_data.triggers import Triggers, any_per_claim, find_triggers, payer_index

ORACLE_PREFIX = "oracle_p_"
ORACLE_COLUMNS = [f"{ORACLE_PREFIX}denied"] + [f"{ORACLE_PREFIX}{c}" for c in CATEGORIES]
OUTCOME_COLUMNS = ["denied", "denial_carc", "denial_category", "denied_lines"]
HARD = ("timely_filing", "eligibility", "credentialing")
SOFT = tuple(c for c in CATEGORIES if c not in HARD)
MAX_P = 1 - 1e-9


def rule_probability(config: GeneratorConfig, rule: str, payer: np.ndarray) -> np.ndarray:
    """Per-claim enforcement probability of a rule (unknown payers: the payers' mean)."""
    row = config.enforcement[rule]
    values = np.array([row[p] for p in PAYERS] + [np.mean(list(row.values()))])
    return values[payer]


def drifted_probability(config: GeneratorConfig, rule: str, payer: np.ndarray,
                        first_dos: np.ndarray) -> np.ndarray:
    """Rule probability with the dated rule changes applied from config.drift_date on."""
    p = rule_probability(config, rule, payer)
    if not config.drift or rule not in DRIFT_RULES:
        return p
    after = first_dos >= np.datetime64(config.drift_date, "D")
    for payer_id, value in DRIFT_RULES[rule].items():
        p = np.where(after & (payer == PAYERS.index(payer_id)), value, p)
    return p


def first_service_dates(frames: ClaimFrames, claim_pos: np.ndarray) -> np.ndarray:
    """Earliest line date of service per claim (datetime64[D])."""
    dos = frames.lines["date_of_service"].to_numpy().astype("datetime64[D]")
    first = pd.Series(dos).groupby(claim_pos).min()
    return first.reindex(np.arange(len(frames.claims))).to_numpy().astype("datetime64[D]")


def late_lines(frames: ClaimFrames, trig: Triggers, payer: np.ndarray) -> np.ndarray:
    """Lines submitted after the payer's timely-filing limit (days from their DOS)."""
    limits = np.array([LIMITS[p] for p in PAYERS] + [DEFAULT_FILING_LIMIT_DAYS])
    sub = frames.claims["submission_date"].to_numpy().astype("datetime64[D]")
    dos = frames.lines["date_of_service"].to_numpy().astype("datetime64[D]")
    lag = (sub[trig.ix.claim_pos] - dos).astype(np.int64)
    return lag > limits[payer[trig.ix.claim_pos]]


def soft_hazards(config: GeneratorConfig, trig: Triggers, payer: np.ndarray,
                 first_dos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-claim hazard of each soft category and the per-line mask of rules at fault."""
    n_claims, n_lines = trig.ix.n_claims, trig.ix.n_lines
    hazard = np.zeros((n_claims, len(SOFT)))
    line_mask = np.zeros((n_lines, len(CATEGORIES)), dtype=bool)
    for rule, category in RULE_CATEGORY.items():
        if category in HARD:
            continue
        k = SOFT.index(category)
        p = drifted_probability(config, rule, payer, first_dos)
        if rule in trig.line:
            mask = trig.line[rule] & (p[trig.ix.claim_pos] > 0)
            line_mask[:, CATEGORIES.index(category)] |= mask
            hit = any_per_claim(trig.ix, mask)
        else:
            hit = trig.claim[rule]
        hazard[:, k] += -np.log1p(-np.minimum(np.where(hit, p, 0.0), MAX_P))
    return hazard, line_mask


def hard_probabilities(config: GeneratorConfig, trig: Triggers, payer: np.ndarray,
                       late: np.ndarray) -> np.ndarray:
    """(n_claims, 3) raw probabilities of timely filing, eligibility, credentialing."""
    elig_unknown = rule_probability(config, "eligibility_unknown", payer)
    cred_unknown = rule_probability(config, "credential_unknown", payer)
    return np.stack([
        any_per_claim(trig.ix, late).astype(float),
        np.where(trig.claim["coverage_inactive"], 1.0,
                 np.where(trig.claim["eligibility_unknown"], elig_unknown, 0.0)),
        np.where(trig.claim["not_credentialed"], 1.0,
                 np.where(trig.claim["credential_unknown"], cred_unknown, 0.0)),
    ], axis=1)


def oracle_probabilities(hard: np.ndarray, hazard: np.ndarray) -> np.ndarray:
    """(n_claims, len(CATEGORIES)) P(denied for category), hard rules taking precedence."""
    out = np.zeros((len(hard), len(CATEGORIES)))
    remaining = np.ones(len(hard))
    for j, category in enumerate(HARD):
        out[:, CATEGORIES.index(category)] = remaining * hard[:, j]
        remaining = remaining * (1 - hard[:, j])
    total = hazard.sum(axis=1)
    p_soft = -np.expm1(-total)
    share = np.divide(hazard, total[:, None], out=np.zeros_like(hazard),
                      where=total[:, None] > 0)
    for k, category in enumerate(SOFT):
        out[:, CATEGORIES.index(category)] = remaining * p_soft * share[:, k]
    return out


def sample_categories(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Denial category index per claim drawn from the oracle (-1 = paid)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))
    k = (u[:, None] >= cum).sum(axis=1)
    return np.where(k >= probs.shape[1], -1, k)


def denied_line_numbers(frames: ClaimFrames, trig: Triggers, line_mask: np.ndarray,
                        chosen: np.ndarray) -> np.ndarray:
    """Space-joined numbers of the lines at fault for each claim's reason ('' if paid)."""
    pos = trig.ix.claim_pos
    cat = chosen[pos]
    denied = cat >= 0
    at_fault = denied & line_mask[np.arange(len(pos)), np.maximum(cat, 0)]
    fallback = denied & ~any_per_claim(trig.ix, at_fault)[pos]  # claim-level reason
    keep = np.flatnonzero(at_fault | fallback)
    numbers = frames.lines["line"].astype("int64").to_numpy()[keep]
    order = np.lexsort((numbers, pos[keep]))
    claims, text = join_groups(pos[keep][order], numbers[order].astype(str))
    out = np.full(len(chosen), "", dtype=object)
    out[claims] = text
    return out


def adjudicate(frames: ClaimFrames, config: GeneratorConfig,
               rng: np.random.Generator) -> pd.DataFrame:
    """Outcome and oracle columns for every claim of frames (indexed like frames.claims)."""
    cms = load_cms_tables(config.cms_dir)
    trig = find_triggers(frames, cms)
    payer = payer_index(frames)
    first_dos = first_service_dates(frames, trig.ix.claim_pos)
    late = late_lines(frames, trig, payer)
    hazard, line_mask = soft_hazards(config, trig, payer, first_dos)
    line_mask[:, CATEGORIES.index("timely_filing")] = late
    probs = oracle_probabilities(hard_probabilities(config, trig, payer, late), hazard)
    chosen = sample_categories(rng, probs)
    names = np.array(CATEGORIES + ("",), dtype=object)[chosen]
    out = pd.DataFrame(probs, columns=ORACLE_COLUMNS[1:], index=frames.claims.index)
    out.insert(0, ORACLE_COLUMNS[0], probs.sum(axis=1).clip(0, 1))
    out.insert(0, "denied_lines", denied_line_numbers(frames, trig, line_mask, chosen))
    carc = pd.Series(names).map(CATEGORY_CARC).to_numpy(dtype=object)
    out.insert(0, "denial_category", pd.array(np.where(chosen >= 0, names, None), "string"))
    out.insert(0, "denial_carc", pd.array(np.where(chosen >= 0, carc, None), "string"))
    out.insert(0, "denied", chosen >= 0)
    out["denied_lines"] = out["denied_lines"].astype("string")
    return out
