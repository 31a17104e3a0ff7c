"""Helpers every command shares: options whose defaults come from Settings, one-line errors."""

from __future__ import annotations

from typing import Any

import typer

from settings import Settings, settings_with


def opt(field: str, *flags: str) -> Any:
    """A typer option whose help text and shown default come from Settings.<field>."""
    info = Settings.model_fields[field]
    default = info.default
    names = flags or (f"--{field.replace('_', '-')}",)
    return typer.Option(None, *names, help=f"{info.description} [default: {default}]",
                        show_default=False)


def resolve(**overrides: Any) -> Settings:
    """Settings from the environment with the given non-None CLI values applied."""
    return settings_with(**overrides)


def fail(message: str, code: int = 2) -> None:
    """Print a one-line error to stderr and exit non-zero (no traceback for user errors)."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)
