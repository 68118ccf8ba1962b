"""The search's in-memory index: every word's rows and counts, held as arrays, scored with numpy.

Built once per database (per :class:`~kb.store.reader.Reader`, so a swapped-in build gets
a fresh one) from the rows of ``search_units``, the same rows the database's full-text
index covers, on SQLite and PostgreSQL alike: both backends therefore find the same rows
with the same scores. It is an inverted index in compressed-sparse-row form (what
``bm25s`` builds): per word, the sorted rowids that have it and its count in each of
the two indexed columns. A query word's BM25 over its rows is a few array operations,
where the database would score row by row.

Tokens are what FTS5's ``porter unicode61`` tokenizer makes of the two columns: runs of
letters and digits, lower-cased, Porter-stemmed (:func:`index_keys`), so a word matches
here exactly where it matches in ``search_fts``. BM25 is FTS5's: IDF
``ln((N - n + 0.5) / (n + 0.5))`` (at least 1e-6), k1 = 1.2, b = 0.75, a row's length
in words over both columns. One difference: a query term that is several tokens
(``e-mail``) is a phrase in FTS5; here it needs each of its tokens, anywhere in the row,
and scores as their sum (positions are not kept). jieba's tokens, what both sides
search for, are single tokens.
"""

from __future__ import annotations

import re
import time
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import text

from kb.search.fts import BM25_B, BM25_K1, BM25_WEIGHTS
from kb.search.plan import SearchParams, Unit
from kb.store.reader import Reader
from kb.text.stem import porter_stem

__all__ = [
    "SearchIndex",
    "build_index",
    "index_keys",
    "index_of",
    "run_units_in_memory",
    "use_database_index",
]

# What unicode61 counts as a token: a run of letters and digits.
_WORD = re.compile(r"[^\W_]+")
_ASCII_LETTER = re.compile(r"[a-z]")
# Column numbers: zh_tokens, en_text (FTS5's order, BM25_WEIGHTS').
_ZH, _EN = 0, 1
_COLUMN = {"zh": _ZH, "en": _EN}
_INDEX_KEY = "search.index"


@lru_cache(maxsize=200_000)
def _fold(token: str) -> str:
    """One token as unicode61 (remove_diacritics 2) and porter index it."""
    if not token.isascii():
        decomposed = unicodedata.normalize("NFD", token)
        token = "".join(c for c in decomposed if not unicodedata.combining(c))
    return porter_stem(token) if _ASCII_LETTER.search(token) else token


def index_keys(text_: str) -> list[str]:
    """The index tokens of a text, in order: ``"Facial-Recognition 人脸识别"`` -> recognit etc.

    >>> index_keys("Facial-recognition systems 人脸识别")
    ['facial', 'recognit', 'system', '人脸识别']
    """
    return [_fold(t) for t in _WORD.findall(text_.lower())]


@dataclass(frozen=True)
class SearchIndex:
    """Per word (``vocab`` -> number): ``rowid[start[w]:start[w + 1]]`` ascending, and
    ``tf[:, c]`` its count in column ``c`` of each of those rows (0: zh_tokens, 1: en_text).

    ``length[rowid]`` is a row's length in words over both columns (0 for no row),
    ``rows`` the number of rows, ``avgdl`` their mean length. ``doc[rowid]`` numbers the
    row's document (``doc_codes``: id -> number); ``topic_rows`` the rows of each topic.
    """

    vocab: dict[str, int]
    start: npt.NDArray[np.int64]
    rowid: npt.NDArray[np.int32]
    tf: npt.NDArray[np.uint16]
    df: npt.NDArray[np.int32]  # per word: rows with it anywhere, in zh_tokens, in en_text
    length: npt.NDArray[np.float32]
    rows: int
    avgdl: float
    doc: npt.NDArray[np.int32]
    doc_codes: dict[str, int]
    topic_rows: dict[str, npt.NDArray[np.int32]]
    build_seconds: float = 0.0

    @property
    def nbytes(self) -> int:
        """The arrays' size (the vocabulary's strings not counted)."""
        arrays: list[npt.NDArray[Any]] = [self.start, self.rowid, self.tf, self.df, self.length, self.doc]
        return sum(a.nbytes for a in [*arrays, *self.topic_rows.values()])

    def postings(self, key: str, column: int | None) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]:
        """The rows with ``key`` (in ``column``, or either) and its weighted count in each."""
        w = self.vocab.get(key)
        if w is None:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64)
        lo, hi = int(self.start[w]), int(self.start[w + 1])
        rows, tf = self.rowid[lo:hi], self.tf[lo:hi]
        if column is None:
            count = tf[:, _ZH] * BM25_WEIGHTS[_ZH] + tf[:, _EN] * BM25_WEIGHTS[_EN]
            return rows, count.astype(np.float64)
        keep = tf[:, column] > 0
        return rows[keep], tf[keep, column].astype(np.float64) * BM25_WEIGHTS[column]

    def frequency(self, key: str, column: int | None) -> int:
        w = self.vocab.get(key)
        return 0 if w is None else int(self.df[w, 0 if column is None else column + 1])

    def idf(self, key: str, column: int | None) -> float:
        """FTS5's IDF: ln((N - n + 0.5) / (n + 0.5)), at least 1e-6."""
        n = self.frequency(key, column)
        return max(float(np.log((self.rows - n + 0.5) / (n + 0.5))), 1e-6)

    def with_all(self, terms: Iterable[str], column: int | None) -> npt.NDArray[np.int32]:
        """The rows that have every one of ``terms`` (each term: all of its tokens)."""
        lists = [self.postings(k, column)[0] for t in terms for k in _term_keys(t)]
        if not lists:
            return np.empty(0, dtype=np.int32)
        lists.sort(key=len)
        out = lists[0]
        for other in lists[1:]:
            if not len(out):
                break
            out = out[_member(out, other)]
        return out

    def count_all(self, terms: Sequence[str], column: int | None) -> int:
        """How many rows have every one of ``terms``."""
        keys = [k for t in terms for k in _term_keys(t)]
        if len(keys) == 1:
            return self.frequency(keys[0], column)
        return len(self.with_all(terms, column))


def _term_keys(term: str) -> list[str]:
    """A query term's index keys (one, but for a term that unicode61 splits: ``e-mail``)."""
    return index_keys(term)


def _member(needles: npt.NDArray[np.int32], haystack: npt.NDArray[np.int32]) -> npt.NDArray[np.bool_]:
    """Which of the sorted ``needles`` are in the sorted ``haystack``."""
    if not len(haystack):
        return np.zeros(len(needles), dtype=bool)
    at = np.searchsorted(haystack, needles)
    at[at == len(haystack)] = 0
    found: npt.NDArray[np.bool_] = haystack[at] == needles
    return found


def build_index(rows: Iterable[Sequence[Any]]) -> SearchIndex:
    """The index of ``(rowid, zh_tokens, en_text, doc_id, topics)`` rows."""
    started = time.perf_counter()
    vocab: dict[str, int] = {}
    # per posting: word, row, count per column (arrays, not lists: 4 bytes an entry, not 36)
    words, post_rows, post_zh, post_en = array("i"), array("i"), array("i"), array("i")
    row_ids, row_lengths, row_docs = array("i"), array("i"), array("i")
    doc_codes: dict[str, int] = {}
    topics: dict[str, list[int]] = {}
    for rowid, zh_tokens, en_text, doc_id, topic_ids in rows:
        counts: dict[int, list[int]] = {}
        n = 0
        for column, value in ((_ZH, zh_tokens), (_EN, en_text)):
            if not value:
                continue
            keys = index_keys(value)
            n += len(keys)
            for key in keys:
                w = vocab.setdefault(key, len(vocab))
                c = counts.get(w)
                if c is None:
                    counts[w] = c = [0, 0]
                c[column] += 1
        for w, (zh, en) in counts.items():
            words.append(w)
            post_rows.append(rowid)
            post_zh.append(zh)
            post_en.append(en)
        row_ids.append(rowid)
        row_lengths.append(n)
        row_docs.append(doc_codes.setdefault(doc_id, len(doc_codes)))
        for topic in (topic_ids or "").split():
            topics.setdefault(topic, []).append(rowid)
    word = np.frombuffer(words, dtype=np.int32).astype(np.int64)
    posting_rows = np.frombuffer(post_rows, dtype=np.int32)
    order = np.lexsort((posting_rows, word))
    ids = np.frombuffer(row_ids, dtype=np.int32)
    size = int(ids.max()) + 1 if len(ids) else 0
    length = np.zeros(size, dtype=np.float32)
    length[ids] = np.frombuffer(row_lengths, dtype=np.int32)
    doc = np.full(size, -1, dtype=np.int32)
    doc[ids] = np.frombuffer(row_docs, dtype=np.int32)
    per_column = [np.minimum(np.frombuffer(c, dtype=np.int32), 65535).astype(np.uint16) for c in (post_zh, post_en)]
    tf = np.stack(per_column, axis=1)[order] if len(order) else np.zeros((0, 2), dtype=np.uint16)
    start = np.zeros(len(vocab) + 1, dtype=np.int64)
    np.cumsum(np.bincount(word, minlength=len(vocab)), out=start[1:])
    df = np.zeros((len(vocab), 3), dtype=np.int32)
    sorted_word = word[order]
    df[:, 0] = np.bincount(sorted_word, minlength=len(vocab))
    df[:, 1] = np.bincount(sorted_word, weights=tf[:, 0] > 0, minlength=len(vocab))
    df[:, 2] = np.bincount(sorted_word, weights=tf[:, 1] > 0, minlength=len(vocab))
    n_rows = len(ids)
    return SearchIndex(
        vocab=vocab,
        start=start,
        rowid=posting_rows[order],
        tf=tf,
        df=df,
        length=length,
        rows=n_rows,
        avgdl=float(length.sum(dtype=np.float64) / n_rows) if n_rows else 1.0,
        doc=doc,
        doc_codes=doc_codes,
        topic_rows={t: np.array(sorted(r), dtype=np.int32) for t, r in topics.items()},
        build_seconds=time.perf_counter() - started,
    )


def _load(reader: Reader) -> SearchIndex:
    with reader.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=5000).execute(
            text("SELECT rowid, zh_tokens, en_text, doc_id, topics FROM search_units")
        )
        return build_index(result)


def index_of(reader: Reader) -> SearchIndex | None:
    """The reader's in-memory index (built on first use); None when searches run on the database's index."""
    index: SearchIndex | None = reader.cached(_INDEX_KEY, lambda: _load(reader))
    return index


def use_database_index(reader: Reader) -> None:
    """Search this reader on the database's own full-text index (FTS5, PostgreSQL's GIN), as before
    the in-memory index: for comparisons (``scripts/bench_search.py``) and tests."""
    with reader._lock:
        reader.cache[_INDEX_KEY] = None


def _filter_rows(index: SearchIndex, params: SearchParams) -> npt.NDArray[np.bool_] | None:
    """A mask over rowids of the doc and topic filters (None: no filter)."""
    if not params.doc and not params.topic:
        return None
    keep = np.ones(len(index.length), dtype=bool)
    if params.doc:
        keep &= index.doc == index.doc_codes.get(params.doc, -2)
    if params.topic:
        in_topic = np.zeros(len(index.length), dtype=bool)
        in_topic[index.topic_rows.get(params.topic, np.empty(0, dtype=np.int32))] = True
        keep &= in_topic
    return keep


def run_units_in_memory(index: SearchIndex, params: SearchParams, units: Sequence[Unit]) -> npt.NDArray[np.float64]:
    """``(u, rowid, score)`` rows, as an array, of the units' queries over the index.

    A unit's rows have all of its ``terms`` and ``within`` terms and, if it has
    ``within_any`` groups, all the terms of one of them; its score is the BM25 of its
    own ``terms`` only (what PostgreSQL's path returns: nothing to subtract).
    """
    column = None if params.lang is None else _COLUMN[params.lang]
    keep = _filter_rows(index, params)
    parts: list[npt.NDArray[np.float64]] = []
    anchored: dict[tuple[tuple[str, ...], ...], npt.NDArray[np.int32]] = {}  # the rows of each within_any
    for u, unit in enumerate(units):
        if unit.raw is not None:
            raise ValueError("a raw query runs on the database's index")
        if not unit.terms:
            continue
        rows = index.with_all((*unit.terms, *unit.within), column)
        if len(rows) and unit.within_any:
            either = anchored.get(unit.within_any)
            if either is None:
                anchors = [index.with_all(group, column) for group in unit.within_any if group]
                either = np.unique(np.concatenate(anchors)) if anchors else np.empty(0, dtype=np.int32)
                anchored[unit.within_any] = either
            rows = rows[_member(rows, either)]
        if len(rows) and keep is not None:
            rows = rows[keep[rows]]
        if not len(rows):
            continue
        norm = BM25_K1 * (1 - BM25_B + BM25_B * index.length[rows].astype(np.float64) / index.avgdl)
        score = np.zeros(len(rows), dtype=np.float64)
        for term in unit.terms:
            for key in _term_keys(term):
                have, tf = index.postings(key, column)
                f = tf[np.searchsorted(have, rows)] if len(have) != len(rows) else tf
                score += index.idf(key, column) * f * (BM25_K1 + 1) / (f + norm)
        block = np.empty((len(rows), 3), dtype=np.float64)
        block[:, 0] = u
        block[:, 1] = rows
        block[:, 2] = score
        parts.append(block)
    return np.concatenate(parts) if parts else np.empty((0, 3), dtype=np.float64)
