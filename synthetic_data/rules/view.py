"""The claim as a payer's adjudication system reads it: columns as numpy arrays, each
line joined to its claim, its modifiers and the diagnoses it points to, plus the payer's
own parameters (profile, dated changes) and the hidden factors of the claim.

Built once per adjudication from any contract ClaimFrames (generated, read from parquet,
or hand-built with contract.frames.claims_to_frames); rules only read it.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from contract.frames import DX_COLS, DXP_COLS, MOD_COLS, ClaimFrames
from reference.cms import CmsTables
from reference.codes import load_code_table
from reference.dxkinds import dx_kind
from reference.icd10 import dx_site_side
from synthetic_data.arrays import as_object, object_index, reindexed
from synthetic_data.profiles.model import PayerProfile, PracticeProfile
from synthetic_data.rules.payer import PayerParameters
from synthetic_data.world.providers import build_providers

FALLBACK_PAYER = PayerProfile(id="?", name="unknown payer", archetype="commercial_small",
                              share=1.0, age_mix=(0.1, 0.8, 0.1), member_id_shape="D",
                              filing_limit_days=90)


def day_numbers(values: Any) -> np.ndarray:
    """Dates as integer days since 1970-01-01 (NaT -> a very large number)."""
    days = pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]")
    out = days.astype(np.int64)
    return np.where(np.isnat(days), 10**9, out)


def bool_column(frame: pd.DataFrame, col: str, missing: bool = False) -> np.ndarray:
    """A nullable boolean column as plain bool (missing -> `missing`)."""
    if col not in frame:
        return np.full(len(frame), missing)
    return frame[col].astype("boolean").fillna(missing).to_numpy(dtype=bool)


def float_column(frame: pd.DataFrame, col: str) -> np.ndarray:
    """A numeric column as float64 (missing -> NaN)."""
    if col not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


class ClaimView(PayerParameters):
    """Arrays of one batch of claims for the payer rules (see the module docstring)."""

    def __init__(self, frames: ClaimFrames, profile: PracticeProfile, cms: CmsTables,
                 hidden: dict[str, np.ndarray], drift: bool = True,
                 late_share: float = 0.03, duplicate_rate: float = 0.0) -> None:
        self.profile, self.cms, self.hidden, self.drift = profile, cms, hidden, drift
        self.late_share, self.duplicate_rate = late_share, duplicate_rate
        claims = frames.claims.reset_index(drop=True)
        pos = object_index(claims["claim_id"]).get_indexer(object_index(
            frames.lines["claim_id"]))
        order = np.argsort(pos, kind="stable")
        self.line_order = order  # view line i is frames.lines row line_order[i]
        self.claims, self.lines = claims, frames.lines.iloc[order].reset_index(drop=True)
        self.claim_pos = pos[order]
        self.n, self.m = len(claims), len(self.lines)
        payers = list(profile.payer_ids)
        p = np.asarray(payers + ["?"], dtype=object)
        self.payer = np.minimum(object_index(p).get_indexer(object_index(claims["payer_id"])),
                                len(payers))
        self.payer[self.payer < 0] = len(payers)
        self.payer_profiles: tuple[PayerProfile, ...] = (*profile.payers, FALLBACK_PAYER)
        self.archetype = np.array([q.archetype for q in self.payer_profiles],
                                  dtype=object)[self.payer]

    # ---- lines
    @cached_property
    def cpt(self) -> np.ndarray:
        return as_object(self.lines["cpt"])

    @cached_property
    def code_ids(self) -> tuple[np.ndarray, np.ndarray]:
        """(per line: position of its code among the distinct codes, distinct codes)."""
        ids, uniques = pd.factorize(pd.Series(self.cpt, dtype=object))
        return ids, np.asarray(uniques, dtype=object)

    def per_line_code(self, values: np.ndarray) -> np.ndarray:
        """Spread per-distinct-code values to the lines."""
        return values[self.code_ids[0]]

    def cpt_in(self, options) -> np.ndarray:
        """Lines whose code is one of options."""
        return self.per_line_code(np.isin(self.code_ids[1].astype(str), list(options)))

    def family_in(self, options) -> np.ndarray:
        """Lines whose code's family is one of options."""
        return self.per_line_code(np.isin(self.family_of_code.astype(str), list(options)))

    @cached_property
    def family_of_code(self) -> np.ndarray:
        return reindexed(load_code_table().frame["family"], self.code_ids[1], "")

    @cached_property
    def family(self) -> np.ndarray:
        return self.per_line_code(self.family_of_code)

    @cached_property
    def global_days(self) -> np.ndarray:
        return self.per_line_code(
            reindexed(load_code_table().frame["global_days"], self.code_ids[1], ""))

    @cached_property
    def mods(self) -> np.ndarray:
        return np.stack([as_object(self.lines[c]) for c in MOD_COLS], axis=1)

    @cached_property
    def mod_ids(self) -> tuple[np.ndarray, np.ndarray]:
        ids, uniques = pd.factorize(pd.Series(self.mods.ravel(), dtype=object))
        return ids.reshape(self.mods.shape), np.asarray(uniques, dtype=object)

    def has_mod(self, *modifiers: str) -> np.ndarray:
        """Lines carrying any of the modifiers."""
        ids, uniques = self.mod_ids
        table = np.append(np.isin(uniques.astype(str), modifiers), False)
        return table[ids].any(axis=1)

    @cached_property
    def units(self) -> np.ndarray:
        return float_column(self.lines, "units").astype(np.int64)

    @cached_property
    def dos(self) -> np.ndarray:
        return day_numbers(self.lines["date_of_service"])

    @cached_property
    def pointers(self) -> np.ndarray:
        ptr = np.stack([float_column(self.lines, c) for c in DXP_COLS], axis=1)
        return np.nan_to_num(ptr, nan=0).astype(np.int64)

    @cached_property
    def dx(self) -> np.ndarray:
        return np.stack([as_object(self.claims[c]) if c in self.claims
                         else np.full(self.n, None, dtype=object) for c in DX_COLS], axis=1)

    @cached_property
    def pointed(self) -> np.ndarray:
        """(lines x 4) diagnosis codes each line points to (None where no pointer)."""
        padded = np.concatenate([np.full((self.n, 1), None, dtype=object), self.dx], axis=1)
        ptr = np.clip(self.pointers, 0, padded.shape[1] - 1)
        return padded[self.claim_pos[:, None], ptr]

    def per_code(self, values: np.ndarray, fn, default) -> np.ndarray:
        """fn(code) for each code of an object array (any shape; computed once per
        distinct code; `default` for missing)."""
        flat = values.ravel()
        codes, uniques = pd.factorize(pd.Series(flat, dtype=object))
        mapped = np.array([fn(u) for u in uniques] + [default], dtype=object)
        return mapped[np.where(codes < 0, len(uniques), codes)].reshape(values.shape)

    @cached_property
    def pointed_kind(self) -> np.ndarray:
        """(lines x 4) reference.dxkinds kind of each pointed diagnosis ('' none)."""
        return self.per_code(self.pointed, dx_kind, "")

    @cached_property
    def pointed_side(self) -> np.ndarray:
        """(lines x 4) side each pointed diagnosis encodes (right/left/unspecified/'')."""
        return self.per_code(self.pointed, lambda c: dx_site_side(c).side, "")

    @cached_property
    def pointed_sites(self) -> np.ndarray:
        """(lines x 4) sites each pointed diagnosis encodes (tuple; () when none)."""
        return self.per_code(self.pointed, lambda c: dx_site_side(c).sites, ())

    def lesion(self, field: str) -> np.ndarray:
        """A lesion column (site, laterality: object; size, count, distinct: float)."""
        col = f"lesion_{field}"
        if field in ("site", "laterality"):
            return as_object(self.lines[col]) if col in self.lines else np.full(self.m, None)
        return float_column(self.lines, col)

    @cached_property
    def ndc_present(self) -> np.ndarray:
        return pd.notna(as_object(self.lines["ndc"])) if "ndc" in self.lines else np.zeros(
            self.m, dtype=bool)

    # ---- claims
    def doc(self, field: str) -> np.ndarray:
        return bool_column(self.claims, f"doc_{field}")

    def flag(self, col: str) -> np.ndarray:
        """A claim's nullable boolean as float: 1 / 0 / NaN."""
        return self.claims[col].astype("boolean").astype("Float64").to_numpy(
            dtype=float, na_value=np.nan)

    def history(self, col: str) -> np.ndarray:
        """A history column, the payer's own record (hidden_payer_*) when the truth
        carries it (re-adjudication after a fix keeps the payer's record)."""
        payer_col = f"hidden_payer_{col}"
        frame = self.claims
        if payer_col in frame:
            return float_column(frame, payer_col) if col != "related_procedure_code" \
                else as_object(frame[payer_col])
        if col == "related_procedure_code":
            return as_object(frame[col]) if col in frame else np.full(self.n, None)
        return float_column(frame, col)

    @cached_property
    def first_dos(self) -> np.ndarray:
        out = np.full(self.n, 10**9, dtype=np.int64)
        np.minimum.at(out, self.claim_pos, self.dos)
        return out

    @cached_property
    def last_dos(self) -> np.ndarray:
        out = np.full(self.n, -(10**9), dtype=np.int64)
        np.maximum.at(out, self.claim_pos, self.dos)
        return out

    @cached_property
    def submission(self) -> np.ndarray:
        return day_numbers(self.claims["submission_date"])

    @cached_property
    def frequency(self) -> np.ndarray:
        return as_object(self.claims["claim_frequency"].fillna("1"))

    @cached_property
    def provider(self) -> np.ndarray:
        """Position of the rendering NPI among the profile's providers (-1 unknown)."""
        npis = build_providers(self.profile).npi
        return object_index(npis).get_indexer(object_index(self.claims["rendering_npi"]))

    # ---- aggregation
    def any_claim(self, line_mask: np.ndarray) -> np.ndarray:
        """Per claim: does any of its lines satisfy the mask."""
        return np.bincount(self.claim_pos[line_mask], minlength=self.n) > 0

    def count_claim(self, line_mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.claim_pos[line_mask], minlength=self.n)

    def to_lines(self, claim_values: np.ndarray) -> np.ndarray:
        return claim_values[self.claim_pos]
