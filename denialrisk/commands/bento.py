"""`denialrisk bento`: a Bento of the service, its champion models and the CMS tables.

bentofile.yaml (project root) says what a Bento holds; some of it exists only at build
time, so this command stages a build context in <work-dir>/bento/:
- the Python packages of the project (pyproject's wheel packages) and pyproject.toml;
- cms/: the CMS extracts of Settings.cms_dir, which the served Bento reads (serving/bento.py);
- requirements.txt: the runtime dependencies pinned by uv.lock (`uv export --frozen`);
- bentofile.yaml: the project's, with `models:` = the newest denialrisk-* model of each
  name in the store (the champions `denialrisk serve` would load);
then runs `bentoml build` on it with BENTOML_HOME = the store, so the Bento lands in
<bentoml_home>/bentos next to the models it lists. `bentoml containerize` copies those
models and the rest of the Bento into an image.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import typer

from denialrisk.commands.common import fail, opt, path_default, resolve
from settings import PROJECT_ROOT

BENTOFILE = "bentofile.yaml"
REQUIREMENTS = "requirements.txt"
TAG_PREFIX = "__tag__:"  # what `bentoml build -o tag` prints before the tag


class BentoBuildError(RuntimeError):
    """A build step failed; the message says which and why."""


def project_packages(root: Path = PROJECT_ROOT) -> list[str]:
    """The Python packages the project ships (pyproject: hatch wheel packages)."""
    config = tomllib.loads((root / "pyproject.toml").read_text())
    return list(config["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])


def stage_sources(stage: Path, cms_dir: Path, root: Path = PROJECT_ROOT) -> None:
    """A fresh build context: the packages, pyproject.toml (the package version the API
    documents, as nothing is pip-installed in a Bento) and the CMS extracts (cms/)."""
    from serving.bento import BENTO_CMS_DIR

    if not cms_dir.is_dir() or not any(cms_dir.iterdir()):
        raise BentoBuildError(f"no CMS extracts in {cms_dir} (set --cms-dir)")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in project_packages(root):
        shutil.copytree(root / package, stage / package, ignore=skip)
    shutil.copy2(root / "pyproject.toml", stage / "pyproject.toml")
    shutil.copytree(cms_dir, stage / BENTO_CMS_DIR, ignore=skip)
    for copied in (stage / BENTO_CMS_DIR).iterdir():  # shared/ is read-only; builds rewrite
        copied.chmod(0o644)


def uv_executable() -> str:
    """The uv that runs this project (`uv run` sets UV), else the one on PATH."""
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise BentoBuildError("uv not found: it exports the locked requirements (uv.lock)")
    return found


def export_requirements(stage: Path, root: Path = PROJECT_ROOT) -> Path:
    """requirements.txt of the runtime dependencies, pinned by uv.lock (offline)."""
    target = stage / REQUIREMENTS
    command = [uv_executable(), "export", "--frozen", "--no-dev", "--no-hashes",
               "--no-emit-project", "--no-header", "--no-annotate", "--quiet",
               "--project", str(root), "--output-file", str(target)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BentoBuildError(f"uv export failed: {done.stderr.strip()[:500]}")
    return target


def champion_tags(home: Path) -> list[str]:
    """Tags of the newest stored version of every denialrisk-* model (pooled required)."""
    from serving.modelset import ModelLoadError, load_model_set

    try:
        models = load_model_set(home)
    except ModelLoadError as exc:
        raise BentoBuildError(str(exc)) from exc
    return [m.tag for _, m in sorted(models.models.items())]


def write_bentofile(stage: Path, tags: list[str], root: Path = PROJECT_ROOT) -> Path:
    """The project's bentofile.yaml with the models listed, into the build context."""
    import yaml

    config = yaml.safe_load((root / BENTOFILE).read_text())
    config["models"] = list(tags)
    target = stage / BENTOFILE
    target.write_text(yaml.safe_dump(config, sort_keys=False))
    return target


def build_bento(stage: Path, home: Path, version: str | None = None) -> str:
    """Run `bentoml build` on the build context; returns the Bento's tag."""
    from denialrisk.commands.run_server import bentoml_executable

    command = [bentoml_executable(), "build", str(stage), "-f", str(stage / BENTOFILE),
               "-o", "tag", *(["--version", version] if version else [])]
    env = {**os.environ, "BENTOML_HOME": str(home), "BENTOML_DO_NOT_TRACK": "True"}
    done = subprocess.run(command, cwd=stage, env=env, capture_output=True, text=True)
    tags = [line.removeprefix(TAG_PREFIX).strip() for line in done.stdout.splitlines()
            if line.startswith(TAG_PREFIX)]
    if done.returncode != 0 or not tags:
        detail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-5:]
        raise BentoBuildError("bentoml build failed: " + " | ".join(detail))
    return tags[-1]


def bento(
    work_dir: Path = opt("work_dir"),
    bentoml_home: Path = opt("bentoml_home"),
    cms_dir: Path = opt("cms_dir"),
    stage: Path = typer.Option(None, "--stage", help="Build context to (re)create",
                               show_default=path_default("bento")),
    version: str = typer.Option(None, "--version", help="Bento version",
                                show_default="generated by BentoML"),
) -> None:
    """Build a Bento: the API with the store's champion models and the CMS tables."""
    s = resolve(work_dir=work_dir, bentoml_home=bentoml_home, cms_dir=cms_dir)
    stage = (stage or s.work_dir / "bento").resolve()  # bentoml build runs inside it
    home = s.bentoml_home.resolve()
    try:
        tags = champion_tags(home)
        stage_sources(stage, s.cms_dir)
        export_requirements(stage)
        write_bentofile(stage, tags)
        typer.echo(f"staged {stage}: {len(tags)} models, CMS extracts, requirements")
        tag = build_bento(stage, home, version)
    except (BentoBuildError, OSError) as exc:
        fail(str(exc))
    print(f"built Bento {tag} with {', '.join(tags)}\n"
          f"serve:        BENTOML_HOME={home} DENIALRISK_API_KEY=<key> "
          f"uv run bentoml serve {tag}\n"
          f"containerize: BENTOML_HOME={home} uv run bentoml containerize {tag}")
