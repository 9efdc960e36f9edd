"""The web app's outer guard (plain ASGI, outside every route): what a request may be before any
code of ours reads it, and the headers every response carries.

- ``Host`` must be one of the allowed names (default: the bound address, ``localhost``, ``127.0.0.1``,
  ``::1``; ``serve --allow-host NAME`` adds more): a page on another name that resolves to this
  machine (DNS rebinding) gets 400.
- A request that changes state (not GET/HEAD/OPTIONS) with an ``Origin`` (or, without one, a
  ``Referer``) must come from this very site: same scheme, host and port, else 403.
- Request bodies above ``MAX_BODY`` bytes get 413, whether announced by ``Content-Length`` or streamed.
- Every response, the 500s included, carries the Content-Security-Policy (no inline script or style),
  ``nosniff``, ``Referrer-Policy`` and ``X-Frame-Options``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 64 * 1024
"""Bytes a request body may have."""
ENV_HOSTS = "EINSUM_PUZZLES_ALLOWED_HOSTS"
"""Comma-separated host names ``serve`` passes to the app (also to its worker processes)."""
DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1", "testserver")
"""Always allowed: this machine's names, and the name Starlette's test client sends."""
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
DEFAULT_PORTS = {"http": 80, "https": 443}


def allowed_hosts(extra: Iterable[str] | None = None) -> frozenset[str]:
    """The default names, the ones in ``EINSUM_PUZZLES_ALLOWED_HOSTS``, and ``extra`` (lower case)."""
    names = [*DEFAULT_HOSTS, *os.environ.get(ENV_HOSTS, "").split(","), *(extra or ())]
    return frozenset(_bare(name) for name in names if name.strip())


def _bare(host: str) -> str:
    """``'Example.org:8000'`` -> ``'example.org'``; ``'[::1]:80'`` -> ``'::1'``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host


class TooLarge(HTTPException):
    """The request body went over ``MAX_BODY`` while the app was reading it (the app answers 413)."""

    def __init__(self, limit: int = MAX_BODY) -> None:
        super().__init__(413, f"the request body is larger than {limit // 1024} KB")


class SecurityMiddleware:
    """Host allowlist, same-origin check, body limit and security headers (see the module's doc)."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str] | None = None, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.hosts = allowed_hosts(hosts)
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        refusal = self.refusal(scope)
        if refusal is not None:
            await _send_json(guarded_send, *refusal)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise TooLarge(self.max_body)
            return message

        try:
            await self.app(scope, limited_receive, guarded_send)
        except TooLarge:
            if not started:
                await _send_json(guarded_send, *self.too_large())
        except Exception:
            if not started:  # the 500 carries the security headers too; the error still gets logged
                await _send_json(guarded_send, 500, "server_error", "the server failed on this request")
            raise

    def refusal(self, scope: Scope) -> tuple[int, str, str] | None:
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if _bare(host) not in self.hosts:
            return 400, "host", "this server does not answer to that host name (see 'serve --allow-host')"
        length = headers.get("content-length")
        if length is not None:
            if not length.isascii() or not length.isdigit():
                return 400, "content_length", "the Content-Length header is not a number"
            if int(length) > self.max_body:
                return self.too_large()
        if scope["method"] not in SAFE_METHODS:
            origin = headers.get("origin") or headers.get("referer")
            if origin and not same_origin(origin, scope.get("scheme", "http"), host):
                return 403, "cross_origin", "requests that change state must come from this site"
        return None

    def too_large(self) -> tuple[int, str, str]:
        return 413, "body_too_large", f"the request body is larger than {self.max_body // 1024} KB"


def same_origin(origin: str, scheme: str, host: str) -> bool:
    """Whether ``origin`` (an Origin or Referer value) has this request's scheme, host and port."""
    try:
        theirs = urlsplit(origin)
        ours = urlsplit(f"{scheme}://{host}")
        their_port = theirs.port or DEFAULT_PORTS.get(theirs.scheme)
        our_port = ours.port or DEFAULT_PORTS.get(ours.scheme)
    except ValueError:  # a malformed port
        return False
    return (
        theirs.scheme == ours.scheme
        and (theirs.hostname or "") == (ours.hostname or "")
        and bool(theirs.hostname)
        and their_port == our_port
    )


async def _send_json(send: Send, status: int, kind: str, message: str) -> None:
    body = json.dumps({"error": kind, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
