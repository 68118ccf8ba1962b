"""The store and the API on PostgreSQL, compared with SQLite over the same corpus.

The default corpus is built into PostgreSQL by the pipeline, then every request of a
table goes to both APIs (SQLite: ``built_db``): the answers must be the same, and
searches must find the same set of results, ranked by BM25 on both (scores within a few
per cent: the two count a row's words slightly differently). Builds are atomic: a failed
build leaves the live schema serving.

Needs a server: ``eval "$(bash scripts/ci_postgres.sh)"`` exports ``KB_TEST_PG_URL``.
Without it the module is skipped, unless ``CI`` is set: then it fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from sqlalchemy import create_engine, text

from kb.errors import BuildError, BuildLocked
from kb.read import query
from kb.settings import Settings

PG_URL = os.environ.get("KB_TEST_PG_URL", "")
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not PG_URL and not IN_CI,
        reason='no PostgreSQL: KB_TEST_PG_URL is unset (eval "$(bash scripts/ci_postgres.sh)" to get one)',
    ),
]

Client = Any  # fastapi.testclient.TestClient
MakeClient = Callable[..., AbstractContextManager[Any]]
API = "/api/v1"


@pytest.fixture(scope="module")
def pg_url() -> str:
    if not PG_URL:
        pytest.fail("CI is set but KB_TEST_PG_URL is not: run scripts/ci_postgres.sh first")
    engine = create_engine(PG_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.fail(f"no PostgreSQL server answers at KB_TEST_PG_URL: {exc}")
    finally:
        engine.dispose()
    return PG_URL


def _schemas(url: str, pattern: str) -> list[tuple[str, int]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT nspname, oid::int FROM pg_namespace WHERE nspname LIKE :p ORDER BY 1"), {"p": pattern}
            )
            return [(r[0], r[1]) for r in rows]
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def pg_db(pg_url: str, source_root: Path) -> Settings:
    """The default corpus built into the live schema by ``kb.pipeline.build``."""
    from kb.pipeline import build

    settings = Settings(database_url=pg_url, source_root=source_root)
    report = build(settings)
    assert report.documents == 26 and report.size_bytes
    assert "***" in report.database or "@" not in report.database  # no password in the report
    return settings


@pytest.fixture(scope="module")
def pg_client(pg_db: Settings, make_api_client: MakeClient) -> Iterator[Client]:
    with make_api_client(pg_db) as client:
        yield client


# ---------------------------------------------------------------- the same answers


def _comparable(body: Any) -> Any:
    """A response body without what differs between two builds (the build time)."""
    if isinstance(body, dict):
        return {k: _comparable(v) for k, v in body.items() if k not in ("build", "built_at")}
    if isinstance(body, list):
        return [_comparable(v) for v in body]
    return body


SAME = [
    "/health",
    "/documents",
    "/documents?kind=commentary",
    "/documents?status=amended",
    "/documents/pipl-2021",
    "/documents/cac-frt-2023-draft",
    "/documents/csl-2016",
    "/documents/wsj-draft-rules-2023/passages",
    "/provisions/pipl-2021/art_13",
    "/provisions/pipl-2021/art_13__para_1__item_4",
    "/provisions/csl-2025/art_4",
    "/provisions/civil-code-2020/art_1034",
    "/passages/wsj-draft-rules-2023/p_3",
    "/topics",
    "/topics/consent",
    "/topics/consent/viewpoints",
    "/topics/minors?limit=3",
    "/resolve?text=" + quote("根据个人信息保护法第十三条第一款第（四）项"),
    "/resolve?date=2020-05&text=" + quote("Article 41 of the Cybersecurity Law"),
    "/cite/pipl-2021/art_13__para_1__item_4",
    "/compare?from=csl-2016&to=csl-2025",
    "/provisions/csl-2016/art_41/history",
    "/provisions/minors-protection-2024/art_9/history",
    "/provisions/csl-2025/art_43__para_1?as_of=2019-06-01",
    "/resolve?as_of=2026-03&text=" + quote("Article 41 of the Cybersecurity Law"),
    "/cite/csl-2016/art_41",
    "/graph?node=pipl-2021/art_28",
    "/graph?node=pipl-2021&depth=2",
    "/graph?node=csl-2016&kinds=aligned,version_of",
    # errors: the same status and problem
    "/documents/nope",
    "/provisions/pipl-2021/art_999",
    "/provisions/csl-2016/art_41?as_of=2010-01-01",
    "/topics/nope",
    "/compare?from=nope&to=csl-2025",
    "/graph?node=nope",
    "/search?q=",
    "/search?q=*",
    "/search?q=x&topic=nope",
    "/search?q=x&lang=fr",
    "/search?q=x&cursor=garbage",
]


@pytest.mark.parametrize("url", SAME)
def test_postgres_answers_as_sqlite_does(api_client: Client, pg_client: Client, url: str) -> None:
    lite, pg = api_client.get(API + url), pg_client.get(API + url)
    assert pg.status_code == lite.status_code, pg.text
    assert _comparable(pg.json()) == _comparable(lite.json())


# ---------------------------------------------------------------- the same search results

SEARCHES: list[dict[str, str]] = [
    {"q": "facial recognition"},
    {"q": "consent"},
    {"q": "separate consent"},
    {"q": "personal information processor"},  # no article has all three: falls back to any
    {"q": "public places"},
    {"q": "individual's consent"},
    {"q": "data-protection"},
    {"q": "face—recognition"},  # an em dash splits words, as unicode61 does
    {"q": "privacy “rights”"},
    {"q": "the law"},  # stop words are words here, as in FTS5
    {"q": "人脸识别"},
    {"q": "单独同意"},
    {"q": "个人信息处理者"},
    {"q": "不满十四周岁"},
    {"q": "人脸 consent"},
    {"q": "第十三条"},
    {"q": "GB/T 35273"},
    {"q": 'consent "NEAR( & | ! :* <->'},  # FTS5 and tsquery syntax, escaped: plain words
    {"q": "consent", "lang": "en"},
    {"q": "同意", "lang": "zh"},
    {"q": "个人信息", "lang": "zh", "type": "provision"},
    {"q": "facial recognition", "type": "passage"},
    {"q": "个人信息", "doc": "pipl-2021"},
    {"q": "consent", "topic": "consent"},
    {"q": "face", "status": "in_force"},
    {"q": "minors guardians", "mode": "any"},
]


def _all_results(client: Client, params: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The first page and the ids of every page."""
    response = client.get(f"{API}/search?{urlencode({**params, 'limit': 40})}")
    assert response.status_code == 200, response.text
    first = page = response.json()
    found = [r["id"] for r in page["results"]]
    while page["next_url"]:
        page = client.get(page["next_url"]).json()
        found += [r["id"] for r in page["results"]]
    return first, found


@pytest.mark.parametrize("params", SEARCHES, ids=[urlencode(p) for p in SEARCHES])
def test_search_finds_the_same_results(api_client: Client, pg_client: Client, params: dict[str, str]) -> None:
    lite, lite_ids = _all_results(api_client, params)
    pg, pg_ids = _all_results(pg_client, params)
    assert lite_ids, "a test query should find something"
    assert (pg["match"], pg["count"], pg["terms"]) == (lite["match"], lite["count"], lite["terms"])
    assert len(pg_ids) == len(set(pg_ids)) == pg["count"], "pages overlap or miss results"
    assert set(pg_ids) == set(lite_ids)
    scores = [r["score"] for r in pg["results"]]
    assert scores == sorted(scores, reverse=True)
    # Snippets are made from the same text and terms, whichever database found the row.
    lite_snippets = {r["id"]: r["snippet"] for r in lite["results"]}
    assert all(r["snippet"] == lite_snippets[r["id"]] for r in pg["results"] if r["id"] in lite_snippets)


def test_search_with_no_result_is_empty_on_both(api_client: Client, pg_client: Client) -> None:
    url = f"{API}/search?q=zzzqqq"
    assert pg_client.get(url).json()["results"] == api_client.get(url).json()["results"] == []


def test_postgres_ranks_lay_questions_nearly_as_well_as_sqlite(pg_db: Settings, built_db: Settings) -> None:
    """PostgreSQL's BM25 (kb.search.scoring.pg_bm25) ranks the retrieval set as SQLite's does."""
    from test_retrieval_quality import beats_clearly, measure

    pg, sqlite = measure(pg_db), measure(built_db)
    print("\nretrieval, PostgreSQL:", pg, "\nSQLite:", sqlite)
    assert not beats_clearly(pg["kb/all"], pg["bm25/all"]), pg
    for metric in ("recall_10", "recall_100", "mrr"):
        assert getattr(pg["kb/all"], metric) == pytest.approx(getattr(sqlite["kb/all"], metric), abs=0.03), metric


BM25_QUERIES = [
    "人脸识别",
    "个人信息 单独同意",
    "facial recognition",
    "consent of the individual",
    "小区能强制刷脸吗",
    "未成年人",
]


@pytest.mark.parametrize("q", BM25_QUERIES)
def test_postgres_scores_are_sqlites_bm25(pg_db: Settings, built_db: Settings, q: str) -> None:
    """BM25 over PostgreSQL's word counts and lengths (pg_bm25) is FTS5's bm25, within how the two count words."""
    from kb.search import search

    with query.open_reader(pg_db) as pg, query.open_reader(built_db) as sqlite:
        theirs = {h["id"]: h["score"] for h in search(pg, q, limit=20)["results"]}
        ours = {h["id"]: h["score"] for h in search(sqlite, q, limit=20)["results"]}
    top = list(ours)[:5]
    assert list(theirs)[:5] == top
    for key in top:
        assert theirs[key] == pytest.approx(ours[key], rel=0.05), key


@pytest.mark.parametrize("q", BM25_QUERIES)
def test_postgres_reads_the_stored_index_and_finds_exactly_what_sqlite_does(
    pg_db: Settings, built_db: Settings, q: str
) -> None:
    """The search index is stored in the build schema (kb.store.search_index): both backends score alike."""
    from kb.search import search
    from kb.search.index import index_of

    with query.open_reader(pg_db) as pg, query.open_reader(built_db) as sqlite:
        index = index_of(pg)
        assert index is not None and index.source == "stored"
        theirs, ours = search(pg, q, limit=50), search(sqlite, q, limit=50)
    assert theirs["count"] == ours["count"]
    assert [(h["id"], h["score"]) for h in theirs["results"]] == [(h["id"], h["score"]) for h in ours["results"]]


@pytest.mark.parametrize("q", BM25_QUERIES)
def test_postgres_full_text_path_still_ranks_as_sqlite(pg_db: Settings, built_db: Settings, q: str) -> None:
    """Without the in-memory index (use_database_index) PostgreSQL's own BM25 (pg_bm25) still agrees."""
    from kb.search import search
    from kb.search.index import use_database_index

    with query.open_reader(pg_db) as pg, query.open_reader(built_db) as sqlite:
        use_database_index(pg)
        use_database_index(sqlite)
        theirs = {h["id"]: h["score"] for h in search(pg, q, limit=20)["results"]}
        ours = {h["id"]: h["score"] for h in search(sqlite, q, limit=20)["results"]}
    assert list(theirs)[:5] == list(ours)[:5]


@pytest.mark.parametrize(
    ("q", "status"),
    [
        ("consent & (face | facial)", 200),
        ("consen:*", 200),
        ("consent &", 422),
        ("(consent", 422),
        ("NEAR(", 422),
    ],
)
def test_raw_mode_takes_tsquery_syntax(pg_client: Client, q: str, status: int) -> None:
    response = pg_client.get(f"{API}/search?{urlencode({'q': q, 'mode': 'raw'})}")
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["count"] > 0
    else:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "tsquery" in response.text


# ---------------------------------------------------------------- the Corpus writer, and the swap


def test_build_postgres_writes_what_sqlite_holds(pg_url: str, tiny_db: Settings) -> None:
    """``build_postgres`` (``write_corpus`` into a fresh schema) gives the same reads."""
    from conftest import TINY_BUILD_INFO, tiny_corpus

    from kb.read import query
    from kb.search import search
    from kb.store.pg import build_postgres, live_stamp, read_engine
    from kb.store.reader import Reader, open_reader

    speakers = {"tiny-comment-2023/p_2": {"name": "Ada Novak", "role": "a fellow", "kind": "quoted"}}
    build_postgres(pg_url, tiny_corpus(), TINY_BUILD_INFO, schema="kb_tiny", passage_speakers=speakers)
    engine = read_engine(pg_url, schema="kb_tiny")
    pg = Reader(engine, stamp=live_stamp(engine))
    try:
        with open_reader(tiny_db) as lite:
            assert query.list_documents(pg) == query.list_documents(lite)
            for pid in ("tiny-law-2021/art_2", "tiny-law-2024/art_2__para_1"):
                assert query.get_provision(pg, pid) == query.get_provision(lite, pid)
            for q in ("consent", "单独同意", "facial recognition", "人脸 consent", "loophole exceptions"):
                assert {r["id"] for r in search(pg, q)["results"]} == {r["id"] for r in search(lite, q)["results"]}, q
        # A rebuild swaps a new schema in under the same name: the old reader notices.
        assert not pg.is_stale()
        build_postgres(pg_url, tiny_corpus(), {**TINY_BUILD_INFO, "built_at": "later"}, schema="kb_tiny")
        assert pg.is_stale()
        assert search(pg, "consent")["count"] > 0  # the same connections read the new schema
    finally:
        engine.dispose()
    assert not _schemas(pg_url, "kb\\_tiny\\_%"), "build and retired schemas are dropped"


def test_a_failed_build_leaves_the_live_schema_serving(pg_url: str, pg_client: Client) -> None:
    from kb.store.pg import postgres_build
    from kb.store.schema import Base
    from kb.store.write import create_write_engine

    before = pg_client.get(f"{API}/health").json()
    live = _schemas(pg_url, "kb")

    with pytest.raises(RuntimeError, match="boom"), postgres_build(pg_url) as url:
        engine = create_write_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        raise RuntimeError("boom")
    # A writer that never finished (no build_info): the build is refused, not swapped in.
    with pytest.raises(BuildError, match="build_info"), postgres_build(pg_url) as url:
        engine = create_write_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()

    assert _schemas(pg_url, "kb") == live
    assert not _schemas(pg_url, "kb\\_build\\_%")
    after = pg_client.get(f"{API}/health")
    assert after.status_code == 200 and after.json() == before
    assert pg_client.get(f"{API}/search?q=consent").json()["count"] > 0


def test_a_second_concurrent_build_is_refused(pg_url: str) -> None:
    from kb.store.pg import postgres_build

    with pytest.raises(BuildError, match="not a complete build"), postgres_build(pg_url, schema="kb_lock"):  # noqa: SIM117
        # The outer build holds the lock; it writes nothing, so it is refused at the end.
        with pytest.raises(BuildLocked), postgres_build(pg_url, schema="kb_lock"):
            pass
    assert not _schemas(pg_url, "kb\\_lock%")


@pytest.fixture(autouse=True, scope="module")
def _drop_scratch_schemas(pg_url: str) -> Iterator[None]:
    yield
    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for name in ("kb_tiny", "kb_lock"):
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    finally:
        engine.dispose()


# Made-up training questions about the default corpus's PIPL: the learned ranking (tables,
# votes, weights) must pick the same results on both databases.
LEARNED_PAIRS = [
    (["刷脸", "小区"], ["个人信息保护法#art_26"]),
    (["同意", "刷脸"], ["个人信息保护法#art_29"]),
    (["孩子", "信息", "家长"], ["个人信息保护法#art_31"]),
]
LEARNED_WEIGHTS = {"base": 1.8, "rank": 2.0, "coord": 2.0, "vote_article": 1.6, "law_prior": 0.2, "bias": -7.0}


@pytest.mark.parametrize("q", ["小区能强制刷脸吗", "孩子的信息要家长同意吗", "人脸识别需要单独同意吗？"])
def test_learned_ranking_is_the_same_on_both(
    pg_db: Settings, built_db: Settings, monkeypatch: pytest.MonkeyPatch, q: str
) -> None:
    from kb.learn.associations import fit
    from kb.learn.ranker import LearnedRanker
    from kb.search import learned, search

    ranker = LearnedRanker(fit(LEARNED_PAIRS, {}, min_count=1), LEARNED_WEIGHTS, votes=10, expansion_limit=4)
    monkeypatch.setattr(learned, "learned_ranker", lambda: ranker)
    pages = []
    for settings in (built_db, pg_db):
        with query.open_reader(settings) as reader:
            assert learned.coverage(reader, ranker) == 1.0
            pages.append(search(reader, q, type="provision", limit=30))
    lite, pg = pages
    assert lite["match"] == pg["match"] == "any"
    assert lite["expanded_terms"] == pg["expanded_terms"]
    assert [r["id"] for r in lite["results"]][:10] == [r["id"] for r in pg["results"]][:10]
    for a, b in zip(lite["results"], pg["results"], strict=True):
        assert a["score"] == pytest.approx(b["score"], rel=0.05, abs=0.05)
