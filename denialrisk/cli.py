"""The `denialrisk` command line: generate | ingest | train | evaluate | serve | score | report
| kpis | monitor | demo.

Option defaults come from `Settings` (env prefix DENIALRISK_); an option left out on the
command line takes the settings value, so env vars and flags compose.
"""

from __future__ import annotations

import os

import typer

from denialrisk.commands import data, models, reports, serving

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
app.command()(data.generate)
app.command()(data.ingest)
app.command()(models.train)
app.command()(models.evaluate)
app.command()(serving.serve)
app.command()(serving.score)
app.command()(reports.report)
app.command()(reports.kpis)
app.command()(reports.monitor)
app.command()(serving.demo)


def main() -> None:  # pragma: no cover - console entry
    os.environ.setdefault("BENTOML_DO_NOT_TRACK", "True")  # BentoML posts usage stats else
    app()
