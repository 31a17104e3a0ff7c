"""`denialrisk train` end to end: data -> bundles -> MLflow registry + gate -> BentoML.

For every planned model: train on its payer's train window, measure on the test window,
save the bundle to models_dir/<name>, log + register it in MLflow, score the current
champion on the same test claims, and move the `champion` alias only when the gate
passes. A promoted model is then refit on the whole history (training/refit.py) and the
refit is what the BentoML store serves, the tested bundle beside it.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from contract.frames import ClaimFrames
from settings import Settings
from training.bundle import BundleError, ModelBundle
from training.data import POOLED, plan_models, prepare_training_data, split_frames
from training.gate import GateDecision, gate_decision
from training.matrix import model_matrix
from training.metrics import auc_gap, binary_metrics
from training.refit import refit_models, refit_split
from training.split import claim_service_dates, subset_frames
from training.train import (
    Fitter,
    TrainingData,
    local_fitter,
    model_rows,
    sample_weights,
    train_payer_model,
)


@dataclass
class TrainOutcome:
    """What happened to one model of a training run (printed by the CLI)."""

    name: str
    kind: str
    bundle_dir: Path
    test_metrics: dict[str, float]
    seconds: float
    version: str | None = None
    decision: GateDecision | None = None
    bentoml_tag: str | None = None
    served_window: dict[str, str] | None = None  # training window of the model served
    refit_note: str = ""  # why the tested model is served instead of its refit


@contextmanager
def engine_for(settings: Settings) -> Iterator[tuple[Fitter, Callable[..., Any]]]:
    """The booster Fitter and the matrix builder of the configured engine: local, or the
    dask cluster for both (features per partition, lightgbm.dask); the client lives
    while they are used."""
    if settings.engine != "dask":
        yield local_fitter(settings), model_matrix
        return
    from training.dask_features import dask_matrix_builder
    from training.distributed import dask_client, dask_fitter

    with dask_client(settings.scheduler) as client:
        yield dask_fitter(client, settings), dask_matrix_builder(client)


def test_rows(data: TrainingData, name: str, kind: str) -> np.ndarray:
    """Test-window rows a model is judged on (its payer's, or all for the pooled model)."""
    return model_rows(data, name, kind) & data.split.test


def champion_metrics(client: Any, name: str, frames: ClaimFrames, y: np.ndarray,
                     cms: Any) -> tuple[dict[str, float] | None, str]:
    """Test metrics of the current champion on the same claims, with its name (or a note
    on why there is none to compare with)."""
    from training.tracking import champion_version, download_bundle

    version = champion_version(client, name)
    if version is None:
        return None, "no champion"
    try:
        champion = ModelBundle.load(download_bundle(version))
    except BundleError as exc:
        return None, f"champion v{version.version} not comparable ({exc})"
    p = champion.predict_proba(champion.features(frames, cms))
    return binary_metrics(y, p), f"champion v{version.version}"


def replaced_model(client: Any, name: str, frames_test: ClaimFrames, y_test: np.ndarray,
                   cms: Any, baseline: dict[str, float] | None
                   ) -> tuple[dict[str, float] | None, str, str]:
    """What a new model would replace, on the same test claims: the champion of its name,
    else the pooled model serving the payer today (`baseline`: its metrics), else nothing.
    Returns (metrics, label, note on a champion that could not be compared)."""
    old, note = champion_metrics(client, name, frames_test, y_test, cms)
    if old is not None:
        return old, note, ""
    extra = "" if note == "no champion" else f" ({note})"
    if baseline is not None:
        return baseline, "the pooled model", extra
    return None, "nothing", extra


def track_bundle(bundle: ModelBundle, bundle_dir: Path, frames_test: ClaimFrames,
                 y_test: np.ndarray, cms: Any, settings: Settings,
                 figures: dict[str, Any], baseline: dict[str, float] | None = None
                 ) -> tuple[str, GateDecision]:
    """Log + register a bundle and apply the gate (the `champion` alias moves when it
    passes; store_champions then puts the model into the BentoML store)."""
    from training.tracking import (
        ensure_experiment,
        log_bundle_run,
        open_client,
        record_decision,
        registered_name,
    )

    client = open_client(settings)
    name = registered_name(bundle.metadata.payer)
    old, label, note = replaced_model(client, name, frames_test, y_test, cms, baseline)
    _, version = log_bundle_run(client, ensure_experiment(client, settings), bundle,
                                bundle_dir, figures)
    decision = gate_decision(bundle.metadata.test_metrics, old, settings.gate_max_auc_drop,
                             settings.gate_max_ece, label)
    decision.reason += note
    record_decision(client, name, version, decision.promote, decision.reason,
                    bundle.metadata.test_metrics)
    return version, decision


def run_model(data: TrainingData, frames: ClaimFrames, cms: Any, name: str, kind: str,
              fit: Fitter, settings: Settings, track: bool,
              pooled: ModelBundle | None = None) -> tuple[TrainOutcome, ModelBundle]:
    """Train, test, save and (optionally) track one model; a payer model is gated against
    `pooled` (this run's pooled model) when it has no champion of its own."""
    from training.plots import calibration_figure, importance_figure

    start = time.perf_counter()
    bundle = train_payer_model(data, name, kind, fit, settings, settings.engine, pooled)
    rows = test_rows(data, name, kind)
    y = data.denied[rows]
    p = bundle.predict_proba(data.X[rows])
    test = binary_metrics(y, p)
    bundle.metadata = bundle.metadata.model_copy(update={"test_metrics": test})
    bundle_dir = settings.models_dir / name
    shutil.rmtree(bundle_dir, ignore_errors=True)
    bundle.save(bundle_dir)
    outcome = TrainOutcome(name, kind, bundle_dir, test, 0.0)
    if track:
        raw = 1 / (1 + np.exp(-bundle.raw_score(data.X[rows])))
        figures = {"plots/feature_importance.png": importance_figure(bundle.binary),
                   "plots/calibration_test.png": calibration_figure(
                       y, {"uncalibrated": raw, "calibrated": p}, f"{name}: test window")}
        baseline = None
        if pooled is not None and kind == "payer":
            p_pooled = pooled.predict_proba(data.X[rows])
            baseline = binary_metrics(y, p_pooled) | {"auc_se": auc_gap(y, p, p_pooled)["se"]}
        outcome.version, outcome.decision = track_bundle(
            bundle, bundle_dir, subset_frames(frames, rows), y, cms, settings, figures,
            baseline)
    outcome.seconds = time.perf_counter() - start
    return outcome, bundle


def progress_bar(enabled: bool) -> Any:
    """A rich progress display (or a no-op context when disabled)."""
    if not enabled:
        return nullcontext(None)
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn())


def weighted_training_data(frames: ClaimFrames, cms: Any, settings: Settings, split: Any,
                           weights: np.ndarray | None,
                           build: Callable[..., Any] = model_matrix) -> TrainingData:
    """TrainingData with sample weights: `weights` per claim x recency (settings)."""
    data = prepare_training_data(frames, cms, settings, split, build)
    data.weight = sample_weights(claim_service_dates(frames), split.train,
                                 settings.recency_half_life_days, weights)
    if data.weight is not None and settings.engine != "local":
        raise ValueError("sample weights (recency, stale labels) need the local engine")
    return data


def store_champions(outcomes: list[TrainOutcome], tested: dict[str, ModelBundle],
                    served: dict[str, tuple[ModelBundle, Path]], settings: Settings) -> None:
    """Put every promoted model into the BentoML store: its refit (`served`: bundle and
    folder) with the tested bundle beside it, or the tested bundle itself when there is
    no refit."""
    from training.store import save_to_bentoml

    for o in outcomes:
        if not (o.decision and o.decision.promote):
            continue
        bundle, folder = served.get(o.name, (tested[o.name], o.bundle_dir))
        o.bentoml_tag = save_to_bentoml(bundle, folder, settings.bentoml_home,
                                        o.bundle_dir if o.name in served else None)
        o.served_window = bundle.metadata.training_window


def run_training(frames: ClaimFrames, cms: Any, settings: Settings,
                 payers: Sequence[str] | None = None, track: bool = True,
                 progress: bool = False, weights: np.ndarray | None = None
                 ) -> list[TrainOutcome]:
    """Train every planned model of a data set; see the module docstring.

    `weights`: optional per-claim training weights aligned with frames.claims (0 leaves a
    claim out, e.g. labels made stale by a payer rule change: training/recovery.py).
    """
    split = split_frames(frames, settings)
    payer = frames.claims["payer_id"].astype(object).reset_index(drop=True)
    denied = frames.claims["denied"].astype(bool).to_numpy().astype(int)
    plan = plan_models(payer, split.train, settings.min_payer_claims, payers, denied,
                       settings.min_payer_denials)
    outcomes, tested = [], {}
    with progress_bar(progress) as bar:
        task = bar.add_task("building features", total=len(plan)) if bar else None

        def advance(description: str) -> None:
            if bar:
                bar.update(task, description=description)

        with engine_for(settings) as (fit, build):
            data = weighted_training_data(frames, cms, settings, split, weights, build)
            for name, kind in plan.items():
                advance(f"training {name} ({kind})")
                outcome, tested[name] = run_model(data, frames, cms, name, kind, fit,
                                                  settings, track, tested.get(POOLED))
                outcomes.append(outcome)
                if bar:
                    bar.advance(task)
            served = {}
            promoted = {o.name for o in outcomes if o.decision and o.decision.promote}
            if track and settings.refit_for_serving and promoted:
                advance("building features of the whole history")
                refit = weighted_training_data(frames, cms, settings, refit_split(split),
                                               weights, build)
                served, notes = refit_models(promoted, plan, tested, refit, frames, cms, fit,
                                             settings, advance)
                for o in outcomes:
                    o.refit_note = notes.get(o.name, "")
        if track:
            store_champions(outcomes, tested, served, settings)
    return outcomes
