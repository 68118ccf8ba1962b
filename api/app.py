"""The read-only HTTP API: :func:`create_app` builds it, :func:`create_app_from_env` is
the uvicorn factory ``kb serve`` runs (``uvicorn api.app:create_app_from_env --factory``).

Nothing happens at import time: the database is opened read-only in the lifespan
handler (a :class:`kb.read.query.ReaderSource`, which also notices when ``kb ingest``
swaps in a new database), and closed on shutdown.

Routes live under ``/api/v1`` (one router per resource in ``api.routes``); the
OpenAPI document is ``/openapi.json`` and the interactive docs ``/docs`` (Swagger UI,
its files served from the ``fastapi-offline`` package under ``/docs/assets``: no CDN). Errors are
RFC 9457 problem responses (``api.problems``); caching and security headers come from
``api.headers``. The MCP server for AI agents (``api.mcp``) is served at ``/mcp``
(streamable HTTP, stateless, JSON responses) over the same database.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi_offline import FastAPIOffline
from starlette.routing import Route

from api.headers import CachingAndSecurityHeaders
from api.mcp import MCPEndpoint, build_server
from api.problems import PROBLEM_MEDIA_TYPE, install_problem_handlers
from api.routes import ROUTERS, TAGS
from api.web import mount_web
from kb.read.citeformat import API_PREFIX  # citation URLs and routes must agree
from kb.read.query import PUBLIC_BUILD_KEYS, Reader, ReaderSource, build_info, warm_caches
from kb.search import warm_up as warm_search
from kb.settings import Settings

__all__ = ["API_PREFIX", "MCP_PATH", "create_app", "create_app_from_env"]

MCP_PATH = "/mcp"

log = logging.getLogger(__name__)

DOCS_PATHS = ("/docs", "/docs/oauth2-redirect")
# Swagger UI's script and stylesheet, served from the installed fastapi-offline package:
# /docs needs nothing from the internet.
DOCS_ASSETS = "/docs/assets"


def _code_version() -> str:
    try:
        return version("facelaw-kb")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0+unknown"


def warm_up(reader: Reader) -> None:
    """Fill the caches the first requests would otherwise fill: the read side's and the search's."""
    warm_caches(reader)
    warm_search(reader)


def create_app(settings: Settings) -> FastAPI:
    """The API over the database ``settings.database_url`` (opened when the app starts)."""
    code_version = _code_version()
    mcp = MCPEndpoint(build_server(lambda: app.state.readers.get(), settings), MCP_PATH)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with mcp.running(), _open_database(app):
            yield

    @asynccontextmanager
    async def _open_database(app: FastAPI) -> AsyncIterator[None]:
        readers = ReaderSource(settings)
        app.state.readers = readers
        # /search runs in at most this many threads at once (the others wait their turn)
        app.state.search_limiter = anyio.CapacityLimiter(settings.search_threads)
        # The Chinese segmenter and the citation index take a second to load: do it now.
        await anyio.to_thread.run_sync(warm_up, readers.get())
        info = build_info(readers.get())
        log.info(
            "serving %s (corpus %s, built %s)", settings.database_url, info.get("corpus_hash"), info.get("built_at")
        )
        try:
            yield
        finally:
            readers.close()

    app = FastAPIOffline(
        title="facelaw-kb",
        version=code_version,
        summary="China's rules on facial recognition technology, and the commentary on them.",
        description=(
            "A read-only knowledge base of Chinese statutes on facial recognition (Chinese text, unofficial "
            "English working translations), English commentary, and the links between them: citations, "
            "topics, stances, versions. All errors are `application/problem+json` (RFC 9457)."
        ),
        openapi_tags=TAGS,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        static_url=DOCS_ASSETS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.router.routes.append(Route(MCP_PATH, endpoint=mcp))  # streamable HTTP: POST, GET and DELETE
    install_problem_handlers(app)

    def build_token() -> str | None:
        readers: ReaderSource | None = getattr(app.state, "readers", None)
        if readers is None:
            return None
        info = build_info(readers.get())
        # The corpus hash and code version say what was built; built_at also changes the
        # ETag on every rebuild, so output changed by unversioned code is never served as
        # "not modified". A content digest of the database, when the build records one,
        # is exact and survives identical rebuilds.
        keys = ("content_digest",) if "content_digest" in info else PUBLIC_BUILD_KEYS
        return "|".join([*(info.get(k, "") for k in keys), code_version])

    # Added innermost first: gzip, then caching/security headers, then CORS outside them.
    # zlib's default level: level 9 (Starlette's default) costs about twice the CPU for a few % less
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(CachingAndSecurityHeaders, build_token=build_token, docs_paths=DOCS_PATHS)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET"],
            allow_headers=["If-None-Match"],
            expose_headers=["ETag", "Link"],
        )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _openapi(app, settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    mount_web(app)  # the researchers' web interface, under /
    return app


def _openapi(app: FastAPI, settings: Settings) -> dict[str, Any]:
    """FastAPI's schema, with problem responses typed ``application/problem+json`` and
    the configured query-length limit on ``q``."""
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status.isdigit() and int(status) >= 400 and "application/json" in content:
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
            for param in operation.get("parameters", []):
                if param.get("name") == "q" and param.get("in") == "query":
                    param.setdefault("schema", {})["maxLength"] = settings.max_query_length
    return schema


def create_app_from_env() -> FastAPI:
    """The uvicorn factory: settings from the environment (``KB_DATABASE_URL`` ...)."""
    return create_app(Settings())
