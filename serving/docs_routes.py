"""The integrators' documentation routes, as a pure ASGI middleware on the service.

- GET /docs.json: the completed OpenAPI document (serving/openapi.py `complete_spec` of
  BentoML's), built once on first use;
- GET /docs and GET /: the Swagger UI page (serving/docs_page.py) in place of BentoML's;
- requests to documented operations are held to the document: 415 for a body sent with
  a Content-Type its operation does not declare (BentoML answered multipart/form-data
  without a boundary with a 500; no Content-Type is taken as the declared one), and 405
  answers list the declared methods in `Allow` (BentoML's POST /metadata route does not
  know about the mounted GET /metadata).
The bearer-auth middleware (serving/auth.py) lets GET of these documents through.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from serving.auth import ASGIApp, Receive, Scope, Send, send_json
from serving.docs_page import DOCS_PAGE_PATHS, docs_page, send_page
from serving.openapi import complete_spec

DOCS_PATH = "/docs.json"


def allowed_methods(spec: dict[str, Any]) -> dict[str, bytes]:
    """Path -> the `Allow` header value listing the methods the document declares."""
    return {path: ", ".join(sorted(m.upper() for m in item)).encode()
            for path, item in spec["paths"].items()}


def body_media_types(spec: dict[str, Any]) -> dict[tuple[str, str], frozenset[str]]:
    """(METHOD, path) -> the media types its request body is declared with."""
    return {(method.upper(), path): frozenset(op["requestBody"]["content"])
            for path, item in spec["paths"].items() for method, op in item.items()
            if "requestBody" in op}


def sent_media_type(scope: Scope) -> str | None:
    """The media type of the request's Content-Type header (no parameters), if any."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-type":
            media = value.decode("latin-1").split(";")[0].strip().lower()
            return media or None
    return None


def with_allow(start: dict[str, Any], allow: bytes) -> dict[str, Any]:
    """A copy of a response start message whose Allow header is `allow`."""
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"allow"]
    return {**start, "headers": [*headers, (b"allow", allow)]}


class OpenAPIDocumentMiddleware:
    """Serves the completed document and the Swagger page; holds requests to the
    document (see the module docstring)."""

    def __init__(self, app: ASGIApp, spec_source: Callable[[], dict[str, Any]]) -> None:
        self.app = app
        self.spec_source = spec_source
        self.document: dict[str, Any] | None = None
        self.allow: dict[str, bytes] = {}
        self.media: dict[tuple[str, str], frozenset[str]] = {}

    def spec(self) -> dict[str, Any]:
        """The completed document (built on first use, when the service is defined)."""
        if self.document is None:
            document = complete_spec(self.spec_source())
            self.allow, self.media = allowed_methods(document), body_media_types(document)
            self.document = document
        return self.document

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == DOCS_PATH and scope["method"] == "GET":
            await send_json(send, 200, self.spec())
            return
        if scope["path"] in DOCS_PAGE_PATHS and scope["method"] == "GET":
            await send_page(send, docs_page())
            return
        self.spec()
        declared = self.media.get((scope["method"], scope["path"]))
        sent = sent_media_type(scope)
        if declared and sent is not None and sent not in declared:
            await send_json(send, 415, {"error": f"Content-Type {sent[:80]!r} is not taken "
                                                 f"here; send {' or '.join(sorted(declared))}"})
            return
        await self.app(scope, receive, self.allow_fixing(scope["path"], send))

    def allow_fixing(self, path: str, send: Send) -> Send:
        """A send wrapper that rewrites the Allow header of a 405 for a documented path."""

        async def wrapped(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                allow = self.allow.get(path)
                if allow is not None:
                    message = with_allow(message, allow)
            await send(message)

        return wrapped
