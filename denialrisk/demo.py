"""The README's main job: generate -> train -> score the contract examples -> (serve).

Everything lands where every later command looks by default (Settings: <work_dir>/claims,
models_dir, mlflow_dir, bentoml_home), so `denialrisk report --payer COA` or `denialrisk
serve` after the demo need no paths. It prints the answers the API would give for the
claims in shared/contract/examples, a fresh API key and the next commands, each on one
line (plain print: rich would wrap them) so they can be pasted.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from settings import Settings


def demo_settings(s: Settings) -> Settings:
    """Settings of the demo: the default stores (payer minimum: the automatic one)."""
    return s.model_copy(update={
        "claims": s.demo_claims,
    })


def generate_data(s: Settings, console: Console) -> Path:
    """Step 1: synthetic claims with outcomes, written where `--data` defaults to."""
    from synthetic_data.generate import GeneratorConfig, generate_to_path

    path = s.data_path()
    result = generate_to_path(GeneratorConfig.from_settings(s), path, progress=True)
    console.print(f"[bold]1/3 generated[/] {result.n_claims:,} claims in {result.seconds:.1f}s, "
                  f"denial rate {result.denial_rate:.1%} -> {path}")
    return path


def train_models(s: Settings, data: Path, console: Console) -> None:
    """Step 2: per-payer + pooled models, MLflow registry, champions to the BentoML store."""
    from reference.cms import load_cms_tables
    from training.data import load_frames
    from training.pipeline import run_training

    outcomes = run_training(load_frames(data), load_cms_tables(s.cms_dir), s, progress=True)
    table = Table("model", "kind", "test AUC", "ECE", "version", "champion")
    for o in outcomes:
        promoted = bool(o.decision and o.decision.promote)
        table.add_row(o.name, o.kind, f"{o.test_metrics['auc']:.3f}",
                      f"{o.test_metrics['ece']:.3f}", str(o.version), "yes" if promoted else "no")
    console.print("[bold]2/3 trained[/]", table)


def score_examples(s: Settings, console: Console) -> list[dict]:
    """Step 3: score the contract examples through the service's own code path."""
    from contract.schema import Claim
    from serving.scoring import load_predictor

    folder = s.contract_dir / "examples"
    claims = [Claim.model_validate_json(p.read_text()) for p in sorted(folder.glob("*.json"))]
    claims += [with_common_defect(c) for c in claims if c.lines[0].cpt.startswith("992")]
    predictions = load_predictor(s.bentoml_home, s.cms_dir).predict(claims)
    answers = [p.model_dump(mode="json") for p in predictions]
    table = Table("claim", "payer", "P(deny)", "band", "top reason", "best fix (risk after)")
    for a in answers:
        reason = a["reasons"][0] if a["reasons"] else None
        fix = a["fixes"][0] if a["fixes"] else None
        table.add_row(a["claim_id"], a["payer_id"], f"{a['denial_probability']:.3f}",
                      a["risk_band"], f"{reason['carc']} {reason['category']}" if reason else "-",
                      f"{fix['text']} ({fix['risk_after']:.3f})" if fix and fix.get(
                          "risk_after") is not None else (fix["text"] if fix else "-"))
    console.print("[bold]3/3 scored[/] shared/contract/examples", table)
    console.print_json(json.dumps(answers[-1]))
    return answers


def with_common_defect(claim: Any) -> Any:
    """The claim as a coder often bills it: modifier 25 left off the E/M line (line 1)."""
    lines = [claim.lines[0].model_copy(update={"modifiers": []}), *claim.lines[1:]]
    return claim.model_copy(update={"claim_id": f"{claim.claim_id}-no25", "lines": lines})


def next_steps(s: Settings, key: str) -> str:
    """The key and the commands to run next, one per line, ready to paste.

    Settings that differ from what a fresh shell would use (e.g. `demo --work-dir`) are
    written into the commands as environment assignments."""
    env = changed_env(s)
    prefix = " ".join([*env, ""]) if env else ""
    return "\n".join([
        "", f"API key for this demo: {key}", "next:",
        f"  {prefix}DENIALRISK_API_KEY={key} uv run denialrisk serve",
        f"  {prefix}uv run denialrisk report --payer COA",
        f"  {prefix}uv run denialrisk monitor",
    ])


def changed_env(s: Settings) -> list[str]:
    """`DENIALRISK_X=value` for the stores the demo used that a fresh Settings() would not."""
    changed = ["work_dir"] if s.work_dir != Settings().work_dir else []
    fresh = Settings(work_dir=s.work_dir)  # the stores under it follow it
    changed += [name for name in ("bentoml_home", "cms_dir")
                if getattr(s, name) != getattr(fresh, name)]
    return [f"DENIALRISK_{name.upper()}={shlex.quote(str(getattr(s, name)))}"
            for name in changed]


def run_demo(settings: Settings, serve_after: bool = False) -> list[dict]:
    """Run the three steps; with serve_after, start the API with a freshly generated key."""
    console = Console(soft_wrap=True)  # long paths stay on one line
    s = demo_settings(settings)
    data = generate_data(s, console)
    train_models(s, data, console)
    answers = score_examples(s, console)
    key = secrets.token_urlsafe(24)
    print(next_steps(s, key), flush=True)
    if serve_after:
        from denialrisk.commands.run_server import serve_command

        os.environ["DENIALRISK_API_KEY"] = key
        serve_command(port=s.port, bentoml_home=s.bentoml_home, cms_dir=s.cms_dir)
    return answers
