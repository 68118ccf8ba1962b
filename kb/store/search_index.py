"""The search's inverted index, built with the database and stored in it: arrays in table ``search_index``.

Every word of ``search_units`` (both indexed columns), with the sorted rowids that have it
and its count in each column: an inverted index in compressed-sparse-row form (what
``bm25s`` builds), plus each row's length, document and topics. The writers build it
after the rows (:func:`write_search_index`, on SQLite and PostgreSQL alike) and store its
arrays as blobs in ``search_index`` (name -> bytes), so it lives in the database file (or
the build schema) and is swapped in with it, atomically; a server reads it in well under a
second (:func:`read_search_index`) instead of building it for a quarter of a minute.
``kb.search.index`` scores queries over it.

Tokens are what FTS5's ``porter unicode61 remove_diacritics 2`` tokenizer makes of the two
columns: runs of letters and digits, lower-cased, diacritics removed, Porter-stemmed
(:func:`index_keys`), so a word has the rows here that it has in ``search_fts``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from kb.text.stem import porter_stem

__all__ = [
    "INDEX_FORMAT",
    "IndexArrays",
    "IndexBuilder",
    "build_index_arrays",
    "index_keys",
    "read_search_index",
    "search_unit_pages",
    "write_search_index",
]

# Bumped when the stored arrays change shape: a reader ignores (and rebuilds) another format.
INDEX_FORMAT = "1"
# What unicode61 counts as a token: a run of letters and digits.
_WORD = re.compile(r"[^\W_]+")
_ASCII_LETTER = re.compile(r"[a-z]")
_PAGE = 5000
_TABLE = "search_index"


@lru_cache(maxsize=200_000)
def _fold(token: str) -> str:
    """One lower-cased token as unicode61 (remove_diacritics 2) and porter index it."""
    if not token.isascii():
        decomposed = unicodedata.normalize("NFD", token)
        token = "".join(c for c in decomposed if not unicodedata.combining(c))
    return porter_stem(token) if _ASCII_LETTER.search(token) else token


def index_keys(text_: str) -> list[str]:
    """The index tokens of a text, in order.

    >>> index_keys("Facial-recognition systems 人脸识别")
    ['facial', 'recognit', 'system', '人脸识别']
    """
    return list(map(_fold, _WORD.findall(text_.lower())))


@dataclass(frozen=True)
class IndexArrays:
    """The index. Word ``w`` (``words[w]``) is in rows ``rowid[start[w]:start[w + 1]]`` (ascending),
    ``tf[i]`` times in each column (0: zh_tokens, 1: en_text); ``df[w]``: how many rows have it
    anywhere, in zh_tokens, in en_text. Per rowid: ``length`` in words over both columns (0: no
    row), ``doc`` (a number into ``doc_ids``, -1: no row). ``topic_rows[topic_start[t]:topic_start[t + 1]]``
    are the rows of topic ``topics[t]``. ``rows``: how many rows; ``avgdl``: their mean length.
    """

    words: list[str]
    start: npt.NDArray[np.int64]
    rowid: npt.NDArray[np.int32]
    tf: npt.NDArray[np.uint16]
    df: npt.NDArray[np.int32]
    length: npt.NDArray[np.float32]
    doc: npt.NDArray[np.int32]
    doc_ids: list[str]
    topics: list[str]
    topic_start: npt.NDArray[np.int64]
    topic_rows: npt.NDArray[np.int32]
    rows: int
    avgdl: float

    _ARRAYS = ("start", "rowid", "tf", "df", "length", "doc", "topic_start", "topic_rows")
    _LISTS = ("words", "doc_ids", "topics")

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in self._ARRAYS)

    def blobs(self) -> dict[str, bytes]:
        """Name -> bytes, for the ``search_index`` table."""
        return dict(self.iter_blobs())

    def iter_blobs(self) -> Iterator[tuple[str, bytes]]:
        """``(name, bytes)`` one at a time: a writer holds one array's copy at a time, not all of them."""
        for name in self._ARRAYS:
            yield name, np.ascontiguousarray(getattr(self, name)).tobytes()
        for name in self._LISTS:
            yield name, "\n".join(getattr(self, name)).encode()
        yield "meta", json.dumps({"format": INDEX_FORMAT, "rows": self.rows, "avgdl": self.avgdl}).encode()

    @classmethod
    def from_blobs(cls, blobs: dict[str, bytes]) -> IndexArrays | None:
        """The arrays back (views on the bytes); None when they are of another format or incomplete."""
        try:
            meta = json.loads(blobs["meta"])
            if meta.get("format") != INDEX_FORMAT:
                return None
            dtypes = {"start": np.int64, "rowid": np.int32, "tf": np.uint16, "df": np.int32, "length": np.float32}
            dtypes |= {"doc": np.int32, "topic_start": np.int64, "topic_rows": np.int32}
            arrays: dict[str, Any] = {n: np.frombuffer(blobs[n], dtype=d) for n, d in dtypes.items()}
            lists: dict[str, Any] = {n: blobs[n].decode().split("\n") if blobs[n] else [] for n in cls._LISTS}
        except (KeyError, ValueError):
            return None
        arrays["tf"] = arrays["tf"].reshape(-1, 2)
        arrays["df"] = arrays["df"].reshape(-1, 3)
        return cls(**arrays, **lists, rows=int(meta["rows"]), avgdl=float(meta["avgdl"]))


_CHUNK = 10_000  # rows counted at a time: the build's memory stays a few arrays of postings


def _count(tokens: tuple[array[int], array[int]], owners: tuple[array[int], array[int]]) -> tuple[Any, Any, Any]:
    """The ``(row position, word, counts per column)`` postings of a chunk's tokens, by row then word."""
    triples = [
        (np.frombuffer(owners[c], dtype=np.int32).astype(np.int64) * 2**31 + np.frombuffer(tokens[c], dtype=np.int32))
        * 2
        + c
        for c in (0, 1)
    ]
    triple, times = np.unique(np.concatenate(triples), return_counts=True)
    pair = triple // 2
    first = np.r_[True, pair[1:] != pair[:-1]] if len(pair) else np.empty(0, dtype=bool)
    tf = np.zeros((int(first.sum()), 2), dtype=np.uint16)
    tf[np.cumsum(first) - 1, triple % 2] = np.minimum(times, 65535)
    return (pair[first] // 2**31).astype(np.int32), (pair[first] % 2**31).astype(np.int32), tf


class IndexBuilder:
    """Builds the index as rows arrive (in rowid order): :meth:`add` each, then :meth:`finish`.

    Every token becomes a word number as it is read (a dict lookup, in C); the counting, per
    row and word, is numpy's: a sort of the (row, word, column) triples of each chunk of rows.
    The writers feed it the search units as they insert them (``kb.store.stream``), so the
    build reads nothing back and holds only the postings.
    """

    def __init__(self) -> None:
        self.vocab: defaultdict[str, int] = defaultdict()
        self.vocab.default_factory = self.vocab.__len__  # a new word gets the next number
        self.row_ids, self.row_docs, self.row_lengths = array("i"), array("i"), array("i")
        self.doc_codes: dict[str, int] = {}
        self.topics: dict[str, array[int]] = {}
        self.chunks: list[tuple[Any, Any, Any]] = []
        self.tokens: tuple[array[int], array[int]] = (array("i"), array("i"))  # per column: each token's word
        self.owners: tuple[array[int], array[int]] = (array("i"), array("i"))  # ... and its row's position

    def add(self, rowid: int, zh_tokens: str | None, en_text: str | None, doc_id: str, topic_ids: str | None) -> None:
        position = len(self.row_ids)
        n = 0
        for column, value in enumerate((zh_tokens, en_text)):
            if value:
                keys = index_keys(value)
                n += len(keys)
                self.tokens[column].extend(map(self.vocab.__getitem__, keys))
                self.owners[column].extend(array("i", [position]) * len(keys))
        self.row_ids.append(rowid)
        self.row_lengths.append(n)
        self.row_docs.append(self.doc_codes.setdefault(doc_id, len(self.doc_codes)))
        for topic in (topic_ids or "").split():
            self.topics.setdefault(topic, array("i")).append(rowid)
        if (position + 1) % _CHUNK == 0:
            self._flush()

    def _flush(self) -> None:
        self.chunks.append(_count(self.tokens, self.owners))
        self.tokens, self.owners = (array("i"), array("i")), (array("i"), array("i"))

    def finish(self) -> IndexArrays:
        self._flush()
        row_ids, row_docs, row_lengths, topics = self.row_ids, self.row_docs, self.row_lengths, self.topics
        doc_codes, vocab, chunks = self.doc_codes, self.vocab, self.chunks
        n_words, n_rows = len(vocab), len(row_ids)
        row_at = np.concatenate([c[0] for c in chunks])
        word = np.concatenate([c[1] for c in chunks])
        tf = np.concatenate([c[2] for c in chunks])
        self.chunks = []
        # Postings are by row, then word: a stable sort by word keeps each word's rows ascending.
        order = np.argsort(word, kind="stable")
        ids = np.frombuffer(row_ids, dtype=np.int32)
        size = int(ids.max()) + 1 if len(ids) else 0
        length = np.zeros(size, dtype=np.float32)
        length[ids] = np.frombuffer(row_lengths, dtype=np.int32)
        doc = np.full(size, -1, dtype=np.int32)
        doc[ids] = np.frombuffer(row_docs, dtype=np.int32)
        tf = tf[order]
        rowid = ids[row_at[order]].astype(np.int32)
        del row_at
        sorted_word = word[order]
        del word, order
        per_word = np.bincount(sorted_word, minlength=n_words)
        start = np.zeros(n_words + 1, dtype=np.int64)
        np.cumsum(per_word, out=start[1:])
        df = np.empty((n_words, 3), dtype=np.int32)
        df[:, 0] = per_word
        df[:, 1] = np.bincount(sorted_word[tf[:, 0] > 0], minlength=n_words)
        df[:, 2] = np.bincount(sorted_word[tf[:, 1] > 0], minlength=n_words)
        del sorted_word
        topic_names = sorted(topics)
        topic_lists = [np.frombuffer(topics[t], dtype=np.int32) for t in topic_names]
        topic_start = np.zeros(len(topic_names) + 1, dtype=np.int64)
        np.cumsum([len(t) for t in topic_lists], out=topic_start[1:])
        return IndexArrays(
            words=list(vocab),
            start=start,
            rowid=rowid,
            tf=tf,
            df=df,
            length=length,
            doc=doc,
            doc_ids=list(doc_codes),
            topics=topic_names,
            topic_start=topic_start,
            topic_rows=np.concatenate(topic_lists) if topic_lists else np.empty(0, dtype=np.int32),
            rows=n_rows,
            avgdl=float(length.sum(dtype=np.float64) / n_rows) if n_rows else 1.0,
        )


def build_index_arrays(rows: Iterable[Sequence[Any]]) -> IndexArrays:
    """The index of ``(rowid, zh_tokens, en_text, doc_id, topics)`` rows, in rowid order."""
    builder = IndexBuilder()
    for rowid, zh_tokens, en_text, doc_id, topic_ids in rows:
        builder.add(rowid, zh_tokens, en_text, doc_id, topic_ids)
    return builder.finish()


def search_unit_pages(engine: Engine) -> Iterator[Sequence[Any]]:
    """``(rowid, zh_tokens, en_text, doc_id, topics)`` of every search unit, in rowid order, read in
    pages: each page is a short query of its own, within a reader's statement deadline."""
    sql = text(
        "SELECT rowid, zh_tokens, en_text, doc_id, topics FROM search_units "
        "WHERE rowid > :after ORDER BY rowid LIMIT :n"
    )
    after = -1
    while True:
        with engine.connect() as conn:
            page = conn.execute(sql, {"after": after, "n": _PAGE}).all()
        yield from page
        if len(page) < _PAGE:
            return
        after = int(page[-1][0])


def write_search_index(engine: Engine, arrays: IndexArrays | None = None) -> IndexArrays:
    """Store ``arrays`` (default: the index of the database's search units, read back) in ``search_index``,
    replacing any."""
    if arrays is None:
        arrays = build_index_arrays(search_unit_pages(engine))
    with engine.begin() as conn:
        conn.execute(text(f"DELETE FROM {_TABLE}"))
        for name, data in arrays.iter_blobs():
            conn.execute(text(f"INSERT INTO {_TABLE} (name, data) VALUES (:name, :data)"), {"name": name, "data": data})
    return arrays


def read_search_index(conn: Connection) -> IndexArrays | None:
    """The stored index; None when the database has none (built before it existed) or one of another format."""
    try:
        blobs = {str(name): bytes(data) for name, data in conn.execute(text(f"SELECT name, data FROM {_TABLE}"))}
    except DBAPIError:  # no such table: a database built before the index was stored
        conn.rollback()
        return None
    return IndexArrays.from_blobs(blobs) if blobs else None
