"""Model commands: train per-payer models, evaluate them against the oracle and baselines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from denialrisk.commands.common import fail, opt, path_default, resolve
from settings import Settings


def load_inputs(s: Settings, data: Path | None) -> tuple[Any, Any, Path]:
    """Data set frames and CMS tables, failing with one line when either is unusable."""
    from contract.dataset import DatasetError
    from reference.cms import CmsDataError, load_cms_tables
    from training.data import load_frames

    path = data or s.data_path()
    if not path.exists():
        fail(f"data set not found: {path} (run `denialrisk generate` or pass --data)")
    try:
        return load_frames(path), load_cms_tables(s.cms_dir), path
    except (DatasetError, CmsDataError) as exc:
        fail(str(exc))


def train(
    data: Path = typer.Option(None, "--data", help="Data set folder",
                              show_default=path_default("claims")),
    payer: list[str] = typer.Option(
        None, "--payer", help="Train only these payers (repeatable; 'pooled' = the pooled "
                              "model)", show_default="every payer with enough claims + pooled"),
    engine: str = opt("engine"),
    scheduler: str = opt("scheduler"),
    min_payer_claims: int = opt("min_payer_claims"),
    min_payer_denials: int = opt("min_payer_denials"),
    gate_max_auc_drop: float = opt("gate_max_auc_drop"),
    gate_max_ece: float = opt("gate_max_ece"),
    test_months: int = opt("test_months"),
    val_months: int = opt("val_months"),
    max_rounds: int = opt("max_rounds"),
    refit_for_serving: bool = opt("refit_for_serving"),
    work_dir: Path = opt("work_dir"),
    models_dir: Path = opt("models_dir"),
    tracking_uri: str = opt("tracking_uri"),
    bentoml_home: Path = opt("bentoml_home"),
    cms_dir: Path = opt("cms_dir"),
) -> None:
    """Train per-payer + pooled denial models, register them in MLflow, gate the champion."""
    import time

    from training.data import UnknownPayerError
    from training.pipeline import run_training

    s = resolve(engine=engine, scheduler=scheduler, min_payer_claims=min_payer_claims,
                min_payer_denials=min_payer_denials, gate_max_auc_drop=gate_max_auc_drop,
                gate_max_ece=gate_max_ece,
                test_months=test_months, val_months=val_months, max_rounds=max_rounds,
                refit_for_serving=refit_for_serving,
                work_dir=work_dir, models_dir=models_dir, tracking_uri=tracking_uri,
                bentoml_home=bentoml_home, cms_dir=cms_dir)
    frames, cms, path = load_inputs(s, data)
    start = time.perf_counter()
    try:
        outcomes = run_training(frames, cms, s, payers=payer or None, progress=True)
    except (UnknownPayerError, ValueError) as exc:
        fail(str(exc))
    for o in outcomes:
        gate = "champion" if o.decision and o.decision.promote else "not promoted"
        typer.echo(f"{o.name:7s} {o.kind:6s} test AUC {o.test_metrics['auc']:.4f} "
                   f"ECE {o.test_metrics['ece']:.4f}  v{o.version} {gate}: "
                   f"{o.decision.reason if o.decision else ''}  ({o.seconds:.0f}s)"
                   f"{served_note(o)}")
    typer.echo(f"trained {len(outcomes)} models from {path} in "
               f"{time.perf_counter() - start:.0f}s; bundles in {s.models_dir}")


def served_note(outcome: Any) -> str:
    """What the store serves for a promoted model when it is a refit on the whole history
    (its window has no test months), or why its refit is not served."""
    window = outcome.served_window
    if outcome.refit_note:
        return f"; {outcome.refit_note}"
    if not window or window.get("test_start", "") <= window.get("test_end", ""):
        return ""
    return (f"; served: refit on {window['train_start']}..{window['train_end']}, "
            f"calibrated on {window['val_start']}")


def with_truth(frames: Any, path: Path) -> Any:
    """Frames with the oracle_* columns of a generated history's truth.parquet (joined by
    claim id; its hidden factors stay out: an 837P-derived claim cannot be re-judged)."""
    import pandas as pd

    try:
        table = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        fail(f"--truth {path}: cannot read it ({exc})")
    oracles = [c for c in table.columns if c.startswith("oracle_")]
    if "claim_id" not in table or not oracles:
        fail(f"--truth {path}: needs claim_id and oracle_* columns")
    table = table[["claim_id", *oracles]].astype({"claim_id": str}).drop_duplicates("claim_id")
    claims = frames.claims.drop(columns=[c for c in oracles if c in frames.claims])
    joined = claims.astype({"claim_id": str}).merge(table, on="claim_id", how="left")
    return type(frames)(joined.astype({"claim_id": frames.claims["claim_id"].dtype}),
                        frames.lines)


def has_world_truth(frames: Any) -> bool:
    """A generated data set carries its hidden factors (hidden_*): fixes can be judged by
    the world's own rules; an ingested history cannot."""
    return any(c.startswith("hidden_") for c in frames.claims.columns)


def evaluated_models(s: Settings, champions: bool) -> Any:
    """The ModelSet evaluated: the champions the server loads (BentoML store: a payer
    whose new model the gate held back is served by the pooled one), each as tested
    (before its refit on the test months), or every bundle of the latest training run
    (models_dir)."""
    from serving.modelset import load_model_set, model_set_from_bundles

    if champions:
        return load_model_set(s.bentoml_home, heldout=True)
    return model_set_from_bundles(s.models_dir)


def audit_fixes_of(report: dict[str, Any], frames: Any, cms: Any, s: Settings,
                   models: Any) -> None:
    """Add the `fixes` blocks (serving/fix_audit.py) to the report: the service's top fix
    of each risky test claim re-adjudicated by the generator's true_risk."""
    from contract.frames import claims_to_frames
    from serving.fix_audit import add_fixes_to_report
    from serving.modelset import with_live_standing
    from serving.scoring import Predictor
    from synthetic_data.adjudicate import true_risk
    from training.data import split_frames

    claims = frames.claims
    profile = str(claims["hidden_profile"].iloc[0]) if "hidden_profile" in claims else "demo"

    def world_risk(fixed: list[dict[str, Any]]) -> Any:
        scored = true_risk(claims_to_frames(fixed), claims, profile, s.cms_dir)
        return scored["oracle_p"].to_numpy(dtype=float)

    predictor = Predictor(with_live_standing(models, claims), cms)  # as served with a store
    add_fixes_to_report(report, frames, split_frames(frames, s).test, predictor, world_risk)


WALK_FORWARD = ("walk-forward: each test month by the models a monthly retrain serves "
                "during it")


def walk_forward_model(frames: Any, cms: Any, s: Settings, bundles: dict[str, Any],
                       status: Any) -> Any:
    """The model's test-window predictions by monthly retrains (training/walk_forward.py)."""
    from training.walk_forward import walk_forward_preds

    return walk_forward_preds(frames, cms, s, bundles, s.work_dir / "walk-forward",
                              progress=status.update)


def evaluate(
    data: Path = typer.Option(None, "--data", help="Data set folder",
                              show_default=path_default("claims")),
    out: Path = typer.Option(Path("reports/evaluation.json"), "--out",
                             help="Report JSON (markdown written next to it)"),
    work_dir: Path = opt("work_dir"),
    models_dir: Path = opt("models_dir"),
    test_months: int = opt("test_months"),
    val_months: int = opt("val_months"),
    cms_dir: Path = opt("cms_dir"),
    truth: Path = typer.Option(None, "--truth", show_default="none",
                               help="truth.parquet of a generated X12 history (generate "
                                    "--format x12): its oracles, claim-only and 837P-only, "
                                    "join the ingested claims by claim id"),
    champions: bool = typer.Option(
        False, "--champions/--latest",
        help="Evaluate the champions the server loads from --bentoml-home (a payer whose "
             "new model the gate held back is scored by the pooled model, as served), each "
             "as tested, before its refit on the whole history, or the latest trained "
             "bundles in --models-dir"),
    bentoml_home: Path = opt("bentoml_home"),
    walk_forward: bool = typer.Option(
        False, "--walk-forward/--no-walk-forward",
        help="Score each test month with the models a monthly retrain serves during it "
             "(the recipe fitted on the months before, validated on the month before; "
             "trained here under <work-dir>/walk-forward, tiered as the evaluated models) "
             "instead of the evaluated models themselves, which end before the test window"),
) -> None:
    """Evaluate trained bundles vs oracle, logistic regression and rules on the test window."""
    from serving.modelset import ModelLoadError
    from training.bundle import BundleError
    from training.data import POOLED
    from training.evaluate import evaluate_frames
    from training.report import write_report

    s = resolve(work_dir=work_dir, models_dir=models_dir, test_months=test_months,
                val_months=val_months, cms_dir=cms_dir, bentoml_home=bentoml_home)
    try:
        models = evaluated_models(s, champions)
    except (BundleError, ModelLoadError) as exc:
        fail(str(exc))
    bundles = {(POOLED if m.bundle.metadata.kind == POOLED else m.bundle.metadata.payer):
               m.bundle for m in models.models.values()}
    frames, cms, _ = load_inputs(s, data)
    if truth is not None:
        frames = with_truth(frames, truth)
    from rich.console import Console

    with Console(stderr=True).status("evaluating model, oracle, logreg and rules") as status:
        try:
            walked = walk_forward_model(frames, cms, s, bundles, status) if walk_forward \
                else None
            report = evaluate_frames(frames, cms, s, bundles, walked)
        except (BundleError, ValueError) as exc:
            fail(str(exc))
    report["model_scoring"] = WALK_FORWARD if walk_forward else (
        "champions as tested" if champions else "latest trained bundles")
    if has_world_truth(frames):
        with Console(stderr=True).status("re-adjudicating the top fixes with the world's "
                                         "rules"):
            audit_fixes_of(report, frames, cms, s, models)
    json_path, md_path = write_report(report, out)
    typer.echo(md_path.read_text())
    typer.echo(f"wrote {json_path} and {md_path}")


