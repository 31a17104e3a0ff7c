"""The `denialrisk` command line: generate | train | evaluate | serve | score | report | demo.

Option defaults come from `Settings` (env prefix DENIALRISK_); an option left out on the
command line takes the settings value, so env vars and flags compose.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer

from denialrisk.settings import Settings, get_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


def opt(field: str, *flags: str) -> Any:
    """A typer option whose help text and shown default come from Settings.<field>."""
    info = Settings.model_fields[field]
    default = info.default
    names = flags or (f"--{field.replace('_', '-')}",)
    return typer.Option(None, *names, help=f"{info.description} [default: {default}]",
                        show_default=False)


def resolve(**overrides: Any) -> Settings:
    """Settings from the environment with the given non-None CLI values applied."""
    base = get_settings()
    given = {k: v for k, v in overrides.items() if v is not None}
    return base.model_copy(update=given)


def fail(message: str, code: int = 2) -> None:
    """Print a one-line error to stderr and exit non-zero (no traceback for user errors)."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@app.command()
def generate(
    claims: int = opt("claims"),
    seed: int = opt("seed"),
    start: str = opt("start"),
    end: str = opt("end"),
    out: Path = typer.Option(None, "--out", help="Output data set folder [default: work/claims]"),
    drift: bool = typer.Option(
        None, "--drift/--no-drift", help=Settings.model_fields["drift"].description
    ),
    drift_date: str = opt("drift_date"),
    error_scale: float = opt("error_scale"),
    cms_dir: Path = opt("cms_dir"),
) -> None:
    """Generate synthetic dermatology claims with hidden per-payer rules and outcomes."""
    from synthetic_data.generate import GeneratorConfig, generate_to_path

    try:
        s = resolve(claims=claims, seed=seed, start=start and date.fromisoformat(start),
                    end=end and date.fromisoformat(end), drift=drift,
                    drift_date=drift_date and date.fromisoformat(drift_date),
                    error_scale=error_scale, cms_dir=cms_dir)
    except ValueError as exc:
        fail(str(exc))
    if s.end < s.start:
        fail(f"--end {s.end} is before --start {s.start}")
    config = GeneratorConfig.from_settings(s)
    target = out or s.data_path()
    try:
        result = generate_to_path(config, target, progress=True)
    except (OSError, RuntimeError) as exc:
        fail(str(exc))
    typer.echo(f"wrote {result.n_claims:,} claims ({result.n_lines:,} lines) to {target} "
               f"in {result.seconds:.1f}s; denial rate {result.denial_rate:.1%}")


def main() -> None:  # pragma: no cover - console entry
    app()
