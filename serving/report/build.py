"""Assemble one payer's explanation report: sections -> template context -> one HTML file.

`build_context` runs every section on the payer's recent claims (the newest `months` of
the data set, which is also the window the calibration is measured on) and `render_html`
fills template.html.j2. Drivers, worked examples and worked fixes come from the API's own
explanations and verified fixes (drivers.py, examples.py, worked_fixes.py); every label is
in claim language (labels.py, text.py). Everything the page shows is inline: CSS in the
template, figures as data URIs, no scripts and no external references.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from contract.frames import ClaimFrames
from reference.vocab import PAYERS
from serving.modelset import ModelSet
from serving.report import plots
from serving.report import sections as sec
from serving.report.drivers import Explained, context_summary, driver_summary, explain_recent
from serving.report.examples import shown_claims, worked_examples
from serving.report.labels import CATEGORY_LABELS, category_label, family_ranges, pattern_label
from serving.report.text import count, prose, share
from serving.report.worked_fixes import worked_fixes
from serving.scoring import Predictor
from training.kpis import claim_tokens, format_cell
from training.metrics import binary_metrics
from training.scored import kpi_report
from training.split import subset_frames

TEMPLATE = "template.html.j2"


@dataclass(frozen=True)
class ReportOptions:
    """How much the report shows."""

    months: int = 3  # newest months of the data set treated as "recent" / test window
    top_drivers: int = 8
    example_drivers: int = 4  # drivers that get worked examples
    examples_per_driver: int = 5
    worked_fixes: int = 5  # recent risky claims worked through before/after their top fix
    comparison_claims: int = 300


def rows(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, str]]:
    """Formatted table rows (index first) for the template."""
    flat = frame.reset_index()
    keep = [flat.columns[0], *columns]
    return [{c: format_cell(c, v) for c, v in zip(keep, rec)}
            for rec in flat[keep].itertuples(index=False)]


def drivers_section(explained: Explained, scores: sec.PayerScores,
                    options: ReportOptions) -> dict[str, Any]:
    """Section 1: SHAP summary plot and table of the top drivers (claims, money, codes),
    and apart from them the context that raises risk but no coder can change."""
    drivers = driver_summary(explained, scores.table, options.top_drivers)
    context = context_summary(explained)
    return {"frame": drivers, "plot": plots.drivers_plot(drivers) if len(drivers) else None,
            "rows": rows(drivers.set_index("label"), ["claims", "share", "denied",
                                                      "denial_rate", "money_at_stake",
                                                      "codes"]),
            "context": rows(context.set_index("label"), ["claims", "share"])}


def patterns_section(scores: sec.PayerScores) -> dict[str, Any]:
    """Section 2: denial reasons by procedure family and by modifier / E/M pattern."""
    tokens = claim_tokens(scores.frames)
    ranges = family_ranges()
    legend = {c: category_label(c) for c in CATEGORY_LABELS}
    out = {}
    for key, modifiers, title in (("families", False, "Procedure families"),
                                  ("modifiers", True, "Modifier and E/M patterns")):
        rates = sec.reasons_by_pattern(scores.table, tokens, modifiers)
        labels = {t: pattern_label(t, ranges) for t in rates.index}
        out[key] = plots.pattern_plot(rates, title, labels, legend) if len(rates) else None
    return out


def labelled_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame indexed by reason category, re-indexed by the category's words."""
    return frame.set_axis([category_label(c) for c in frame.index]).rename_axis("category")


def comparison_section(scores: sec.PayerScores, models: ModelSet, cms: Any, payer: str,
                       options: ReportOptions) -> dict[str, Any]:
    """Section 4: a sample of the payer's claims scored under every payer's model."""
    n = len(scores.table)
    pick = np.sort(np.random.default_rng(0).permutation(n)[:options.comparison_claims])
    mask = np.zeros(n, dtype=bool)
    mask[pick] = True
    payers = tuple(dict.fromkeys([*PAYERS, payer]))
    comparison = sec.payer_comparison(subset_frames(scores.frames, mask), models, cms, payers)
    highlights = sec.comparison_highlights(comparison, payer)
    highlights = labelled_categories(
        highlights[highlights[["this_payer", "other_payers"]].max(axis=1) >= 5e-4])
    return {"claims": count(mask.sum(), "recent claim"),
            "plot": plots.payer_plot(comparison, payer),
            "rows": rows(comparison, ["model", "mean_risk", "flagged"]),
            "highlights": [{"category": c, **{k: share(v) for k, v in r.items()}}
                           for c, r in highlights.to_dict("index").items()]}


def trust_sentence(metrics: dict[str, float], n: int) -> str:
    """What the calibration numbers mean for an educator, in one or two sentences."""
    auc, ece = metrics.get("auc", math.nan), metrics.get("ece", math.nan)
    if math.isnan(auc):
        return (f"Only {count(n, 'test-window claim')} with a single outcome: accuracy cannot "
                "be measured.")
    return (f"On {count(n, 'test-window claim')} the model ranks a denied claim above a paid one "
            f"{auc:.0%} of the time (AUC {auc:.3f}), and its predicted risks are on average "
            f"{ece * 100:.1f} percentage points away from the observed denial rates (ECE "
            f"{ece:.3f}). Treat single-claim risks as estimates; trust the ranking more.")


def calibration_section(scores: sec.PayerScores, payer: str) -> dict[str, Any]:
    """Section 5: reliability plot, bins, AUC/ECE and what they mean for trust."""
    y = scores.table["denied"].to_numpy(int)
    p = scores.table["denial_probability"].to_numpy(float)
    metrics = binary_metrics(y, p)
    bins = sec.reliability_bins(y, p)
    return {"plot": plots.reliability_plot(y, p, f"{payer}: test window"),
            "metrics": {k: format_cell(k, v) for k, v in metrics.items()},
            "trust": trust_sentence(metrics, len(y)),
            "bins": rows(bins, ["claims", "predicted", "observed"])}


def kpi_section(scores: sec.PayerScores, payer: str) -> dict[str, Any]:
    """Section 6: KPI summary, predicted vs actual per month, rates per reason."""
    report = kpi_report(scores.table)
    monthly = report.monthly.xs(payer, level="payer_id")
    summary = report.summary.drop(index="ALL", errors="ignore")
    categories = report.by_category.xs(payer, level="payer_id")
    seen = categories["denials"] > 0  # a reason with no denial would list as 0%
    return {"summary": rows(summary, list(summary.columns)),
            "monthly": plots.monthly_plot(monthly, f"{payer}: predicted vs actual"),
            "categories": rows(labelled_categories(categories[seen]),
                               ["denials", "actual_rate", "predicted_rate",
                                "share_of_denials"])}


def build_context(payer: str, frames: ClaimFrames, models: ModelSet, cms: Any,
                  options: ReportOptions = ReportOptions()) -> dict[str, Any]:
    """Every section of the report of `payer` as template variables."""
    recent = sec.payer_frames(sec.recent_frames(frames, options.months), payer)
    served = sec.serving_bundle(models, payer)
    if not len(recent.claims) or served is None:
        raise ValueError(f"no recent claims or no model for payer {payer!r}")
    model, bundle, fallback = served
    scores = sec.score_payer(recent, bundle, cms)
    predictor = Predictor(models, cms)
    explained = explain_recent(scores, predictor)
    drivers = drivers_section(explained, scores, options)
    top = drivers["frame"].head(options.example_drivers)
    examples = worked_examples(explained, scores.table, top, predictor,
                               options.examples_per_driver)
    months = scores.table["month"]
    return {
        "payer": payer, "generated": date.today().isoformat(),
        "model": {"name": model.name, "version": model.version, "fallback": fallback,
                  "training_window": bundle.metadata.training_window},
        "window": {"start": months.min(), "end": months.max(),
                   "claims": count(len(months), "claim"),
                   "denied": count(scores.table["denied"].sum(), "claim")},
        "drivers": drivers, "patterns": patterns_section(scores), "examples": examples,
        "fixes": worked_fixes(explained, scores.table, predictor, payer,
                              shown_claims(examples), options.worked_fixes),
        "comparison": comparison_section(scores, models, cms, payer, options),
        "calibration": calibration_section(scores, payer), "kpis": kpi_section(scores, payer),
    }


def render_html(context: dict[str, Any]) -> str:
    """Fill the Jinja template (autoescaped) with a built context."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(Path(__file__).parent),
                      autoescape=select_autoescape(["html", "j2"]))
    env.filters["prose"] = prose
    return env.get_template(TEMPLATE).render(**context)


def write_html(html: str, out: Path) -> Path:
    """Write the report atomically (temp file + rename); returns the path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return out
