"""HTTP caching and security headers, as one small ASGI middleware.

* Every ``GET`` under ``/api/`` gets a weak ETag derived from the build (corpus hash,
  code version, build time), the running code version and the request target: a
  database only changes through a rebuild, so the ETag is known before the handler
  runs and a matching ``If-None-Match`` is answered ``304`` without touching the
  database. Successful responses are ``Cache-Control: public, max-age=300``; errors
  are ``no-store``.
* ``HEAD`` is answered as ``GET`` without the body.
* Every response gets ``X-Content-Type-Options: nosniff``, a ``Referrer-Policy`` and a
  ``Content-Security-Policy`` (``default-src 'self'; frame-ancestors 'none'``); the
  interactive docs page starts Swagger UI with an inline script, so its policy allows that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CACHE_CONTROL", "CSP", "DOCS_CSP", "CachingAndSecurityHeaders", "etag_matches"]

CACHE_CONTROL = "public, max-age=300"
CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
# Swagger UI: its script and stylesheet are ours (api.app, /docs/assets), but the page
# starts it with an inline script and it styles elements inline and draws data: images.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
CACHEABLE_PREFIX = "/api/"


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2) of an ``If-None-Match`` value with our ETag."""
    value = if_none_match.strip()
    if value == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == ours for tag in value.split(","))


class CachingAndSecurityHeaders:
    """ASGI middleware; ``build_token()`` returns the current build's identity (or None)."""

    def __init__(self, app: ASGIApp, *, build_token: Callable[[], str | None], docs_paths: tuple[str, ...]) -> None:
        self.app = app
        self.build_token = build_token
        self.docs_paths = docs_paths

    def _etag(self, scope: Scope) -> str | None:
        if scope["method"] not in ("GET", "HEAD") or not scope["path"].startswith(CACHEABLE_PREFIX):
            return None
        token = self.build_token()
        if token is None:
            return None
        target = scope["path"].encode() + b"?" + scope.get("query_string", b"")
        digest = hashlib.sha256(token.encode() + b"\0" + target).hexdigest()[:32]
        return f'W/"{digest}"'

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"] in self.docs_paths else CSP
        # HEAD is GET without the body (FastAPI routes declare GET only).
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        etag = self._etag(scope)
        if etag is not None:
            inm = Headers(scope=scope).get("if-none-match")
            if inm is not None and etag_matches(inm, etag):
                headers = MutableHeaders()
                headers["etag"] = etag
                headers["cache-control"] = CACHE_CONTROL
                headers["content-security-policy"] = csp
                for key, value in SECURITY_HEADERS.items():
                    headers[key] = value
                await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
                await send({"type": "http.response.body", "body": b""})
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                status = message["status"]
                for key, value in SECURITY_HEADERS.items():
                    headers.setdefault(key, value)
                headers.setdefault("content-security-policy", csp)
                if 200 <= status < 300 and etag is not None:
                    headers["etag"] = etag
                    headers["cache-control"] = CACHE_CONTROL
                elif status >= 400:
                    headers["cache-control"] = "no-store"
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, send_with_headers)
