"""Per-word scoring: which words of a query run as index queries, and PostgreSQL's BM25.

Each query word (a compound, not also its parts: :func:`concepts`) runs as its own index
query; a common word scores only rows that have a rarer one (:func:`any_units`). The
in-memory index (:mod:`kb.search.index`) scores them on either database; on the database's
own index (``mode=raw``, or :func:`~kb.search.index.use_database_index`) SQLite scores with
FTS5's ``bm25()`` and PostgreSQL's word counts and row lengths are turned into the same
formula by :func:`pg_bm25`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from kb.search.fts import BM25_B, BM25_K1, maximal_terms, pg_term_names
from kb.search.index import UnitMemo, index_of, run_units_in_memory
from kb.search.plan import QueryPlan, SearchParams, Unit
from kb.search.sql import document_frequency, execute, search_sql, unit_count
from kb.store.fts_schema import PG_LENGTH
from kb.store.reader import Reader

__all__ = [
    "COMMON_MIN_ROWS",
    "COMMON_SHARE",
    "any_units",
    "concepts",
    "pg_bm25",
    "run_units",
    "scores_include_within",
]

# A word in more than this share of the search units is common: in mode=any it only
# scores rows that have a rarer word of the query (:func:`any_units`). Scoring is
# about a microsecond per matched row in SQLite, and a row with none of a question's
# rarer words ranks below the top hundred anyway: on the full corpus, 1% rather than
# 5% halves the time of a lay question (p95 59 -> 25-37 ms of CPU) and leaves every
# question's Recall@10/@100 and MRR of the retrieval set exactly as they were.
COMMON_SHARE = 0.01
# ... and in more than this many: scoring a thousand rows is cheap anyway.
COMMON_MIN_ROWS = 1000


def _bm25_idf(reader: Reader, term: str, lang: str | None) -> float:
    """FTS5's IDF of one word: ln(0.5 + (N - n + 0.5) / (n + 0.5)), at least 1e-6."""
    total, n = unit_count(reader), document_frequency(reader, (term,), lang)
    return max(math.log(0.5 + (total - n + 0.5) / (n + 0.5)), 1e-6)


def _average_length(reader: Reader) -> float:
    def compute() -> float:
        value = execute(reader, f"SELECT avg({PG_LENGTH}) FROM search_units", {})[0][0]
        return float(value or 0) or 1.0

    return float(reader.cached("search.avgdl", compute))


def pg_bm25(
    reader: Reader, rows: Sequence[Any], units: Sequence[Unit], lang: str | None
) -> list[tuple[int, int, float]]:
    """``(u, rowid, score)`` from PostgreSQL's ``(u, rowid, frequencies, length)`` rows: BM25 as FTS5 computes it.

    FTS5's bm25 of a unit is the sum over its words of idf x f (k1 + 1) / (f + k1 (1 -
    b + b D / avgdl)), f the word's count in the row (columns weighted), D the row's
    length in words, k1 = 1.2, b = 0.75. PostgreSQL has the counts
    (:func:`kb.search.fts.pg_term_frequency`) and the lengths (``n_words``); the sums
    run here, one unit's rows at a time. A raw query's rows keep their ``ts_rank_cd``.
    """
    by_unit: dict[int, list[Any]] = {}
    for row in rows:
        by_unit.setdefault(int(row[0]), []).append(row)
    out: list[tuple[int, int, float]] = []
    avgdl = _average_length(reader) if any(units[u].raw is None for u in by_unit) else 1.0
    for u, members in by_unit.items():
        rowids = [int(r[1]) for r in members]
        if units[u].raw is not None:
            out.extend((u, rowid, float(r[2][0])) for rowid, r in zip(rowids, members, strict=True))
            continue
        words = list(pg_term_names(units[u].terms).values())
        idf = np.array([_bm25_idf(reader, w, lang) for w in words], dtype=np.float64)
        freq = np.array([r[2] for r in members], dtype=np.float64).reshape(len(members), len(words))
        length = np.array([r[3] or 0 for r in members], dtype=np.float64)
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / avgdl)
        score = (idf * freq * (BM25_K1 + 1) / (freq + norm[:, None])).sum(axis=1)
        out.extend(zip([u] * len(rowids), rowids, score.tolist(), strict=True))
    return out


def run_units(
    reader: Reader, params: SearchParams, units: Sequence[Unit], *, raw: bool = False, memo: UnitMemo | None = None
) -> list[Any] | npt.NDArray[np.float64]:
    """The ``(u, rowid, score)`` rows of the units' index queries: over the in-memory index
    (:mod:`kb.search.index`, which keeps each unit's rows in ``memo`` for a later call with
    the same ``params``), or (a raw query, or :func:`~kb.search.index.use_database_index`)
    the database's."""
    index = None if raw else index_of(reader)
    if index is not None:
        return run_units_in_memory(index, params, units, memo)
    if reader.engine.dialect.name != "postgresql":
        return execute(reader, *search_sql(params, units), raw=raw)
    rows = execute(reader, *search_sql(params, units, dialect="postgresql"), raw=raw)
    return pg_bm25(reader, rows, units, params.lang)


def scores_include_within(reader: Reader) -> bool:
    """Whether a conditional unit's score includes its ``within`` terms' (FTS5's bm25 of the whole
    expression), for :func:`~kb.search.rank.combine_scores` to take off."""
    return index_of(reader) is None and reader.engine.dialect.name != "postgresql"


def concepts(reader: Reader, plan: QueryPlan, lang: str | None) -> list[tuple[str, ...]]:
    """The query's own words as index queries: one per word that is not part of a longer one.

    jieba's search mode gives a compound and its parts (未成年人 -> 未成 成年 未成年 成年人
    未成年人); a row that has the compound has its parts too, so the compound alone
    finds the same rows, scores once (not five times, which would outweigh the other
    words of a question), and does not bring in rows that have only a part (成年人 for
    未成年人). A compound the index never has (a lay coinage) falls back to its parts.
    Deterministic: the order of the content terms.
    """
    out: list[tuple[str, ...]] = []

    def add(words: Sequence[str]) -> None:
        for word in maximal_terms(words):
            parts = [t for t in plan.content if t != word and t in word]
            if parts and document_frequency(reader, (word,), lang) == 0:
                add(parts)  # 人脸识别系统 -> 人脸识别, 识别系统 -> 识别, 系统
            elif (word,) not in out:
                out.append((word,))

    add(plan.content)
    return out


def any_units(reader: Reader, words: Sequence[tuple[str, ...]], plan: QueryPlan, lang: str | None) -> list[Unit]:
    """The units of ``mode=any``: one per query word (``words``: :func:`concepts`), one per expansion phrase.

    A word or phrase in more than :data:`COMMON_SHARE` of the units (可以, 规定,
    information) adds little to any score, but alone it would make much of the corpus a
    result, each to be scored and sorted. When the query also has rarer ones, a common
    word or phrase scores only the rows that have one of them, and makes no result of
    its own.
    """
    units = [*(Unit(c) for c in words), *plan.expansion]
    if len(units) < 2:
        return units
    limit = max(COMMON_SHARE * unit_count(reader), COMMON_MIN_ROWS)
    frequency = [document_frequency(reader, u.terms, lang) for u in units]
    common = [n > limit for n in frequency]
    anchors = tuple(u.terms for u, c in zip(units, common, strict=True) if not c)
    if not any(common) or not any(0 < n <= limit for n in frequency):
        return units
    return [Unit(u.terms, u.weight, u.main, within_any=anchors) if c else u for u, c in zip(units, common, strict=True)]
