"""Training one ModelBundle: binary denial booster, reason booster, calibration, thresholds.

The booster fitting itself is a `Fitter` (local lightgbm.train, or lightgbm.dask in
training/distributed.py) so the rest of the recipe is the same for both engines. Training
claims may carry a sample weight (TrainingData.weight: recency weighting, or stale labels
left out after a payer rule change, see training/recovery.py); only the local engine
takes weights. Claims of weight 0 are left out of training.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import lightgbm as lgb
import numpy as np
import pandas as pd

from features.registry import CHECK_PREFIX
from features.standing import gap_keys
from reference.vocab import CATEGORIES
from settings import Settings
from training.bundle import BundleMetadata, ModelBundle, Thresholds
from training.calibration import calibrate
from training.learned import learn_limits
from training.lifts import learn_lifts, learn_payer_lifts
from training.metrics import binary_metrics, reason_metrics, threshold_for_precision
from training.split import TimeSplit

OTHER_PAYER_REASON_WEIGHT = 0.5  # another payer's denial, in a payer's reason model

Fitter = Callable[..., lgb.Booster]  # (params, X_tr, y_tr, X_val, y_val[, weight=w_tr])


@dataclass
class TrainingData:
    """Model matrix and labels of a whole data set, with its time split."""

    X: pd.DataFrame
    denied: np.ndarray  # int 0/1
    category: pd.Series  # object labels, NA when not denied
    payer: pd.Series
    split: TimeSplit
    state: object  # features.build.FeatureState
    payer_column: bool
    weight: np.ndarray | None = None  # per-claim training weight (None: all 1)


def lgb_params(settings: Settings, objective: str, **extra: object) -> dict:
    """LightGBM parameters: moderate trees, row/feature bagging, 2 threads, quiet."""
    params = {
        "objective": objective, "learning_rate": settings.learning_rate,
        "num_leaves": settings.num_leaves, "max_depth": settings.max_depth,
        "min_data_in_leaf": settings.min_data_in_leaf, "feature_fraction": 0.8,
        "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0, "cat_smooth": 10,
        "min_data_per_group": 50,
        "max_bin": 63, "max_cat_threshold": 16,  # 4-10x faster on ~250 columns, same loss
        "num_threads": settings.num_threads, "verbose": -1, "seed": settings.seed,
        "deterministic": True, "force_row_wise": True,  # same data + seed -> same model
    }
    return params | extra


def truncate(booster: lgb.Booster, iterations: int) -> lgb.Booster:
    """A standalone booster holding only the first `iterations` rounds (the best ones)."""
    return lgb.Booster(model_str=booster.model_to_string(num_iteration=max(iterations, 1)))


def local_fitter(settings: Settings) -> Fitter:
    """Fit with lightgbm.train, early-stopping on the validation rows."""

    def fit(params: dict, X_tr: pd.DataFrame, y_tr: np.ndarray, X_val: pd.DataFrame,
            y_val: np.ndarray, weight: np.ndarray | None = None,
            init_model: lgb.Booster | None = None) -> lgb.Booster:
        train = lgb.Dataset(X_tr, y_tr, weight=weight)
        if len(y_val) == 0:
            return lgb.train(params, train, num_boost_round=min(settings.max_rounds, 100),
                             init_model=init_model)
        valid = lgb.Dataset(X_val, y_val, reference=train)
        stop = lgb.early_stopping(settings.early_stopping_rounds, verbose=False)
        booster = lgb.train(params, train, num_boost_round=settings.max_rounds,
                            valid_sets=[valid], callbacks=[stop], init_model=init_model)
        return truncate(booster, booster.best_iteration or booster.current_iteration())

    return fit


def weighted(weight: np.ndarray | None) -> dict[str, np.ndarray]:
    """Fitter keyword for a sample weight (none when unweighted, so any engine fits)."""
    return {} if weight is None else {"weight": weight}


def train_binary(X_tr: pd.DataFrame, y_tr: np.ndarray, X_val: pd.DataFrame,
                 y_val: np.ndarray, fit: Fitter, settings: Settings,
                 weight: np.ndarray | None = None,
                 init_model: lgb.Booster | None = None, kind: str = "payer") -> lgb.Booster:
    """The denial booster (binary log-loss); with `init_model` (the pooled booster) it
    continues boosting from it on the payer's claims: a payer model then starts from
    what every payer shares and learns only its own habits (shared/stack-notes §5)."""
    warm = {} if init_model is None else {"init_model": init_model}
    return fit(binary_params(settings, kind), X_tr, y_tr, X_val, y_val, **weighted(weight),
               **warm)


def binary_params(settings: Settings, kind: str) -> dict:
    """The denial booster's parameters: a payer model's leaves may hold as few claims as
    settings.min_data_in_leaf (its payer's rare but certain rules), the pooled model's
    settings.pooled_min_data_in_leaf (it learns payer habits as interactions with the
    payer column, which smaller leaves gave up on 60k claims)."""
    leaf = settings.pooled_min_data_in_leaf if kind == "pooled" else settings.min_data_in_leaf
    return lgb_params(settings, "binary", min_data_in_leaf=leaf)


def train_reasons(X_tr: pd.DataFrame, cat_tr: pd.Series, X_val: pd.DataFrame,
                  cat_val: pd.Series, fit: Fitter, settings: Settings,
                  weight: np.ndarray | None = None) -> tuple[lgb.Booster | None, list[str]]:
    """Multiclass booster of P(category | denied) over the categories seen in training.

    Called on denied claims only. With fewer than two classes there is nothing to learn:
    no booster, and the single class (if any) gets probability 1.
    """
    classes = sorted(pd.Series(cat_tr).dropna().astype(str).unique())
    if len(classes) < 2:
        return None, classes
    codes = {c: i for i, c in enumerate(classes)}
    y_tr = pd.Series(cat_tr).astype(str).map(codes).to_numpy()
    val_codes = pd.Series(cat_val).astype(object).map(codes)
    keep = val_codes.notna().to_numpy()
    params = lgb_params(settings, "multiclass", num_class=len(classes))
    booster = fit(params, X_tr, y_tr, X_val[keep], val_codes[keep].astype(int).to_numpy(),
                  **weighted(weight))
    return booster, classes


def choose_thresholds(y: np.ndarray, p: np.ndarray, settings: Settings) -> Thresholds:
    """Block / warn cut-offs reaching the configured precisions on validation claims."""
    return Thresholds(block=threshold_for_precision(y, p, settings.block_precision),
                      warn=threshold_for_precision(y, p, settings.warn_precision),
                      block_precision=settings.block_precision,
                      warn_precision=settings.warn_precision)


def reason_rows(data: TrainingData) -> np.ndarray:
    """Training rows of a reason model: every payer's (the denials of one payer are few
    for 13 categories, and most coding errors carry the same reason everywhere; the payer
    feature lets the trees keep a payer's own CARC habits apart). They hold the model's
    own training rows (train window, weight > 0)."""
    rows = data.split.train.copy()
    if data.weight is not None:
        rows &= data.weight > 0
    return rows


def reason_weights(data: TrainingData, rows: np.ndarray, payer: str, kind: str,
                   engine: str = "local") -> np.ndarray | None:
    """Sample weights of reason rows: the model's own payer counts fully, the others
    OTHER_PAYER_REASON_WEIGHT (times the recency weights, if any). The dask engine takes
    no sample weights: there every payer's denial counts the same."""
    base = row_weights(data, rows)
    if kind == "pooled" or engine != "local":
        return base
    own = (data.payer[rows] == payer).to_numpy()
    weight = np.where(own, 1.0, OTHER_PAYER_REASON_WEIGHT)
    return weight if base is None else weight * base


def model_rows(data: TrainingData, payer: str, kind: str) -> np.ndarray:
    """Rows a model learns from: its payer's claims, or every claim for the pooled one."""
    if kind == "pooled":
        return np.ones(len(data.payer), dtype=bool)
    return (data.payer == payer).to_numpy()


def sample_weights(dates: pd.Series, train: np.ndarray, half_life_days: float | None,
                   base: np.ndarray | None = None) -> np.ndarray | None:
    """Per-claim training weights: `base` (1 when None) times 0.5 ** (age / half-life).

    Age is counted in days back from the newest training claim's date of service (newer
    claims are not discounted). None when neither applies: every claim weighs the same.
    """
    if half_life_days is None and base is None:
        return None
    weight = np.ones(len(dates)) if base is None else np.asarray(base, dtype=float).copy()
    if half_life_days is not None:
        age = (dates[train].max() - dates).dt.days.to_numpy(dtype=float).clip(min=0.0)
        weight *= 0.5 ** (age / half_life_days)
    return weight


def row_weights(data: TrainingData, rows: np.ndarray) -> np.ndarray | None:
    """Sample weights of the selected rows (None when the data carry no weights)."""
    return None if data.weight is None else data.weight[rows]


def expected_denials(bundle: ModelBundle, X: pd.DataFrame, p: np.ndarray) -> np.ndarray:
    """The model's expected denials of each reason per row (P(denied) x P(category |
    denied), CATEGORIES columns), on the rows with a coding-check finding (0 elsewhere:
    only those rows learn lifts)."""
    checks = [c for c in X.columns if c.startswith(CHECK_PREFIX)]
    out = np.zeros((len(X), len(CATEGORIES)))
    rows = (X[checks].to_numpy(dtype=float) > 0).any(axis=1) if checks else out[:, 0] > 0
    if rows.any():
        out[rows] = p[rows, None] * bundle.model_reasons(X[rows])
    return out


def train_payer_model(data: TrainingData, payer: str, kind: str, fit: Fitter,
                      settings: Settings, engine: str = "local",
                      pooled: ModelBundle | None = None) -> ModelBundle:
    """Train, calibrate and threshold one bundle on its payer's train/validation rows; a
    payer model warm-starts from `pooled` (this run's pooled bundle) when given (local
    engine)."""
    rows = model_rows(data, payer, kind)
    if data.weight is not None:
        rows = rows & (data.weight > 0)
    tr, va = rows & data.split.train, rows & data.split.val
    X, y, cat = data.X, data.denied, data.category
    init = pooled.binary if pooled is not None and kind == "payer" and engine == "local" \
        else None
    binary = train_binary(X[tr], y[tr], X[va], y[va], fit, settings, row_weights(data, tr),
                          init, kind)
    calibrator = calibrate(binary.predict(X[va], raw_score=True), y[va])
    learned = learn_limits(X, data.payer, y, data.category, tr,
                           gap_keys(data.state.credentialing))
    window = data.split.window()
    learned.window = f"{window['train_start']} to {window['train_end']}"
    reasoned = (y == 1) & cat.notna().to_numpy()  # a denial CARC outside the table: no class
    dtr, dva = reason_rows(data) & reasoned, va & reasoned
    reasons, classes = train_reasons(X[dtr], cat[dtr], X[dva], cat[dva], fit, settings,
                                     reason_weights(data, dtr, payer, kind, engine))
    bundle = ModelBundle(binary, reasons, classes, data.state, calibrator, Thresholds(),
                         BundleMetadata(payer=payer, kind=kind,
                                        feature_version=data.state.version))
    prior = pooled.metadata.learned.finding_lifts if pooled is not None and kind == "payer" \
        else None
    p_tr = bundle.calibrated(X[tr])
    cat_tr = cat[tr].astype(object).to_numpy()
    expected = expected_denials(bundle, X[tr], p_tr)
    learned.finding_lifts = learn_lifts(X[tr], y[tr], p_tr, prior, cat_tr, expected)
    if kind == "pooled":
        learned.payer_lifts = learn_payer_lifts(X[tr], y[tr], p_tr,
                                                data.payer[tr].astype(object).to_numpy(),
                                                learned.finding_lifts, cat_tr, expected)
    bundle.metadata = bundle.metadata.model_copy(update={"learned": learned})
    p_val = bundle.predict_proba(X[va])
    val = binary_metrics(y[va], p_val) | reason_metrics(
        cat[dva], bundle.predict_reasons(X[dva]))
    bundle.thresholds = choose_thresholds(y[va], p_val, settings)
    bundle.metadata = bundle.metadata.model_copy(update={
        "training_window": data.split.window(), "n_train": int(tr.sum()),
        "n_val": int(va.sum()), "validation_metrics": val, "payer_column": data.payer_column,
        "engine": engine, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "learned": learned,
        "params": binary_params(settings, kind) | {
            "best_iteration": binary.current_iteration(),
            "reason_best_iteration": reasons.current_iteration() if reasons else 0,
            "calibration": calibrator.method,
            "warm_start_iterations": init.current_iteration() if init is not None else 0,
            "recency_half_life_days": settings.recency_half_life_days}})
    return bundle
