"""The web interface (``api.web``) through TestClient: every page, its key content, the
404 and 422 pages, escaping, and the helpers that build annotated HTML.

Exact answers come from the tiny hand-made database (``tiny_db``); the real corpus
(``built_db``) checks that every document, topic and comparison renders.
"""

from __future__ import annotations

import doctest
import re
from collections.abc import Iterator
from typing import Any

import pytest

from api.web import graphsvg, markup, pages
from api.web.markup import Mark, diff_html, mark_text, node_url, passage_marks, with_query
from kb.read import pagedata, query
from kb.settings import Settings

Client = Any  # fastapi.testclient.TestClient
HTML = {"accept": "text/html,application/xhtml+xml"}


@pytest.fixture(scope="module")
def tiny(tiny_db: Settings, make_api_client: Any) -> Iterator[Client]:
    # create_app mounts the web pages, so this is the app as `kb serve` builds it.
    with make_api_client(tiny_db) as client:
        yield client


@pytest.fixture(scope="module")
def real(built_db: Settings, make_api_client: Any) -> Iterator[Client]:
    with make_api_client(built_db) as client:
        yield client


def page(client: Client, url: str, status: int = 200) -> str:
    r = client.get(url, headers=HTML)
    assert r.status_code == status, (url, r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("text/html"), url
    text: str = r.text
    return text


# ---------------------------------------------------------------- pages: URL -> what the HTML must contain

CITE_IDS = ("zh", "en", "csl", "bibtex", "ris")

PAGES: list[tuple[str, list[str]]] = [
    (
        "/",
        [
            "中华人民共和国人脸测试法",
            'href="/documents/tiny-draft-2023"',
            "text absent",  # the draft has no text
            'href="/topics/consent"',
            'href="/compare?from=tiny-law-2021&amp;to=tiny-law-2024"',
            "Faces, Tests and Consent",
        ],
    ),
    ("/documents?kind=commentary", ["Faces, Tests and Consent", "1)"]),
    (
        "/documents/tiny-law-2021",
        [
            'id="chp_1"',
            'id="art_2"',
            'id="art_2__para_2__item_1"',  # every part has an anchor
            "unofficial translation",
            "1 commentary passage",  # art_2 is discussed by one passage
            "cited by 1",  # art_1 is cited by art_2
            'href="/topics/consent"',
            "(2) where necessary to respond to a public health emergency.",  # English line beside its Chinese
            'href="/compare?from=tiny-law-2021&amp;to=tiny-law-2024"',
            "Commentary that refers to this document",  # the passage that mentions the law
        ],
    ),
    ("/documents/tiny-draft-2023", ["Text absent.", "人脸识别测试规定（征求意见稿）"]),
    (
        "/documents/tiny-comment-2023",
        [
            'id="p_2"',
            'class="m-quote" title="Quotation: Ada Novak"',
            'class="m-topic" title="Topic: Consent"',
            'href="/provisions/tiny-law-2021/art_2"',
            "<details",  # link score and evidence
            "sceptical",
            "The Tiny Review",
        ],
    ),
    (
        "/provisions/tiny-law-2021/art_2",
        [
            "《中华人民共和国人脸测试法》第二条",
            "unofficial translation",
            'class="m-topic" title="Topic: Consent">',  # the triggering words, marked in the text
            'id="commentary"',
            "Ada Novak",
            "stance--sceptical",
            'href="/documents/tiny-comment-2023#p_2"',
            "<ins>或者书面同意</ins>",  # the later version's diff
            'href="/provisions/tiny-law-2021/art_1"',  # what it cites
            "@misc{",  # BibTeX
            "TY  - STAT",  # RIS
            "&#34;type&#34;: &#34;legislation&#34;",  # CSL-JSON, escaped inside <pre>
            # every citation format: selectable text, and a copy button that the script shows
            *(f'<button type="button" class="copy-button" data-copy="cite-{f}" hidden>Copy</button>' for f in CITE_IDS),
            *(f'<pre id="cite-{f}"' for f in CITE_IDS),
        ],
    ),
    ("/provisions/tiny-law-2021/art_2__para_2__item_1", ["第二条第二款第（一）项"]),
    ("/topics", ["Consent", "Minors"]),
    (
        "/topics/consent",
        [
            'class="viewpoint"',
            "Faces, Tests and Consent",
            "Ada Novak",
            "stance--sceptical",
            "Provisions at stake",
            'href="/provisions/tiny-law-2021/art_2"',
        ],
    ),
    ("/compare", ['href="/compare?from=tiny-law-2021&amp;to=tiny-law-2024"']),
    (
        "/compare?from=tiny-law-2021&to=tiny-law-2024",
        ["<ins>或者书面同意</ins>", "status-change--removed", "is-changed", "only=changed"],
    ),
    ("/compare?from=tiny-law-2021&to=tiny-law-2024&only=changed", ["<ins>或者书面同意</ins>"]),
    (
        "/graph?node=tiny-law-2021/art_2",
        ["<svg", 'href="/documents/tiny-comment-2023#p_2"', 'href="/provisions/tiny-law-2021/art_1"', "edge--cites"],
    ),
    ("/graph", ["Node id"]),
    ("/search", ["Search provisions and commentary"]),
    ("/search?q=consent", ['href="/documents/tiny-comment-2023#p_2"', "<mark>", "Commentary passages"]),
]


@pytest.mark.parametrize(("url", "expected"), PAGES, ids=[u for u, _ in PAGES])
def test_pages_show_their_key_content(tiny: Client, url: str, expected: list[str]) -> None:
    html = page(tiny, url)
    missing = [e for e in expected if e not in html]
    assert not missing, (url, missing)


def test_the_compare_page_can_hide_unchanged_articles(tiny: Client) -> None:
    every = page(tiny, "/compare?from=tiny-law-2021&to=tiny-law-2024")
    changed = page(tiny, "/compare?from=tiny-law-2021&to=tiny-law-2024&only=changed")
    assert "status-change--unchanged" in every
    assert every.count("<tr class=") > changed.count("<tr class=") >= 1
    assert "row--unchanged" not in changed


# ---------------------------------------------------------------- search: facets and pages


def test_search_facets_filter_and_count(tiny: Client) -> None:
    html = page(tiny, "/search?q=consent")
    assert 'href="/search?q=consent&amp;type=passage"' in html
    filtered = page(tiny, "/search?q=consent&type=passage")
    assert 'badge--kind">provision' not in filtered
    assert 'aria-current="true"' in filtered  # the selected facet value says so
    assert 'href="/search?q=consent"' in filtered  # and links back to the unfiltered search


def test_facet_counts_apply_the_other_filters(tiny_db: Settings) -> None:
    with query.open_reader(tiny_db) as reader:
        data = pages.search_page(reader, "consent")
        by_type = {f["value"]: f["count"] for f in data["facets"]["type"]}
        assert sum(by_type.values()) == data["count"]
        narrowed = pages.search_page(reader, "consent", type="passage")
        # the type facet ignores its own filter, so both values stay selectable
        assert {f["value"]: f["count"] for f in narrowed["facets"]["type"]} == by_type
        assert all(f["count"] <= by_type["passage"] for f in narrowed["facets"]["doc"])


@pytest.mark.parametrize("q", ["刷脸", "what does the law say about consent"])
def test_facets_count_what_the_search_found(built_db: Settings, q: str) -> None:
    """A lay word found through its expansion (刷脸), a question matched word by word:
    the facets count the same hits as the results (more only by other versions)."""
    with query.open_reader(built_db) as reader:
        data = pages.search_page(reader, q)
    assert data["count"] > 0
    assert sum(f["count"] for f in data["facets"]["type"]) >= data["count"]
    assert data["results"][0]["doc_id"] in {f["value"] for f in data["facets"]["doc"]}


def test_search_pages_follow_the_cursor(real: Client) -> None:
    first = page(real, "/search?q=个人信息")
    found = re.search(r'rel="next" href="([^"]+)"', first)
    assert found, "a common term has more than one page"
    next_url = found.group(1).replace("&amp;", "&")
    assert "page=2" in next_url
    second = page(real, next_url)
    ids_1 = set(re.findall(r'class="result__title" href="([^"]+)"', first))
    ids_2 = set(re.findall(r'class="result__title" href="([^"]+)"', second))
    assert ids_1 and ids_2 and not ids_1 & ids_2
    assert "page 2" in second and "First page" in second


def _result_links(html: str) -> list[str]:
    return re.findall(r'class="result__title" href="([^"]+)"', html)


def test_few_results_offer_any_of_the_words(tiny: Client) -> None:
    """Two words that one passage has both of: the page offers the search for either, with its count."""
    html = page(tiny, "/search?q=consent loophole")
    assert len(_result_links(html)) == 1
    offer = re.search(r'class="broaden__link" href="([^"]+)">Any of these words: (\d+) results</a>', html)
    assert offer, "a lone result with an offer to broaden"
    url, count = offer.group(1).replace("&amp;", "&"), int(offer.group(2))
    assert "mode=any" in url and count > 1
    wider = page(tiny, url)
    assert len(_result_links(wider)) == count
    assert "broaden__link" not in wider  # already as broad as it gets


@pytest.mark.parametrize(
    "url",
    [
        "/search?q=consent",  # one word: nothing to broaden
        "/search?q=consent loophole&mode=any",  # already any word
        "/search?q=loophole shops",  # nothing has both: the search itself fell back to any word
    ],
)
def test_no_offer_to_broaden_when_it_would_not_help(tiny: Client, url: str) -> None:
    assert "broaden__link" not in page(tiny, url)


def test_the_search_form_has_the_match_mode_and_every_filter(tiny: Client) -> None:
    html = page(tiny, "/search?q=consent&mode=any&type=passage&status=in_force&lang=en&doc=tiny-comment-2023")
    for name in ("mode", "type", "doc", "topic", "status", "lang"):
        assert f'<select name="{name}">' in html, name
    for name, value in [
        ("mode", "any"),
        ("type", "passage"),
        ("status", "in_force"),
        ("lang", "en"),
        ("doc", "tiny-comment-2023"),
    ]:
        assert re.search(rf'<select name="{name}">.*?<option value="{value}" selected>', html, re.S), name
    assert '<option value="consent">Consent</option>' in html  # topics from the database
    assert '<details class="search-options" open>' in html  # filters in use: the options show


def test_the_form_s_empty_choices_mean_no_filter(tiny: Client) -> None:
    plain = page(tiny, "/search?q=consent")
    submitted = page(tiny, "/search?q=consent&mode=all&type=&doc=&topic=&status=&lang=")
    assert _result_links(submitted) == _result_links(plain) and _result_links(plain)


def test_raw_mode_from_the_form(tiny: Client) -> None:
    assert _result_links(page(tiny, "/search?q=consent OR loophole&mode=raw"))
    assert "notice--error" in page(tiny, '/search?q="unbalanced&mode=raw', 422)


def test_the_status_filter_reaches_the_search(tiny_db: Settings) -> None:
    with query.open_reader(tiny_db) as reader:
        everything = pages.search_page(reader, "同意")
        amended = pages.search_page(reader, "同意", status="amended")
    # versions of an article are one result, shown in its in-force version unless filtered
    assert "in_force" in {r["doc_status"] for r in everything["results"]}
    assert amended["results"] and {r["doc_status"] for r in amended["results"]} == {"amended"}


# ---------------------------------------------------------------- errors


NOT_FOUND = [
    "/documents/no-such-doc",
    "/provisions/tiny-law-2021/art_99",
    "/provisions/no-such-doc/art_1",
    "/topics/no-such-topic",
    "/graph?node=no-such-node",
    "/compare?from=no-such-doc&to=tiny-law-2024",
    "/search?q=consent&topic=no-such-topic",
    "/no/such/page",
]


@pytest.mark.parametrize("url", NOT_FOUND)
def test_unknown_ids_are_a_friendly_404_page(tiny: Client, url: str) -> None:
    html = page(tiny, url, 404)
    assert "<h1>Not found</h1>" in html and 'action="/search"' in html


INVALID = [
    "/compare?from=tiny-law-2024&to=tiny-law-2021",  # the later version first
    "/compare?from=tiny-law-2021",  # only one side
    "/compare?from=tiny-law-2021&to=tiny-comment-2023",  # not versions of one work
    "/graph?node=tiny-law-2021&depth=9",
    "/graph?node=tiny-law-2021&kinds=nonsense",
    "/search?q=%21%21%21",  # no searchable word
    "/search?q=consent&cursor=not-a-cursor",
    "/search?q=consent&page=0",
]


@pytest.mark.parametrize("url", INVALID)
def test_bad_parameters_are_a_422_page(tiny: Client, url: str) -> None:
    html = page(tiny, url, 422)
    assert "Invalid parameter" in html or 'role="alert"' in html


def test_the_json_api_keeps_problem_responses(tiny: Client) -> None:
    r = tiny.get("/api/v1/documents/no-such-doc", headers=HTML)
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    r = tiny.get("/no/such/page", headers={"accept": "application/json"})
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


# ---------------------------------------------------------------- escaping and self-containment

HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


@pytest.mark.parametrize(
    "url",
    [
        "/search?q={h}",
        "/search?q=consent&doc={h}",
        "/documents/{h}",
        "/provisions/tiny-law-2021/{h}",
        "/topics/{h}",
        "/graph?node={h}",
        "/compare?from={h}&to=tiny-law-2024",
        "/{h}",
    ],
)
def test_user_input_is_escaped(tiny: Client, url: str) -> None:
    from urllib.parse import quote

    r = tiny.get(url.format(h=quote(HOSTILE, safe="")), headers=HTML)
    assert r.status_code in (200, 404, 422)
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;" in r.text or "%3Cscript%3E" in r.text  # shown back, escaped


ALL_TINY_PAGES = [u for u, _ in PAGES]


@pytest.mark.parametrize("url", ALL_TINY_PAGES)
def test_pages_load_nothing_from_elsewhere_and_have_no_inline_code(tiny: Client, url: str) -> None:
    html = page(tiny, url)
    assert not re.search(r"<(?:link|script|img|iframe)\b[^>]*(?:src|href)=\"(?:https?:)?//", html), url
    assert not re.search(r"<script\b(?![^>]*\bsrc=)", html), "inline script (blocked by the CSP)"
    assert " style=" not in html and "<style" not in html, "inline style (blocked by the CSP)"
    assert html.count("<h1") == 1, "one h1 per page"
    assert '<html lang="en">' in html and 'href="#main"' in html  # language and skip link


@pytest.mark.parametrize(("path", "kind"), [("web.css", "text/css"), ("web.js", "javascript"), ("favicon.svg", "svg")])
def test_static_files_are_served(tiny: Client, path: str, kind: str) -> None:
    r = tiny.get(f"/static/{path}")
    assert r.status_code == 200 and kind in r.headers["content-type"]


def test_web_pages_stay_out_of_the_openapi_document(tiny: Client) -> None:
    paths = tiny.get("/openapi.json").json()["paths"]
    assert all(p.startswith("/api/") for p in paths)


# ---------------------------------------------------------------- the real corpus: everything renders


@pytest.mark.slow
def test_every_document_topic_and_comparison_of_the_real_corpus_renders(real: Client, built_db: Settings) -> None:
    with query.open_reader(built_db) as reader:
        docs = query.list_documents(reader)
        topics = query.list_topics(reader)
        pairs = pages.compare_page(reader, None, None)["pairs"]
    for d in docs:
        html = page(real, f"/documents/{d['id']}")
        if not d["text_available"]:
            assert "Text absent." in html
        elif d["kind"] == "commentary":
            assert html.count('class="passage ') >= 1
        else:
            assert html.count('<article class="art') == d["counts"].get("articles", 0) + d["counts"].get("preambles", 0)
    for t in topics:
        assert t["label_en"] in page(real, f"/topics/{t['id']}")
    assert pairs, "the default corpus has versions to compare"
    for pair in pairs:
        html = page(real, f"/compare?from={pair['from']}&to={pair['to']}")
        assert "<ins>" in html or "<del>" in html


@pytest.mark.slow
def test_a_discussed_article_of_the_real_corpus_shows_its_commentary(real: Client, built_db: Settings) -> None:
    with query.open_reader(built_db) as reader:
        for d in query.list_documents(reader):
            if d["kind"] == "commentary" or not d["text_available"]:
                continue
            body = pages.document_page(reader, d["id"])["body"]
            discussed = [b for b in body if b["kind"] == "article" and b["discussed_by"]]
            if discussed:
                break
        else:
            pytest.fail("no article of the default corpus is discussed by commentary")
    article = max(discussed, key=lambda b: b["discussed_by"])
    html = page(real, f"/provisions/{d['id']}/{article['eid']}")
    assert html.count('class="commentary-passage"') >= article["discussed_by"]
    assert f"{article['discussed_by']} commentary passage" in page(real, f"/documents/{d['id']}")
    graph = page(real, f"/graph?node={d['id']}/{article['eid']}")
    assert graph.count('class="node node--passage"') >= article["discussed_by"]


# ---------------------------------------------------------------- helpers: tables of cases


@pytest.mark.parametrize("module", [markup, graphsvg, pagedata])
def test_docstring_examples(module: Any) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


MARKS: list[tuple[str, list[Mark], str]] = [
    ("plain <text>", [], "plain &lt;text&gt;"),
    ("abc", [Mark(1, 2, "m-x", 'say "hi"')], 'a<span class="m-x" title="say &#34;hi&#34;">b</span>c'),
    ("abc", [Mark(2, 2, "m-x"), Mark(2, 9, "m-y"), Mark(-1, 1, "m-z")], "abc"),  # empty or out of range: ignored
    ("abc", [Mark(0, 3, "m-a"), Mark(0, 3, "m-a")], '<span class="m-a">abc</span>'),  # duplicates once
    ("ab", [Mark(0, 2, "m-c", href='/x?a=1&b="2"')], '<a class="m-c" href="/x?a=1&amp;b=&#34;2&#34;">ab</a>'),
]


@pytest.mark.parametrize(("text", "marks", "expected"), MARKS)
def test_mark_text(text: str, marks: list[Mark], expected: str) -> None:
    assert str(mark_text(text, marks)) == expected


def test_passage_marks_cover_every_annotation_kind() -> None:
    anns = [
        {"kind": "topic", "label": "consent", "start": 0, "end": 7, "text": "consent", "data": {}},
        {"kind": "citation", "label": "pipl-2021/art_13", "start": 8, "end": 12, "text": "PIPL",
         "data": {"status": "resolved"}},
        {"kind": "quote", "label": "Liu", "start": 13, "end": 20, "text": "", "data": {}},
        {"kind": "reported_speech", "label": "", "start": 13, "end": 20, "text": "", "data": {"speaker": "Wang"}},
        {"kind": "stance", "label": "sceptical", "start": 0, "end": 0, "text": "",
         "data": {"cues": [{"cue": "crude", "start": 21, "end": 26, "polarity": "sceptical"}, ["legacy", 0, 1]]}},
        {"kind": "term", "label": "人脸信息", "start": 27, "end": 30, "text": "", "data": {}},
    ]  # fmt: skip
    marks = passage_marks(anns, {"consent": "Consent"})
    assert [m.classes for m in marks] == [
        "m-topic",
        "m-cite m-cite-resolved",
        "m-quote",
        "m-reported",
        "m-cue m-cue-sceptical",
        "m-term",
    ]
    assert marks[0].title == "Topic: Consent" and marks[1].href == "/provisions/pipl-2021/art_13"
    assert marks[3].title == "Reported speech: Wang"


DIFFS = [
    ([{"op": "equal", "old": "甲", "new": "甲"}, {"op": "insert", "old": "", "new": "乙"}], "甲<ins>乙</ins>"),
    ([{"op": "delete", "old": "<x>", "new": ""}], "<del>&lt;x&gt;</del>"),
    ([{"op": "replace", "old": "a", "new": "b"}], "<del>a</del><ins>b</ins>"),
    ([{"op": "equal", "text": "a"}, {"op": "insert", "text": "b"}], "a<ins>b</ins>"),  # the {op, text} shape
    ([], ""),
]


@pytest.mark.parametrize(("diff", "expected"), DIFFS)
def test_diff_html(diff: list[dict[str, str]], expected: str) -> None:
    assert str(diff_html(diff)) == expected


@pytest.mark.parametrize(
    ("node", "url"),
    [
        ("csl-2025", "/documents/csl-2025"),
        ("csl-2025/art_17-1", "/provisions/csl-2025/art_17-1"),
        ("civil-code-2020/book_4__chp_6", "/provisions/civil-code-2020/book_4__chp_6"),
        ("wsj-draft-rules-2023/p_12", "/documents/wsj-draft-rules-2023#p_12"),
        ("odd doc/p_x", "/provisions/odd%20doc/p_x"),
    ],
)
def test_node_urls(node: str, url: str) -> None:
    assert node_url(node) == url


def test_with_query_keeps_order_and_drops_empty_values() -> None:
    assert with_query("/s", {"q": "a b", "type": None}, doc="x", cursor="") == "/s?q=a+b&doc=x"


LINES = [
    # (zh, en, parts, expected (eid, en) per line)
    ("甲", None, [("art_1__para_1", "paragraph", "甲")], [("art_1__para_1", None)]),
    (
        "甲：\n（一）乙；\n丙",
        "A:\n(1) B;\nC",
        [
            ("a__para_1", "paragraph", "甲：\n（一）乙；"),
            ("a__para_1__item_1", "item", "（一）乙；"),
            ("a__para_2", "paragraph", "丙"),
        ],
        [("a__para_1", "A:"), ("a__para_1__item_1", "(1) B;"), ("a__para_2", "C")],
    ),
    ("甲\n乙", "A and B", [], [(None, None), (None, None)]),  # translation not line-aligned: no pairing
    ("甲\n乙", None, [("x__para_2", "paragraph", "乙")], [(None, None), ("x__para_2", None)]),
]  # fmt: skip


@pytest.mark.parametrize(("zh", "en", "parts", "expected"), LINES)
def test_article_lines(
    zh: str, en: str | None, parts: list[tuple[str, str, str]], expected: list[tuple[str | None, str | None]]
) -> None:
    assert [(line["eid"], line["en"]) for line in pages.article_lines(zh, en, parts)] == expected


def test_radial_layout_puts_each_hop_on_its_ring() -> None:
    nodes = [{"id": "d/art_1", "type": "provision", "hop": 0}]
    nodes += [{"id": f"c/p_{i}", "type": "passage", "hop": 1} for i in range(5)]
    nodes += [{"id": "e", "type": "document", "hop": 2}]
    edges = [{"source": f"c/p_{i}", "target": "d/art_1", "kind": "discusses", "score": 0.5} for i in range(5)]
    edges += [{"source": "c/p_0", "target": "e", "kind": "mentions", "score": 1.0}]
    layout = graphsvg.radial_layout(nodes, edges)
    radius = {n.id: round((n.x**2 + n.y**2) ** 0.5) for n in layout.nodes}
    assert radius["d/art_1"] == 0
    assert {radius[f"c/p_{i}"] for i in range(5)} == {round(graphsvg.RING)}
    assert radius["e"] == round(2 * graphsvg.RING)
    assert len(layout.edges) == 6 and len({(n.x, n.y) for n in layout.nodes}) == 7
    assert all(n.href.startswith("/") for n in layout.nodes)


@pytest.mark.parametrize(
    ("doc", "name"),
    [
        ({"id": "x", "short_names": ["PIPL", "个保法"]}, "PIPL"),
        ({"id": "x", "short_names": ["未保法"], "title_zh": "中华人民共和国未成年人保护法"}, "未保法"),
        ({"id": "x", "short_names": [], "title_zh": "中华人民共和国网络安全法"}, "网络安全法"),
        ({"id": "x", "title_en": None, "outlet": "The Wall Street Journal"}, "The Wall Street Journal"),
        ({"id": "x"}, "x"),
    ],
)
def test_short_names(doc: dict[str, Any], name: str) -> None:
    assert pages.short_name(doc) == name


def test_versions_of_one_law_are_told_apart(tiny_db: Settings) -> None:
    with query.open_reader(tiny_db) as reader:
        facets = pages.search_page(reader, "同意")["facets"]["doc"]
        graph = pages.graph_page(reader, "tiny-law-2024/art_2", depth=2)
    assert {f["label"] for f in facets} == {"FTL 2021", "FTL 2024"}
    shorts = {n["id"]: n["short"] for n in graph["nodes"]}
    assert shorts["tiny-law-2024/art_2"] == "tiny-law-2024 第二条"
    assert shorts["tiny-law-2021/art_2"] == "tiny-law-2021 第二条"
    assert shorts["tiny-comment-2023/p_2"] == "tiny-comment-2023 ¶2"


def test_mounting_twice_is_harmless(tiny_db: Settings) -> None:
    from api.app import create_app
    from api.web import mount_web

    app = create_app(tiny_db)
    mount_web(app)
    routes = len(app.routes)
    mount_web(app)
    assert len(app.routes) == routes
