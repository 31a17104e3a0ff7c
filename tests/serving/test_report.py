"""The coder-training report: all sections, self-contained, renders in headless Chromium.

Uses the serving fixture store (MCR champion + pooled) and a small generated data set;
MCR is served by its own model, COB by the pooled fallback.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
SECTIONS = ("drivers", "patterns", "examples", "payers", "trust", "kpis")
CHECKER = """<script>
window.addEventListener('load', () => {
  const imgs = Array.from(document.images);
  const broken = imgs.filter(i => !i.complete || i.naturalWidth === 0).length;
  document.body.setAttribute('data-images', imgs.length);
  document.body.setAttribute('data-broken', broken);
  document.body.setAttribute('data-height', document.body.scrollHeight);
});
</script>"""


class Refs(HTMLParser):
    """Collects tags and every src/href-like attribute value of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action", "poster", "data") and value:
                self.refs.append((tag, name, value))


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    from contract.dataset import write_dataset
    from synthetic_data.config import GeneratorConfig
    from synthetic_data.generate import generate_frames

    path = tmp_path_factory.mktemp("report-data") / "claims"
    write_dataset(generate_frames(GeneratorConfig(claims=8000, seed=31)), path)
    return path


@pytest.fixture(scope="module", params=["MCR", "COB"])
def report(request, dataset, bentoml_home, tmp_path_factory) -> Path:
    from denialrisk.commands.report_html import report_command

    out = tmp_path_factory.mktemp("report") / f"{request.param}.html"
    return report_command(request.param, data=dataset, out=out, bentoml_home=bentoml_home,
                          examples_per_driver=3)


def test_report_has_every_section_for_coders(report):
    html = report.read_text()
    for section in SECTIONS:
        assert f'id="{section}"' in html, section
    assert "Money at stake" in html and "Revenue protected" in html
    assert "AUC" in html and "Reliability diagram" in html
    assert html.count('class="example"') >= 3


def test_fixes_shown_lower_the_risk(report):
    pairs = re.findall(r"Risk (\d+)% &rarr;\s*<strong>(\d+)%</strong>", report.read_text())
    assert pairs, "no worked example with a fix"
    assert all(int(after) <= int(before) for before, after in pairs), pairs


def test_report_is_self_contained(report):
    html = report.read_text()
    parser = Refs()
    parser.feed(html)
    assert "script" not in parser.tags and "link" not in parser.tags
    assert all(value.startswith("data:image/png;base64,") for tag, name, value in parser.refs
               if tag == "img"), parser.refs
    assert not [r for r in parser.refs if r[0] != "img"], parser.refs
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.I)
    assert "@import" not in html and "url(" not in html


@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium (/usr/bin/chromium, "
                    "Debian package `chromium`) is not installed")
def test_report_renders_and_every_image_loads_in_chromium(report, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(report.read_text().replace("</body>", CHECKER + "</body>"))
    n_images = report.read_text().count("<img ")
    profile = tmp_path / "profile"
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    shutil.rmtree(profile, ignore_errors=True)
    body = re.search(r"<body[^>]*>", done.stdout)
    assert body, f"Chromium rendered nothing (exit {done.returncode}): {done.stderr[-500:]}"
    attrs = dict(re.findall(r'data-(images|broken|height)="(\d+)"', body.group(0)))
    assert int(attrs["images"]) == n_images >= 5
    assert attrs["broken"] == "0"
    assert int(attrs["height"]) > 2000


def test_unknown_payer_is_refused(dataset, bentoml_home, tmp_path):
    from denialrisk.commands.report_html import report_command

    with pytest.raises(ValueError, match="XYZ"):
        report_command("XYZ", data=dataset, out=tmp_path / "x.html", bentoml_home=bentoml_home)
