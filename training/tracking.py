"""MLflow tracking and registry for model bundles (embedded sqlite by default).

- Tracking URI: Settings.tracking_uri (DENIALRISK_TRACKING_URI or MLFLOW_TRACKING_URI),
  else sqlite at <mlflow_dir>/mlflow.db; artifacts always go to <mlflow_dir>/artifacts via
  an explicit experiment artifact_location (MLflow would otherwise write ./mlruns).
- One registered model per payer, `denialrisk-<payer>` (pooled: `denialrisk-pooled`);
  the `champion` alias marks the version serving should use.
Nothing happens at import: mlflow itself is imported inside the functions (it is slow).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

from settings import Settings
from training.bundle import BUNDLE_FILE, ModelBundle

CHAMPION = "champion"
BUNDLE_ARTIFACT = "bundle"


def registered_name(payer: str) -> str:
    """Registry name of a payer's (or the pooled) model."""
    return f"denialrisk-{payer}"


def tracking_uri(settings: Settings) -> str:
    """The configured tracking URI, or the embedded sqlite DB inside mlflow_dir."""
    if settings.tracking_uri:
        return settings.tracking_uri
    settings.mlflow_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(settings.mlflow_dir / 'mlflow.db').resolve()}"


def open_client(settings: Settings) -> Any:
    """An MlflowClient on the configured store (also made the process default)."""
    import mlflow

    uri = tracking_uri(settings)
    mlflow.set_tracking_uri(uri)
    return mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)


def ensure_experiment(client: Any, settings: Settings) -> str:
    """Id of the experiment, created with artifacts under <mlflow_dir>/artifacts."""
    found = client.get_experiment_by_name(settings.experiment)
    if found is not None:
        return found.experiment_id
    artifacts = (settings.mlflow_dir / "artifacts").resolve()
    artifacts.mkdir(parents=True, exist_ok=True)
    return client.create_experiment(settings.experiment, artifact_location=artifacts.as_uri())


def finite(metrics: dict[str, float], prefix: str) -> dict[str, float]:
    """Metrics with a name prefix, dropping NaN/inf (MLflow charts cannot show them)."""
    return {f"{prefix}{k}": float(v) for k, v in metrics.items()
            if isinstance(v, int | float) and math.isfinite(v)}


def run_name(payer: str, created_at: str) -> str:
    """MLflow run name: payer and training date, e.g. `MCR 2026-12-05` (the registered
    model's name already says `denialrisk-MCR`; runs of one payer differ by date)."""
    from datetime import UTC, datetime

    day = created_at[:10] if created_at else datetime.now(UTC).date().isoformat()
    return f"{payer} {day}"


def log_bundle_run(client: Any, experiment_id: str, bundle: ModelBundle, bundle_dir: Path,
                   figures: dict[str, Any]) -> tuple[str, str]:
    """Log params, metrics, figures and the bundle; register it. Returns (run_id, version).

    The registry version is written back into the logged bundle.json (and the local copy)
    so a bundle always knows which version it is. Figures are closed once logged
    (matplotlib warns past 20 open ones; a notebook retrains many models).
    """
    import matplotlib.pyplot as plt
    import mlflow

    meta = bundle.metadata
    name = registered_name(meta.payer)
    with mlflow.start_run(experiment_id=experiment_id,
                          run_name=run_name(meta.payer, meta.created_at)) as run:
        mlflow.set_tags({"payer": meta.payer, "kind": meta.kind,
                         "feature_version": meta.feature_version, "engine": meta.engine})
        mlflow.log_params({**meta.params, **meta.training_window, "n_train": meta.n_train,
                           "n_val": meta.n_val, "classes": ",".join(bundle.classes)})
        mlflow.log_metrics(finite(meta.validation_metrics, "val_")
                           | finite(meta.test_metrics, "test_"))
        for path, fig in figures.items():
            mlflow.log_figure(fig, path)
            plt.close(fig)
        mlflow.log_artifacts(str(bundle_dir), BUNDLE_ARTIFACT)
        version = register_version(client, name, run.info.run_id,
                                   f"{run.info.artifact_uri}/{BUNDLE_ARTIFACT}")
        bundle.metadata = meta.model_copy(update={"model_version": version})
        bundle.save(bundle_dir)
        mlflow.log_artifact(str(bundle_dir / BUNDLE_FILE), BUNDLE_ARTIFACT)
    return run.info.run_id, version


def register_version(client: Any, name: str, run_id: str, source: str) -> str:
    """Create the registered model if needed and a new version pointing at `source`."""
    from mlflow.exceptions import MlflowException

    try:
        client.get_registered_model(name)
    except MlflowException:
        client.create_registered_model(name, description="Denial-risk bundle (binary + "
                                       "reasons + calibrator + thresholds + feature state)")
    return str(client.create_model_version(name, source=source, run_id=run_id).version)


def champion_version(client: Any, name: str) -> Any | None:
    """The ModelVersion holding the champion alias, or None."""
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, CHAMPION)
    except MlflowException:
        return None


def download_bundle(version: Any, dst: Path | None = None) -> Path:
    """Download a registered version's bundle folder (to a temp dir by default)."""
    import mlflow

    target = dst or Path(tempfile.mkdtemp(prefix="denialrisk-champion-"))
    return Path(mlflow.artifacts.download_artifacts(version.source, dst_path=str(target)))


def record_decision(client: Any, name: str, version: str, promote: bool, reason: str,
                    test_metrics: dict[str, float]) -> None:
    """Tag the version with the gate result; move the champion alias when promoted."""
    client.set_model_version_tag(name, version, "gate", "passed" if promote else "refused")
    client.set_model_version_tag(name, version, "gate_reason", reason)
    for key, value in finite(test_metrics, "test_").items():
        client.set_model_version_tag(name, version, key, f"{value:.5f}")
    if promote:
        client.set_registered_model_alias(name, CHAMPION, version)
