"""The MCP server over streamable HTTP, as an endpoint of ``kb serve``'s app (``/mcp``).

Stateless with JSON responses: every request stands alone, so any worker answers it and
nothing is held between requests (the data is public and read-only). DNS-rebinding
checks are off: they would refuse every host name but localhost behind a reverse proxy,
and there is nothing private to reach.

The SDK's session manager runs once per instance, while one app may be started more
than once (the tests do): :meth:`MCPEndpoint.running` makes the SDK's app anew at every
start, and the endpoint hands each request to the current one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from api.mcp.server import KBServer

__all__ = ["MCPEndpoint"]


class MCPEndpoint:
    """An ASGI endpoint for ``path`` serving ``server``; run :meth:`running` in the app's lifespan."""

    def __init__(self, server: KBServer, path: str) -> None:
        self.server = server
        self.path = path
        self._app: Starlette | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        app = self.server.streamable_http_app(
            streamable_http_path=self.path,
            stateless_http=True,
            json_response=True,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        async with self.server.session_manager.run():
            self._app = app
            try:
                yield
            finally:
                self._app = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            await PlainTextResponse("the MCP server is not running", status_code=503)(scope, receive, send)
            return
        await self._app(scope, receive, send)
