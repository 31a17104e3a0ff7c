"""The API's documentation for integrators, on the session's real server: /docs.json and
the Swagger page open without a key, titled denialrisk with the package version, no
third-party scripts; the README shows every endpoint with a curl example; one list
envelope for the batch endpoints; validation failures logged at WARNING without PHI."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest

from tests.serving.conftest import API_KEY
from tests.serving.live import log_text

pytestmark = pytest.mark.slow
AUTH = {"Authorization": f"Bearer {API_KEY}"}
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def http(live_server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        yield client


def test_the_document_is_open_and_says_denialrisk_and_its_version(http):
    r = http.get("/docs.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    info = r.json()["info"]
    assert info["title"] == "denialrisk" and info["version"] == version("denialrisk")
    text = r.text.lower()
    assert "slack" not in text and "bentoml.com" not in text and "contact" not in info


@pytest.mark.parametrize("path", ["/docs", "/"])
def test_the_swagger_page_is_open_and_loads_only_its_own_assets(http, path):
    r = http.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert f"<title>denialrisk {version('denialrisk')} API</title>" in page
    assert "googletagmanager" not in page and "github.com" not in page
    assert "validatorUrl: null" in page and 'url: "/docs.json"' in page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert len(sources) == 3 and all(s.startswith("/static_content/") for s in sources)
    for source in sources:
        assert http.get(source).status_code == 200, source  # open, served by BentoML


def curl_lines(readme: str, path: str) -> list[str]:
    """README lines running curl against `path` of the local server."""
    url = re.compile(rf"localhost:3000{re.escape(path)}(?![\w/.])")
    return [line for line in readme.splitlines()
            if line.lstrip().startswith("curl ") and url.search(line)]


def sends_a_body(line: str) -> bool:
    return bool(re.search(r" (-d|--data|--data-binary) ", line))


def test_the_readme_has_a_curl_example_for_every_endpoint(http):
    readme = README.read_text()
    paths = http.get("/docs.json").json()["paths"]
    for path, item in paths.items():
        lines = curl_lines(readme, path)
        for method in item:
            matching = [line for line in lines if sends_a_body(line) == (method == "post")]
            assert matching, f"README: no curl example for {method.upper()} {path}"


def test_batch_endpoints_share_the_list_envelope(http):
    doc = http.get("/docs.json").json()
    for path in ("/predict_batch", "/predict_x12"):
        schema = doc["paths"][path]["post"]["responses"]["200"]["content"][
            "application/json"]["schema"]
        assert schema["type"] == "array", path


def test_validation_failures_are_warnings_without_phi(http, live_server):
    from tests.builders import make_claim_dict

    offset = live_server.log.stat().st_size
    claim = make_claim_dict(patient={"member_id": "MBR-WARN-3141", "birth_date": "1950-04-12",
                                     "sex": "F"})
    claim["lines"][0]["cpt"] = "ZZZZZ"
    assert http.post("/predict", json={"claim": claim}, headers=AUTH).status_code == 400
    too_many = {"claims": [make_claim_dict()] * 1001, "explain": False}
    assert http.post("/predict_batch", json=too_many, headers=AUTH).status_code == 413
    text = ""
    for _ in range(20):
        text = log_text(live_server.log, offset)
        if text.count("Exception on /predict") >= 2:
            break
        time.sleep(0.25)
    lines = [line for line in text.splitlines() if "Exception on /predict" in line]
    assert len(lines) == 2, text
    assert all("[WARNING]" in line and "[ERROR]" not in line for line in lines), lines
    assert "Traceback" not in text and "MBR-WARN-3141" not in text


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium (/usr/bin/chromium, "
                    "Debian package `chromium`) is not installed")
def test_the_swagger_page_renders_every_operation_in_chromium(http, live_server, tmp_path):
    """Swagger UI, from its own assets only (other hosts unresolvable), lists every path."""
    import shutil
    import subprocess

    profile = tmp_path / "profile"
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--virtual-time-budget=15000",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
         "--dump-dom", f"{live_server.url}/docs"],
        capture_output=True, text=True, timeout=120)
    shutil.rmtree(profile, ignore_errors=True)
    dom = done.stdout
    assert '<h2 class="title">denialrisk' in dom, done.stderr[-500:]
    shown = set(re.findall(r'data-path="([^"]+)"', dom))
    assert shown == set(http.get("/docs.json").json()["paths"])


def schemas_of(node: object) -> dict[str, dict]:
    """Every named schema in an OpenAPI document (components and $defs), by name."""
    found: dict[str, dict] = {}
    if isinstance(node, dict):
        for key in ("schemas", "$defs"):
            if isinstance(node.get(key), dict):
                found.update(node[key])
        for value in node.values():
            found.update(schemas_of(value))
    elif isinstance(node, list):
        for value in node:
            found.update(schemas_of(value))
    return found


def test_a_fix_documents_the_changes_it_makes_together(http):
    """Integrators see `together` (several changes as one fix) as a list of plain changes,
    one level deep, each with the fields of a fix."""
    schemas = schemas_of(http.get("/docs.json").json())
    together = schemas["Fix"]["properties"]["together"]
    assert together["type"] == "array" and together["items"]["$ref"].endswith("/Change")
    change = schemas["Change"]["properties"]
    assert {"action", "line", "value", "risk_after", "text"} <= set(change)
    assert "together" not in change
