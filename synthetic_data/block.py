"""One block of patients, start to finish: their world, the claims the practice sends
(duplicates and corrections included), the payers' answers and the 835 amounts.

A block is a fixed number of patients with its own random stream (seed, block index),
so the data set depends on the config alone, never on how it is chunked. Claim ids are
block-local here ('B<block>-<key>'); synthetic_data.generate numbers them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from reference.cms import CmsTables
from synthetic_data import hidden as hf
from synthetic_data.adjudicate import draw_outcome, judge, make_view, oracle_frame
from synthetic_data.config import GeneratorConfig
from synthetic_data.corrections import corrected_claims
from synthetic_data.denial_history import prior_denials
from synthetic_data.events import lines_billed_before, with_duplicates
from synthetic_data.outcomes import outcome_columns
from synthetic_data.profiles.model import PracticeProfile
from synthetic_data.remits import claim_totals, remit_lines
from synthetic_data.rules import REGISTRY
from synthetic_data.world import build_world
from synthetic_data.world.claims import HISTORY_COLUMNS, send_claims
from synthetic_data.world.context import WorldCtx
from synthetic_data.world.patients import sample_patients
from synthetic_data.world.providers import build_providers

BLOCK_PATIENTS = 8_000  # patients per block of a large data set
CLAIMS_PER_PATIENT = 3.0  # a low estimate over an 18-month window: small sets fit 1 block
WARMUP_DAYS = 200  # covers a 090 global and the calendar year of a mid-year start
PAYER_HISTORY = ("days_since_related_global_procedure", "related_global_days",
                 "related_procedure_code", "sessions_this_year")


@dataclass
class Adjudicated:
    """Claims and lines of a batch of events with their outcome and truth columns, and
    the world's outcome (quiet changes always on) the practice reacts to."""

    frames: ClaimFrames
    world_reason: np.ndarray
    world_line_denied: np.ndarray


def block_patients(config: GeneratorConfig) -> int:
    """Patients per block: BLOCK_PATIENTS, fewer for a small data set (a function of the
    config, never of chunking)."""
    return int(min(BLOCK_PATIENTS, max(100, np.ceil(config.n_claims / CLAIMS_PER_PATIENT))))


def block_context(config: GeneratorConfig, profile: PracticeProfile, block: int) -> WorldCtx:
    """The block's patients, providers and random stream."""
    rng = np.random.default_rng([config.seed, block])
    start = np.datetime64(config.window_start, "D")
    span = (config.window_end - config.window_start).days
    patients = sample_patients(rng, profile, block_patients(config), -WARMUP_DAYS, span,
                               start)
    return WorldCtx(rng=rng, profile=profile, patients=patients,
                    providers=build_providers(profile), start=start, span=span,
                    sim_start=-WARMUP_DAYS, error_scale=config.error_scale)


def keyed(frames: ClaimFrames, block: int) -> ClaimFrames:
    """Give each claim a block-local key and id, and its lines the id."""
    claims, lines = frames.claims, frames.lines
    keys = np.arange(len(claims))
    ids = np.array([f"B{block}-{k}" for k in keys.tolist()], dtype=object)
    claims = claims.assign(_key=keys, claim_id=ids)
    row = pd.Index(claims["_visit"].to_numpy()).get_indexer(lines["_visit"].to_numpy())
    return ClaimFrames(claims, lines.assign(claim_id=ids[row]))


def adjudicate_events(ctx: WorldCtx, frames: ClaimFrames, config: GeneratorConfig,
                      cms: CmsTables) -> Adjudicated:
    """Hidden factors drawn for each claim as submitted, the exact oracle, and one
    sampled outcome, under the config's drift and under the world's (drift on)."""
    claims = frames.claims.reset_index(drop=True)
    claims = claims.drop(columns=[c for c in claims if c.startswith("hidden_payer_")])
    frames = ClaimFrames(claims, frames.lines)
    profile = config.practice
    probe = make_view(frames, profile, cms, {}, True, config.error_scale)
    hidden = hf.sample_hidden(probe, ctx.rng, claims["_duplicate"].to_numpy(dtype=bool))
    uniforms = ctx.rng.random((len(claims), len(REGISTRY)))
    view = make_view(frames, profile, cms, hidden, config.drift, config.error_scale)
    j = judge(view)
    outcome = draw_outcome(j, uniforms)
    world = outcome
    if not config.drift:
        world = draw_outcome(judge(make_view(frames, profile, cms, hidden, True,
                                             config.error_scale)), uniforms)
    truth = {f"hidden_{k}": v for k, v in hidden.items()}
    payer = {f"hidden_payer_{c}": claims[c].to_numpy() for c in PAYER_HISTORY}
    columns = pd.concat([oracle_frame(j, claims.index), pd.DataFrame({**truth, **payer})],
                        axis=1)
    columns = columns.assign(**outcome_columns(view, outcome))
    claims = pd.concat([claims, columns], axis=1)
    lines = frames.lines.assign(line_denied=outcome.line_denied)
    return Adjudicated(ClaimFrames(claims, lines), world.reason, world.line_denied)


def run_block(config: GeneratorConfig, cms: CmsTables, block: int) -> ClaimFrames:
    """Every claim event of one block of patients, adjudicated, with history columns
    and 835 amounts (internal `_` columns kept for ordering and ids)."""
    profile = config.practice
    ctx = block_context(config, profile, block)
    world = build_world(ctx)
    frames = keyed(send_claims(ctx, world, cms, config.cms_dir), block)
    frames = with_duplicates(ctx, frames)
    frames.claims["lines_billed_before"] = lines_billed_before(frames.claims, frames.lines)
    first = adjudicate_events(ctx, frames, config, cms)
    fixed = corrected_claims(ctx, first, config, cms)
    second = adjudicate_events(ctx, fixed, config, cms) if len(fixed.claims) else None
    parts = [first] + ([second] if second is not None else [])
    claims = pd.concat([p.frames.claims for p in parts], ignore_index=True)
    lines = pd.concat([p.frames.lines for p in parts], ignore_index=True)
    reason = np.concatenate([p.world_reason for p in parts])
    line_denied = np.concatenate([p.world_line_denied for p in parts])
    claims["prior_denials_same_code"] = prior_denials(claims, lines, reason, line_denied)
    claims["lines_billed_before"] = lines_billed_before(claims, lines)
    return with_remits(ctx, ClaimFrames(claims, lines), config)


def with_remits(ctx: WorldCtx, frames: ClaimFrames, config: GeneratorConfig) -> ClaimFrames:
    """835 amounts per line and claim, and the payer's claim control number."""
    claims, lines = frames.claims, frames.lines
    profile = ctx.profile
    pos = pd.Index(claims["claim_id"].to_numpy(dtype=object), dtype=object).get_indexer(
        pd.Index(lines["claim_id"].to_numpy(dtype=object), dtype=object))
    payer = claims["_payer"].to_numpy()[pos]
    patient = claims["_patient"].to_numpy()[pos]
    year = lines["date_of_service"].to_numpy().astype("datetime64[Y]").astype(np.int64)
    pair, first = np.unique(patient * 10_000 + year, return_inverse=True)
    mean = np.array([p.benefits.met_elsewhere_days for p in profile.payers])
    met = ctx.rng.exponential(1.0, len(pair))[first] * mean[payer]
    remits = remit_lines(lines, payer, patient, met, lines["line_denied"].to_numpy(bool),
                         claims["denial_carc"].to_numpy(dtype=object, na_value="")[pos],
                         claims["denial_rarc"].to_numpy(dtype=object, na_value="")[pos],
                         profile, config.cms_dir)
    totals = claim_totals(lines, remits, len(claims), pos)
    prefix = np.array([p.claim_number_prefix for p in profile.payers], dtype=object)
    digits = ctx.rng.integers(10**10, 10**11, len(claims)).astype(str).astype(object)
    claims = claims.assign(**totals, payer_claim_number=prefix[claims["_payer"].to_numpy()]
                           + digits)
    lines = pd.concat([lines.drop(columns="line_denied"), remits.drop(columns="_patient_share")],
                      axis=1)
    return ClaimFrames(claims, lines)


__all__ = ["HISTORY_COLUMNS", "run_block"]
