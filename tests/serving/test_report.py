"""The coder-training report: all sections, claim language, worked fixes, self-contained,
renders in headless Chromium.

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
SECTIONS = ("drivers", "patterns", "examples", "fixes", "payers", "trust", "kpis")
SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
NUMBERS = re.compile(r"\d+")
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


class Prose(HTMLParser):
    """Text nodes of a page (outside <style>), with the <code> ones kept apart."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []
        self.code: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            del self.stack[len(self.stack) - 1 - self.stack[::-1].index(tag):]

    def handle_data(self, data: str) -> None:
        if "style" in self.stack or not data.strip():
            return
        (self.code if self.stack and self.stack[-1] == "code" else self.text).append(data)


def blocks(html: str, section: str) -> list[str]:
    """The example boxes (class="example") of one section of the page."""
    start = html.index(f'id="{section}"')
    end = html.index("<h2", start + 1)
    return html[start:end].split('<div class="example">')[1:]


def visible(fragment: str) -> str:
    """The text of an HTML fragment, tags removed, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


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


def test_every_factor_of_a_trained_bundle_has_a_label(bentoml_home):
    from serving.factors import factor_matrix
    from serving.modelset import load_model_set
    from serving.report.labels import factor_label, is_curated

    models = load_model_set(bentoml_home)
    names = {n for m in models.models.values() for n in factor_matrix(m.bundle.feature_names)[0]}
    assert len(names) > 50
    bad = sorted(n for n in names if "_" in factor_label(n) or not is_curated(n))
    assert not bad, bad


def test_prose_has_no_field_or_feature_names(report):
    from serving.report.text import contract_fields

    page = Prose()
    page.feed(report.read_text())
    leaks = sorted({m for t in page.text for m in SNAKE.findall(t)})
    assert not leaks, leaks
    assert set(page.code) <= contract_fields(), page.code


def test_no_reason_listed_at_zero_percent(report):
    html = report.read_text()
    listed = re.findall(r'<span class="reasons">(.*?)</span>', html, re.S)
    assert listed, "no likely reasons shown"
    assert not [r for r in listed if re.search(r"(?<![\d.])0%", r)], listed
    for table in re.findall(r'<table class="reason-table">(.*?)</table>', html, re.S):
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
            cells = re.findall(r"<td>(.*?)</td>", row, re.S)
            assert not all(re.fullmatch(r"-?0(\.0)?%|0", c.strip()) for c in cells[1:]), row


def test_counts_read_as_counts(report):
    text = visible(report.read_text())
    assert re.search(r"generated \S+ from \d{1,3}(,\d{3})* claims? with dates", text)
    assert not re.search(r"(?<![\d,.])\d{4,} (recent |test-window )?claims?\b", text), \
        re.findall(r"\d{4,} claims?", text)


def test_examples_are_not_duplicated(report):
    html = report.read_text()
    examples = blocks(html, "examples")
    ids = [re.search(r"<strong>Claim ([^<]+)</strong>", ex).group(1) for ex in examples]
    assert len(ids) == len(set(ids)), ids
    lessons = [NUMBERS.sub("#", visible(ex.split("</table>", 1)[1])) for ex in examples]
    assert len(lessons) == len(set(lessons)), lessons


def test_worked_fixes_show_lines_before_and_after_risk_and_rule(report):
    fixes = blocks(report.read_text(), "fixes")
    assert fixes, "no worked fix"
    for fx in fixes:
        before, after = re.search(r"Risk\s*<span[^>]*>(\d+)%</span> &rarr;\s*<strong>(\d+)%"
                                  r"</strong>", fx).groups()
        assert int(after) < int(before)
        assert '<table class="ba">' in fx and ">Before<" in fx and ">After<" in fx
        rows = re.findall(r"<tr><td>\d+</td>(.*?)</tr>", fx, re.S)
        assert rows and all(r.count("<td") in (6, 9) for r in rows), rows
        changed = 'class="changed' in fx or "Claim changes:" in fx
        assert changed, visible(fx)
        rule = re.search(r'<p class="rule">Rule: (.*?)</p>', fx, re.S).group(1).strip()
        assert len(rule) > 10


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


@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium (/usr/bin/chromium, "
                    "Debian package `chromium`) is not installed")
def test_worked_fixes_screenshot_is_rendered(report, tmp_path):
    """A screenshot of the worked-fixes section (the page cut there) shows content."""
    from PIL import Image

    html = report.read_text()
    page = tmp_path / "fixes.html"
    page.write_text(html[:html.index('<h2 id="drivers">')] +
                    html[html.index('<h2 id="fixes">'):html.index('<h2 id="payers">')] +
                    "</body></html>")
    shot, profile = tmp_path / "fixes.png", tmp_path / "profile"
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", "--no-first-run", f"--user-data-dir={profile}",
                    "--window-size=1100,2400", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, text=True, timeout=120)
    shutil.rmtree(profile, ignore_errors=True)
    assert shot.exists(), "Chromium wrote no screenshot"
    image = Image.open(shot).convert("RGB")
    assert image.size == (1100, 2400)
    top = image.crop((0, 0, 1100, 1200))
    assert len(top.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50  # text, tables


def test_unknown_payer_is_refused(dataset, bentoml_home, tmp_path):
    from denialrisk.commands.report_html import report_command

    with pytest.raises(ValueError, match="XYZ"):
        report_command("XYZ", data=dataset, out=tmp_path / "x.html", bentoml_home=bentoml_home)
