"""The HTTP API over the real default corpus: tables of URL -> expectation, every error case,
headers (caching, security, CORS) and the OpenAPI document."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

import jsonschema_rs
import pytest

from kb.settings import Settings

pytestmark = pytest.mark.slow

Client = Any  # fastapi.testclient.TestClient (imported lazily in conftest)
MakeClient = Callable[..., AbstractContextManager[Any]]
Check = Callable[[Any], object]

API = "/api/v1"


def ids(body: dict[str, Any]) -> list[str]:
    return [r["id"] for r in body["results"]]


# ---------------------------------------------------------------- 200s: URL -> what must hold

OK: list[tuple[str, Check]] = [
    ("/health", lambda b: b["status"] == "ok" and len(b["build"]["corpus_hash"]) == 64 and b["documents"] == 26),
    ("/documents", lambda b: b["count"] == 26 == len(b["results"]) and b["results"][0]["id"] == "pipl-2021"),
    ("/documents?kind=commentary", lambda b: b["count"] == 5 and {d["kind"] for d in b["results"]} == {"commentary"}),
    ("/documents?status=amended", lambda b: {"csl-2016", "minors-protection-2020"} <= set(ids(b))),
    ("/documents?kind=law&status=nonexistent", lambda b: b == {"results": [], "count": 0}),
    (
        "/documents/pipl-2021",
        lambda b: (
            sum(e["level"] == "article" for e in b["toc"]) == 74
            and b["counts"]["articles"] == 74
            and b["text_available"]
        ),
    ),
    (
        "/documents/cac-frt-2023-draft",
        lambda b: b["text_available"] is False and b["toc"] == [] and b["text_status"].startswith("absent"),
    ),
    ("/documents/csl-2016", lambda b: [v["id"] for v in b["versions"]] == ["csl-2025"]),
    (
        "/documents/wsj-draft-rules-2023/passages",
        lambda b: (
            b["count"] > 5
            and [p["n"] for p in b["results"]] == sorted(p["n"] for p in b["results"])
            and all(p["id"].startswith("wsj-draft-rules-2023/p_") for p in b["results"])
        ),
    ),
    (
        "/provisions/pipl-2021/art_13",
        lambda b: (
            b["label"] == "第十三条"
            and b["text"].startswith("符合下列情形之一")
            and [c["level"] for c in b["children"]] == ["paragraph", "paragraph"]
            and b["path"][0]["level"] == "chapter"
            and b["citation"]["en"] == "PIPL art. 13"
            and b["translation_status"] in ("unofficial", "none")
        ),
    ),
    (
        "/provisions/pipl-2021/art_13__para_1__item_4",
        lambda b: (
            b["level"] == "item"
            and b["citation"]["zh"] == "《中华人民共和国个人信息保护法》第十三条第一款第（四）项"
            and b["citation"]["en"] == "PIPL art. 13(1)(iv)"
            and [p["eid"] for p in b["path"]][-2:] == ["art_13", "art_13__para_1"]
        ),
    ),
    (
        "/provisions/csl-2025/art_4",
        lambda b: any(v["provision_id"] == "csl-2016/art_3" and v["direction"] == "earlier" for v in b["versions"]),
    ),
    ("/provisions/civil-code-2020/art_1034", lambda b: [p["level"] for p in b["path"]] == ["book", "chapter"]),
    (
        "/passages/wsj-draft-rules-2023/p_3",
        lambda b: (
            b["id"] == "wsj-draft-rules-2023/p_3"
            and b["n"] == 3
            and [lk["score"] for lk in b["links"]] == sorted((lk["score"] for lk in b["links"]), reverse=True)
        ),
    ),
    (
        "/topics",
        lambda b: (
            all(set(t["counts"]) == {"provisions", "passages"} for t in b["results"])
            # consent is on articles and on commentary passages alike
            and next(t["counts"] for t in b["results"] if t["id"] == "consent")["provisions"] > 0
            and next(t["counts"] for t in b["results"] if t["id"] == "consent")["passages"] > 0
        ),
    ),
    (
        "/topics/consent",
        lambda b: (
            b["id"] == "consent" and b["provisions"] and b["passages"] and all(p["evidence"] for p in b["provisions"])
        ),
    ),
    ("/topics/consent?limit=1", lambda b: len(b["provisions"]) == 1 and len(b["passages"]) == 1),
    (
        "/topics/consent/viewpoints",
        lambda b: (
            b["count"] > 0 and b["documents"] and all(s["passages"] for d in b["documents"] for s in d["speakers"])
        ),
    ),
    (
        "/resolve?text=" + quote("根据个人信息保护法第十三条第一款第（四）项"),
        lambda b: (
            b["count"] == 1
            and b["results"][0]["ids"] == ["pipl-2021/art_13__para_1__item_4"]
            and b["results"][0]["span"] == [2, 21]
        ),
    ),
    (
        "/resolve?date=2020-05&text=" + quote("Article 41 of the Cybersecurity Law"),
        lambda b: b["results"][0]["ids"] == ["csl-2016/art_41"],
    ),
    ("/resolve?text=nothing+to+see", lambda b: b == {"results": [], "count": 0, "as_of": None}),
    (
        "/cite/pipl-2021/art_13__para_1__item_4",
        lambda b: (
            b["zh"] == "《中华人民共和国个人信息保护法》第十三条第一款第（四）项"
            and b["en"] == "PIPL art. 13(1)(iv)"
            and b["url"].endswith("/provisions/pipl-2021/art_13__para_1__item_4")
            and b["api_url"].endswith("/api/v1/provisions/pipl-2021/art_13__para_1__item_4")
            and b["csl"]["type"] == "legislation"
        ),
    ),
    ("/cite/cac-frt-2023-draft", lambda b: b["csl"]["type"] == "bill" and b["text_available"] is False),
    ("/cite/spc-frt-2021/art_2", lambda b: b["csl"]["type"] == "regulation"),
    (
        "/compare?from=csl-2016&to=csl-2025",
        lambda b: (
            b["count"] >= 81
            and b["from"]["id"] == "csl-2016"
            and {"added"} <= set(b["summary"])
            and sum(b["summary"].values()) == b["count"]
        ),
    ),
    (
        "/graph?node=pipl-2021/art_28",
        lambda b: (
            b["nodes"][0] == {**b["nodes"][0], "id": "pipl-2021/art_28", "hop": 0}
            and all(e["source"] in {n["id"] for n in b["nodes"]} for e in b["edges"])
        ),
    ),
    (
        "/graph?node=pipl-2021&depth=3",
        lambda b: len(b["nodes"]) <= b["max_nodes"] and max(n["hop"] for n in b["nodes"]) >= 2,
    ),
    (
        "/graph?node=csl-2016&kinds=aligned,version_of",
        lambda b: {e["kind"] for e in b["edges"]} <= {"aligned", "version_of"},
    ),
    ("/problems", lambda b: {p["status"] for p in b["results"]} >= {404, 422, 500}),
]


@pytest.mark.parametrize(("url", "check"), OK, ids=[u for u, _ in OK])
def test_ok(api_client: Client, url: str, check: Check) -> None:
    response = api_client.get(API + url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert check(response.json()), json.dumps(response.json(), ensure_ascii=False)[:2000]


# ---------------------------------------------------------------- search

SEARCH: list[tuple[str, Check]] = [
    (
        "q=" + quote("人脸识别"),
        lambda b: (
            b["results"][0]["type"] == "provision"
            and "<mark>人脸识别</mark>" in b["results"][0]["snippet"]
            and b["match"] == "all"
        ),
    ),
    (
        "q=facial+recognition&type=provision",
        lambda b: b["results"] and all(r["type"] == "provision" and r["snippet_lang"] == "en" for r in b["results"]),
    ),
    ("q=consent&doc=pipl-2021", lambda b: b["results"] and {r["doc_id"] for r in b["results"]} == {"pipl-2021"}),
    ("q=consent&topic=consent", lambda b: b["results"] and all("consent" in r["topics"] for r in b["results"])),
    ("q=consent&type=passage", lambda b: b["results"] and {r["type"] for r in b["results"]} == {"passage"}),
    ("q=consent&lang=zh&expand=false", lambda b: b["count"] == 0),
    # expansion adds 同意 / 单独同意: an English word finds Chinese text, marked there
    ("q=consent&lang=zh", lambda b: b["results"] and all(r["snippet_lang"] == "zh" for r in b["results"])),
    (
        "q=" + quote("单独同意") + "&status=in_force",
        lambda b: b["results"] and {r["doc_status"] for r in b["results"]} == {"in_force"},
    ),
    ("q=consent+xyzzyplugh", lambda b: b["match"] == "any" and b["results"]),
    ("q=" + quote('"separate consent"') + "&mode=raw", lambda b: b["results"]),
    ("q=" + quote('face "NEAR('), lambda b: isinstance(b["results"], list)),
    ("q=" + quote("人脸 😀 'quotes' \"dq\""), lambda b: isinstance(b["results"], list)),
    ("q=a&limit=100", lambda b: len(b["results"]) <= 100),
]


@pytest.mark.parametrize(("params", "check"), SEARCH, ids=[p for p, _ in SEARCH])
def test_search(api_client: Client, params: str, check: Check) -> None:
    response = api_client.get(f"{API}/search?{params}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert check(body), json.dumps(body, ensure_ascii=False)[:2000]
    for hit in body["results"]:
        assert hit["snippet"].replace("<mark>", "").replace("</mark>", "").count("<") == 0  # escaped


def test_search_pages_link_to_the_next_page(api_client: Client) -> None:
    first = api_client.get(f"{API}/search", params={"q": "个人信息", "limit": 5})
    body = first.json()
    assert body["count"] > 10 and body["next"]
    assert first.headers["link"] == f'<{body["next_url"]}>; rel="next"'
    second = api_client.get(body["next_url"]).json()
    assert not set(ids(body)) & set(ids(second))
    assert second["results"][0]["score"] <= body["results"][-1]["score"]


def test_a_long_query_is_answered_like_a_short_one(api_client: Client) -> None:
    """Short queries are searched on the event loop, long ones in a worker thread: same answers."""
    from api.routes.search import INLINE_QUERY_CHARS

    short = "小区 门禁 人脸识别 同意"
    padded = short + " " * (INLINE_QUERY_CHARS + 10)
    a = api_client.get(f"{API}/search", params={"q": short}).json()
    b = api_client.get(f"{API}/search", params={"q": padded}).json()
    assert len(padded) > INLINE_QUERY_CHARS >= len(short)
    assert ids(a) and ids(a) == ids(b) and a["count"] == b["count"]


# ---------------------------------------------------------------- other formats


def test_cite_formats(api_client: Client) -> None:
    url = f"{API}/cite/pipl-2021/art_13__para_1__item_4"
    text = api_client.get(url, params={"format": "text"})
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text.splitlines()[:2] == [
        "《中华人民共和国个人信息保护法》第十三条第一款第（四）项",
        "PIPL art. 13(1)(iv)",
    ]
    csl = api_client.get(url, params={"format": "csl-json"})
    assert csl.headers["content-type"].startswith("application/vnd.citationstyles.csl+json")
    assert csl.json()[0]["section"] == "art. 13(1)(iv)"
    bib = api_client.get(url, params={"format": "bibtex"})
    assert bib.headers["content-type"].startswith("application/x-bibtex") and bib.text.startswith("@misc{")
    ris = api_client.get(url, params={"format": "ris"})
    assert ris.text.startswith("TY  - STAT\n") and ris.text.rstrip().endswith("ER  -")


def test_graphml_has_the_same_graph_as_json(api_client: Client) -> None:
    params = {"node": "pipl-2021/art_28", "depth": 2}
    as_json = api_client.get(f"{API}/graph", params=params).json()
    xml = api_client.get(f"{API}/graph", params={**params, "format": "graphml"})
    assert xml.headers["content-type"].startswith("application/graphml+xml")
    root = ET.fromstring(xml.content)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(root.findall(".//g:node", ns)) == len(as_json["nodes"])
    assert len(root.findall(".//g:edge", ns)) == len(as_json["edges"])


# ---------------------------------------------------------------- errors: URL -> status

ERRORS: list[tuple[str, int, str | None]] = [
    # url, status, the parameter named in `errors` (422)
    ("/documents/nope", 404, None),
    ("/documents?kind=nonsense", 422, "kind"),
    ("/documents/pipl-2021/passages", 404, None),
    ("/documents/nope/passages", 404, None),
    ("/provisions/pipl-2021/art_999", 404, None),
    ("/provisions/nope/art_1", 404, None),
    ("/passages/wsj-draft-rules-2023/p_9999", 404, None),
    ("/passages/nope", 404, None),
    ("/search", 422, "q"),
    ("/search?q=", 422, "q"),
    ("/search?q=*", 422, "q"),
    ("/search?q=" + quote("😀"), 422, "q"),
    ("/search?q=" + "x" * 10_000, 422, "q"),
    ("/search?q=x&limit=0", 422, "limit"),
    ("/search?q=x&limit=101", 422, "limit"),
    ("/search?q=x&limit=ten", 422, "limit"),
    ("/search?q=x&type=article", 422, "type"),
    ("/search?q=x&lang=fr", 422, "lang"),
    ("/search?q=x&mode=fuzzy", 422, "mode"),
    ("/search?q=x&cursor=garbage", 422, "cursor"),
    ("/search?q=x&cursor=" + "A" * 300, 422, "cursor"),
    ("/search?mode=raw&q=" + quote("NEAR("), 422, "q"),
    ("/search?mode=raw&q=" + quote('"unterminated'), 422, "q"),
    ("/search?mode=raw&q=" + quote("nosuchcolumn: x"), 422, "q"),
    ("/search?q=x&topic=nope", 404, None),
    ("/search?q=x&doc=nope", 404, None),
    ("/topics/nope", 404, None),
    ("/topics/nope/viewpoints", 404, None),
    ("/topics/consent?limit=0", 422, "limit"),
    ("/resolve", 422, "text"),
    ("/resolve?text=x&date=yesterday", 422, "date"),
    ("/resolve?text=" + "x" * 20_000, 422, "text"),
    ("/cite/nope", 404, None),
    ("/cite/pipl-2021/art_999", 404, None),
    ("/cite/cac-frt-2023-draft/art_1", 404, None),
    ("/cite/pipl-2021?format=pdf", 422, "format"),
    ("/compare?from=csl-2016", 422, "to"),
    ("/compare?from=csl-2025&to=csl-2016", 422, "from"),
    ("/compare?from=pipl-2021&to=csl-2025", 422, "to"),
    ("/compare?from=csl-2016&to=csl-2016", 422, "to"),
    ("/compare?from=nope&to=csl-2025", 404, None),
    ("/graph", 422, "node"),
    ("/graph?node=nope", 404, None),
    ("/graph?node=pipl-2021&depth=4", 422, "depth"),
    ("/graph?node=pipl-2021&depth=0", 422, "depth"),
    ("/graph?node=pipl-2021&kinds=friends", 422, "kinds"),
    ("/graph?node=pipl-2021&kinds=,", 422, "kinds"),
    ("/graph?node=pipl-2021&format=svg", 422, "format"),
    ("/no-such-route", 404, None),
]


@pytest.mark.parametrize(("url", "status", "parameter"), ERRORS, ids=[u[:80] for u, _, _ in ERRORS])
def test_errors_are_problem_responses(api_client: Client, url: str, status: int, parameter: str | None) -> None:
    response = api_client.get(API + url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"] and body["detail"]
    assert body["instance"].startswith(API)
    assert response.headers["cache-control"] == "no-store"
    if parameter is not None:
        assert parameter in [e["parameter"] for e in body["errors"]], body


def test_only_get_is_allowed(api_client: Client) -> None:
    response = api_client.post(f"{API}/health")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"


def test_a_server_error_says_nothing_about_the_server(built_db: Settings, make_api_client: MakeClient) -> None:
    from api.deps import get_reader

    def broken() -> None:
        raise RuntimeError("secret path /srv/db and a traceback")

    with make_api_client(built_db, overrides={get_reader: broken}, raise_server_exceptions=False) as client:
        response = client.get(f"{API}/documents")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text and "Traceback" not in response.text
    assert response.json()["detail"] == "the server could not answer this request"


# ---------------------------------------------------------------- headers


def test_etags_give_304s(api_client: Client) -> None:
    first = api_client.get(f"{API}/provisions/pipl-2021/art_13")
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and first.headers["cache-control"] == "public, max-age=300"
    again = api_client.get(f"{API}/provisions/pipl-2021/art_13", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = api_client.get(f"{API}/provisions/pipl-2021/art_14", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag
    listed = api_client.get(f"{API}/provisions/pipl-2021/art_13", headers={"If-None-Match": f'"x", {etag}'})
    assert listed.status_code == 304


def test_head_is_get_without_a_body(api_client: Client) -> None:
    get = api_client.get(f"{API}/documents/pipl-2021")
    head = api_client.head(f"{API}/documents/pipl-2021")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == get.headers["content-length"]


@pytest.mark.parametrize("url", ["/api/v1/health", "/api/v1/documents/nope", "/openapi.json", "/no-such-route"])
def test_security_headers_everywhere(api_client: Client, url: str) -> None:
    headers = api_client.get(url).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"]


def test_docs_page_loads_swagger_from_the_app_itself(api_client: Client) -> None:
    """/docs works offline: its script and stylesheet are served by the app, and no other origin is named."""
    response = api_client.get("/docs")
    assert response.status_code == 200 and "swagger" in response.text.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets) and any(a.endswith(".css") for a in assets)
    assert all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    for asset in assets:
        assert api_client.get(asset).status_code == 200, asset
    assert "http" not in response.headers["content-security-policy"]


def test_cors_is_off_unless_configured(api_client: Client, built_db: Settings, make_api_client: MakeClient) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    assert "access-control-allow-origin" not in api_client.get(f"{API}/health", headers=origin).headers
    cors = Settings(database_url=built_db.database_url, cors_origins=["https://elsewhere.example"])
    with make_api_client(cors) as client:
        headers = client.get(f"{API}/health", headers=origin).headers
    assert headers["access-control-allow-origin"] == "https://elsewhere.example"
    assert "etag" in headers["access-control-expose-headers"].lower()


# ---------------------------------------------------------------- OpenAPI


@pytest.fixture(scope="module")
def openapi(api_client: Client) -> dict[str, Any]:
    response = api_client.get("/openapi.json")
    assert response.status_code == 200
    spec: dict[str, Any] = response.json()
    return spec


def test_openapi_document_is_valid_openapi_3_1(openapi: dict[str, Any]) -> None:
    from schemathesis.specs.openapi.definitions import OPENAPI_31

    assert openapi["openapi"].startswith("3.1")
    validator = jsonschema_rs.validator_for(OPENAPI_31)
    errors = [e.message for e in validator.iter_errors(openapi)]
    assert errors == []
    for name, schema in openapi["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name


def test_every_operation_is_tagged_summarised_and_has_an_example(openapi: dict[str, Any]) -> None:
    operations = [(path, op) for path, item in openapi["paths"].items() for op in item.values()]
    assert len(operations) >= 16
    for path, op in operations:
        assert op.get("tags") and op.get("summary"), path
        assert op["responses"]["200"]["content"]["application/json"].get("example") is not None, path
        for status, response in op["responses"].items():
            if int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"], (path, status)


def test_the_contract_paths_are_there(openapi: dict[str, Any]) -> None:
    expected = {
        "/documents",
        "/documents/{doc_id}",
        "/documents/{doc_id}/passages",
        "/provisions/{doc_id}/{eid}",
        "/passages/{passage_id}",
        "/search",
        "/topics",
        "/topics/{topic_id}",
        "/topics/{topic_id}/viewpoints",
        "/resolve",
        "/cite/{doc_id}",
        "/cite/{doc_id}/{eid}",
        "/compare",
        "/graph",
        "/health",
    }
    assert {API + p for p in expected} <= set(openapi["paths"])
    q = next(p for p in openapi["paths"][f"{API}/search"]["get"]["parameters"] if p["name"] == "q")
    assert q["schema"]["maxLength"] == 1000
