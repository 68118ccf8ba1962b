"""kb.store.rows: both writers build their rows in one place and write the same database."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import TINY_BUILD_INFO, tiny_corpus
from sqlalchemy import create_engine

from kb.annotate.nlp import tokens_for_index
from kb.model import Corpus, Passage, Provision, Translation
from kb.store import rows as rows_module
from kb.store.rows import SEARCH_LEVELS, search_unit_rows
from kb.store.stream import CorpusWriter
from kb.store.verify import content_digest
from kb.store.write import create_write_engine, write_corpus

SPEAKERS = {"tiny-comment-2023/p_2": {"name": "Ada Novak", "role": "a fellow", "kind": "quoted"}}
EXTRACTED = {"tiny-comment-2023": {"title": "Faces, Tests and Consent", "author": "Ada Novak"}}
SOURCE_META = [
    {"path": path, "doc_id": doc_id, "ordinal": i, "sha256": str(i) * 64, "size": 10 + i, "encoding": "utf-8"}
    for i, (path, doc_id) in enumerate([("tiny/law.txt", "tiny-law-2021"), ("tiny/comment.txt", "tiny-comment-2023")])
]
# Autoincrement ids: the streaming writer inserts annotations statute by statute.
SURROGATE_IDS = {"annotations", "links"}


def _corpus() -> Corpus:
    return dataclasses.replace(tiny_corpus(), header_notes={"tiny-law-2021": ("（2021年8月20日通过）",)})


def _write_whole(db: Path, corpus: Corpus) -> None:
    engine = create_write_engine(f"sqlite:///{db}")
    try:
        write_corpus(
            engine, corpus, TINY_BUILD_INFO, extracted=EXTRACTED, passage_speakers=SPEAKERS, source_meta=SOURCE_META
        )
    finally:
        engine.dispose()


def _write_streamed(db: Path, corpus: Corpus) -> None:
    """As kb.pipeline streams a build: statute by statute, then commentary, then links."""
    passage_ids = {p.id for p in corpus.passages}
    engine = create_write_engine(f"sqlite:///{db}")
    writer = CorpusWriter(engine, corpus.translations)
    try:
        writer.start(
            corpus.documents,
            corpus.topics,
            header_notes=corpus.header_notes,
            extracted=EXTRACTED,
            source_meta=SOURCE_META,
        )
        for doc in corpus.documents:
            provisions = [p for p in corpus.provisions if p.doc_id == doc.id]
            annotations = [
                a for a in corpus.annotations if a.target_id not in passage_ids and a.target_id.startswith(f"{doc.id}/")
            ]
            tokens = {p.id: tokens_for_index(f"{p.label} {p.text}") for p in provisions if p.level in SEARCH_LEVELS}
            writer.add_statute(provisions, annotations, (), tokens)
        writer.add_commentary(corpus.passages, [a for a in corpus.annotations if a.target_id in passage_ids], SPEAKERS)
        writer.add_links(corpus.links)
        writer.finish(TINY_BUILD_INFO)
    finally:
        writer.close()
        engine.dispose()


def _tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table (the full-text index's own included), rows sorted, surrogate ids left out."""
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out = {}
        for name in names:
            cursor = conn.execute(f'SELECT * FROM "{name}"')
            columns = [d[0] for d in cursor.description]
            keep = [i for i, c in enumerate(columns) if not (name in SURROGATE_IDS and c == "id")]
            out[name] = sorted((tuple(row[i] for i in keep) for row in cursor), key=repr)
    return out


@pytest.fixture(scope="module")
def two_databases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("writers")
    corpus = _corpus()
    _write_whole(tmp / "whole.sqlite", corpus)
    _write_streamed(tmp / "streamed.sqlite", corpus)
    return tmp / "whole.sqlite", tmp / "streamed.sqlite"


def test_both_writers_give_the_same_content_digest(two_databases: tuple[Path, Path]) -> None:
    digests = []
    for db in two_databases:
        engine = create_engine(f"sqlite:///{db}")
        digests.append(content_digest(engine))
        engine.dispose()
    assert digests[0] == digests[1]


@pytest.mark.parametrize(
    "table",
    [
        "documents", "source_files", "provisions", "passages", "topics", "annotations", "links",
        "search_units", "build_info",
    ],
)  # fmt: skip
def test_both_writers_give_the_same_rows(two_databases: tuple[Path, Path], table: str) -> None:
    whole, streamed = (_tables(db) for db in two_databases)
    assert whole[table], f"{table} is empty: the comparison would prove nothing"
    assert whole[table] == streamed[table]


def test_both_writers_give_the_same_tables_and_index(two_databases: tuple[Path, Path]) -> None:
    whole, streamed = (_tables(db) for db in two_databases)
    assert sorted(whole) == sorted(streamed)
    assert whole == streamed


def test_search_units_are_articles_preambles_then_passages_numbered_on() -> None:
    provisions = [
        Provision("d", "chp_1", "chapter", 0, "", label="第一章"),
        Provision("d", "preamble", "preamble", 1, "序言的文字", label="序言"),
        Provision("d", "art_1", "article", 2, "第一条的文字", label="第一条"),
        Provision("d", "art_1__para_1", "paragraph", 3, "第一条的文字", label="第一款"),
    ]
    passages = [Passage("c", 1, "Consent matters.")]
    units = list(
        search_unit_rows(
            provisions,
            passages,
            first_rowid=7,
            doc_status={"d": "in_force"},
            translations={"d/art_1": Translation("d", "art_1", "Article one.")},
            topics={"d/art_1": {"minors", "consent"}, "c/p_1": {"consent"}},
            zh_tokens=lambda p: f"tokens of {p.eid}",
        )
    )
    assert [(u["rowid"], u["id"], u["type"], u["lang"]) for u in units] == [
        (7, "d/preamble", "provision", "zh"),
        (8, "d/art_1", "provision", "zh"),
        (9, "c/p_1", "passage", "en"),
    ]
    assert units[1]["en_text"] == "Article one." and units[1]["topics"] == "consent minors"
    assert units[1]["zh_tokens"] == "tokens of art_1" and units[1]["doc_status"] == "in_force"
    assert units[0]["en_text"] == "" and units[2]["doc_status"] == "" and units[2]["en_text"] == "Consent matters."


def test_public_surface() -> None:
    assert set(rows_module.__all__) == {
        "SEARCH_LEVELS", "annotation_row", "build_info_rows", "document_rows", "link_row", "meta_to_json",
        "passage_row", "provision_row", "search_unit_rows", "stance_by_passage", "topic_rows", "topics_by_target",
    }  # fmt: skip


def test_a_found_title_is_english_only_where_the_document_has_no_chinese_one() -> None:
    from kb.model import DocumentMeta
    from kb.store.rows import document_rows

    zh = DocumentMeta(id="zh-page", kind="commentary", title_zh="答记者问")
    en = DocumentMeta(id="en-page", kind="commentary")
    found = {"zh-page": {"title": "答记者问"}, "en-page": {"title": "Faces at the gate"}}
    rows = {r["id"]: r for r in document_rows([zh, en], {}, found)}
    assert (rows["zh-page"]["title_zh"], rows["zh-page"]["title_en"]) == ("答记者问", None)
    assert rows["en-page"]["title_en"] == "Faces at the gate"
