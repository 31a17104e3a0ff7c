"""Client errors in plain words: field path + message, 413 for over-size requests.

BentoML answers pydantic errors with 400 and `detail` = pydantic's error dicts, and other
4xx errors with a one-element JSON list. This pure ASGI middleware rewrites those bodies to
`{"error": ..., "detail": [{"field": "claim.lines[0].cpt", "message": ...}]}` (never the
submitted values, which may be PHI), turns list-length errors on `claims` / `lines` into
413, and refuses bodies over the configured size before they are read.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from bentoml.exceptions import BentoMLException

from serving.auth import ASGIApp, Receive, Scope, Send, send_json
from serving.config import ServingSettings

SIZE_FIELDS: frozenset[str] = frozenset({"claims", "lines"})


class RequestTooLarge(BentoMLException):
    """More claims or lines than the service accepts in one request (HTTP 413)."""

    error_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE


def field_path(loc: list[Any] | tuple[Any, ...]) -> str:
    """`("claim", "lines", 0, "cpt")` -> `claim.lines[0].cpt`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "body"


def plain_detail(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Pydantic error dicts -> [{field, message}] without input values."""
    return [{"field": field_path(e.get("loc", ())),
             "message": str(e.get("msg", "invalid value")).removeprefix("Value error, ")}
            for e in errors if isinstance(e, dict)]


def is_size_error(error: dict[str, Any]) -> bool:
    """A too_long error on the claims list or a claim's lines list."""
    loc = error.get("loc") or ()
    return error.get("type") == "too_long" and bool(loc) and loc[-1] in SIZE_FIELDS


def reshape_error(status: int, body: Any) -> tuple[int, dict[str, Any]]:
    """New (status, body) for a BentoML 4xx body; see module docstring."""
    if isinstance(body, list) and len(body) == 1 and isinstance(body[0], dict):
        body = body[0]
    if not isinstance(body, dict):
        return status, {"error": "invalid request"}
    errors = body.get("detail")
    if not isinstance(errors, list) or not errors:
        return status, {"error": str(body.get("error", "invalid request"))}
    if any(is_size_error(e) for e in errors if isinstance(e, dict)):
        return 413, {"error": "request too large", "detail": plain_detail(errors)}
    n = len(errors)
    return status, {"error": f"{n} invalid field{'s' if n != 1 else ''} in the request",
                    "detail": plain_detail(errors)}


def content_length(scope: Scope) -> int | None:
    """The declared request body size, if any."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length" and value.isdigit():
            return int(value)
    return None


class BodyTooLarge(Exception):
    """A body without Content-Length (chunked) grew past the byte limit while read."""


class QuietBodyTooLarge(logging.Filter):
    """One WARNING line, no traceback, for client errors BentoML logs as exceptions: the
    BodyTooLarge it turned into a 500 (which `ClientErrorMiddleware` answers as 413) and
    the 4xx BentoMLExceptions (RequestTooLarge, ...), whose messages carry counts only."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, BodyTooLarge):
            note = f"body over the size limit after {exc}; answered 413"
        elif isinstance(exc, BentoMLException) and exc.error_code < 500:
            note = f"client error {int(exc.error_code)}: {exc}"
        else:
            return True
        record.exc_info, record.exc_text = None, None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg = f"{record.msg} ({note})"
        return True


def install_size_log_filter() -> None:
    """Attach QuietBodyTooLarge once to BentoML's request-exception logger."""
    from serving.audit import BENTOML_EXCEPTION_LOGGER

    logger = logging.getLogger(BENTOML_EXCEPTION_LOGGER)
    if not any(isinstance(f, QuietBodyTooLarge) for f in logger.filters):
        logger.addFilter(QuietBodyTooLarge())


DROPPED_HEADERS: frozenset[bytes] = frozenset({b"content-length", b"content-type"})


def kept_headers(start: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    """Headers of a rewritten response worth keeping (e.g. `Allow` of a 405)."""
    return [(k, v) for k, v in start.get("headers", []) if k.lower() not in DROPPED_HEADERS]


class ClientErrorMiddleware:
    """Rewrites 4xx JSON bodies of the API routes; 413 for bodies over max_body_mb."""

    def __init__(self, app: ASGIApp, settings: ServingSettings | None = None) -> None:
        self.app = app
        self.max_bytes = int((settings or ServingSettings()).max_body_mb * 1024 * 1024)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        size = content_length(scope)
        if size is not None and size > self.max_bytes:
            await self.send_too_large(send, f"request body of {size} bytes")
            return
        state: dict[str, Any] = {"start": None, "chunks": [], "too_large": False,
                                 "answered": False}
        try:
            await self.app(scope, self.limiting(receive, state), self.rewriting(send, state))
        except BodyTooLarge:
            if not state["answered"]:
                await self.send_too_large(send, "request body")

    async def send_too_large(self, send: Send, what: str) -> None:
        """The 413 answer to a body over the byte limit."""
        await send_json(send, 413, {"error": f"{what} is over the {self.max_bytes} byte limit"})

    def limiting(self, receive: Receive, state: dict[str, Any]) -> Receive:
        """A receive wrapper counting body bytes; raises BodyTooLarge past the limit.

        Covers chunked uploads, which carry no Content-Length to refuse up front. The app
        may turn the exception into a 500; `rewriting` then answers 413 instead.
        """
        seen = 0

        async def wrapped() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    state["too_large"] = True
                    raise BodyTooLarge(f"{seen} bytes")
            return message

        return wrapped

    def rewriting(self, send: Send, state: dict[str, Any]) -> Send:
        """A send wrapper that buffers and rewrites 4xx (not 401/403) JSON responses."""

        async def wrapped(message: Any) -> None:
            if state["answered"]:
                return
            if message["type"] == "http.response.start":
                if state["too_large"]:
                    state["answered"] = True
                    await self.send_too_large(send, "request body")
                    return
                if 400 <= message["status"] < 500 and message["status"] not in (401, 403):
                    state["start"] = message
                    return
                await send(message)
                return
            if state["start"] is None or message["type"] != "http.response.body":
                await send(message)
                return
            state["chunks"].append(message.get("body", b""))
            if message.get("more_body"):
                return
            await self.send_rewritten(send, state["start"], b"".join(state["chunks"]))

        return wrapped

    @staticmethod
    async def send_rewritten(send: Send, start: dict[str, Any], raw: bytes) -> None:
        """Parse the buffered body, reshape it and send it as JSON (other headers kept)."""
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = {"error": raw.decode(errors="replace")[:200]}
        new_status, new_body = reshape_error(start["status"], body)
        await send_json(send, new_status, new_body, kept_headers(start))
