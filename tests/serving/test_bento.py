"""`denialrisk bento` builds a Bento that lists the store's champions, holds the CMS tables
and, served with plain `bentoml serve <tag>`, scores like `denialrisk serve`."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from denialrisk.cli import app
from denialrisk.commands.run_server import bentoml_executable
from settings import get_settings
from tests.builders import make_claim_dict
from tests.serving.conftest import API_KEY
from tests.serving.live import LOOPBACK, free_port, stop_server, wait_ready

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(serving_env, bentoml_home, tmp_path_factory) -> tuple[str, Path]:
    """(tag, folder) of a Bento built from the session's model store (MCR + pooled)."""
    stage = tmp_path_factory.mktemp("bento") / "stage"
    result = CliRunner().invoke(app, ["bento", "--bentoml-home", str(bentoml_home),
                                      "--stage", str(stage)])
    assert result.exit_code == 0, result.output
    tag = next(line.split()[2] for line in result.output.splitlines()
               if line.startswith("built Bento "))
    name, version = tag.split(":")
    return tag, bentoml_home / "bentos" / name / version


def test_the_bento_lists_the_champion_models(built, bentoml_home):
    from serving.modelset import latest_refs

    _, folder = built
    info = yaml.safe_load((folder / "bento.yaml").read_text())
    listed = {m["tag"] for m in info["models"]}
    assert listed == {str(ref.tag) for ref in latest_refs(bentoml_home)}
    assert {t.split(":")[0] for t in listed} == {"denialrisk-mcr", "denialrisk-pooled"}
    assert info["service"] == "serving.service:DenialRiskService"


def test_the_bento_holds_the_cms_tables_and_pinned_requirements(built):
    _, folder = built
    cms = get_settings().cms_dir
    expected = sorted(p.name for p in cms.iterdir() if p.is_file())
    assert sorted(p.name for p in (folder / "src" / "cms").iterdir()) == expected
    for name in expected:
        assert (folder / "src" / "cms" / name).read_bytes() == (cms / name).read_bytes()
    requirements = (folder / "env" / "python" / "requirements.txt").read_text()
    assert "lightgbm==" in requirements and "pydantic==" in requirements
    assert (folder / "src" / "serving" / "service.py").is_file()
    from importlib.metadata import version

    from serving.docs_page import pyproject_version

    assert pyproject_version(folder / "src" / "pyproject.toml") == version("denialrisk")
    assert not list((folder / "src").rglob("__pycache__"))


def test_the_served_bento_reads_its_own_cms_tables(built, bentoml_home, tmp_path):
    tag, folder = built
    port, log = free_port(), tmp_path / "bento.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DENIALRISK_")}
    env.update({"BENTOML_HOME": str(bentoml_home), "DENIALRISK_API_KEY": API_KEY,
                "BENTOML_DO_NOT_TRACK": "True", "OMP_NUM_THREADS": "1",
                "PYTHONUNBUFFERED": "1"})
    import subprocess

    proc = subprocess.Popen([bentoml_executable(), "serve", tag, "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://{LOOPBACK}:{port}"
        wait_ready(url, proc)
        r = httpx.post(f"{url}/predict", json={"claim": make_claim_dict(payer_id="MCR")},
                       headers={"Authorization": f"Bearer {API_KEY}"}, timeout=60)
        assert r.status_code == 200, r.text
        assert r.json()["model"] == {"name": "denialrisk-MCR",
                                     "version": r.json()["model"]["version"],
                                     "fallback": False}
        assert f"CMS tables from {folder / 'src' / 'cms'}" in log.read_text()
    finally:
        stop_server(proc)


def test_bento_without_models_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(app, ["bento", "--bentoml-home", str(tmp_path / "empty"),
                                      "--stage", str(tmp_path / "stage")])
    assert result.exit_code == 2
    assert "no denialrisk models" in result.output and "Traceback" not in result.output
