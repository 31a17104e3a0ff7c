"""The `denialrisk` command line: generate | ingest | train | evaluate | serve | score | report
| kpis | monitor | demo | bento.

Option defaults come from `Settings` (env prefix DENIALRISK_); an option left out on the
command line takes the settings value, so env vars and flags compose.
"""

from __future__ import annotations

import os

import typer

from denialrisk.commands import bento, data, models, reports, serving
from denialrisk.commands.common import Command, Group

app = typer.Typer(cls=Group, add_completion=False, no_args_is_help=True, help=__doc__)
for command in (data.generate, data.ingest, models.train, models.evaluate, serving.serve,
                serving.score, reports.report, reports.kpis, reports.monitor, serving.demo,
                bento.bento):
    app.command(cls=Command)(command)


def main() -> None:  # pragma: no cover - console entry
    os.environ.setdefault("BENTOML_DO_NOT_TRACK", "True")  # BentoML posts usage stats else
    app()
