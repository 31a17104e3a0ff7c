"""`denialrisk report --payer P [--data PATH] --out reports/P.html` (wired in denialrisk/cli.py).

Models: `champion` loads what the API serves (the BentoML store at Settings.bentoml_home);
a folder path loads the bundles `denialrisk train` wrote there (e.g. work/models), served
the same way (a payer's own bundle, else the pooled one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from serving.modelset import ModelSet, model_set_from_bundles
from serving.report.build import ReportOptions, build_context, render_html, write_html
from settings import settings_with
from training.scored import CHAMPION


def load_model_set(model: str, bentoml_home: Path) -> ModelSet:
    """Champions from the BentoML store (as tested: the report reads the newest months
    as recent), or the bundles of a folder."""
    if model == CHAMPION:
        from serving.modelset import load_model_set as load_store

        return load_store(bentoml_home, heldout=True)
    return model_set_from_bundles(Path(model))


def report_command(payer: str, data: Path | None = None, out: Path | None = None,
                   model: str = CHAMPION, months: int | None = None,
                   examples_per_driver: int = 5, **overrides: Any) -> Path:
    """Write the payer's self-contained HTML report; returns its path.

    `months`: newest months of the data treated as recent / test window (default
    Settings.test_months). `overrides` are Settings fields (cms_dir, bentoml_home, ...).
    Raises ValueError when the payer has no recent claims or no model can serve it,
    serving.modelset.ModelLoadError / training.bundle.BundleError when models are missing,
    contract.dataset.DatasetError for a missing data set.
    """
    from reference.cms import load_cms_tables
    from training.data import load_frames

    settings = settings_with(**overrides)
    payer = payer.upper()
    frames = load_frames(Path(data) if data else settings.data_path())
    models = load_model_set(model, settings.bentoml_home)
    options = ReportOptions(months=months or settings.test_months,
                            examples_per_driver=examples_per_driver)
    context = build_context(payer, frames, models, load_cms_tables(settings.cms_dir), options)
    return write_html(render_html(context), out or Path("reports") / f"{payer}.html")
