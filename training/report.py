"""Writing the evaluation report: strict JSON (NaN -> null) and a markdown summary."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from training.metrics import BINARY_METRICS, REASON_METRICS

SYSTEM_ORDER = ("model", "oracle", "oracle_visible", "oracle_837", "logreg", "rules")
SHORT = {"auc": "AUC", "pr_auc": "PR-AUC", "brier": "Brier", "ece": "ECE",
         "recall_at_90_precision": "R@P90", "top1_reason_accuracy": "top-1",
         "top3_reason_accuracy": "top-3"}


def jsonable(value: Any) -> Any:
    """Replace NaN/inf by None recursively (JSON has no NaN)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def fmt(value: Any) -> str:
    """A metric cell: 3 decimals, '—' when missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def metric_table(report: dict[str, Any]) -> list[str]:
    """Markdown rows: one per (scope, system) with every metric."""
    metrics = (*BINARY_METRICS, *REASON_METRICS)
    rows = ["| scope | n_test | system | " + " | ".join(SHORT[m] for m in metrics) + " |",
            "|---|---:|---|" + "---:|" * len(metrics)]
    scopes = [*report["payers"].items(), ("overall", report["overall"])]
    for scope, block in scopes:
        label = scope if scope == "overall" else f"{scope} ({block.get('model_kind')})"
        for system in (s for s in SYSTEM_ORDER if s in block):
            cells = " | ".join(fmt(block[system].get(m)) for m in metrics)
            rows.append(f"| {label} | {block['n_test']:,} | {system} | {cells} |")
    return rows


def monthly_table(report: dict[str, Any]) -> list[str]:
    """Markdown rows of model (and oracle) AUC per test month, per payer and overall."""
    scopes = [*report["payers"].items(), ("overall", report["overall"])]
    months = sorted({m for _, b in scopes for m in b["monthly"]})
    rows = ["| scope | " + " | ".join(months) + " |", "|---|" + "---:|" * len(months)]
    for scope, block in scopes:
        cells = []
        for m in months:
            e = block["monthly"].get(m, {})
            cell = f"{fmt(e.get('model_auc'))}"
            if "oracle_auc" in e:
                cell += f" ({fmt(e['oracle_auc'])})"
            cells.append(cell)
        rows.append(f"| {scope} | " + " | ".join(cells) + " |")
    return rows


def fixes_table(report: dict[str, Any]) -> list[str]:
    """Markdown rows of the fix audit (generated data only): per payer, the risky test
    claims, how many got a fix, and the share whose TRUE risk at least halved."""
    scopes = [(p, b["fixes"]) for p, b in report["payers"].items() if "fixes" in b]
    if not scopes:
        return []
    rows = ["## Top fixes judged by the world's own rules", "",
            "Risky = claim-only truth (oracle_p_visible) >= 0.3; lowered = the true "
            "probability at least halves after the service's top fix. Not fixable = "
            "claims the service answers not_fixable (past the filing limit); lowered "
            "(fixable) = the share lowered among the other risky claims.", "",
            "| scope | risky claims | with a fix | not fixable | lowered | lowered (fixable) "
            "| mean true drop |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for scope, f in [*scopes, ("overall", report["overall"].get("fixes", {}))]:
        rows.append(f"| {scope} | {f.get('n', 0):,} | {f.get('n_with_fix', 0):,} | "
                    f"{f.get('n_not_fixable', 0):,} | {fmt(f.get('lowered_true_risk'))} | "
                    f"{fmt(f.get('lowered_true_risk_fixable'))} | "
                    f"{fmt(f.get('mean_true_drop'))} |")
    return [*rows, ""]


def to_markdown(report: dict[str, Any]) -> str:
    """Human summary of the report (the JSON stays the source of truth)."""
    w = report["test_window"]
    lines = [f"# Evaluation: test window {w['test_start']} to {w['test_end']}", "",
             f"Feature version {report['feature_version']}; trained on {w['train_start']}"
             f" to {w['train_end']}, validated on {w['val_start']}.", "",
             "R@P90 = recall at 90% precision; top-k = reason accuracy on denied claims.", "",
             *metric_table(report), "", "## Model AUC per test month (oracle in brackets)",
             "", *monthly_table(report), "", *fixes_table(report)]
    return "\n".join(lines)


def write_report(report: dict[str, Any], out: Path) -> tuple[Path, Path]:
    """Write the JSON report to `out` and the markdown next to it (same stem, .md)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(jsonable(report), indent=1, allow_nan=False))
    md = out.with_suffix(".md")
    md.write_text(to_markdown(report))
    return out, md
