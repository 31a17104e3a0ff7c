"""Bearer-token authentication as a pure ASGI middleware (no body buffering, no Starlette).

Every HTTP request needs `Authorization: Bearer <key>` except the health/metrics probes
and GET of the integrators' documentation: the OpenAPI document (/docs.json), the Swagger
page (/docs, /) and its assets (serving/docs_page.py), which hold the API's shape and
made-up examples, no PHI. BentoML's client schema (/schema.json) stays behind the key.
The key is compared with hmac.compare_digest so timing does not leak it. Settings are
read when the app is built (serve time), never at import.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from serving.config import ServingSettings
from serving.docs_page import ASSETS, DOCS_PAGE_PATHS

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

OPEN_PATHS: frozenset[str] = frozenset({"/livez", "/readyz", "/healthz", "/metrics"})
PUBLIC_DOCS: frozenset[str] = frozenset({"/docs.json", *DOCS_PAGE_PATHS, *ASSETS})


def is_open(scope: Scope) -> bool:
    """A health probe, or a GET of the public documentation."""
    path = scope["path"]
    return path in OPEN_PATHS or (scope.get("method") == "GET" and path in PUBLIC_DOCS)


def bearer_token(headers: list[tuple[bytes, bytes]]) -> bytes | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    for name, value in headers:
        if name.lower() == b"authorization":
            scheme, _, token = value.partition(b" ")
            if scheme.lower() == b"bearer" and token.strip():
                return token.strip()
            return None
    return None


def is_authorized(token: bytes | None, key: bytes) -> bool:
    """Constant-time comparison of the presented token with the configured key."""
    return token is not None and hmac.compare_digest(token, key)


async def send_json(send: Send, status: int, body: Any,
                    headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Send a complete JSON response."""
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
        *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


class BearerAuthMiddleware:
    """401 for any non-health HTTP request without the configured bearer key."""

    def __init__(self, app: ASGIApp, settings: ServingSettings | None = None) -> None:
        settings = settings or ServingSettings()
        self.app = app
        self.key = (settings.api_key.get_secret_value().strip().encode()
                    if settings.has_api_key() else None)
        # Without a key, only explicit dev mode opens the API; otherwise fail closed (the
        # service's __init__ also refuses to start, see serving.config).
        self.open = self.key is None and settings.insecure_dev

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.open or is_open(scope):
            await self.app(scope, receive, send)
            return
        if self.key is not None and is_authorized(bearer_token(scope.get("headers", [])),
                                                  self.key):
            await self.app(scope, receive, send)
            return
        await send_json(send, 401, {"error": "missing or invalid API key "
                                             "(send Authorization: Bearer <key>)"},
                        [(b"www-authenticate", b'Bearer realm="denialrisk"')])
