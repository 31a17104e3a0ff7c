"""ModelBundle: everything needed to score a claim for one payer (or the pooled model).

On disk (no pickle, so a bundle is inspectable and safe to load):
  binary.txt          LightGBM text model, P(denied) raw score
  reasons.txt         LightGBM text model, P(category | denied) (absent with < 2 classes)
  feature_state.json  features.build.FeatureState the matrix was built with
  bundle.json         classes, calibrator, thresholds, metadata
Loading refuses a bundle whose feature version differs from the running code's, because
the same column names could then mean different things.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import lightgbm as lgb
import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from features.build import FeatureVersionError as BaseFeatureVersionError
from features.build import (
    MatrixLayout,
    build_matrix,
    fill_matrix,
    matrix_layout,
    stateful_columns,
)
from reference.vocab import CATEGORIES, PAYERS
from training.calibration import Calibrator
from training.learned import LearnedLimits
from training.lifts import apply_lifts, lift_categories, lift_columns, lifted_reasons
from training.matrix import PAYER_COLUMN, as_frames, model_matrix, needs_payer_column
from training.model_files import BundleError, read_booster, read_json_model

BINARY_FILE, REASONS_FILE = "binary.txt", "reasons.txt"
STATE_FILE, BUNDLE_FILE = "feature_state.json", "bundle.json"


class FeatureVersionError(BundleError, BaseFeatureVersionError):
    """The bundle was built for another feature version than the running code."""


class Thresholds(BaseModel):
    """Risk-band cut-offs on the calibrated probability (None: band never used)."""

    block: float | None = None
    warn: float | None = None
    block_precision: float = 0.9
    warn_precision: float = 0.6


class BundleMetadata(BaseModel):
    """Provenance and quality of a bundle (logged to MLflow and the BentoML store)."""

    payer: str
    kind: Literal["payer", "pooled"]
    feature_version: str
    training_window: dict[str, str] = Field(default_factory=dict)
    n_train: int = 0
    n_val: int = 0
    validation_metrics: dict[str, float] = Field(default_factory=dict)
    test_metrics: dict[str, float] = Field(default_factory=dict)
    model_version: str | None = None
    payer_column: bool = False
    engine: str = "local"
    params: dict[str, Any] = Field(default_factory=dict)
    created_at: str = ""
    learned: LearnedLimits = Field(default_factory=LearnedLimits)
    # a served refit (training/refit.py): the training window of the tested bundle whose
    # test_metrics it carries; empty for a bundle tested itself
    heldout_window: dict[str, str] = Field(default_factory=dict)


class _Stored(BaseModel):
    classes: list[str]
    calibrator: Calibrator
    thresholds: Thresholds
    metadata: BundleMetadata


@dataclass
class ModelBundle:
    """Binary + reason boosters, feature state, calibrator, thresholds and metadata."""

    binary: lgb.Booster
    reasons: lgb.Booster | None
    classes: list[str]
    state: Any  # features.build.FeatureState
    calibrator: Calibrator
    thresholds: Thresholds
    metadata: BundleMetadata

    @cached_property
    def feature_names(self) -> list[str]:
        """Columns the boosters expect, in order (read once: a ctypes call per access)."""
        return list(self.binary.feature_name())

    @cached_property
    def column_kinds(self) -> tuple[list[int], list[int]]:
        """Positions of the categorical and of the numeric columns in feature_names."""
        categorical = set(self.state.categorical) | (
            {PAYER_COLUMN} if self.metadata.payer_column else set())
        cats = [i for i, n in enumerate(self.feature_names) if n in categorical]
        return cats, [i for i in range(len(self.feature_names)) if i not in set(cats)]

    @cached_property
    def layout(self) -> MatrixLayout:
        """Where each feature of feature_names sits in the matrix, with category levels
        (the payer column model_matrix appends for a pooled model included)."""
        columns = list(self.state.columns)
        levels = {c: tuple(v) for c, v in self.state.categorical.items()}
        if self.metadata.payer_column and needs_payer_column(self.state):
            columns.append(PAYER_COLUMN)
            levels[PAYER_COLUMN] = PAYERS
        return matrix_layout(self.feature_names, columns, levels, self.state.usual)

    def model_input(self, claims: Any, cms: Any,
                    line_flags: dict[str, Any] | None = None) -> np.ndarray:
        """matrix(features(claims)) built without DataFrames (the serving path: same
        values bit for bit, several times cheaper on a few claims)."""
        return build_matrix(claims, self.state, cms, self.layout, line_flags)

    def raw_input(self, raw: Mapping[str, Any], n_rows: int) -> np.ndarray:
        """model_input from raw feature columns already computed (compute_raw_columns):
        the service builds them once per request and lays out each model's rows."""
        self.state.check_version()
        return fill_matrix(stateful_columns(raw, self.state), self.layout, n_rows)

    def matrix(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """X as the float matrix LightGBM scores (category codes as values, NaN = missing).

        The feature state fixes category levels in training order, so codes equal the
        booster's pandas_categorical mapping; skipping LightGBM's own pandas conversion
        saves most of the per-call cost on small batches (single-claim latency). A matrix
        passed in is returned as is, so callers convert once and score several times."""
        if isinstance(X, np.ndarray):
            return X
        names = self.feature_names
        cats, keep = self.column_kinds
        out = np.empty((len(X), len(names)), dtype=np.float64)
        out[:, keep] = X[[names[i] for i in keep]].to_numpy(dtype=np.float64, na_value=np.nan)
        for i in cats:
            codes = X[names[i]].cat.codes.to_numpy().astype(np.float64)
            codes[codes < 0] = np.nan
            out[:, i] = codes
        return out

    def predict_kwargs(self, n_rows: int) -> dict[str, Any]:
        """One thread for a single row (OpenMP start-up would cost what it saves); from
        two rows on, the threads of OMP_NUM_THREADS (measured on 2 cores: 1.7-1.9x on
        16-1000 rows, predict and pred_contrib alike)."""
        return {"num_threads": 1} if n_rows < 2 else {}

    def raw_score(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Uncalibrated log-odds of denial from the binary booster."""
        return self.binary.predict(self.matrix(X), raw_score=True,
                                   **self.predict_kwargs(len(X)))

    def calibrated(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """The booster's calibrated P(denied) per row of X, before coding-check lifts."""
        return self.calibrator.apply(self.raw_score(X))

    @cached_property
    def lift_columns(self) -> list[tuple[int, Any]]:
        """(matrix column, FindingLift) of the learned coding-check lifts."""
        learned = self.metadata.learned
        return lift_columns(self.feature_names, learned.finding_lifts, learned.payer_lifts)

    def row_payers(self, M: np.ndarray) -> np.ndarray | None:
        """Each row's payer id from the matrix's payer column, decoded with the layout's
        levels (None: no payer lifts, or no payer column)."""
        if not self.metadata.learned.payer_lifts:
            return None
        column = next(((j, levels) for j, name, levels in self.layout.categorical
                       if name == PAYER_COLUMN), None)
        if column is None:
            return None
        j, levels = column
        codes = M[:, j]
        names = np.array([*levels, None], dtype=object)
        ok = np.isfinite(codes) & (codes >= 0) & (codes < len(levels))
        return names[np.where(ok, np.nan_to_num(codes), len(levels)).astype(np.int64)]

    def lifted(self, X: pd.DataFrame | np.ndarray,
               p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(P(denied) with the learned coding-check lifts, position in lift_columns of
        the lift applied or -1)."""
        if not self.lift_columns:
            return p, np.full(len(p), -1)
        M = self.matrix(X)
        return apply_lifts(M, np.asarray(p, dtype=float), self.lift_columns,
                           self.row_payers(M), tuple(self.metadata.learned.payer_lifts))

    def predict_proba(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Calibrated P(denied) per row of X, with the coding-check lifts (lifts.py)."""
        X = self.matrix(X)
        return self.lifted(X, self.calibrated(X))[0]

    def score_matrix(self, X: pd.DataFrame | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(P(denied), P(category | denied)) per row, lifts included: what every scoring
        path reports (one booster pass each)."""
        return self.score_with_lifts(X)[:2]

    def score_with_lifts(self, X: pd.DataFrame | np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """score_matrix plus each row's applied lift (position in lift_columns, -1)."""
        X = self.matrix(X)
        p_model = self.calibrated(X)
        p, chosen = self.lifted(X, p_model)
        return p, lifted_reasons(self.model_reasons(X), p_model, p,
                                 lift_categories(chosen, self.lift_columns)), chosen

    def predict_reasons(self, X: pd.DataFrame | np.ndarray) -> pd.DataFrame:
        """P(category | denied): one column per CATEGORIES entry, 0 for unseen classes."""
        index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(len(X))
        return pd.DataFrame(self.reason_matrix(X), index=index, columns=list(CATEGORIES))

    def reason_matrix(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """predict_reasons as a plain (n, len(CATEGORIES)) array (no DataFrame cost)."""
        return self.score_matrix(X)[1] if self.lift_columns else self.model_reasons(X)

    def model_reasons(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """The reason booster's P(category | denied), before coding-check lifts."""
        out = np.zeros((len(X), len(CATEGORIES)))
        columns = [CATEGORIES.index(c) for c in self.classes]
        if self.reasons is not None:
            probs = self.reasons.predict(self.matrix(X), **self.predict_kwargs(len(X)))
            out[:, columns] = probs.reshape(len(X), len(self.classes))
        elif len(self.classes) == 1:
            out[:, columns[0]] = 1.0
        return out

    def contributions(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Per-feature log-odds contributions of the binary model, shape (n, F + 1), bias last."""
        return self.binary.predict(self.matrix(X), pred_contrib=True,  # ~0.5 ms a row
                                   **self.predict_kwargs(len(X)))

    def risk_band(self, p: np.ndarray) -> np.ndarray:
        """'block' | 'warn' | 'pass' for calibrated probabilities p."""
        p = np.asarray(p, dtype=float)
        block = np.inf if self.thresholds.block is None else self.thresholds.block
        warn = np.inf if self.thresholds.warn is None else self.thresholds.warn
        return np.where(p >= block, "block", np.where(p >= warn, "warn", "pass"))

    def features(self, claims: Any, cms: Any,
                 line_flags: dict[str, Any] | None = None) -> pd.DataFrame:
        """Model matrix of claims (ClaimFrames or contract claims) under the stored state;
        `line_flags` receives the per-line rule flags (features.build.build_features)."""
        return model_matrix(as_frames(claims), self.state, cms, self.metadata.payer_column,
                            line_flags)

    def score(self, claims: Any, cms: Any) -> pd.DataFrame:
        """Denial probability, risk band and P(category | denied), indexed by claim_id."""
        frames = as_frames(claims)
        p, q = self.score_matrix(self.features(frames, cms))
        out = pd.DataFrame({"denial_probability": p, "risk_band": self.risk_band(p)})
        out = pd.concat([out, pd.DataFrame(q, columns=list(CATEGORIES))], axis=1)
        return out.set_index(frames.claims["claim_id"].to_numpy())

    def save(self, directory: Path) -> Path:
        """Write the bundle files into `directory` (created); returns it."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.binary.save_model(directory / BINARY_FILE)
        (directory / REASONS_FILE).unlink(missing_ok=True)
        if self.reasons is not None:
            self.reasons.save_model(directory / REASONS_FILE)
        (directory / STATE_FILE).write_text(self.state.model_dump_json(indent=1))
        stored = _Stored(classes=self.classes, calibrator=self.calibrator,
                         thresholds=self.thresholds, metadata=self.metadata)
        (directory / BUNDLE_FILE).write_text(stored.model_dump_json(indent=1))
        return directory

    @classmethod
    def load(cls, directory: Path) -> ModelBundle:
        """Read a bundle; raises BundleError naming a bad file, FeatureVersionError on skew."""
        from features.build import FEATURE_VERSION, FeatureState

        directory = Path(directory)
        stored = read_json_model(directory / BUNDLE_FILE, _Stored)
        check_feature_version(stored.metadata.feature_version, FEATURE_VERSION, directory)
        state = read_json_model(directory / STATE_FILE, FeatureState)
        reasons = directory / REASONS_FILE
        return cls(binary=read_booster(directory / BINARY_FILE),
                   reasons=read_booster(reasons) if reasons.exists() else None,
                   classes=stored.classes, state=state, calibrator=stored.calibrator,
                   thresholds=stored.thresholds, metadata=stored.metadata)


def check_feature_version(bundle_version: str, code_version: str, where: Path) -> None:
    """Refuse a bundle built for a different feature version than the running code."""
    if bundle_version != code_version:
        raise FeatureVersionError(
            f"model bundle {where} was built with feature version {bundle_version!r} but the "
            f"code has feature version {code_version!r}; retrain with `denialrisk train`")
