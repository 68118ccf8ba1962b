"""The MCP server, driven by the official SDK's own client over stdio (``kb mcp``) and over
streamable HTTP (``/mcp`` in the app ``kb serve`` runs), on the real corpus.

Each transport opens one session, lists the tools and resources and makes every call of
the tables below; the tests then read the answers. A call is (tool, arguments); a good
call is checked by a function of its structured result, a bad one by the argument its
MCP error names.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
import uvicorn
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from api.app import create_app
from kb.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TOOLS = {
    "search",
    "get_provision",
    "resolve_citations",
    "cite",
    "compare_versions",
    "provision_history",
    "topic_viewpoints",
}
Check = Callable[[dict[str, Any]], bool]


def _ids(result: dict[str, Any]) -> list[str | None]:
    return [e["id"] for e in result["results"]]


def _has_urls(hit: dict[str, Any]) -> bool:
    return hit["url"].startswith("http") and "/api/v1/" in hit["api_url"] and "/api/v1/" not in hit["url"]


# (name, tool, arguments, check of the structured result)
CALLS: list[tuple[str, str, dict[str, Any], Check]] = [
    (
        "search-zh",
        "search",
        {"q": "人脸识别", "limit": 5},
        lambda r: 0 < r["count"] <= 5 and all(_has_urls(h) and h["id"] for h in r["results"]),
    ),
    (
        "search-passages",
        "search",
        {"q": "facial recognition consent", "type": "passage", "limit": 3},
        lambda r: r["count"] > 0 and all(h["type"] == "passage" for h in r["results"]),
    ),
    (
        "search-doc-topic",
        "search",
        {"q": "同意", "doc": "pipl-2021", "topic": "consent", "limit": 5},
        lambda r: r["count"] > 0 and all(h["doc_id"] == "pipl-2021" for h in r["results"]),
    ),
    (
        "get-provision",
        "get_provision",
        {"id": "pipl-2021/art_13"},
        lambda r: (
            "个人信息处理者" in r["text"]
            and r["text_en"]
            and [p["eid"] for p in r["path"]] == ["chp_2", "chp_2__sec_1"]
            and r["topics"]
            and {"cites", "cited_by", "commentary"} <= r.keys()
            and _has_urls(r)
        ),
    ),
    (
        "get-provision-as-of",
        "get_provision",
        {"id": "csl-2025/art_43", "as_of": "2019-06-01"},
        lambda r: r["id"] == "csl-2016/art_41" and r["as_of"]["version"] == "csl-2016",
    ),
    (
        "resolve-dated-english",
        "resolve_citations",
        {"text": "Article 41 of the Cybersecurity Law", "date": "2019"},
        lambda r: r["results"][0]["ids"] == ["csl-2016/art_41"] and r["results"][0]["version"]["doc_id"] == "csl-2016",
    ),
    (
        "resolve-chinese",
        "resolve_citations",
        {"text": "见个人信息保护法第十三条第一款第（四）项"},
        lambda r: (
            r["results"][0]["ids"] == ["pipl-2021/art_13__para_1__item_4"] and _has_urls(r["results"][0]["targets"][0])
        ),
    ),
    (
        "cite-three-script",
        "cite",
        {"id": "csl-2016/art_41", "format": "three-script"},
        lambda r: all(
            part in r["citation"]
            for part in ("《中华人民共和国网络安全法》", "Wǎngluò", "Cybersecurity Law", "第四十一条", "2016-11-07")
        ),
    ),
    (
        "cite-bibtex",
        "cite",
        {"id": "pipl-2021/art_13__para_1__item_4", "format": "bibtex"},
        lambda r: (
            r["citation"].startswith("@misc{pipl-2021:art_13__para_1__item_4,")
            and "origtitle = {{中华人民共和国个人信息保护法}}" in r["citation"]
        ),
    ),
    (
        "cite-document",
        "cite",
        {"id": "cac-frt-2023-draft", "format": "ris"},
        lambda r: r["citation"].startswith("TY  - BILL"),
    ),
    (
        "compare",
        "compare_versions",
        {"from": "csl-2016", "to": "csl-2025"},
        lambda r: any(
            (x["old_id"], x["new_id"], x["status"], x["url"].endswith("/provisions/csl-2025/art_43"))
            == ("csl-2016/art_41", "csl-2025/art_43", "renumbered", True)
            for x in r["results"]
        ),
    ),
    (
        "history-renumbered",
        "provision_history",
        {"id": "csl-2016/art_41"},
        lambda r: _ids(r) == ["csl-2016/art_41", "csl-2025/art_43"] and r["results"][1]["renumbered"],
    ),
    (
        "history-changed",
        "provision_history",
        {"id": "minors-protection-2020/art_9"},
        lambda r: [e["change"] for e in r["results"]] == ["added", "changed"] and r["results"][1]["diff"],
    ),
    (
        "viewpoints",
        "topic_viewpoints",
        {"topic": "consent"},
        lambda r: (
            r["topic"]["id"] == "consent"
            and r["count"] > 0
            and all(
                _has_urls(p)
                for d in r["documents"]
                for sp in d["speakers"]
                for p in (*sp["passages"], *sp["provisions"])
            )
        ),
    ),
]

# (name, tool, arguments, the argument the error names)
BAD_CALLS: list[tuple[str, str, dict[str, Any], str]] = [
    ("unknown-provision", "get_provision", {"id": "nope-2020/art_1"}, "id"),
    ("missing-id", "get_provision", {}, "id"),
    ("bad-as-of", "get_provision", {"id": "csl-2016/art_41", "as_of": "2019"}, "as_of"),
    ("limit-zero", "search", {"q": "人脸", "limit": 0}, "limit"),
    ("bad-type", "search", {"q": "人脸", "type": "article"}, "type"),
    ("unknown-doc", "search", {"q": "人脸", "doc": "nope-2020"}, "doc"),
    ("bad-date", "resolve_citations", {"text": "PIPL art. 13", "date": "20x"}, "date"),
    ("wrong-order", "compare_versions", {"from": "csl-2025", "to": "csl-2016"}, "from"),
    ("unknown-version", "compare_versions", {"from": "nope-2020", "to": "csl-2025"}, "from"),
    ("bad-format", "cite", {"id": "csl-2016/art_41", "format": "mla"}, "format"),
    ("unknown-cited", "cite", {"id": "csl-2016/art_999", "format": "text"}, "id"),
    ("container-history", "provision_history", {"id": "csl-2016/chp_1"}, "id"),
    ("unknown-topic", "topic_viewpoints", {"topic": "no-such-topic"}, "topic"),
]


async def _session(client: Client) -> dict[str, Any]:
    """Everything one connected client sees: tools, resources, each call's result or error, timings."""
    out: dict[str, Any] = {"results": {}, "errors": {}, "seconds": {}}
    async with client as c:
        out["tools"] = (await c.list_tools()).tools
        out["resources"] = (await c.list_resources()).resources
        out["templates"] = (await c.list_resource_templates()).resource_templates
        out["provision"] = (await c.read_resource("kb://provisions/csl-2016/art_41")).contents[0]
        out["document"] = (await c.read_resource("kb://documents/pipl-2021")).contents[0]
        for name, tool, args, _ in CALLS:
            start = time.perf_counter()
            result = await c.call_tool(tool, args)
            out["seconds"][name] = time.perf_counter() - start
            assert not result.is_error, (name, result.content)
            out["results"][name] = result.structured_content
            out["results"][name + ":text"] = result.content[0].text if result.content else ""  # type: ignore[union-attr]
        for name, tool, args, _ in BAD_CALLS:
            try:
                result = await c.call_tool(tool, args)
            except MCPError as exc:
                out["errors"][name] = exc.error
            else:
                out["errors"][name] = result
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def stdio_session(built_db: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``kb mcp --db …`` launched by the SDK client, as a desktop agent launches it."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "kb", "mcp", "--db", str(built_db.sqlite_path)],
        env={"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])},
        cwd=str(ROOT),
    )
    log = tmp_path_factory.mktemp("mcp") / "stderr.log"
    with log.open("w") as errlog:
        try:
            return anyio.run(_session, Client(stdio_client(params, errlog=errlog)))
        except Exception:
            errlog.flush()
            print(log.read_text()[-4000:])
            raise


@pytest.fixture(scope="module")
def http_server(built_db: Settings) -> Iterator[str]:
    """The whole app under uvicorn on a free port, as ``kb serve`` runs it."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(built_db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def http_session(http_server: str) -> dict[str, Any]:
    return anyio.run(_session, Client(f"{http_server}/mcp"))


@pytest.fixture(params=["stdio", "http"])
def session(request: pytest.FixtureRequest) -> dict[str, Any]:
    return request.getfixturevalue(f"{request.param}_session")  # type: ignore[no-any-return]


def test_every_tool_is_listed_with_a_schema_and_a_description(session: dict[str, Any]) -> None:
    tools = {t.name: t for t in session["tools"]}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and len(tool.description) > 60, tool.name
        assert tool.input_schema["type"] == "object" and tool.input_schema["properties"], tool.name
        assert tool.output_schema is not None, tool.name
        assert tool.annotations is not None and tool.annotations.read_only_hint, tool.name
    assert tools["compare_versions"].input_schema["required"] == ["from", "to"]
    assert tools["resolve_citations"].input_schema["required"] == ["text"]


@pytest.mark.parametrize(("name", "tool", "args", "check"), CALLS, ids=[c[0] for c in CALLS])
def test_each_call_on_the_real_corpus(
    session: dict[str, Any], name: str, tool: str, args: dict[str, Any], check: Check
) -> None:
    result = session["results"][name]
    assert check(result), json.dumps(result, ensure_ascii=False)[:2000]
    assert json.loads(session["results"][name + ":text"]) == result  # the text content is the same JSON


@pytest.mark.parametrize(("name", "tool", "args", "argument"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_arguments_are_mcp_errors_naming_the_argument(
    session: dict[str, Any], name: str, tool: str, args: dict[str, Any], argument: str
) -> None:
    error = session["errors"][name]
    assert not hasattr(error, "is_error"), f"{name}: a tool result, not an MCP error: {error}"
    assert error.code == INVALID_PARAMS
    assert error.data == {"argument": argument}
    assert error.message.startswith(f"argument {argument!r}: ")
    assert "Traceback" not in error.message and "File " not in error.message


def test_documents_and_provisions_are_resources(session: dict[str, Any]) -> None:
    uris = {str(r.uri) for r in session["resources"]}
    assert {"kb://documents/pipl-2021", "kb://documents/csl-2016", "kb://documents/chinai-163"} <= uris
    templates = {t.uri_template for t in session["templates"]}
    assert templates == {"kb://documents/{doc_id}", "kb://provisions/{doc_id}/{eid}"}
    provision = json.loads(session["provision"].text)
    assert provision["id"] == "csl-2016/art_41" and provision["url"].endswith("/provisions/csl-2016/art_41")
    assert json.loads(session["document"].text)["id"] == "pipl-2021"


def test_the_two_transports_answer_alike(stdio_session: dict[str, Any], http_session: dict[str, Any]) -> None:
    for name, *_ in CALLS:
        # the same answers, but for the host of the URLs (see the next test)
        stdio = json.dumps(stdio_session["results"][name], ensure_ascii=False)
        http = json.dumps(http_session["results"][name], ensure_ascii=False)
        assert re.sub(r"http://[^/\"]+", "HOST", stdio) == re.sub(r"http://[^/\"]+", "HOST", http), name


def test_urls_are_on_the_host_the_client_used(stdio_session: dict[str, Any], http_session: dict[str, Any]) -> None:
    # stdio has no request: URLs are on KB_PUBLIC_URL; over HTTP they are on the server's own host
    stdio_hit = stdio_session["results"]["get-provision"]
    http_hit = http_session["results"]["get-provision"]
    assert stdio_hit["url"] == Settings().public_url.rstrip("/") + "/provisions/pipl-2021/art_13"
    assert http_hit["url"].startswith("http://127.0.0.1:") and http_hit["url"].endswith("/provisions/pipl-2021/art_13")
    assert http_hit["citation"]["url"] == http_hit["url"]


def test_mcp_over_http_is_read_only_beside_the_api(http_server: str) -> None:
    import httpx

    # a plain GET is no MCP request; the API and the pages are still there
    assert httpx.get(f"{http_server}/mcp", headers={"Accept": "application/json"}).status_code in (400, 405, 406)
    assert httpx.get(f"{http_server}/api/v1/health").status_code == 200


def test_resources_come_in_pages(built_db: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder build has thousands of documents: resources/list pages them (here by 10)."""
    import api.mcp.server as mcp_server
    from kb.read.query import list_documents, open_reader

    monkeypatch.setattr(mcp_server, "RESOURCES_PAGE", 10)

    async def pages(server: Any) -> tuple[list[list[str]], Any]:
        out: list[list[str]] = []
        async with Client(server) as c:
            cursor = None
            while True:
                page = await c.list_resources(cursor=cursor)
                out.append([str(r.uri) for r in page.resources])
                cursor = page.next_cursor
                if cursor is None:
                    break
            try:
                await c.list_resources(cursor="not-a-cursor")
            except MCPError as exc:
                return out, exc.error
        return out, None

    with open_reader(built_db) as reader:
        got, error = anyio.run(pages, mcp_server.build_server(lambda: reader, built_db))
        documents = [d["id"] for d in list_documents(reader)]
    assert [len(p) for p in got] == [10] * (len(documents) // 10) + (
        [len(documents) % 10] if len(documents) % 10 else []
    )
    assert [u for p in got for u in p] == [mcp_server.document_uri(d) for d in documents]
    assert error is not None and error.code == INVALID_PARAMS
