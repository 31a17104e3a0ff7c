"""The CLI follows typer's conventions: defaults shown, flags as flags, bad values are usage
errors (exit 2, no traceback), and every store follows --work-dir / DENIALRISK_WORK_DIR."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from denialrisk.cli import app
from settings import PROJECT_ROOT, Settings

runner = CliRunner()
COMMANDS = ("generate", "ingest", "train", "evaluate", "serve", "score", "report", "kpis",
            "monitor", "demo", "bento")


def command_options(name: str) -> list[typer.core.TyperOption]:
    """The options of one command as typer built them (the --help option excluded)."""
    group = typer.main.get_command(app)
    command = group.commands[name]
    return [p for p in command.params if isinstance(p, typer.core.TyperOption)]


def test_every_command_is_registered():
    assert set(typer.main.get_command(app).commands) == set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_value_option_shows_a_default(name):
    """Flags that are off by default show none (typer); everything else shows one."""
    for option in command_options(name):
        if option.required or (option.is_flag and not option.secondary_opts):
            continue
        assert option.show_default or option.default is not None, (name, option.name)


@pytest.mark.parametrize("name", [*COMMANDS, None])
def test_help_shows_flags_as_flags(name):
    result = runner.invoke(app, [name, "--help"] if name else ["--help"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    assert "[default:" in result.output or name is None


@pytest.mark.parametrize("name", [*COMMANDS, None])
def test_help_text_is_reflowed(name):
    """A docstring wrapped at 90 columns reads as one paragraph in --help, not a line
    broken mid-sentence (rich keeps single line breaks): its paragraphs are one line."""
    group = typer.main.get_command(app)
    command = group.commands[name] if name else group
    paragraphs = command.help.split("\n\n")
    assert all(p and "\n" not in p for p in paragraphs), command.help


def test_report_help_shows_its_defaults():
    result = runner.invoke(app, ["report", "--help"], env={"COLUMNS": "250"})
    text = result.output
    default_work = PROJECT_ROOT / "work"
    assert f"[default: ({default_work / 'claims'})]" in text  # --data
    assert f"[default: ({default_work / 'bentoml'})]" in text  # --bentoml-home
    assert f"[default: ({default_work})]" in text  # --work-dir
    assert "[default: (reports/<payer>.html)]" in text and "[default: champion]" in text
    assert f"[default: ({Settings.model_fields['cms_dir'].default})]" in text


@pytest.mark.parametrize("args, option", [
    (["generate", "--claims", "-5"], "--claims"),
    (["generate", "--claims", "many"], "--claims"),
    (["generate", "--start", "2025-13-01"], "--start"),
    (["generate", "--error-scale", "9"], "--error-scale"),
    (["generate", "--format", "csv"], "--format"),
    (["train", "--engine", "spark"], "--engine"),
    (["serve", "--port", "70000"], "--port"),
    (["serve", "--workers", "0"], "--workers"),
    (["monitor", "--rate-ratio", "0.5"], "--rate-ratio"),
    (["demo", "--claims", "10"], "--claims"),
])
def test_a_bad_value_is_a_usage_error(tmp_path, args, option):
    out = tmp_path / "claims"
    result = runner.invoke(app, [*args, *(["--out", str(out)] if args[0] == "generate"
                                          else [])])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output
    assert "Traceback" not in result.output and "pydantic.dev" not in result.output
    assert not out.exists()  # nothing was generated


def test_a_bad_environment_value_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("DENIALRISK_PORT", "0")
    result = runner.invoke(app, ["serve", "--insecure-dev", "--work-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: invalid port: Input should be greater than or equal to 1"]


def test_end_before_start_is_refused(tmp_path):
    result = runner.invoke(app, ["generate", "--start", "2026-01-01", "--end", "2025-01-01",
                                 "--out", str(tmp_path / "d")])
    assert result.exit_code == 2 and "before --start" in result.output


def test_stores_follow_the_work_dir(monkeypatch, tmp_path):
    for name in ("BENTOML_HOME", "DENIALRISK_BENTOML_HOME", "DENIALRISK_MODELS_DIR",
                 "DENIALRISK_MLFLOW_DIR"):
        monkeypatch.delenv(name, raising=False)
    s = Settings(work_dir=tmp_path)
    assert (s.data_path(), s.models_dir, s.mlflow_dir, s.bentoml_home) == (
        tmp_path / "claims", tmp_path / "models", tmp_path / "mlflow", tmp_path / "bentoml")
    monkeypatch.setenv("DENIALRISK_WORK_DIR", str(tmp_path))
    assert Settings().bentoml_home == tmp_path / "bentoml"
    monkeypatch.setenv("BENTOML_HOME", str(tmp_path / "elsewhere"))
    assert Settings().bentoml_home == tmp_path / "elsewhere"  # explicit wins


def test_report_without_a_data_set_names_the_default_path(monkeypatch, tmp_path):
    monkeypatch.delenv("BENTOML_HOME", raising=False)
    monkeypatch.delenv("DENIALRISK_BENTOML_HOME", raising=False)
    result = runner.invoke(app, ["report", "--payer", "COA", "--work-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert str(tmp_path / "claims") in result.output and "Traceback" not in result.output


def test_demo_next_steps_are_one_command_per_line(monkeypatch, tmp_path):
    from denialrisk.demo import next_steps

    monkeypatch.delenv("DENIALRISK_WORK_DIR", raising=False)
    monkeypatch.delenv("BENTOML_HOME", raising=False)
    monkeypatch.delenv("DENIALRISK_BENTOML_HOME", raising=False)
    default = next_steps(Settings(), "KEY123").splitlines()
    assert "  DENIALRISK_API_KEY=KEY123 uv run denialrisk serve" in default
    assert "  uv run denialrisk report --payer COA" in default
    moved = next_steps(Settings(work_dir=tmp_path / "my work"), "KEY123").splitlines()
    quoted = f"'{tmp_path / 'my work'}'"
    assert f"  DENIALRISK_WORK_DIR={quoted} DENIALRISK_API_KEY=KEY123 uv run denialrisk serve" \
        in moved
    assert f"  DENIALRISK_WORK_DIR={quoted} uv run denialrisk report --payer COA" in moved


def test_score_needs_exactly_one_input(tmp_path):
    result = runner.invoke(app, ["score", "--output", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "exactly one of --input or --x12" in result.output
    result = runner.invoke(app, ["score", "--input", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2 and "not found" in result.output


def test_shown_defaults_are_the_settings_defaults():
    from denialrisk.commands.common import default_text

    work = PROJECT_ROOT / "work"
    assert [default_text(f) for f in ("work_dir", "models_dir", "mlflow_dir", "bentoml_home")] \
        == [str(work), str(work / "models"), str(work / "mlflow"), str(work / "bentoml")]
    assert default_text("port") == "3000" and default_text("scheduler") == "none"
