"""The API's documentation for integrators: the Swagger UI page (GET /docs and GET /).

BentoML's stock index page loads Google Tag Manager and links BentoML's GitHub, and its
document says "version None" with BentoML's Slack links (serving/openapi.py replaces the
document's info). This page is the same Swagger UI, from the copy BentoML ships and serves
at /static_content/, pointed at the service's completed /docs.json, titled denialrisk
with the package version, with no third-party script or request (Swagger's online
validator badge is off). The page and the document are open (no key): they hold the
shape of the API and an example with made-up values, never a claim that was sent.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from settings import PROJECT_ROOT

SERVICE_TITLE = "denialrisk"
DOCS_PAGE_PATHS: frozenset[str] = frozenset({"/docs", "/"})
STATIC = "/static_content"
ASSETS: frozenset[str] = frozenset(f"{STATIC}/{name}" for name in (
    "swagger-ui.css", "swagger-ui-bundle.js", "favicon-light-32x32.png"))
DESCRIPTION = (
    "Denial risk of a dermatology claim before submission, per payer: probability, risk "
    "band, CARC reasons, a claim-language explanation and verified fixes. Every operation "
    "except the health probes needs `Authorization: Bearer <DENIALRISK_API_KEY>` (use "
    "Authorize). Invalid input is a 400 naming the field; /predict_batch and /predict_x12 "
    "answer a list, one item per claim in request order.")

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="icon" type="image/png" href="{static}/favicon-light-32x32.png">
<link rel="stylesheet" href="{static}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({{url: "/docs.json", dom_id: "#swagger-ui", deepLinking: true,
  validatorUrl: null, presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"}});
</script>
</body>
</html>
"""


@lru_cache(maxsize=1)
def package_version() -> str:
    """The installed denialrisk version; in a Bento (not pip-installed), pyproject's."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(SERVICE_TITLE)
    except PackageNotFoundError:
        return pyproject_version(PROJECT_ROOT / "pyproject.toml")


def pyproject_version(path: Path) -> str:
    """[project].version of a pyproject.toml, or "unknown"."""
    import tomllib

    try:
        return str(tomllib.loads(path.read_text())["project"]["version"])
    except (OSError, KeyError, ValueError):
        return "unknown"


def docs_page() -> bytes:
    """The Swagger UI page of the service."""
    title = html.escape(f"{SERVICE_TITLE} {package_version()} API")
    return PAGE.format(title=title, static=STATIC).encode()


def document_info() -> dict[str, str]:
    """The OpenAPI `info` of the service's document."""
    return {"title": SERVICE_TITLE, "version": package_version(), "description": DESCRIPTION}


async def send_page(send: Callable[[Any], Awaitable[None]], body: bytes) -> None:
    """A complete 200 HTML response (pure ASGI)."""
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
