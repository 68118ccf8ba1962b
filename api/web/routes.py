"""The researcher's web interface: server-rendered HTML pages over the read-side queries.

Every page works without JavaScript (``static/web.js`` only adds copy buttons) and
loads nothing from elsewhere: styles, script and icon are served from ``/static``.
Jinja2 autoescapes everything; annotated text is built by :mod:`api.web.markup`,
which escapes too. Each handler parses its parameters, calls one read-side function
(:mod:`api.web.pages` or :mod:`kb.read.query`) and renders a template.

Errors are pages too: an unknown id is a friendly 404 page, a bad parameter a 422
page (the JSON API under ``/api/v1`` keeps its problem+json responses).

Mount it with :func:`mount_web` after the API routers::

    app = create_app(settings)
    mount_web(app)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.deps import BaseUrlDep, ReaderDep, SettingsDep
from api.web import markup, pages
from api.web.graphsvg import radial_layout
from kb.errors import InvalidQuery, NotFound
from kb.ids import provision_id
from kb.read import query

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "mount_web", "render", "router", "templates"]

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
# Paths that belong to the JSON API: their errors stay problem+json.
_API_PATHS = ("/api/", "/openapi.json", "/docs")
GRAPH_MAX_NODES = 60


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,  # a misspelt key is an error in the tests, not a blank on a page
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        node_url=markup.node_url,
        url_path=markup.url_path,
        mark_text=markup.mark_text,
        passage_marks=markup.passage_marks,
        provision_marks=markup.provision_marks,
        diff_html=markup.diff_html,
        with_query=markup.with_query,
        pretty_json=lambda value: json.dumps(value, ensure_ascii=False, indent=2),
    )
    return Jinja2Templates(env=env)


def render(request: Request, name: str, context: Mapping[str, Any], status_code: int = 200) -> HTMLResponse:
    response: HTMLResponse = templates().TemplateResponse(request, name, {"q": "", **context}, status_code=status_code)
    return response


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status)


class PageRoute(APIRoute):
    """A route whose domain and validation errors become HTML error pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except NotFound as exc:
                return error_page(request, 404, "Not found", str(exc))
            except InvalidQuery as exc:
                return error_page(request, 422, "Invalid parameter", str(exc))
            except RequestValidationError as exc:
                detail = "; ".join(
                    f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg', 'invalid')}" for e in exc.errors()
                )
                return error_page(request, 422, "Invalid parameter", detail)

        return page_handler


router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse)


# ---------------------------------------------------------------- pages


@router.get("/")
def home(request: Request, reader: ReaderDep) -> HTMLResponse:
    return render(request, "home.html", pages.home_page(reader))


@router.get("/documents")
def documents(
    request: Request,
    reader: ReaderDep,
    kind: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    return render(request, "documents.html", {"kind": kind, "documents": query.list_documents(reader, kind=kind)})


@router.get("/documents/{doc_id}")
def document(request: Request, reader: ReaderDep, doc_id: str) -> HTMLResponse:
    data = pages.document_page(reader, doc_id)
    name = "commentary.html" if data["kind"] == "commentary" else "document.html"
    return render(request, name, {"doc": data})


@router.get("/provisions/{doc_id}/{eid}")
def provision(request: Request, reader: ReaderDep, base: BaseUrlDep, doc_id: str, eid: str) -> HTMLResponse:
    data = pages.provision_page(reader, provision_id(doc_id, eid), base_url=base)
    return render(request, "provision.html", {"p": data})


@router.get("/search")
def search(
    request: Request,
    reader: ReaderDep,
    settings: SettingsDep,
    q: Annotated[str, Query()] = "",
    mode: Annotated[Literal["all", "any", "raw"], Query()] = "all",
    type: Annotated[Literal["provision", "passage", ""] | None, Query()] = None,
    doc: Annotated[str | None, Query(max_length=200)] = None,
    topic: Annotated[str | None, Query(max_length=100)] = None,
    lang: Annotated[Literal["zh", "en", ""] | None, Query()] = None,
    status: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    # An empty choice of the form's selects sends "": no filter.
    filters: dict[str, Any] = {"type": type or None, "doc": doc or None, "topic": topic or None, "lang": lang or None}
    filters["status"] = status or None
    context: dict[str, Any] = {
        "q": q,
        "mode": mode,
        "filters": filters,
        "page": page,
        "result": None,
        "error": None,
        "options": pages.search_form_options(reader),
    }
    if not q.strip():
        return render(request, "search.html", context)
    try:
        context["result"] = pages.search_page(
            reader, q, mode=mode, cursor=cursor, max_query_length=settings.max_query_length, **filters
        )
    except InvalidQuery as exc:
        context["error"] = str(exc)
        return render(request, "search.html", context, 422)
    return render(request, "search.html", context)


@router.get("/topics")
def topics(request: Request, reader: ReaderDep) -> HTMLResponse:
    return render(request, "topics.html", {"topics": query.list_topics(reader)})


@router.get("/topics/{topic_id}")
def topic(request: Request, reader: ReaderDep, topic_id: str) -> HTMLResponse:
    return render(request, "topic.html", pages.topic_page(reader, topic_id))


@router.get("/compare")
def compare(
    request: Request,
    reader: ReaderDep,
    from_: Annotated[str | None, Query(alias="from", max_length=200)] = None,
    to: Annotated[str | None, Query(max_length=200)] = None,
    only: Annotated[Literal["all", "changed"], Query()] = "all",
) -> HTMLResponse:
    data = pages.compare_page(reader, from_ or None, to or None)
    return render(request, "compare.html", {**data, "from_id": from_, "to_id": to, "only": only})


@router.get("/graph")
def graph(
    request: Request,
    reader: ReaderDep,
    node: Annotated[str | None, Query(max_length=300)] = None,
    depth: Annotated[int, Query(ge=1, le=3)] = 1,
    kinds: Annotated[list[str] | None, Query()] = None,
) -> HTMLResponse:
    context: dict[str, Any] = {"node": node, "depth": depth, "kinds": kinds or [], "all_kinds": query.GRAPH_KINDS}
    if not node:
        return render(request, "graph.html", {**context, "graph": None, "layout": None})
    data = pages.graph_page(reader, node, depth=depth, kinds=kinds or None, max_nodes=GRAPH_MAX_NODES)
    layout = radial_layout(data["nodes"], data["edges"])
    return render(request, "graph.html", {**context, "graph": data, "layout": layout})


# ---------------------------------------------------------------- mounting


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return not path.startswith(_API_PATHS) and "text/html" in request.headers.get("accept", "")


def mount_web(app: FastAPI) -> None:
    """Add the pages (at ``/``) and their static files (at ``/static``) to ``app``.

    Also makes an unknown path a 404 *page* for browsers (requests that accept
    ``text/html``, outside the API); everything else keeps the app's own handler.
    Calling it twice on one app does nothing the second time.
    """
    if getattr(app.state, "web_mounted", False):  # create_app may mount it already: once is enough
        return
    app.state.web_mounted = True
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    previous = app.exception_handlers.get(StarletteHTTPException)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404 and _wants_html(request):
            return error_page(request, 404, "Not found", f"There is no page at {request.url.path}.")
        if previous is not None:
            result = previous(request, exc)
            return await result if hasattr(result, "__await__") else result
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    app.add_exception_handler(StarletteHTTPException, on_http_error)
