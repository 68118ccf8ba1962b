"""kb.search.index: the in-memory index finds the rows FTS5 finds, with FTS5's BM25, and search() agrees.

On the default corpus (``built_db``): each case runs once over the in-memory index and once
over the database's FTS5 index (``use_database_index``).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kb.read import query
from kb.search import search
from kb.search.index import build_index, index_keys, index_of, use_database_index
from kb.search.plan import SearchParams, Unit
from kb.search.scoring import run_units
from kb.settings import Settings
from kb.store.search_index import IndexArrays, search_unit_pages


@pytest.fixture(scope="module")
def readers(built_db: Settings) -> Iterator[tuple[Any, Any]]:
    with query.open_reader(built_db) as memory, query.open_reader(built_db) as fts:
        use_database_index(fts)
        yield memory, fts


KEYS = [
    ("Facial-recognition systems", ["facial", "recognit", "system"]),
    ("人脸识别 个人信息", ["人脸识别", "个人信息"]),
    ("Café e-mail", ["cafe", "e", "mail"]),  # diacritics removed, split where unicode61 splits
    ("APP 2021年", ["app", "2021年"]),
    ("", []),
]


@pytest.mark.parametrize(("text", "keys"), KEYS)
def test_index_keys(text: str, keys: list[str]) -> None:
    assert index_keys(text) == keys


def _sorted(rows: Any) -> np.ndarray[Any, Any]:
    data = np.asarray(rows, dtype=np.float64).reshape(-1, 3)
    return data[np.lexsort((data[:, 1], data[:, 0]))]


UNITS = [
    ((Unit(("人脸识别",)),), None),
    ((Unit(("recognition",)),), None),
    ((Unit(("个人信息", "同意")),), None),
    ((Unit(("consent",)),), "en"),
    ((Unit(("信息",)),), "zh"),
    ((Unit(("个人信息",)), Unit(("单独同意",))), None),
    ((Unit(("facial", "recognition")), Unit(("biometric",), 0.3, main=False)), None),
]


@pytest.mark.parametrize(("units", "lang"), UNITS)
def test_unit_scores_are_fts5_bm25(readers: tuple[Any, Any], units: tuple[Unit, ...], lang: str | None) -> None:
    memory, fts = readers
    params = SearchParams(q="x", lang=lang)
    mine, theirs = _sorted(run_units(memory, params, units)), _sorted(run_units(fts, params, units))
    assert len(mine) > 0
    assert np.array_equal(mine[:, :2], theirs[:, :2])
    np.testing.assert_allclose(mine[:, 2], theirs[:, 2], rtol=1e-9)


def test_conditional_unit_scores_only_its_own_terms(readers: tuple[Any, Any]) -> None:
    """A common word that scores only rows with a rarer one: its rows are the rarer word's, its score its own."""
    memory, _ = readers
    params = SearchParams(q="x")
    alone = _sorted(run_units(memory, params, [Unit(("信息",))]))
    within = _sorted(run_units(memory, params, [Unit(("信息",), within_any=(("人脸识别",), ("生物识别",)))]))
    anchors = {int(r) for r in _sorted(run_units(memory, params, [Unit(("人脸识别",)), Unit(("生物识别",))]))[:, 1]}
    assert 0 < len(within) < len(alone)
    assert {int(r) for r in within[:, 1]} <= anchors
    score_alone = dict(zip(alone[:, 1].tolist(), alone[:, 2].tolist(), strict=True))
    pairs = zip(within[:, 1].tolist(), within[:, 2].tolist(), strict=True)
    assert all(score_alone[r] == pytest.approx(s) for r, s in pairs)


QUERIES = [
    ("人脸识别", {}),
    ("个人信息 单独同意", {}),
    ("facial recognition", {}),
    ("小区能强制刷脸吗", {}),
    ("how long can a company keep my face data", {}),
    ("未满十四周岁的孩子的人脸信息", {"mode": "any"}),
    ("个人信息", {"doc": "pipl-2021"}),
    ("consent", {"topic": "consent", "lang": "en"}),
    ("个人信息", {"type": "passage"}),
]


@pytest.mark.parametrize(("q", "filters"), QUERIES)
def test_search_agrees_with_fts5(readers: tuple[Any, Any], q: str, filters: dict[str, Any]) -> None:
    memory, fts = readers
    mine, theirs = search(memory, q, limit=50, **filters), search(fts, q, limit=50, **filters)
    assert mine["count"] == theirs["count"] and mine["match"] == theirs["match"]
    assert [r["id"] for r in mine["results"]] == [r["id"] for r in theirs["results"]]
    assert [r["score"] for r in mine["results"]] == pytest.approx([r["score"] for r in theirs["results"]])


def test_raw_queries_run_on_the_database(readers: tuple[Any, Any]) -> None:
    memory, fts = readers
    assert search(memory, "consen*", mode="raw")["results"] == search(fts, "consen*", mode="raw")["results"]


def test_build_index_counts() -> None:
    index = build_index([(3, "人脸 识别 人脸", "Face", "pipl", "consent minors"), (7, "识别", None, "csl", "")])
    assert index.rows == 2 and index.avgdl == 2.5
    assert index.frequency("人脸", None) == 1 and index.frequency("识别", 0) == 2 and index.frequency("face", 1) == 1
    rows, tf = index.postings("人脸", None)
    assert rows.tolist() == [3] and tf.tolist() == [2.0]
    assert index.with_all(["人脸", "识别"], None).tolist() == [3]
    assert index.topic_rows["minors"].tolist() == [3]
    assert index.doc[[3, 7]].tolist() == [index.doc_codes["pipl"], index.doc_codes["csl"]]


@pytest.mark.parametrize(
    ("key", "rows", "counts"),
    [
        ("识别", [3, 7], [1.0, 1.0]),
        ("人脸", [3, 7], [2.0, 0.0]),
        ("人脸", [1, 3, 5, 7, 9], [0.0, 2.0, 0.0, 0.0, 0.0]),  # more rows than postings: searched the other way
        ("人脸", [7], None),  # in none of them
        ("没有", [3], None),  # in no row at all
        ("识别", [], None),
    ],
)
def test_counts_in_given_rows(key: str, rows: list[int], counts: list[float] | None) -> None:
    index = build_index([(3, "人脸 识别 人脸", "Face", "pipl", ""), (7, "识别", None, "csl", "")])
    (found,) = index.counts_matrix([key], np.array(rows, dtype=np.int32))
    assert found.tolist() == (counts if counts is not None else [0.0] * len(rows))


def test_index_is_per_reader(built_db: Settings) -> None:
    """A reader (a database file) has its own index, built once."""
    with query.open_reader(built_db) as a, query.open_reader(built_db) as b:
        assert index_of(a) is index_of(a)
        assert index_of(a) is not index_of(b)


def test_the_build_stores_the_index(built_db: Settings) -> None:
    """kb ingest stores the index in the database; a reader loads it rather than building it."""
    with query.open_reader(built_db) as reader:
        index = index_of(reader)
        assert index is not None and index.source == "stored"
        rebuilt = build_index(search_unit_pages(reader.engine))
    assert rebuilt.arrays.words == index.arrays.words
    for name in ("start", "rowid", "tf", "df", "length", "doc", "topic_start", "topic_rows"):
        assert np.array_equal(getattr(rebuilt.arrays, name), getattr(index.arrays, name)), name


def test_blobs_of_another_format_are_not_read() -> None:
    arrays = build_index([(1, "人脸", "face", "pipl", "")]).arrays
    blobs = arrays.blobs()
    assert IndexArrays.from_blobs(blobs) is not None
    assert IndexArrays.from_blobs({**blobs, "meta": json.dumps({"format": "0"}).encode()}) is None
    assert IndexArrays.from_blobs({k: v for k, v in blobs.items() if k != "rowid"}) is None


def test_a_database_without_the_stored_index_gets_one_built(tmp_path: Path, built_db: Settings) -> None:
    assert built_db.sqlite_path is not None
    old = tmp_path / "old.sqlite"
    shutil.copy(built_db.sqlite_path, old)
    with sqlite3.connect(old) as conn:
        conn.execute("DROP TABLE search_index")
    with query.open_reader(Settings(database_url=f"sqlite:///{old}")) as reader:
        index = index_of(reader)
        assert index is not None and index.source == "built"
        assert search(reader, "人脸识别")["count"] > 0


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        ("DROP TABLE search_index", "no search index"),
        ("DELETE FROM search_units WHERE rowid = (SELECT max(rowid) FROM search_units)", "search index has"),
    ],
)
def test_verify_checks_the_search_index(tmp_path: Path, built_db: Settings, damage: str, problem: str) -> None:
    from sqlalchemy import create_engine

    from kb.store.verify import verify

    assert built_db.sqlite_path is not None
    copy = tmp_path / "copy.sqlite"
    shutil.copy(built_db.sqlite_path, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute(damage)
    engine = create_engine(f"sqlite:///{copy}")
    try:
        report = verify(engine)
    finally:
        engine.dispose()
    assert any(p.startswith(problem) for p in report["problems"]), report["problems"]


def test_counts_matrix_is_each_keys_counts() -> None:
    """The joined pass gives, for short and long postings alike, each key's own counts in the rows."""
    rows_texts = [(i, f"w{i % 3} w{i % 7} common u{i} v{i // 10}") for i in range(60)]
    idx = build_index([(rowid, text, None, "d", "") for rowid, text in rows_texts])
    rows = np.array([1, 5, 8, 13, 21, 34, 55], dtype=np.int32)
    keys = ["w0", "w3", "common", "u5", "u6", "v3", "absent", ""]  # long postings, short ones, none
    matrix = idx.counts_matrix(keys, rows)
    for i, key in enumerate(keys):
        has = idx.rows_of(key, None)
        own = dict(zip(has.tolist(), idx.counts(key, None, has).tolist(), strict=True))
        assert matrix[i].tolist() == [own.get(r, 0.0) for r in rows.tolist()]
