"""The search's index in memory: every word's rows and counts as arrays, scored with numpy.

The index (:mod:`kb.store.search_index`: an inverted index in compressed-sparse-row form,
what ``bm25s`` builds) is built with the database and stored in it; a reader loads it once
(per :class:`~kb.store.reader.Reader`, so a swapped-in build brings its own) in well under a
second. A database built before it was stored gets one built from its ``search_units`` on
first use instead. SQLite and PostgreSQL read the same arrays, so both find the same rows
with the same scores. A query word's BM25 over its rows is a few array operations, where
the database's full-text index would score row by row.

Tokens are FTS5's (``porter unicode61``: :func:`~kb.store.search_index.index_keys`), so a
word matches here exactly where it matches in ``search_fts``; BM25 is FTS5's: IDF
``ln((N - n + 0.5) / (n + 0.5))`` (at least 1e-6), k1 = 1.2, b = 0.75, a row's length in
words over both columns. One difference: a query term that is several tokens (``e-mail``)
is a phrase in FTS5; here it needs each of its tokens, anywhere in the row, and scores
as their sum (positions are not kept). jieba's tokens, what both sides search for, are
single tokens.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from kb.search.fts import BM25_B, BM25_K1, BM25_WEIGHTS
from kb.search.plan import SearchParams, Unit
from kb.store.reader import Reader
from kb.store.search_index import (
    IndexArrays,
    build_index_arrays,
    index_keys,
    read_search_index,
    search_unit_pages,
)

__all__ = [
    "SearchIndex",
    "UnitMemo",
    "build_index",
    "index_keys",
    "index_of",
    "run_units_in_memory",
    "sorted_in",
    "use_database_index",
]

log = logging.getLogger(__name__)

# Column numbers: zh_tokens, en_text (FTS5's order, BM25_WEIGHTS').
_ZH, _EN = 0, 1
_COLUMN = {"zh": _ZH, "en": _EN}
_INDEX_KEY = "search.index"


@dataclass(frozen=True)
class SearchIndex:
    """:class:`~kb.store.search_index.IndexArrays` with what a query needs to look words up.

    ``vocab``: word -> number; ``doc_codes``: document id -> number (``arrays.doc``);
    ``topic_rows``: topic -> its rows; ``source``: "stored" or "built" (from the rows),
    ``load_seconds``: how long getting it took.
    """

    arrays: IndexArrays
    vocab: dict[str, int] = field(repr=False)
    doc_codes: dict[str, int] = field(repr=False)
    topic_rows: dict[str, npt.NDArray[np.int32]] = field(repr=False)
    source: str = "stored"
    load_seconds: float = 0.0

    @classmethod
    def of(cls, arrays: IndexArrays, *, source: str = "stored", load_seconds: float = 0.0) -> SearchIndex:
        ts = arrays.topic_start
        topic_rows = {t: arrays.topic_rows[ts[i] : ts[i + 1]] for i, t in enumerate(arrays.topics)}
        return cls(
            arrays,
            {w: i for i, w in enumerate(arrays.words)},
            {d: i for i, d in enumerate(arrays.doc_ids)},
            topic_rows,
            source,
            load_seconds,
        )

    @property
    def rows(self) -> int:
        return self.arrays.rows

    @property
    def avgdl(self) -> float:
        return self.arrays.avgdl

    @property
    def length(self) -> npt.NDArray[np.float32]:
        return self.arrays.length

    @property
    def doc(self) -> npt.NDArray[np.int32]:
        return self.arrays.doc

    @property
    def nbytes(self) -> int:
        """The arrays' size (the vocabulary's strings not counted)."""
        return self.arrays.nbytes

    def postings(self, key: str, column: int | None) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]:
        """The rows with ``key`` (in ``column``, or either) and its weighted count in each."""
        rows = self.rows_of(key, column)
        return rows, self.counts(key, column, rows)

    def _span(self, key: str) -> tuple[int, int]:
        w = self.vocab.get(key)
        return (0, 0) if w is None else (int(self.arrays.start[w]), int(self.arrays.start[w + 1]))

    def rows_of(self, key: str, column: int | None) -> npt.NDArray[np.int32]:
        """The rows with ``key`` (in ``column``, or either), ascending."""
        lo, hi = self._span(key)
        rows = self.arrays.rowid[lo:hi]
        return rows if column is None else rows[self.arrays.tf[lo:hi, column] > 0]

    def counts(self, key: str, column: int | None, rows: npt.NDArray[np.int32]) -> npt.NDArray[np.float64]:
        """The weighted count of ``key`` in each of ``rows`` (sorted, all of them rows that have it)."""
        lo, hi = self._span(key)
        at = lo + np.searchsorted(self.arrays.rowid[lo:hi], rows) if hi - lo != len(rows) else slice(lo, hi)
        tf = self.arrays.tf[at]
        if column is not None:
            return tf[:, column].astype(np.float64) * BM25_WEIGHTS[column]
        return _weighted(tf)

    def counts_matrix(self, keys: Sequence[str], rows: npt.NDArray[np.int32]) -> npt.NDArray[np.float64]:
        """The weighted count of each of ``keys`` (both columns) in each of ``rows`` (ascending):
        a ``len(keys) x len(rows)`` matrix, 0 where absent. Keys with fewer postings than
        ``rows`` are done together (their postings joined, one binary search in ``rows``); the
        few longer ones one by one (``rows`` searched in them)."""
        out = np.zeros((len(keys), len(rows)))
        if not len(rows):
            return out
        spans = [self._span(k) for k in keys]
        short = [(i, lo, hi) for i, (lo, hi) in enumerate(spans) if 0 < hi - lo <= len(rows)]
        if short:
            which_key, first, last = (np.array(c, dtype=np.int64) for c in zip(*short, strict=True))
            size = last - first
            # the postings of every short key, one after another: first..last of each
            at = np.arange(int(size.sum())) + np.repeat(first - (np.cumsum(size) - size), size)
            which = np.repeat(which_key, size)
            posting = self.arrays.rowid[at]
            place = np.minimum(np.searchsorted(rows, posting), len(rows) - 1)
            hit = rows[place] == posting
            out[which[hit], place[hit]] = _weighted(self.arrays.tf[at[hit]])
        for i, (lo, hi) in enumerate(spans):
            if hi - lo > len(rows):
                posting = self.arrays.rowid[lo:hi]
                place = np.minimum(np.searchsorted(posting, rows), len(posting) - 1)
                hit = posting[place] == rows
                out[i, hit] = _weighted(self.arrays.tf[lo + place[hit]])
        return out

    def frequency(self, key: str, column: int | None) -> int:
        w = self.vocab.get(key)
        return 0 if w is None else int(self.arrays.df[w, 0 if column is None else column + 1])

    def idf(self, key: str, column: int | None) -> float:
        """FTS5's IDF: ln((N - n + 0.5) / (n + 0.5)), at least 1e-6."""
        n = self.frequency(key, column)
        return max(float(np.log((self.rows - n + 0.5) / (n + 0.5))), 1e-6)

    def with_all(self, terms: Iterable[str], column: int | None) -> npt.NDArray[np.int32]:
        """The rows that have every one of ``terms`` (each term: all of its tokens)."""
        lists = [self.rows_of(k, column) for t in terms for k in index_keys(t)]
        if not lists:
            return np.empty(0, dtype=np.int32)
        lists.sort(key=len)
        out = lists[0]
        for other in lists[1:]:
            if not len(out):
                break
            out = out[sorted_in(out, other)]
        return out

    def count_all(self, terms: Sequence[str], column: int | None) -> int:
        """How many rows have every one of ``terms``."""
        keys = [k for t in terms for k in index_keys(t)]
        if len(keys) == 1:
            return self.frequency(keys[0], column)
        return len(self.with_all(terms, column))


def _weighted(tf: npt.NDArray[np.uint16]) -> npt.NDArray[np.float64]:
    """A word's weighted count in rows from its per-column counts (``tf``: rows x columns)."""
    counts: npt.NDArray[np.float64] = tf[:, _ZH].astype(np.float64) * BM25_WEIGHTS[_ZH]
    return counts + tf[:, _EN].astype(np.float64) * BM25_WEIGHTS[_EN]


def sorted_in(needles: npt.NDArray[Any], haystack: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Which of the sorted ``needles`` are in the sorted ``haystack`` (a mask over ``needles``).

    >>> sorted_in(np.array([1, 3, 5, 9]), np.array([3, 4, 9])).tolist()
    [False, True, False, True]
    """
    if not len(haystack):
        return np.zeros(len(needles), dtype=bool)
    at = np.searchsorted(haystack, needles)
    at[at == len(haystack)] = 0
    found: npt.NDArray[np.bool_] = haystack[at] == needles
    return found


def build_index(rows: Iterable[Sequence[Any]]) -> SearchIndex:
    """The index of ``(rowid, zh_tokens, en_text, doc_id, topics)`` rows (in rowid order)."""
    started = time.perf_counter()
    arrays = build_index_arrays(rows)
    return SearchIndex.of(arrays, source="built", load_seconds=time.perf_counter() - started)


def _load(reader: Reader) -> SearchIndex:
    started = time.perf_counter()
    with reader.engine.connect() as conn:
        arrays = read_search_index(conn)
    if arrays is not None:
        return SearchIndex.of(arrays, load_seconds=time.perf_counter() - started)
    log.warning("the database has no stored search index (built before it was): building one from its rows")
    return build_index(search_unit_pages(reader.engine))


def index_of(reader: Reader) -> SearchIndex | None:
    """The reader's index (loaded on first use); None when searches run on the database's index."""
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


# A unit's rows and scores, by its terms, within one search (its filters): see run_units_in_memory.
UnitKey = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, ...], ...]]
UnitMemo = dict[UnitKey, tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]]


def run_units_in_memory(
    index: SearchIndex, params: SearchParams, units: Sequence[Unit], memo: UnitMemo | None = None
) -> npt.NDArray[np.float64]:
    """``(u, rowid, score)`` rows, as an array, of the units' queries over the index.

    A unit's rows have all of its ``terms`` and ``within`` terms and, if it has
    ``within_any`` groups, all the terms of one of them; its score is the BM25 of its
    own ``terms`` only (what PostgreSQL's path returns: nothing to subtract). ``memo``
    keeps each unit's rows and scores for another call with the same ``params`` (a
    search that matches two plans sharing most of their units).
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
        key = (unit.terms, unit.within, unit.within_any)
        found = memo.get(key) if memo is not None else None
        if found is None:
            found = _unit_scores(index, unit, column, keep, anchored)
            if memo is not None:
                memo[key] = found
        rows, score = found
        if not len(rows):
            continue
        block = np.empty((len(rows), 3), dtype=np.float64)
        block[:, 0] = u
        block[:, 1] = rows
        block[:, 2] = score
        parts.append(block)
    return np.concatenate(parts) if parts else np.empty((0, 3), dtype=np.float64)


def _unit_scores(
    index: SearchIndex,
    unit: Unit,
    column: int | None,
    keep: npt.NDArray[np.bool_] | None,
    anchored: dict[tuple[tuple[str, ...], ...], npt.NDArray[np.int32]],
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]:
    """One unit's rows (ascending) and the BM25 of its ``terms`` in each."""
    rows = index.with_all((*unit.terms, *unit.within), column)
    if len(rows) and unit.within_any:
        either = anchored.get(unit.within_any)
        if either is None:
            anchors = [index.with_all(group, column) for group in unit.within_any if group]
            either = np.unique(np.concatenate(anchors)) if anchors else np.empty(0, dtype=np.int32)
            anchored[unit.within_any] = either
        rows = rows[sorted_in(rows, either)]
    if len(rows) and keep is not None:
        rows = rows[keep[rows]]
    score = np.zeros(len(rows), dtype=np.float64)
    if not len(rows):
        return rows, score
    norm = BM25_K1 * (1 - BM25_B + BM25_B * index.length[rows].astype(np.float64) / index.avgdl)
    for term in unit.terms:
        for key in index_keys(term):
            f = index.counts(key, column, rows)
            score += index.idf(key, column) * f * (BM25_K1 + 1) / (f + norm)
    return rows, score
