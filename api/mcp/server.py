"""The knowledge base as a Model Context Protocol server, for AI agents (read-only).

Built on the official MCP Python SDK (``mcp.server.mcpserver.MCPServer``). Each tool
parses its arguments, calls one read-side query function and shapes the answer, as an
HTTP route does; every hit carries its id, the URL of its page (``url``) and of its API
resource (``api_url``):

=====================  ===========================================================
``search``             full-text search over provisions and commentary passages
``get_provision``      one provision with its English, path, topics, citations
                       both ways and commentary; ``as_of`` picks the version
``resolve_citations``  every statute citation in free text, version-aware
``cite``               a citation of a document or provision in one format
``compare_versions``   article-by-article alignment of two versions of a law
``provision_history``  an article in every version of its law, with diffs
``topic_viewpoints``   commentary on a topic side by side
=====================  ===========================================================

Documents are resources (``kb://documents/{doc_id}``); provisions too, through the
template ``kb://provisions/{doc_id}/{eid}``.

Bad arguments are MCP protocol errors (JSON-RPC ``-32602``, invalid params) whose
message and ``data.argument`` name the argument; an unknown id is one too, naming the
argument that carried it. Nothing else of an exception reaches the client.

:func:`build_server` takes a function returning the current reader, so that the
server mounted in ``kb serve``'s app (``api.app``) shares the app's database and
``python -m api.mcp`` (stdio) opens its own.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any, Literal, TypeAlias
from urllib.parse import unquote

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, ListResourcesResult, PaginatedRequestParams, ToolAnnotations
from mcp_types import Resource as MCPResource
from pydantic import Field, ValidationError

import kb.search as fts
from kb.errors import InvalidQuery, NotFound
from kb.ids import node_type, provision_id, split_provision_id
from kb.read import citeformat, query
from kb.read.query import Reader
from kb.settings import Settings

__all__ = ["KBServer", "build_server"]

log = logging.getLogger(__name__)

INSTRUCTIONS = (
    "facelaw-kb: Chinese law on facial recognition (statutes in Chinese with unofficial English, every version "
    "of each law) and English commentary on it. Provision ids look like pipl-2021/art_13__para_1__item_4 "
    "(document id / element id). Start with search or resolve_citations; read a provision with get_provision; "
    "ask provision_history what an article said in each version; cite with cite. The Chinese text prevails."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
SEARCH_MAX = fts.MAX_LIMIT
# Documents per page of resources/list.
RESOURCES_PAGE = 500

ProvisionId = Annotated[
    str,
    Field(
        description="A provision id: document id / element id, e.g. csl-2016/art_41 or pipl-2021/art_13__para_1",
        min_length=3,
        max_length=300,
    ),
]


class KBServer(MCPServer[Any]):
    """``MCPServer`` whose argument errors are protocol errors naming the argument, and
    whose resource list is the documents of the current database."""

    def __init__(self, readers: Callable[[], Reader], settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.readers = readers
        self.kb_settings = settings

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError):
                err = cause.errors()[0]
                argument = ".".join(str(part) for part in err["loc"]) or "arguments"
                raise _argument_error(argument, err["msg"]) from None
            raise

    async def list_resources(self) -> list[MCPResource]:
        """Every document, as a resource (all pages)."""
        docs = await anyio.to_thread.run_sync(query.list_documents, self.readers())
        return [_document_resource(d) for d in docs]

    async def _handle_list_resources(self, ctx: Any, params: PaginatedRequestParams | None) -> ListResourcesResult:
        """``resources/list`` a page of :data:`RESOURCES_PAGE` documents at a time (a folder
        build has thousands); the cursor is the offset of the next page."""
        cursor = params.cursor if params else None
        if cursor is not None and not cursor.isdigit():
            raise MCPError(code=INVALID_PARAMS, message=f"cursor {cursor!r}: not a cursor this server gave")
        start = int(cursor or 0)
        docs = await anyio.to_thread.run_sync(query.list_documents, self.readers())
        page = docs[start : start + RESOURCES_PAGE]
        more = start + RESOURCES_PAGE < len(docs)
        return ListResourcesResult(
            resources=[_document_resource(d) for d in page],
            next_cursor=str(start + RESOURCES_PAGE) if more else None,
        )


def _document_resource(doc: Mapping[str, Any]) -> MCPResource:
    return MCPResource(
        uri=document_uri(doc["id"]),
        name=doc["id"],
        title=doc.get("title_zh") or doc.get("title_en") or doc["id"],
        description=" · ".join(x for x in (doc.get("title_en"), doc["kind"], doc["status"]) if x),
        mime_type="application/json",
    )


def document_uri(doc_id: str) -> str:
    """``kb://documents/<doc_id>`` (percent-encoded, so a Chinese folder-law id is a valid URI)."""
    from urllib.parse import quote

    return f"kb://documents/{quote(doc_id, safe='-._~')}"


def _argument_error(argument: str, message: str) -> MCPError:
    return MCPError(code=INVALID_PARAMS, message=f"argument {argument!r}: {message}", data={"argument": argument})


@contextmanager
def _errors(arguments: Mapping[str, Any], default: str) -> Iterator[None]:
    """Read-side errors as MCP errors naming the argument: the one the error names, the
    one whose value an unknown-id message quotes, else ``default``."""
    try:
        yield
    except InvalidQuery as exc:
        argument = exc.parameter if exc.parameter and exc.parameter in arguments else default
        detail = str(exc).removeprefix(f"{exc.parameter}: ") if exc.parameter else str(exc)
        raise _argument_error(argument, detail) from None
    except NotFound as exc:
        text = str(exc)
        argument = next((k for k, v in arguments.items() if isinstance(v, str) and v and repr(v) in text), default)
        raise _argument_error(argument, text) from None


# The request context a tool or resource function asks for by annotation (the SDK finds it
# by the bare class, so the alias carries no type arguments).
RequestContext: TypeAlias = Context


def _base_url(ctx: RequestContext, default: str) -> str:
    """The scheme and host the client used over HTTP (as the JSON API answers), else ``default``
    (``KB_PUBLIC_URL``: stdio has no request to read it from)."""
    try:
        request = ctx.request_context.request
    except ValueError:  # called outside a request
        return default
    url = getattr(request, "base_url", None)
    return str(url).rstrip("/") if url is not None else default


def _urls(node_id: str, base: str) -> dict[str, str]:
    return {"url": citeformat.page_url(node_id, base), "api_url": citeformat.api_url(node_id, base)}


def build_server(readers: Callable[[], Reader], settings: Settings) -> KBServer:
    """The MCP server over the reader ``readers()`` returns (called on every request)."""
    server = KBServer(
        readers,
        settings,
        name="facelaw-kb",
        title="facelaw-kb: Chinese law on facial recognition",
        instructions=INSTRUCTIONS,
        log_level="WARNING",
    )
    public = settings.public_url.rstrip("/")

    @server.tool(annotations=READ_ONLY)
    def search(
        ctx: RequestContext,
        q: Annotated[str, Field(description="The query, Chinese or English: 人脸识别, 'facial recognition consent'")],
        type: Annotated[
            Literal["provision", "passage"] | None, Field(description="Only provisions, or only commentary passages")
        ] = None,
        doc: Annotated[str | None, Field(description="Only this document id, e.g. pipl-2021")] = None,
        topic: Annotated[str | None, Field(description="Only this topic id, e.g. consent, minors")] = None,
        limit: Annotated[int, Field(ge=1, le=SEARCH_MAX, description="How many results")] = 10,
    ) -> dict[str, Any]:
        """Search the statutes (Chinese text and unofficial English) and the English commentary.

        Use it to find which articles deal with a subject, or what commentators said. Each result has
        an id (pass provision ids to get_provision or provision_history), a snippet, its score and URLs.
        """
        base = _base_url(ctx, public)
        args = {"q": q, "type": type, "doc": doc, "topic": topic, "limit": limit}
        with _errors(args, "q"):
            data = fts.search(
                server.readers(),
                q,
                type=type,
                doc=doc,
                topic=topic,
                limit=limit,
                max_query_length=settings.max_query_length,
            )
        results = [{**hit, **_urls(hit["id"], base)} for hit in data["results"]]
        return {
            "query": q,
            "results": results,
            "count": len(results),
            "matches": data["count"],
            "expanded_terms": data["expanded_terms"],
        }

    @server.tool(annotations=READ_ONLY)
    def get_provision(
        ctx: RequestContext,
        id: ProvisionId,
        as_of: Annotated[
            str | None, Field(description="A date YYYY-MM-DD: the provision as it read then, in the version in force")
        ] = None,
    ) -> dict[str, Any]:
        """One article, paragraph or item: its Chinese text, the unofficial English, its place in the law
        (path), topics, the provisions it cites and that cite it, its other versions, and the commentary
        discussing it. Give as_of to read the law as it stood on a date.
        """
        base = _base_url(ctx, public)
        with _errors({"id": id, "as_of": as_of}, "id"):
            reader = server.readers()
            if as_of is not None:
                data = query.get_provision_at(reader, id, as_of, base_url=base)
            else:
                data = query.get_provision(reader, id, base_url=base)
        return {**data, **_urls(data["id"], base)}

    @server.tool(annotations=READ_ONLY)
    def resolve_citations(
        ctx: RequestContext,
        text: Annotated[
            str,
            Field(
                description="Free text citing statutes: 个人信息保护法第十三条, 'Article 41 of the Cybersecurity Law'",
                min_length=1,
            ),
        ],
        date: Annotated[
            str | None,
            Field(description="Date of the citing text (YYYY, YYYY-MM or YYYY-MM-DD): picks the version in force then"),
        ] = None,
    ) -> dict[str, Any]:
        """Find every citation of a statute in a text and resolve it to provision ids, in Chinese or English.

        Give the date of the text: a 2019 article citing the Cybersecurity Law means the 2016 law, not the
        2025 one. Each result has a status (resolved, ambiguous, not_found, text_absent), the ids, and the
        version it resolved to.
        """
        base = _base_url(ctx, public)
        with _errors({"text": text, "date": date}, "text"):
            results = query.resolve_citations(server.readers(), text, date, max_length=settings.max_query_length * 10)
        for r in results:
            for t in r["targets"]:
                t.update(_urls(t["id"], base))
        return {"results": results, "count": len(results), "as_of": date}

    @server.tool(annotations=READ_ONLY)
    def cite(
        ctx: RequestContext,
        id: Annotated[str, Field(description="A document id (pipl-2021) or provision id (pipl-2021/art_13)")],
        format: Annotated[
            Literal["text", "three-script", "csl-json", "bibtex", "ris", "json"],
            Field(
                description="text (Chinese and English), three-script (汉字, pinyin, English, pinpoint, version "
                "date), csl-json, bibtex, ris, or json (all of them)"
            ),
        ] = "text",
    ) -> dict[str, Any]:
        """Cite a document or provision: a pinpoint citation to 条/款/项 of the version cited, with the URL of
        its page. Use bibtex, ris or csl-json for a reference manager.
        """
        base = _base_url(ctx, public)
        with _errors({"id": id}, "id"):
            doc_id, eid = split_provision_id(id) if node_type(id) != "document" else (id, None)
            record = query.cite(server.readers(), doc_id, eid, base_url=base)
        return {"id": id, "format": format, "citation": citeformat.render(record, format), **_urls(id, base)}

    def compare_versions(ctx: RequestContext, **arguments: str) -> dict[str, Any]:
        """How each article of an earlier version of a law fared in a later one: unchanged, renumbered,
        modified, added or removed, with a diff. Use provision_history for one article across all versions.
        """
        base = _base_url(ctx, public)
        with _errors(arguments, "to"):
            data = query.compare_versions(server.readers(), arguments["from"], arguments["to"])
        for row in data["results"]:
            row["url"] = citeformat.page_url(row["new_id"] or row["old_id"], base)
        return data

    # "from" is the argument's name, and a Python keyword: the signature the SDK reads
    # names it from_ with the alias "from", and the SDK passes it back by its alias.
    compare_versions.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                "from_",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[str, Field(alias="from", description="The earlier version, e.g. csl-2016")],
            ),
            inspect.Parameter(
                "to",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[str, Field(description="The later version, e.g. csl-2025")],
            ),
        ],
        return_annotation=dict[str, Any],
    )
    server.add_tool(compare_versions, annotations=READ_ONLY)

    @server.tool(annotations=READ_ONLY)
    def provision_history(ctx: RequestContext, id: ProvisionId) -> dict[str, Any]:
        """An article in every version of its law, oldest first: each version's dates and status, the
        article's number there (articles get renumbered), its text, and whether it was added, unchanged,
        changed (with a word-level diff) or removed. Formatting-only differences are not changes.
        """
        base = _base_url(ctx, public)
        with _errors({"id": id}, "id"):
            data = query.provision_history(server.readers(), id)
        for e in data["results"]:
            if e["id"]:
                e.update(_urls(e["id"], base))
        return data

    @server.tool(annotations=READ_ONLY)
    def topic_viewpoints(
        ctx: RequestContext,
        topic: Annotated[str, Field(description="A topic id: consent, minors, government-exceptions, ...")],
    ) -> dict[str, Any]:
        """What the commentary says on a topic, side by side by source and speaker, with stances and the
        provisions each passage discusses.
        """
        base = _base_url(ctx, public)
        with _errors({"topic": topic}, "topic"):
            data = query.topic_viewpoints(server.readers(), topic)
        for doc in data["documents"]:
            doc["document"].update(_urls(doc["document"]["id"], base))
            for speaker in doc["speakers"]:
                for item in (*speaker["passages"], *speaker["provisions"]):
                    item.update(_urls(item["id"], base))
        return data

    @server.resource(
        "kb://documents/{doc_id}",
        name="document",
        title="A document",
        description="A statute, draft or commentary: metadata, counts and table of contents (JSON)",
        mime_type="application/json",
    )
    def document_resource(ctx: RequestContext, doc_id: str) -> str:
        base = _base_url(ctx, public)
        with _errors({"doc_id": unquote(doc_id)}, "uri"):
            data = query.get_document(server.readers(), unquote(doc_id))
        return json.dumps({**data, **_urls(data["id"], base)}, ensure_ascii=False)

    @server.resource(
        "kb://provisions/{doc_id}/{eid}",
        name="provision",
        title="A provision",
        description="An article, paragraph or item with everything linked to it (JSON, as get_provision)",
        mime_type="application/json",
    )
    def provision_resource(ctx: RequestContext, doc_id: str, eid: str) -> str:
        base = _base_url(ctx, public)
        pid = provision_id(unquote(doc_id), unquote(eid))
        with _errors({"id": pid}, "uri"):
            data = query.get_provision(server.readers(), pid, base_url=base)
        return json.dumps({**data, **_urls(pid, base)}, ensure_ascii=False)

    return server
