"""Helpers every command shares: options whose defaults come from Settings, one-line errors.

Conventions (typer's): every option shows its default (`[default: (...)]` for a value that
comes from Settings, which the environment may override), flags show no `<bool>` type, a
bad value is a usage error (exit 2, one message line, no traceback) checked against the
Settings field's own constraints before any work starts.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer
from pydantic import TypeAdapter, ValidationError
from typer.core import TyperCommand, TyperGroup

from settings import Settings, settings_with

WORK_DIR_FIELDS = {"models_dir": "models", "mlflow_dir": "mlflow", "bentoml_home": "bentoml"}


def reflowed(text: str | None) -> str | None:
    """A docstring's paragraphs each as one line: typer's rich help keeps single line
    breaks, so a docstring wrapped at 90 columns would show ragged in --help."""
    if not text:
        return text
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


class FlagsAsFlags:
    """Flags (--help included) show as flags in --help: no `<bool>` type after them; help
    text is reflowed (one line per paragraph, wrapped by the terminal)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = reflowed(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return params


class Command(FlagsAsFlags, TyperCommand):
    """A denialrisk command (typer's, flags shown as flags)."""


class Group(FlagsAsFlags, TyperGroup):
    """The denialrisk command group (typer's, flags shown as flags)."""


def default_text(field: str) -> str:
    """The default of Settings.<field> as shown in --help (no environment read)."""
    if field in WORK_DIR_FIELDS:
        return str(Settings.model_fields["work_dir"].default / WORK_DIR_FIELDS[field])
    default = Settings.model_fields[field].default
    if default is None:
        return "none"
    return str(default)


def path_default(relative: str) -> str:
    """A folder under the default work_dir, as shown in --help (it moves with --work-dir)."""
    return str(Settings.model_fields["work_dir"].default / relative)


def one_line(exc: ValidationError) -> str:
    """The first pydantic error as one line, without the submitted value."""
    first = exc.errors(include_input=False, include_url=False)[0]
    return str(first.get("msg", "invalid value")).removeprefix("Value error, ")


def field_check(field: str) -> Any:
    """A typer callback: a usage error when the value breaks Settings.<field>'s constraints.

    The value itself is returned unchanged (Settings converts it later, in `resolve`)."""

    def check(value: Any) -> Any:
        if value is None:
            return None
        info = Settings.model_fields[field]
        kind = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        try:
            TypeAdapter(kind).validate_python(value)
        except ValidationError as exc:
            raise typer.BadParameter(one_line(exc)) from None
        return value

    return check


def opt(field: str, *flags: str) -> Any:
    """A typer option whose help, shown default and checks come from Settings.<field>.

    A bool field becomes a --x/--no-x flag pair. Left out, the option is None and the
    command takes the Settings value (environment DENIALRISK_<FIELD>, else the default)."""
    info = Settings.model_fields[field]
    name = field.replace("_", "-")
    if info.annotation is bool:
        names = flags or (f"--{name}/--no-{name}",)
        shown = name if info.default else f"no-{name}"
    else:
        names = flags or (f"--{name}",)
        shown = default_text(field)
    return typer.Option(None, *names, help=info.description, show_default=shown,
                        callback=field_check(field))


def resolve(**overrides: Any) -> Settings:
    """Settings from the environment with the given non-None CLI values applied; a value
    the Settings reject (including one from the environment) ends as a usage error."""
    try:
        return settings_with(**overrides)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        fail(f"invalid {where}: {one_line(exc)}")


def working(what: str) -> Any:
    """A spinner on stderr while a long step without a progress bar runs (rich status)."""
    from rich.console import Console

    return Console(stderr=True).status(what)


def fail(message: str, code: int = 2) -> None:
    """Print a one-line error to stderr and exit non-zero (no traceback for user errors)."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)
