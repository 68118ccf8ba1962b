"""RFC 9457 problem responses: every error the API returns, in one shape.

``kb.errors`` are mapped once, here: :class:`~kb.errors.NotFound` is 404,
:class:`~kb.errors.InvalidQuery` and request validation errors are 422, anything
else is a 500 whose body says nothing about the server's insides (the traceback goes
to the log). The ``type`` of a problem is a URI reference into ``GET
/api/v1/problems``, which lists them all.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kb.errors import InvalidQuery, KBError, NotFound
from kb.read.citeformat import API_PREFIX

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_TYPES",
    "install_problem_handlers",
    "problem_response",
    "problem_type_list",
]

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEMS_PATH = f"{API_PREFIX}/problems"

# slug -> (status, title, description)
PROBLEM_TYPES: Mapping[str, tuple[int, str, str]] = {
    "not-found": (404, "Not Found", "No document, provision, passage, topic or route has this id or path."),
    "invalid-parameter": (
        422,
        "Invalid Parameter",
        "A parameter is missing, malformed or out of range; `errors` lists each one.",
    ),
    "method-not-allowed": (405, "Method Not Allowed", "The API is read-only: only GET is served."),
    "http-error": (400, "HTTP Error", "The request could not be served as sent."),
    "internal-error": (500, "Internal Server Error", "The server failed; the problem is logged on the server."),
}


def _type_uri(slug: str) -> str:
    return f"{PROBLEMS_PATH}#{slug}"


def problem_type_list() -> list[dict[str, Any]]:
    """What ``GET /api/v1/problems`` returns."""
    return [
        {"type": _type_uri(slug), "title": title, "status": status, "description": description}
        for slug, (status, title, description) in PROBLEM_TYPES.items()
    ]


def _instance(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def problem_response(
    request: Request,
    status: int,
    detail: str | None,
    *,
    slug: str | None = None,
    errors: Sequence[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response for ``status`` (title from the slug, or the HTTP phrase)."""
    if slug is not None and slug in PROBLEM_TYPES:
        title = PROBLEM_TYPES[slug][1]
        type_ = _type_uri(slug)
    else:
        try:
            title = HTTPStatus(status).phrase
        except ValueError:
            title = "Error"
        type_ = "about:blank"
    body: dict[str, Any] = {
        "type": type_,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": _instance(request),
    }
    if errors is not None:
        body["errors"] = list(errors)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=dict(headers or {}))


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        location = loc[0] if loc and loc[0] in ("query", "path", "header", "cookie", "body") else None
        parameter = ".".join(loc[1:]) if location else ".".join(loc) or None
        out.append(
            {
                "detail": str(err.get("msg", "invalid")),
                "parameter": parameter,
                "location": location,
                "type": str(err.get("type", "")) or None,
            }
        )
    return out


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _validation_errors(exc)
    detail = "; ".join(f"{e['parameter']}: {e['detail']}" if e["parameter"] else e["detail"] for e in errors)
    return problem_response(request, 422, detail, slug="invalid-parameter", errors=errors)


async def _on_not_found(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(request, 404, str(exc), slug="not-found")


async def _on_invalid_query(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidQuery)
    message = str(exc)
    parameter = exc.parameter
    detail = message[len(parameter) + 2 :] if parameter and message.startswith(f"{parameter}: ") else message
    errors = [{"detail": detail, "parameter": parameter, "location": "query" if parameter else None, "type": None}]
    return problem_response(request, 422, message, slug="invalid-parameter", errors=errors)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug = {404: "not-found", 405: "method-not-allowed", 422: "invalid-parameter"}.get(exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no route {request.url.path}"
    return problem_response(request, exc.status_code, detail, slug=slug, headers=exc.headers)


async def _on_kb_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected %s on %s: %s", type(exc).__name__, request.url.path, exc)
    return problem_response(request, 500, "the server could not answer this request", slug="internal-error")


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Starlette's ServerErrorMiddleware logs the traceback and re-raises after this.
    return problem_response(request, 500, "the server could not answer this request", slug="internal-error")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(NotFound, _on_not_found)
    app.add_exception_handler(InvalidQuery, _on_invalid_query)
    app.add_exception_handler(KBError, _on_kb_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
