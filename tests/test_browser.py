"""The web interface in a real browser: Debian's Chromium driven by Playwright.

A uvicorn server runs the app (API + pages) over the session's build of the default
corpus on a free port of 127.0.0.1. The tests walk what a researcher does: search,
open a result, read the commentary on it; read a topic side by side; compare two
versions. No page may log a console error; a screenshot of each page is saved under
``test-output/screenshots/`` for a person to look at.

Skipped (with the reason) only when Chromium is absent *and* ``CI`` is unset: under
CI a missing browser or Playwright is a failure. Install them with
``scripts/ci_system_packages.sh`` and ``pip install -e '.[dev]'``.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from api.web import pages
from kb.read import query
from kb.settings import Settings

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("KB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"
IN_CI = bool(os.environ.get("CI"))

if not CHROMIUM.exists() and not IN_CI:
    pytest.skip(f"{CHROMIUM} is absent (install it with scripts/ci_system_packages.sh)", allow_module_level=True)
if not IN_CI:
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(built_db: Settings) -> Iterator[str]:
    """The app served by uvicorn in a thread; yields its base URL."""
    import uvicorn

    from api.app import create_app
    from api.web import mount_web

    app = create_app(built_db)
    mount_web(app)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, name="uvicorn-web-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is absent but CI is set: run scripts/ci_system_packages.sh")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Tab:
    """A page that records console errors and uncaught exceptions, and saves screenshots."""

    def __init__(self, browser: Any, base: str, *, width: int = 1280) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("requestfailed", self._request_failed)

    def _request_failed(self, request: Any) -> None:
        # net::ERR_ABORTED is the browser cancelling a request because the page navigated away
        # (a favicon still loading when a link is clicked), not a failure of the app.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.errors.append(f"request failed: {request.url} ({request.failure})")

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def shot(self, name: str, *, full_page: bool = False) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        assert path.stat().st_size > 5_000, "an empty screenshot"
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Any, server: str) -> Iterator[Tab]:
    t = Tab(browser, server)
    yield t
    t.close()
    assert not t.errors, t.errors


def _discussed_article(settings: Settings) -> tuple[str, dict[str, Any]]:
    """The statute article of the default corpus that the most commentary discusses."""
    best: tuple[int, str, dict[str, Any]] | None = None
    with query.open_reader(settings) as reader:
        for d in query.list_documents(reader):
            if d["kind"] == "commentary" or not d["text_available"]:
                continue
            for b in pages.document_page(reader, d["id"])["body"]:
                if b["kind"] == "article" and b["discussed_by"] and (best is None or b["discussed_by"] > best[0]):
                    best = (b["discussed_by"], d["id"], b)
    assert best is not None, "no article of the default corpus is discussed by commentary"
    return best[1], best[2]


def test_search_then_open_a_result_shows_its_commentary(tab: Tab, built_db: Settings) -> None:
    doc_id, article = _discussed_article(built_db)
    # Search for the article by its first sentence, as a reader would paste it (a first clause
    # alone can be boilerplate: 有下列情形之一 opens dozens of articles).
    words = re.split(r"[。；：;:]", article["lines"][0]["zh"])[0][:30]
    tab.goto("/")
    tab.shot("home")
    tab.page.fill("#home-q", words)
    tab.page.press("#home-q", "Enter")
    tab.page.wait_for_url("**/search?q=*")
    assert words in unquote(tab.page.url)
    tab.shot("search")
    href = f"/provisions/{doc_id}/{article['eid']}"
    result = tab.page.locator(f'a.result__title[href="{href}"]')
    assert result.count() == 1, f"{href} is not on the first page of results for {words!r}"
    assert tab.page.locator(".result__snippet mark").count() >= 1  # highlighted snippets
    assert tab.page.locator(".facet").count() >= 2  # facets
    result.click()
    tab.page.wait_for_url(f"**{href}")
    passages = tab.page.locator("#commentary .commentary-passage")
    assert passages.count() >= article["discussed_by"]
    assert passages.first.is_visible()
    assert tab.page.locator("#commentary .speaker-group__head").count() >= 1
    # Copy buttons appear (the script ran) and answer a click.
    button = tab.page.locator('button[data-copy="cite-bibtex"]')
    assert button.is_visible()
    button.click()
    tab.page.wait_for_function(
        "document.querySelector('button[data-copy=\"cite-bibtex\"]').textContent !== 'Copy'", timeout=3000
    )
    tab.shot("provision", full_page=True)
    # The document page counts the commentary beside the article and anchors it.
    tab.goto(f"/documents/{doc_id}#{article['eid']}")
    badge = tab.page.locator(f"#{article['eid']} .badge--commentary")
    assert badge.is_visible() and str(article["discussed_by"]) in badge.inner_text()
    tab.shot("document")


def test_topic_page_shows_sources_side_by_side(tab: Tab, built_db: Settings) -> None:
    with query.open_reader(built_db) as reader:
        topics = query.list_topics(reader)
    topic = max(topics, key=lambda t: t["counts"].get("passages", 0))
    tab.goto("/topics")
    tab.page.click(f'a[href="/topics/{topic["id"]}"]')
    tab.page.wait_for_url(f"**/topics/{topic['id']}")
    columns = tab.page.locator(".viewpoint")
    assert columns.count() >= 2, "the busiest topic has commentary from several sources"
    first, second = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    assert first and second
    assert second["x"] >= first["x"] + first["width"] - 1, "columns sit side by side"
    assert abs(second["y"] - first["y"]) < 2
    assert tab.page.locator(".viewpoint .stance").count() >= 1
    assert tab.page.locator("#stake-h").is_visible()
    tab.shot("topic")


def test_compare_page_shows_a_coloured_diff(tab: Tab) -> None:
    tab.goto("/")
    tab.page.locator('a[href^="/compare?from="]').first.click()
    tab.page.wait_for_url("**/compare?from=*")
    changed = tab.page.locator("tr.is-changed")
    assert changed.count() >= 1
    marks = tab.page.locator("tr.is-changed ins, tr.is-changed del")
    assert marks.count() >= 1
    colour = marks.first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), "changes are coloured"
    tab.shot("compare")
    tab.page.click("text=Show only the changed ones")
    tab.page.wait_for_url("**only=changed")
    assert tab.page.locator("tr").count() - 1 == tab.page.locator("tr.is-changed").count()


def test_graph_nodes_are_links(tab: Tab, built_db: Settings) -> None:
    doc_id, article = _discussed_article(built_db)
    tab.goto(f"/graph?node={doc_id}/{article['eid']}")
    nodes = tab.page.locator("svg .node")
    assert nodes.count() >= 1 + article["discussed_by"]
    tab.shot("graph")
    passage = tab.page.locator("svg a.node--passage").first
    href = passage.get_attribute("href")
    assert href and "#p_" in href
    # the link itself is what is tested, not where the layout put it: with many passages
    # a node can sit under the edge of the drawing, where a pointer click lands on the svg
    passage.dispatch_event("click")
    tab.page.wait_for_url(f"**{href.split('#')[0]}*")
    assert tab.page.locator(f"#{href.split('#')[1]}").is_visible()


def test_commentary_page_marks_quotes_and_citations(tab: Tab, built_db: Settings) -> None:
    with query.open_reader(built_db) as reader:
        commentary = [d["id"] for d in query.list_documents(reader, kind="commentary")]
    for doc_id in commentary:
        tab.goto(f"/documents/{doc_id}")
        if tab.page.locator(".passage__text .m-quote").count() and tab.page.locator("a.m-cite").count():
            break
    else:
        pytest.fail("no commentary text has both a quotation and a linked citation")
    assert tab.page.locator(".passage__links details").count() >= 1
    tab.shot("commentary")


def test_a_narrow_screen_gets_one_column(browser: Any, server: str, built_db: Settings) -> None:
    doc_id, article = _discussed_article(built_db)
    t = Tab(browser, server, width=400)
    try:
        t.goto(f"/provisions/{doc_id}/{article['eid']}")
        width = t.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, "nothing overflows sideways"
        t.shot("provision-narrow")
    finally:
        t.close()
    assert not t.errors, t.errors


def test_unknown_ids_get_a_friendly_page(browser: Any, server: str) -> None:
    t = Tab(browser, server)
    try:
        response = t.goto("/documents/no-such-document")
        assert response.status == 404
        assert t.page.locator("h1").inner_text() == "Not found"
        assert t.page.locator("form[role=search]").count() >= 1
        t.shot("not-found")
    finally:
        t.close()
    # Chromium reports the 404 of the page itself as a console error; nothing else may fail.
    assert all("404" in e for e in t.errors), t.errors


def test_api_docs_work_offline(tab: Tab, server: str) -> None:
    """/docs with every request off 127.0.0.1 refused: the nav bar's API link leads to a working
    Swagger UI that lists the operations, and nothing was asked of the internet."""
    elsewhere: list[str] = []

    def only_local(route: Any) -> None:
        url = route.request.url
        if url.startswith(server) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    tab.context.route("**/*", only_local)
    tab.goto("/")
    tab.page.locator("nav a", has_text="API").first.click()
    tab.page.wait_for_url(f"{server}/docs")
    operations = tab.page.locator(".opblock-summary-path")
    operations.first.wait_for(timeout=30_000)
    paths = set(operations.all_inner_texts())
    assert {"/api/v1/search", "/api/v1/documents"} <= {p.replace("\u200b", "") for p in paths}, paths
    tab.shot("api-docs")
    assert not elsewhere, elsewhere


def test_a_lone_result_offers_the_broader_search(tab: Tab, built_db: Settings) -> None:
    """人脸识别 宾馆 (face recognition, hotel): one article has both words. The page offers
    "any of these words" with its count; following it finds that many; the match mode and
    the filters are one click away in the form."""
    q = "人脸识别 宾馆"
    with query.open_reader(built_db) as reader:
        data = pages.search_page(reader, q)
    assert data["count"] < pages.FEW_RESULTS and data["broader"], "the example still finds few results"
    tab.goto(f"/search?q={q}")
    offer = tab.page.locator("a.broaden__link")
    assert offer.inner_text() == f"Any of these words: {data['broader']['count']} results"
    tab.page.locator("summary", has_text="Match and filters").click()
    for name in ("mode", "type", "doc", "topic", "status", "lang"):
        assert tab.page.locator(f"select[name={name}]").is_visible(), name
    tab.shot("search-broaden")
    offer.click()
    tab.page.wait_for_url(re.compile(r"mode=any"))
    summary = tab.page.locator("#results-h").inner_text()
    assert summary.startswith(f"{data['broader']['count']} results"), summary
    assert tab.page.locator("select[name=mode] option:checked").inner_text() == "any of the words"
