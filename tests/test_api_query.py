"""kb.read.query read-side functions, on the tiny hand-made database (exact answers)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from kb.errors import InvalidQuery, NotFound
from kb.read import query
from kb.settings import Settings

# ---------------------------------------------------------------- documents and passages


def test_documents_are_listed_in_order_with_filters(reader: query.Reader) -> None:
    assert [d["id"] for d in query.list_documents(reader)] == [
        "tiny-law-2021",
        "tiny-law-2024",
        "tiny-draft-2023",
        "tiny-comment-2023",
    ]
    assert [d["id"] for d in query.list_documents(reader, kind="draft")] == ["tiny-draft-2023"]
    assert [d["id"] for d in query.list_documents(reader, status="in_force")] == ["tiny-law-2024"]
    assert query.list_documents(reader, kind="standard") == []


def test_a_document_has_counts_toc_and_versions(reader: query.Reader) -> None:
    doc = query.get_document(reader, "tiny-law-2021")
    assert doc["counts"] == {"chapters": 1, "articles": 3, "paragraphs": 2, "items": 2}
    assert [e["eid"] for e in doc["toc"]] == ["chp_1", "art_1", "art_2", "art_3"]
    assert [v["id"] for v in doc["versions"]] == ["tiny-law-2024"]
    absent = query.get_document(reader, "tiny-draft-2023")
    assert absent["text_available"] is False and absent["toc"] == []


def test_document_passages_in_order_with_speaker_topics_and_stance(reader: query.Reader) -> None:
    data = query.document_passages(reader, "tiny-comment-2023")
    assert [p["n"] for p in data["results"]] == [1, 2, 3] and data["count"] == 3
    p2 = data["results"][1]
    assert p2["speaker"]["name"] == "Ada Novak" and p2["topics"] == ["consent"] and p2["stance"] == "sceptical"


@pytest.mark.parametrize("doc_id", ["tiny-law-2021", "no-such-doc"])
def test_passages_of_a_statute_or_unknown_document_are_not_found(reader: query.Reader, doc_id: str) -> None:
    with pytest.raises(NotFound):
        query.document_passages(reader, doc_id)


# ---------------------------------------------------------------- provisions


def test_a_provision_carries_text_translation_path_topics_links_and_citation(reader: query.Reader) -> None:
    p = query.get_provision(reader, "tiny-law-2021/art_2")
    assert p["text_en"].startswith("The processing of facial information") and p["translation_status"] == "unofficial"
    assert [x["eid"] for x in p["path"]] == ["chp_1"]
    assert [c["eid"] for c in p["children"]] == ["art_2__para_1", "art_2__para_2"]
    assert [(t["id"], [e["text"] for e in t["evidence"]]) for t in p["topics"]] == [("consent", ["单独同意"])]
    assert [(c["dst"], c["type"], c["label"]) for c in p["cites"]] == [("tiny-law-2021/art_1", "provision", "第一条")]
    assert p["cited_by"] == []
    assert [(v["provision_id"], v["direction"], v["status"]) for v in p["versions"]] == [
        ("tiny-law-2024/art_2", "later", "modified")
    ]
    assert p["versions"][0]["diff"][1] == {"op": "insert", "text": "或者书面同意"}
    assert [(c["passage_id"], c["kind"], c["score"]) for c in p["commentary"]] == [
        ("tiny-comment-2023/p_2", "discusses", 0.82)
    ]
    assert p["commentary"][0]["speaker"]["name"] == "Ada Novak"
    assert p["citation"] == {
        "zh": "《中华人民共和国人脸测试法》第二条",
        "en": "FTL art. 2",
        "url": "/provisions/tiny-law-2021/art_2",
        "api_url": "/api/v1/provisions/tiny-law-2021/art_2",
    }


def test_versions_are_seen_from_both_sides(reader: query.Reader) -> None:
    later = query.get_provision(reader, "tiny-law-2024/art_2")["versions"]
    assert [(v["provision_id"], v["direction"]) for v in later] == [("tiny-law-2021/art_2", "earlier")]
    removed = query.get_provision(reader, "tiny-law-2021/art_3")["versions"]
    assert [(v["provision_id"], v["doc_id"], v["status"]) for v in removed] == [(None, "tiny-law-2024", "removed")]


TRANSLATED_PARTS = [
    ("tiny-law-2021/art_2__para_1", "The processing of facial information requires the individual's separate consent."),
    ("tiny-law-2021/art_2__para_2__item_2", "(2) where necessary to respond to a public health emergency."),
    ("tiny-law-2024/art_2__para_1", None),  # no translation of the 2024 text
]


@pytest.mark.parametrize(("pid", "english"), TRANSLATED_PARTS)
def test_paragraphs_and_items_take_their_lines_of_the_article_translation(
    reader: query.Reader, pid: str, english: str | None
) -> None:
    p = query.get_provision(reader, pid)
    assert p["text_en"] == english
    assert p["translation_status"] == ("unofficial (from the article's translation)" if english else "none")


def test_an_item_gets_a_pinpoint_citation(reader: query.Reader) -> None:
    p = query.get_provision(reader, "tiny-law-2021/art_2__para_2__item_1", base_url="https://kb.example")
    assert p["citation"]["zh"] == "《中华人民共和国人脸测试法》第二条第二款第（一）项"
    assert p["citation"]["en"] == "FTL art. 2(2)(i)"
    assert p["citation"]["url"] == "https://kb.example/provisions/tiny-law-2021/art_2__para_2__item_1"
    assert [x["eid"] for x in p["path"]] == ["chp_1", "art_2", "art_2__para_2"]


def test_a_passage_has_links_best_first_and_document_references(reader: query.Reader) -> None:
    p = query.get_passage(reader, "tiny-comment-2023/p_2")
    assert [(lk["provision_id"], lk["score"]) for lk in p["links"]] == [
        ("tiny-law-2021/art_2", 0.82),
        ("tiny-law-2024/art_2__para_1", 0.41),
    ]
    assert p["links"][0]["label"] == "第二条"
    assert [(s["stance"], s["topic"]) for s in p["stances"]] == [("sceptical", "consent")]
    other = query.get_passage(reader, "tiny-comment-2023/p_3")
    assert [(d["doc_id"], d["kind"]) for d in other["documents"]] == [("tiny-law-2021", "mentions")]


@pytest.mark.parametrize(
    ("func", "arg"),
    [
        (query.get_provision, "tiny-law-2021/art_99"),
        (query.get_provision, "no-doc/art_1"),
        (query.get_passage, "tiny-comment-2023/p_99"),
        (query.get_document, "nope"),
        (query.get_topic, "nope"),
        (query.topic_viewpoints, "nope"),
    ],
)
def test_unknown_ids_are_not_found(reader: query.Reader, func: object, arg: str) -> None:
    with pytest.raises(NotFound):
        func(reader, arg)  # type: ignore[operator]


# ---------------------------------------------------------------- topics


def test_topics_with_counts(reader: query.Reader) -> None:
    assert [(t["id"], t["counts"]) for t in query.list_topics(reader)] == [
        ("consent", {"provisions": 2, "passages": 1}),
        ("minors", {"provisions": 0, "passages": 0}),
    ]


def test_a_topic_lists_articles_and_passages_with_evidence(reader: query.Reader) -> None:
    topic = query.get_topic(reader, "consent")
    assert [p["id"] for p in topic["provisions"]] == ["tiny-law-2021/art_2", "tiny-law-2024/art_2"]
    assert topic["provisions"][0]["evidence"] == ["单独同意"]
    assert [p["id"] for p in topic["passages"]] == ["tiny-comment-2023/p_2"]
    assert [p["id"] for p in query.get_topic(reader, "consent", limit=1)["provisions"]] == ["tiny-law-2021/art_2"]
    with pytest.raises(InvalidQuery):
        query.get_topic(reader, "consent", limit=0)


def test_viewpoints_group_commentary_by_document_and_speaker(reader: query.Reader) -> None:
    view = query.topic_viewpoints(reader, "consent")
    assert view["count"] == 1
    (doc,) = view["documents"]
    assert doc["document"]["id"] == "tiny-comment-2023" and doc["outlet"] == "The Tiny Review"
    (speaker,) = doc["speakers"]
    assert speaker["speaker"]["name"] == "Ada Novak"
    assert speaker["stance"] == "sceptical" and speaker["stances"] == {"sceptical": 1}
    assert [p["id"] for p in speaker["passages"]] == ["tiny-comment-2023/p_2"]
    assert [(p["id"], p["score"]) for p in speaker["provisions"]] == [
        ("tiny-law-2021/art_2", 0.82),
        ("tiny-law-2024/art_2__para_1", 0.41),
    ]


# ---------------------------------------------------------------- versions, graph, citations


def test_compare_lists_articles_in_the_order_of_the_new_text(reader: query.Reader) -> None:
    cmp = query.compare_versions(reader, "tiny-law-2021", "tiny-law-2024")
    assert [(r["old_id"], r["new_id"], r["status"]) for r in cmp["results"]] == [
        ("tiny-law-2021/art_1", "tiny-law-2024/art_1", "unchanged"),
        ("tiny-law-2021/art_2", "tiny-law-2024/art_2", "modified"),
        ("tiny-law-2021/art_3", None, "removed"),
    ]
    assert cmp["summary"] == {"unchanged": 1, "modified": 1, "removed": 1} and cmp["count"] == 3


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("tiny-law-2024", "tiny-law-2021", InvalidQuery),  # the wrong way round: says so
        ("tiny-law-2021", "tiny-law-2021", InvalidQuery),
        ("tiny-law-2021", "tiny-draft-2023", InvalidQuery),  # not one work
        ("tiny-law-2021", "nope", NotFound),
    ],
)
def test_compare_rejects(reader: query.Reader, old: str, new: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        query.compare_versions(reader, old, new)


def test_graph_neighbourhood_by_depth_and_kind(reader: query.Reader) -> None:
    one = query.graph(reader, "tiny-law-2021/art_2")
    assert {n["id"] for n in one["nodes"]} == {
        "tiny-law-2021/art_2",
        "tiny-law-2021/art_1",
        "tiny-law-2024/art_2",
        "tiny-comment-2023/p_2",
    }
    assert {(e["source"], e["target"], e["kind"]) for e in one["edges"]} == {
        ("tiny-law-2021/art_2", "tiny-law-2021/art_1", "cites"),
        ("tiny-law-2024/art_2", "tiny-law-2021/art_2", "aligned"),
        ("tiny-comment-2023/p_2", "tiny-law-2021/art_2", "discusses"),
    }
    two = query.graph(reader, "tiny-law-2021/art_2", depth=2)
    assert "tiny-law-2024/art_2__para_1" in {n["id"] for n in two["nodes"]}
    assert {n["hop"] for n in two["nodes"]} == {0, 1, 2}
    cites_only = query.graph(reader, "tiny-law-2021/art_2", kinds=["cites"])
    assert [e["kind"] for e in cites_only["edges"]] == ["cites"]
    assert not one["truncated"]


def test_graph_is_capped_and_says_so(reader: query.Reader) -> None:
    capped = query.graph(reader, "tiny-law-2021/art_2", depth=3, max_nodes=2)
    assert len(capped["nodes"]) == 2 and capped["truncated"]
    assert all(e["source"] in {n["id"] for n in capped["nodes"]} for e in capped["edges"])


@pytest.mark.parametrize(
    ("node", "options", "error"),
    [
        ("nope", {}, NotFound),
        ("tiny-law-2021/art_2", {"depth": 4}, InvalidQuery),
        ("tiny-law-2021/art_2", {"depth": 0}, InvalidQuery),
        ("tiny-law-2021/art_2", {"kinds": ["friendship"]}, InvalidQuery),
    ],
)
def test_graph_rejects(reader: query.Reader, node: str, options: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        query.graph(reader, node, **options)  # type: ignore[arg-type]


def test_resolve_citations_in_free_text(reader: query.Reader) -> None:
    found = query.resolve_citations(reader, "见人脸测试法第二条第二款第（一）项和 FTL art. 9")
    assert [(c["text"], c["status"], c["ids"]) for c in found] == [
        ("人脸测试法第二条第二款第（一）项", "resolved", ["tiny-law-2024/art_2__para_2__item_1"]),
        ("FTL art. 9", "not_found", []),
    ]
    assert found[0]["span"] == [1, 17]
    assert found[0]["targets"][0]["citation_en"] == "FTL art. 2(2)(i)"
    dated = query.resolve_citations(reader, "人脸测试法第三条", date="2022")
    assert dated[0]["ids"] == ["tiny-law-2021/art_3"]


@pytest.mark.parametrize(
    ("text", "date", "parameter"), [("x", "2021-13", "date"), ("x", "yesterday", "date"), ("  ", None, "text")]
)
def test_resolve_rejects(reader: query.Reader, text: str, date: str | None, parameter: str) -> None:
    with pytest.raises(InvalidQuery) as exc:
        query.resolve_citations(reader, text, date)
    assert exc.value.parameter == parameter


def test_cite_documents_and_provisions(reader: query.Reader) -> None:
    assert query.cite(reader, "tiny-law-2021", "art_2__para_1")["en"] == "FTL art. 2(1)"
    draft = query.cite(reader, "tiny-draft-2023")
    assert draft["zh"] == "《人脸识别测试规定（征求意见稿）》" and draft["csl"]["type"] == "bill"
    with pytest.raises(NotFound, match="holds no text"):
        query.cite(reader, "tiny-draft-2023", "art_1")
    with pytest.raises(NotFound):
        query.cite(reader, "tiny-law-2021", "art_99")


# ---------------------------------------------------------------- readers


def test_a_reader_cannot_write(reader: query.Reader) -> None:
    with reader.engine.connect() as conn, pytest.raises(OperationalError, match="readonly"):
        conn.execute(text("DELETE FROM documents"))


def test_a_runaway_statement_is_interrupted(tiny_db: Settings) -> None:
    slow = Settings(database_url=tiny_db.database_url, query_timeout_seconds=0.05)
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    with query.open_reader(slow) as r, r.engine.connect() as conn:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="interrupted"):
            conn.execute(text(endless))
        assert time.monotonic() - started < 2


def test_the_reader_source_follows_a_swapped_in_database(tiny_db: Settings, tmp_path: Path) -> None:
    assert tiny_db.sqlite_path is not None
    db = tmp_path / "kb.sqlite"
    shutil.copy(tiny_db.sqlite_path, db)
    source = query.ReaderSource(Settings(database_url=f"sqlite:///{db}"), check_every=0)
    try:
        first = source.get()
        assert source.get() is first
        fresh = tmp_path / "kb.sqlite.new"
        shutil.copy(tiny_db.sqlite_path, fresh)
        fresh.replace(db)  # what `kb ingest` does
        assert first.is_stale()
        second = source.get()
        assert second is not first and not second.is_stale()
        assert query.health(second)["status"] == "ok"
    finally:
        source.close()


def test_a_missing_database_is_not_found(tmp_path: Path) -> None:
    with (
        pytest.raises(NotFound, match="kb ingest"),
        query.open_reader(Settings(database_url=f"sqlite:///{tmp_path / 'missing.sqlite'}")),
    ):
        pass
