"""The champion bundles the service loads, and which model serves which payer.

Every `denialrisk-*` model in the BentoML store (newest version of each name) is loaded
once at start-up. A payer with its own champion is served by it; any other payer (a
contract payer without enough claims for its own model, or an unknown payer id) goes to
the pooled model with `fallback: true`. A bundle whose feature version differs from the
code's refuses to load, and the service refuses to start with that message; so does a
damaged store entry or model file (the message names the file).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from features.build import live_state
from reference.vocab import PAYERS
from training.bundle import BundleError, ModelBundle

POOLED = "pooled"
NAME_PREFIX = "denialrisk-"
MODEL_YAML = "model.yaml"


class ModelLoadError(RuntimeError):
    """The model store is empty, lacks the pooled model, or holds an unusable bundle."""


@dataclass(frozen=True)
class ServedModel:
    """One loaded bundle with the name and version it is reported under."""

    key: str  # payer id (upper case) or "pooled"
    name: str  # registry name, e.g. denialrisk-MCR
    version: str
    tag: str  # BentoML tag
    bundle: ModelBundle


@dataclass
class ModelSet:
    """Loaded models by key, plus the pooled fallback."""

    models: dict[str, ServedModel]
    home: Path | None = None
    payers: tuple[str, ...] = field(default=PAYERS)

    @property
    def pooled(self) -> ServedModel:
        return self.models[POOLED]

    def route(self, payer_id: str) -> tuple[ServedModel, bool]:
        """The model serving a payer and whether that is the pooled fallback."""
        own = self.models.get(str(payer_id).upper())
        if own is not None and own.key != POOLED:
            return own, False
        return self.pooled, True

    def fallback_payers(self) -> list[str]:
        """Contract payers without a champion of their own."""
        return [p for p in self.payers if p not in self.models]


def with_live_standing(models: ModelSet, claims: pd.DataFrame) -> ModelSet:
    """The models with the providers' credentialing standing read from `claims`' outcomes
    (the practice's history store: every remit ingested up to now) instead of only those
    of their training claims, so a provider a payer enrolled since is scored as enrolled
    once the first payment's remit is in the store (features.build.live_state)."""
    return replace(models, models={key: replace(m, bundle=replace(
        m.bundle, state=live_state(m.bundle.state, claims))) for key, m in
        models.models.items()})


def model_version(ref: Any, bundle: ModelBundle) -> str:
    """MLflow registry version when known, else the BentoML tag version."""
    labels = getattr(ref.info, "labels", {}) or {}
    return str(bundle.metadata.model_version or labels.get("mlflow_version") or ref.tag.version)


def load_bundle(directory: Path) -> ModelBundle:
    """ModelBundle.load, which checks the LightGBM files' structure first (a damaged text
    model would otherwise abort the process inside LightGBM instead of raising)."""
    return ModelBundle.load(directory)


def load_served_model(ref: Any, heldout: bool = False) -> ServedModel:
    """Load the bundle of a BentoML model reference (`heldout`: as tested, for a served
    refit; training/refit.py); ModelLoadError naming it on failure."""
    from training.store import stored_bundle_dir

    try:
        bundle = load_bundle(stored_bundle_dir(Path(ref.path), heldout))
    except BundleError as exc:
        raise ModelLoadError(f"cannot load model {ref.tag} from the BentoML store: {exc}") \
            from exc
    meta = bundle.metadata
    key = POOLED if meta.kind == POOLED else meta.payer.upper()
    return ServedModel(key=key, name=f"{NAME_PREFIX}{meta.payer}",
                       version=model_version(ref, bundle), tag=str(ref.tag), bundle=bundle)


def stored_ref(store: Any, version_dir: Path) -> Any:
    """The BentoML reference of one stored version; ModelLoadError naming its model.yaml
    when BentoML cannot read it (BentoML's parsers raise many exception types)."""
    try:
        return store.get(f"{version_dir.parent.name}:{version_dir.name}")
    except Exception as exc:  # any unreadable store entry is fatal here
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise ModelLoadError(f"BentoML store file corrupted: {version_dir / MODEL_YAML} "
                             f"({first})") from exc


def latest_refs(home: Path) -> list[Any]:
    """Newest stored version of every denialrisk-* model name."""
    from training.store import model_store

    store = model_store(home)
    newest: dict[str, Any] = {}
    for version_dir in sorted(Path(home, "models").glob(f"{NAME_PREFIX}*/*/")):
        ref = stored_ref(store, version_dir)
        name = ref.tag.name
        if name not in newest or ref.info.creation_time > newest[name].info.creation_time:
            newest[name] = ref
    return [newest[n] for n in sorted(newest)]


def listed_refs(home: Path, tags: list[str]) -> list[Any]:
    """The stored versions named by `tags` (a Bento's list); ModelLoadError for one the
    store at `home` does not hold."""
    from training.store import model_store

    store = model_store(home)
    refs = []
    for tag in tags:
        try:
            refs.append(store.get(tag))
        except Exception as exc:  # BentoML's NotFound and parse errors alike
            raise ModelLoadError(f"model {tag} listed by the Bento is not in the BentoML "
                                 f"store {home}/models ({type(exc).__name__})") from exc
    return refs


def load_model_set(home: Path, tags: list[str] | None = None,
                   heldout: bool = False) -> ModelSet:
    """Every champion in the store at `home` (the newest version of each name, or exactly
    `tags` when given); the pooled model is required. `heldout`: each champion as it was
    tested (trained before the test window) instead of its refit on the whole history, to
    judge it on claims it has not seen."""
    refs = listed_refs(home, tags) if tags is not None else latest_refs(home)
    if not refs:
        raise ModelLoadError(f"no denialrisk models in the BentoML store {home}/models; "
                             "run `denialrisk train` first")
    models = {m.key: m for m in (load_served_model(r, heldout) for r in refs)}
    if POOLED not in models:
        raise ModelLoadError(f"the BentoML store {home}/models has no {NAME_PREFIX}{POOLED} "
                             "model: unknown and small payers could not be scored")
    return ModelSet(models=models, home=Path(home))


def model_entry(m: ServedModel) -> dict[str, Any]:
    """Metadata of one loaded model for GET /metadata: `test_metrics` were measured on the
    model trained in `tested_window` (the served one itself, or the bundle it is the
    refit of: training/refit.py)."""
    meta, thr = m.bundle.metadata, m.bundle.thresholds
    return {"name": m.name, "version": m.version, "bentoml_tag": m.tag, "kind": meta.kind,
            "feature_version": meta.feature_version, "training_window": meta.training_window,
            "test_metrics": meta.test_metrics,
            "tested_window": meta.heldout_window or meta.training_window,
            "n_train": meta.n_train,
            "thresholds": thr.model_dump(), "reason_classes": m.bundle.classes,
            "created_at": meta.created_at}


def describe(models: ModelSet) -> dict[str, Any]:
    """The /metadata document: models, per-payer routing, fallbacks."""
    routing = {}
    for payer in models.payers:
        served, fallback = models.route(payer)
        routing[payer] = {"model": served.name, "version": served.version,
                          "fallback": fallback}
    return {"models": {k: model_entry(m) for k, m in sorted(models.models.items())},
            "payers": routing, "fallback_payers": models.fallback_payers(),
            "unknown_payers": f"scored by {models.pooled.name} with fallback=true"}


def model_set_from_bundles(folder: Path) -> ModelSet:
    """A ModelSet of every bundle in a folder (pooled under 'pooled', payers upper case)."""
    from training.evaluate import load_bundles

    models = {}
    for name, bundle in load_bundles(folder).items():
        meta = bundle.metadata
        key = POOLED if meta.kind == POOLED else meta.payer.upper()
        models[key] = ServedModel(key=key, name=f"denialrisk-{meta.payer}",
                                  version=str(meta.model_version or "local"),
                                  tag=f"bundle:{Path(folder) / name}", bundle=bundle)
    return ModelSet(models=models)
