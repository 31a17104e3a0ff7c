"""Champion bundles in the BentoML model store (what `serving/` loads).

A champion's model folder holds the bundle served (the refit on the whole history,
training/refit.py) and, in HELDOUT_DIR, the bundle as it was tested and gated.

Each champion is saved as `denialrisk-<payer>` (BentoML lower-cases tags:
`denialrisk-mcr`), with the bundle files written into the model folder. The store is
addressed explicitly from Settings.bentoml_home (BENTOML_HOME also sets it), so a process
that already imported bentoml with another home still writes to the configured one.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from training.bundle import ModelBundle

SERVED_DIR = "served"  # models_dir/<name>/served: the refit a promoted model is served as
HELDOUT_DIR = "heldout"  # <BentoML model>/heldout: the bundle as tested, beside its refit


def bentoml_name(payer: str) -> str:
    """BentoML model name of a payer's champion (lower case, as BentoML stores tags)."""
    return f"denialrisk-{payer}".lower()


def model_store(home: Path) -> Any:
    """A BentoML ModelStore rooted at <home>/models (created)."""
    from bentoml._internal.models import ModelStore

    path = Path(home) / "models"
    path.mkdir(parents=True, exist_ok=True)
    return ModelStore(str(path))


def bundle_labels(bundle: ModelBundle) -> dict[str, str]:
    """Searchable BentoML labels (strings only) describing the bundle."""
    meta = bundle.metadata
    return {"payer": meta.payer.lower(), "kind": meta.kind,
            "feature_version": meta.feature_version,
            "mlflow_version": str(meta.model_version or ""), "engine": meta.engine}


def save_to_bentoml(bundle: ModelBundle, bundle_dir: Path, home: Path,
                    heldout_dir: Path | None = None) -> str:
    """Copy a saved bundle folder into a new BentoML model (with the tested bundle of a
    served refit in its HELDOUT_DIR); returns its tag string."""
    import bentoml

    meta = bundle.metadata
    extra = {"registered_model": f"denialrisk-{meta.payer}", "thresholds":
             bundle.thresholds.model_dump(exclude_none=True), "test_metrics": meta.test_metrics,
             "training_window": meta.training_window, "classes": bundle.classes}
    with bentoml.models.create(bentoml_name(meta.payer), labels=bundle_labels(bundle),
                               metadata=extra, _model_store=model_store(home)) as ref:
        shutil.copytree(bundle_dir, ref.path, dirs_exist_ok=True)
        if heldout_dir is not None:
            shutil.copytree(heldout_dir, Path(ref.path) / HELDOUT_DIR,
                            ignore=shutil.ignore_patterns(SERVED_DIR))
    return str(ref.tag)


def stored_bundle_dir(path: Path, heldout: bool = False) -> Path:
    """The bundle folder of a stored model: the served bundle, or (`heldout`) the bundle
    as tested when the served one is a refit (training/refit.py), else the served one."""
    tested = Path(path) / HELDOUT_DIR
    return tested if heldout and tested.is_dir() else Path(path)


def load_from_bentoml(payer: str, home: Path, version: str = "latest",
                      heldout: bool = False) -> ModelBundle:
    """The bundle stored for `payer` (newest champion by default; `heldout`: as tested)."""
    import bentoml

    ref = bentoml.models.get(f"{bentoml_name(payer)}:{version}",
                             _model_store=model_store(home))
    return ModelBundle.load(stored_bundle_dir(Path(ref.path), heldout))


def stored_payers(home: Path) -> list[str]:
    """Payer names (as trained; 'pooled' too) of every model in the store at `home`."""
    folder = Path(home) / "models"
    names = sorted(d.name for d in folder.glob("denialrisk-*") if d.is_dir())
    return [n.removeprefix("denialrisk-") for n in names]
