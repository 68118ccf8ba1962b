"""Full-text search over articles and commentary passages, ranked by BM25 and more.

One index (``search_fts``, see ``kb.store.fts``) covers both languages: a Chinese
query matches the jieba tokens of an article, an English query matches the English
translations of articles and the commentary passages, so "facial recognition"
finds Chinese provisions through their translations.

How a query is matched (``mode``):

* ``all`` (the default): every term of a keyword query must match. Question words and
  other stopwords (``corpus/search/stopwords.txt``: 吗, 怎么, how, can ...) are dropped
  first, unless the query has nothing else. A question or sentence (a query that had
  stopwords, or more than :data:`MAX_ALL_WORDS` words) is ranked as in ``any`` mode,
  and so is a query that nothing matches in full: the result says ``"match": "any"``.
* ``any``: any content term; a result that has more of the query's distinct terms
  ranks higher (a coordination factor, below).
* ``raw``: FTS5 syntax (PostgreSQL: ``to_tsquery`` syntax) passed through; a syntax
  error is an :class:`~kb.errors.InvalidQuery`, never a crash. No expansion.

User input is escaped into quoted terms in ``all`` and ``any``, so quotes, ``NEAR(``,
``*`` or ``-`` from a user are plain text.

How results are ranked (``score``, larger is better):

1. each query word (and each expansion phrase) runs as its own index query whose
   score is the index's relevance: BM25 (``-bm25()`` on SQLite; on PostgreSQL the
   same formula over each word's count and the row's length: :func:`pg_bm25`).
   BM25 is a sum over terms, so the sum of the per-word scores is the
   BM25 score of the whole query, and we also learn how many words each row has. A
   word is a compound, not also its parts (:func:`concepts`: 未成年人, not 成年人);
2. ``main`` = that sum times (matched words / query words) ** :data:`COORD_EXPONENT`:
   a row with three of the four words beats a row that repeats one rare word;
3. query expansion (``expand=True``, ``kb.store.expand``): the legal phrases that
   ``corpus/search/synonyms.toml`` maps the query's lay words to ("刷脸" -> 人脸识别)
   are searched as well, each phrase as one unit (all of its words), and add
   :data:`EXPANSION_WEIGHT` x their score. They are never required: in ``all`` mode
   they only re-rank what has every query term; in ``any`` mode a row that has only an
   expansion phrase is a result too. The response lists them as ``expanded_terms``;
4. local regulations (55% of a national corpus, and verbose on generic words) are
   scaled by :data:`KIND_FACTORS` unless the query names a place that has them
   (a province or city in a local regulation's title or metadata);
5. versions: one result per article of a work (same ``work``, same ``eid``) across
   its versions, ranked by its best-scoring version; the version shown is the one in
   force, else the newest, of those that matched, and the others are listed in its
   ``also_in``. ``count`` counts these results.

Pages are keyset pages: the opaque ``next`` cursor holds the score and rowid of the
last result and a fingerprint of the query, so it cannot be replayed on another one.
Snippets are the display text, HTML-escaped, with ``<mark>`` around the query's
content terms and the expansion phrases (``kb.store.highlight``).

SQLite and PostgreSQL share everything but the per-term SQL (:func:`search_sql`, run
by :func:`run_search`; the PostgreSQL side is :func:`kb.store.fts.pg_terms_match`):
matching, the doc and topic filters and per-term scores are SQL; the combination
above is array arithmetic (numpy) over the matched rows, with a per-database cache of
each row's version group, kind, type and status (:func:`unit_groups`), which also
serves the type and status filters.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import math
import re
import sqlite3
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import chain
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kb.errors import InvalidQuery, NotFound
from kb.store.expand import content_terms, expansion_terms, names_place
from kb.store.fts import (
    BM25_B,
    BM25_K1,
    BM25_WEIGHTS,
    FTS_TABLE,
    PG_LENGTH,
    QueryMode,
    maximal_terms,
    pg_match,
    pg_term_frequency,
    pg_term_names,
    pg_terms_match,
    query_terms,
    terms_expression,
)
from kb.store.highlight import find_ranges, snippet
from kb.store.lookups import topic_rows
from kb.store.query import Reader, document_metas, warm_caches

__all__ = [
    "COMMON_MIN_ROWS",
    "COMMON_SHARE",
    "COORD_EXPONENT",
    "EXPANSION_WEIGHT",
    "KIND_FACTORS",
    "LANGS",
    "MAX_ALL_WORDS",
    "MAX_LIMIT",
    "QueryPlan",
    "SearchParams",
    "Unit",
    "UnitGroups",
    "concepts",
    "decode_cursor",
    "encode_cursor",
    "highlight_terms",
    "matching_rows",
    "pg_bm25",
    "plan_query",
    "run_search",
    "search",
    "search_sql",
    "unit_groups",
    "warm_up",
]

log = logging.getLogger(__name__)

MAX_LIMIT = 100
LANGS = ("zh", "en")
ResultType = Literal["provision", "passage"]
# An expansion phrase counts this much of a query term: it is our guess at what the
# user meant, not what they typed (measured on the dev questions, scripts/bench_retrieval.py).
EXPANSION_WEIGHT = 0.3
# Scale of a document kind's scores (kinds not listed: 1). Local regulations repeat
# national rules in many places' words; they rank first only when a query names a place.
KIND_FACTORS: Mapping[str, float] = {"local-regulation": 0.8}
# main score x (matched content terms / content terms) ** COORD_EXPONENT.
COORD_EXPONENT = 1.0
# A word in more than this share of the search units is common: in mode=any it only
# scores rows that have a rarer word of the query (:func:`_any_units`). Scoring is
# about a microsecond per matched row in SQLite, and a row with none of a question's
# rarer words ranks below the top hundred anyway: on the full corpus, 1% rather than
# 5% halves the time of a lay question (p95 59 -> 25-37 ms of CPU) and leaves every
# question's Recall@10/@100 and MRR of the retrieval set exactly as they were.
COMMON_SHARE = 0.01
# ... and in more than this many: scoring a thousand rows is cheap anyway.
COMMON_MIN_ROWS = 1000
# mode=all requires every word of a keyword query of at most this many words (content
# words, a compound counted once). A longer query, or one with stopwords (吗, how, the),
# is a question or a sentence, which no article repeats word for word: it is ranked by
# any word instead, results with more of its words first (``match: any``).
MAX_ALL_WORDS = 3
# The index column a language's text lives in.
_COLUMN = {"zh": "zh_tokens", "en": "en_text"}
# FTS5 operators and punctuation, dropped from a raw query to find the words to mark.
_RAW_SYNTAX = re.compile(r"\b(?:AND|OR|NOT|NEAR)\b|[{}():^*+\"]|\b\w+\s*:")
# A prefix term of a raw query: consen*
_RAW_PREFIX = re.compile(r"([^\W_]+)\*")
# A place at the start of a local regulation's title: 上海市, 广东省, 延边朝鲜族自治州.
# 广西壮族自治区, 延边朝鲜族自治州: the place without its peoples' names.
_TITLE_PLACE = re.compile(
    r"^([\u4e00-\u9fff]{2,10}?)(?:[\u4e00-\u9fff]{1,6}?族|维吾尔)?(?:自治区|自治州|自治县)"
    r"|^([\u4e00-\u9fff]{2,10}?)(?:省|市|县|地区|盟|经济特区)"
)
_PLACE_SUFFIXES = ("自治区", "自治州", "省", "市")
_CURSOR_VERSION = 2
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class SearchParams:
    """A validated search request."""

    q: str
    mode: QueryMode = "all"
    type: ResultType | None = None
    doc: str | None = None
    topic: str | None = None
    lang: str | None = None
    status: str | None = None
    limit: int = 20
    expand: bool = True

    def fingerprint(self) -> str:
        """Ties a cursor to the query and filters it was issued for (not the limit)."""
        key = json.dumps(
            [self.q, self.type, self.doc, self.topic, self.lang, self.status, self.expand], ensure_ascii=False
        )
        return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Cursor:
    match: QueryMode
    score: float
    rowid: int


def encode_cursor(params: SearchParams, cursor: Cursor) -> str:
    data = {"v": _CURSOR_VERSION, "m": cursor.match, "s": cursor.score, "r": cursor.rowid, "h": params.fingerprint()}
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(params: SearchParams, token: str) -> Cursor:
    """The position a ``next`` token points at; InvalidQuery when it is not one of ours."""
    bad = InvalidQuery(
        "not a cursor this search issued (use the `next` value of the previous page)", parameter="cursor"
    )
    if len(token) > 200:
        raise bad
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad from None
    if not isinstance(data, dict) or data.get("v") != _CURSOR_VERSION or data.get("h") != params.fingerprint():
        raise bad
    match, score, rowid = data.get("m"), data.get("s"), data.get("r")
    if match not in ("all", "any", "raw") or not isinstance(score, int | float) or isinstance(score, bool):
        raise bad
    if not isinstance(rowid, int) or isinstance(rowid, bool):
        raise bad
    return Cursor(match=match, score=float(score), rowid=rowid)


# ---------------------------------------------------------------- what a query asks


@dataclass(frozen=True)
class Unit:
    """One index query: rows with every one of ``terms`` (or the ``raw`` expression).

    ``main`` units are the query's own terms (they count for coordination); the
    others are expansion phrases, weighted by ``weight``. ``within``: terms a row must
    also have, which do not count in this unit's score (an expansion phrase in
    ``mode=all`` only re-ranks rows that have every query term: the index need not
    score it anywhere else); ``within_any``: term groups a row must have one of (all of
    its terms), likewise: a common word scores only rows that have a rarer word of the
    query. The terms of ``within``/``within_any`` must be the terms of the statement's
    unconditional units, whose scores :func:`_scores` takes off again.
    """

    terms: tuple[str, ...]
    weight: float = 1.0
    main: bool = True
    raw: str | None = None
    within: tuple[str, ...] = ()
    within_any: tuple[tuple[str, ...], ...] = ()

    @property
    def conditional(self) -> bool:
        return bool(self.within or self.within_any)


@dataclass(frozen=True)
class QueryPlan:
    """A query taken apart: its tokens, the content terms, and the expansion phrases."""

    terms: tuple[str, ...]
    content: tuple[str, ...]
    expanded: tuple[str, ...] = ()
    expansion: tuple[Unit, ...] = ()

    def is_sentence(self) -> bool:
        """A question or a sentence rather than keywords: it has stopwords, or many words."""
        return len(self.content) < len(self.terms) or len(maximal_terms(self.content)) > MAX_ALL_WORDS

    def highlight(self) -> list[str]:
        """The words to mark: content terms, then the expansion phrases' words."""
        seen = dict.fromkeys(self.content)
        for unit in self.expansion:
            seen.update(dict.fromkeys(unit.terms))
        return list(seen)


@lru_cache(maxsize=1024)
def plan_query(q: str, *, expand: bool = True) -> QueryPlan:
    """The terms of a (non-raw) query, and its expansion units when ``expand``.

    >>> p = plan_query("小区能强制刷脸吗")
    >>> "吗" in p.terms, "吗" in p.content, "人脸识别" in p.expanded
    (True, False, True)
    >>> [u.terms for u in p.expansion][0]
    ('人脸识别',)
    """
    terms = query_terms(q)
    content = content_terms(terms)
    if not expand:
        return QueryPlan(tuple(terms), tuple(content))
    expanded: list[str] = []
    units: dict[tuple[str, ...], Unit] = {}
    for phrase in expansion_terms(q):
        words = tuple(maximal_terms(content_terms(query_terms(phrase))))
        # A one-character word of a longer phrase (建筑物管理人 -> 建筑物 管理 人) is in a
        # good part of the corpus: requiring it costs a long posting list and adds nothing.
        words = tuple(w for w in words if len(w) > 1) or words
        if words and words not in units:
            units[words] = Unit(words, weight=EXPANSION_WEIGHT, main=False)
            expanded.append(phrase)
    return QueryPlan(tuple(terms), tuple(content), tuple(expanded), tuple(units.values()))


# ---------------------------------------------------------------- SQL


def _filters(params: SearchParams, args: dict[str, Any], *, dialect: str) -> list[str]:
    """The WHERE conditions of the doc and topic filters (filling ``args``)."""
    where: list[str] = []
    # type and status: tested on the matched rows by UnitGroups.keeper, not here.
    if params.doc:
        where.append("su.doc_id = :doc")
        args["doc"] = params.doc
    if params.topic:
        # topics is a space-joined list of ids: match a whole id, not a substring.
        find = "instr" if dialect == "sqlite" else "strpos"
        where.append(f"{find}(' ' || su.topics || ' ', ' ' || :topic || ' ') > 0")
        args["topic"] = params.topic
    return where


def search_sql(params: SearchParams, units: Sequence[Unit], *, dialect: str = "sqlite") -> tuple[str, dict[str, Any]]:
    """One statement giving ``(u, rowid, score)`` for every row each unit matches.

    ``u`` is the unit's index in ``units``; ``score`` is larger-is-better (``-bm25()``
    on SQLite; on PostgreSQL an array of the unit's words' counts in the row, and a
    fourth column, the row's length, which :func:`pg_bm25` turns into BM25). The filters of ``params`` apply; the
    full-text match always runs first (``CROSS JOIN`` keeps SQLite from starting at an
    indexed filter column and probing the index once per row).
    """
    args: dict[str, Any] = {}
    where = _filters(params, args, dialect=dialect)
    parts = []
    for i, unit in enumerate(units):
        if dialect == "postgresql":
            match = pg_match(unit.raw, "raw", params.lang) if unit.raw is not None else None
            if unit.raw is None:
                match = pg_terms_match(unit.terms, lang=params.lang, prefix=f"u{i}_")
            if match is None:
                continue
            args.update({f"u{i}_raw" if k == "raw" else k: v for k, v in match.args.items()})
            condition = match.condition.replace(":raw", f":u{i}_raw")
            rank = match.rank.replace(":raw", f":u{i}_raw")
            # ts_rank_cd is not a sum over terms: match with the other terms, rank by the unit's.
            required = pg_terms_match(unit.within, lang=params.lang, prefix=f"u{i}w_") if unit.within else None
            if required is not None:
                args.update(required.args)
                condition = f"{condition} AND {required.condition}"
            alternatives = []
            for j, group in enumerate(unit.within_any):
                one = pg_terms_match(group, lang=params.lang, prefix=f"u{i}a{j}_")
                if one is not None:
                    args.update(one.args)
                    alternatives.append(one.condition)
            if alternatives:
                condition = f"{condition} AND ({' OR '.join(alternatives)})"
            # Per row, the frequency of each of the unit's words and the row's length:
            # pg_bm25 scores them as FTS5's bm25 does. A raw query has only its rank.
            if unit.raw is None:
                names = pg_term_names(unit.terms, f"u{i}_")
                counts = ", ".join(pg_term_frequency(n, params.lang, term=t) for n, t in names.items())
                score, length = f"ARRAY[{counts}]", f"su.{PG_LENGTH}"
            else:
                score, length = f"ARRAY[-({rank})]", "0"
            parts.append(
                f"SELECT {i} AS u, su.rowid AS rowid, {score}::float8[] AS score, {length} AS n_words "
                "FROM search_units su WHERE " + " AND ".join([condition, *where])
            )
            continue
        # bm25() sums over the phrases that matched (FTS5 drops those of an OR branch that
        # did not): the scores of ``within``/``within_any`` are taken off by _scores.
        expression = unit.raw if unit.raw is not None else terms_expression((*unit.within, *unit.terms))
        if expression is not None and unit.within_any:
            either = " OR ".join(f"({terms_expression(g)})" for g in unit.within_any if g)
            expression = f"{expression} AND ({either})"
        if expression is None:
            continue
        if params.lang:
            expression = f"{{{_COLUMN[params.lang]}}} : ({expression})"
        args[f"m{i}"] = expression
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        inner = f"SELECT rowid, -bm25({FTS_TABLE}, {weights}) AS score FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m{i}"
        if where:
            parts.append(
                f"SELECT {i} AS u, f.rowid AS rowid, f.score AS score FROM ({inner}) AS f "
                "CROSS JOIN search_units su ON su.rowid = f.rowid WHERE " + " AND ".join(where)
            )
        else:
            parts.append(f"SELECT {i} AS u, rowid, score FROM ({inner})")
    return " UNION ALL ".join(parts), args


# PostgreSQL error codes: a statement cancelled by statement_timeout; a bad tsquery.
_PG_CANCELLED = "57014"
_PG_SYNTAX = "42601"


def run_search(reader: Reader, sql: str, args: Mapping[str, Any], *, raw: bool = False) -> list[dict[str, Any]]:
    """Run search SQL; syntax errors of raw queries and timeouts become InvalidQuery."""
    try:
        with reader.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(sql), dict(args))]
    except DBAPIError as exc:
        _raise_invalid(exc, raw=raw)
        raise


def _execute(reader: Reader, sql: str, args: Mapping[str, Any], *, raw: bool = False) -> list[Any]:
    try:
        with reader.engine.connect() as conn:
            if reader.engine.dialect.name == "sqlite":
                # Tuples straight from the driver: a long question matches tens of
                # thousands of (unit, rowid, score) rows, and Row objects cost more
                # than the query. sqlite3 takes the same :name parameters.
                dbapi = conn.connection.driver_connection
                if dbapi is not None:
                    return list(dbapi.execute(sql, dict(args)).fetchall())
            return list(conn.execute(text(sql), dict(args)).all())
    except (DBAPIError, sqlite3.Error) as exc:
        _raise_invalid(exc, raw=raw)
        raise


def _raise_invalid(exc: Exception, *, raw: bool) -> None:
    """Raise InvalidQuery for a timeout, or a syntax error of a raw query; else return."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    message = str(orig) if orig is not None else str(exc)
    code = getattr(orig, "sqlstate", None)
    if "interrupted" in message or code == _PG_CANCELLED:
        raise InvalidQuery("the search took too long; use fewer or more specific terms", parameter="q") from None
    if raw and (code == _PG_SYNTAX or (code is None and isinstance(orig, sqlite3.OperationalError))):
        kind = "PostgreSQL tsquery" if code else "FTS5 query"
        raise InvalidQuery(f"not a valid {kind}: {message.strip()}", parameter="q") from None


# ---------------------------------------------------------------- per-database facts about rows


@dataclass(frozen=True)
class UnitGroups:
    """For every search unit (by rowid): its version group, preference and kind factor.

    ``group[rowid]`` numbers the (work, eid) an article belongs to across the versions
    of its work (a passage, or a document without a work, is its document's);
    ``preference[rowid]`` orders the versions of one work (0 first: in force, then the
    newest); ``factor`` is the :data:`KIND_FACTORS` of its document's kind;
    ``places`` the place names that local regulations belong to. ``kind[rowid]`` and
    ``status[rowid]`` number the unit's type and its document's status
    (``codes``: value -> number; -1 for a row not in the table): the type and status
    filters test them here rather than in SQL, where each would cost an index lookup per
    matched row, as much again as scoring it.
    """

    group: array[int]
    preference: array[int]
    factor: array[float]
    places: frozenset[str] = field(default_factory=frozenset)
    kind: array[int] = field(default_factory=lambda: array("b"))
    status: array[int] = field(default_factory=lambda: array("b"))
    codes: Mapping[str, int] = field(default_factory=dict)

    def keep(self, rowid: npt.NDArray[np.int64], type: str | None, status: str | None) -> npt.NDArray[np.bool_]:
        """Which of ``rowid`` pass the type and status filters (None: no filter)."""
        known = rowid < len(self.kind)
        index = np.where(known, rowid, 0)
        out = known.copy()
        for values, name, want in ((self.kind, "type", type), (self.status, "status", status)):
            if want is not None:
                code = self.codes.get(f"{name}:{want}", -2)
                out &= np.frombuffer(values, dtype=np.int8)[index] == code
        return out


def unit_groups(reader: Reader) -> UnitGroups:
    """The :class:`UnitGroups` of the reader's database (computed once per reader)."""
    return reader.cached("search.unit_groups", lambda: _compute_unit_groups(reader))


def _place_names(title: str, meta: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(meta, str):
        try:
            meta = json.loads(meta)
        except ValueError:
            meta = None
    province = meta.get("province") if isinstance(meta, dict) else None
    if isinstance(province, str) and len(province) >= 2:
        names.add(province)
    m = None if title.startswith("关于") else _TITLE_PLACE.match(title)  # 关于…市…的决定 names no place
    if m:
        names.add(m.group(1) or m.group(2))
    out = set()
    for name in names:
        for suffix in _PLACE_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                name = name[: -len(suffix)]
                break
        out.add(name)
    return out


def _compute_unit_groups(reader: Reader) -> UnitGroups:
    with reader.engine.connect() as conn:
        docs = conn.execute(
            text(
                "SELECT id, kind, work, status, title_zh, meta, "
                "coalesce(effective, promulgated, adopted, date, '') AS day FROM documents"
            )
        ).all()
        size = int(conn.execute(text("SELECT coalesce(max(rowid), -1) + 1 FROM search_units")).scalar_one())
        # Streamed: at full scale the rows would cost a worker 100 MB more at its peak.
        units = conn.execution_options(stream_results=True, yield_per=5000).execute(
            text("SELECT rowid, id, doc_id, type, doc_status FROM search_units")
        )
        return _fill_unit_groups(docs, size, units)


def _fill_unit_groups(docs: Sequence[Any], size: int, units: Iterable[Any]) -> UnitGroups:
    work_of = {d.id: d.work or d.id for d in docs}
    factor_of = {d.id: KIND_FACTORS.get(d.kind, 1.0) for d in docs}
    versions: dict[str, list[Any]] = {}
    for d in docs:
        versions.setdefault(work_of[d.id], []).append(d)
    preference_of: dict[str, int] = {}
    for members in versions.values():
        members.sort(key=lambda d: (d.status != "in_force", tuple(-ord(c) for c in d.day), d.id))
        for i, d in enumerate(members):
            preference_of[d.id] = min(i, 127)
    places: set[str] = set()
    for d in docs:
        if d.kind in KIND_FACTORS and KIND_FACTORS[d.kind] != 1.0:
            places |= _place_names(d.title_zh or "", d.meta)
    group = array("q", range(-1, -size - 1, -1))  # unknown rows: a group of their own
    preference = array("b", bytes(size))
    factor = array("d", [1.0]) * size
    kind = array("b", [-1]) * size
    status = array("b", [-1]) * size
    codes: dict[str, int] = {}
    keys: dict[tuple[str, str], int] = {}
    for u in units:
        eid = u.id[len(u.doc_id) + 1 :] if u.id.startswith(u.doc_id + "/") else u.id
        group[u.rowid] = keys.setdefault((work_of.get(u.doc_id, u.doc_id), eid), len(keys))
        preference[u.rowid] = preference_of.get(u.doc_id, 0)
        factor[u.rowid] = factor_of.get(u.doc_id, 1.0)
        kind[u.rowid] = _code(codes, f"type:{u.type}")
        status[u.rowid] = _code(codes, f"status:{u.doc_status}")
    return UnitGroups(group, preference, factor, frozenset(places), kind, status, codes)


def _code(codes: dict[str, int], value: str) -> int:
    """A small number for ``value`` (types and statuses are a handful; an array of bytes holds them)."""
    code = codes.setdefault(value, len(codes))
    if code > 127:
        raise ValueError(f"more than 128 unit types and document statuses: {value!r}")
    return code


# ---------------------------------------------------------------- common words


def _document_frequency(reader: Reader, terms: tuple[str, ...], lang: str | None) -> int:
    """How many search units have all of ``terms`` (in ``lang``'s column), cached per reader."""
    cache: dict[tuple[tuple[str, ...], str | None], int] = reader.cached("search.df", dict)
    key = (terms, lang)
    if key not in cache:
        if len(cache) > 100_000:  # a bound on memory, not a policy
            cache.clear()
        if reader.engine.dialect.name == "postgresql":
            match = pg_terms_match(terms, lang=lang)
            if match is None:
                return 0
            sql, args = f"SELECT count(*) FROM search_units su WHERE {match.condition}", match.args
        else:
            expression = terms_expression(terms) or '""'
            if lang:
                expression = f"{{{_COLUMN[lang]}}} : ({expression})"
            sql, args = f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m", {"m": expression}
        cache[key] = int(_execute(reader, sql, args)[0][0])
    return cache[key]


def _bm25_idf(reader: Reader, term: str, lang: str | None) -> float:
    """FTS5's IDF of one word: ln(0.5 + (N - n + 0.5) / (n + 0.5)), at least 1e-6."""
    total, n = _unit_count(reader), _document_frequency(reader, (term,), lang)
    return max(math.log(0.5 + (total - n + 0.5) / (n + 0.5)), 1e-6)


def _average_length(reader: Reader) -> float:
    def compute() -> float:
        value = _execute(reader, f"SELECT avg({PG_LENGTH}) FROM search_units", {})[0][0]
        return float(value or 0) or 1.0

    return float(reader.cached("search.avgdl", compute))


def pg_bm25(
    reader: Reader, rows: Sequence[Any], units: Sequence[Unit], lang: str | None
) -> list[tuple[int, int, float]]:
    """``(u, rowid, score)`` from PostgreSQL's ``(u, rowid, frequencies, length)`` rows: BM25 as FTS5 computes it.

    FTS5's bm25 of a unit is the sum over its words of idf x f (k1 + 1) / (f + k1 (1 -
    b + b D / avgdl)), f the word's count in the row (columns weighted), D the row's
    length in words, k1 = 1.2, b = 0.75. PostgreSQL has the counts
    (:func:`kb.store.fts.pg_term_frequency`) and the lengths (``n_words``); the sums
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


def _run_units(reader: Reader, params: SearchParams, units: Sequence[Unit], *, raw: bool = False) -> list[Any]:
    """The ``(u, rowid, score)`` rows of the units' index queries, on either database."""
    if reader.engine.dialect.name != "postgresql":
        return _execute(reader, *search_sql(params, units), raw=raw)
    rows = _execute(reader, *search_sql(params, units, dialect="postgresql"), raw=raw)
    return pg_bm25(reader, rows, units, params.lang)


def _unit_count(reader: Reader) -> int:
    return reader.cached("search.units", lambda: int(_execute(reader, "SELECT count(*) FROM search_units", {})[0][0]))


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
            if parts and _document_frequency(reader, (word,), lang) == 0:
                add(parts)  # 人脸识别系统 -> 人脸识别, 识别系统 -> 识别, 系统
            elif (word,) not in out:
                out.append((word,))

    add(plan.content)
    return out


def _any_units(reader: Reader, words: Sequence[tuple[str, ...]], plan: QueryPlan, lang: str | None) -> list[Unit]:
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
    limit = max(COMMON_SHARE * _unit_count(reader), COMMON_MIN_ROWS)
    frequency = [_document_frequency(reader, u.terms, lang) for u in units]
    common = [n > limit for n in frequency]
    anchors = tuple(u.terms for u, c in zip(units, common, strict=True) if not c)
    if not any(common) or not any(0 < n <= limit for n in frequency):
        return units
    return [Unit(u.terms, u.weight, u.main, within_any=anchors) if c else u for u, c in zip(units, common, strict=True)]


# ---------------------------------------------------------------- ranking


@dataclass(frozen=True)
class Scores:
    """Per matched row (``rowid``, ascending): summed main score, main units matched, summed expansion score."""

    rowid: npt.NDArray[np.int64]
    main: npt.NDArray[np.float64]
    matched: npt.NDArray[np.int64]
    extra: npt.NDArray[np.float64]

    @classmethod
    def of(cls, main: Mapping[int, float], matched: Mapping[int, int], extra: Mapping[int, float]) -> Scores:
        """From per-rowid mappings (a row in none of them is not a row)."""
        rowid = np.array(sorted(main.keys() | matched.keys() | extra.keys()), dtype=np.int64)
        ids = rowid.tolist()
        return cls(
            rowid,
            np.array([main.get(r, 0.0) for r in ids], dtype=np.float64),
            np.array([matched.get(r, 0) for r in ids], dtype=np.int64),
            np.array([extra.get(r, 0.0) for r in ids], dtype=np.float64),
        )


def _scores(rows: Sequence[Any], units: Sequence[Unit], *, subtract_within: bool = False) -> Scores:
    """Combine the ``(u, rowid, score)`` rows of the units' index queries per rowid.

    ``subtract_within``: the score of a unit with ``within``/``within_any`` terms includes
    theirs (SQLite's bm25 is a sum over the phrases that matched), and those terms are
    the unconditional units': take the row's unweighted score from those off.
    Sums run in row order (``np.bincount``), as a loop over the rows would add them.
    """
    data = np.fromiter(chain.from_iterable(rows), dtype=np.float64, count=3 * len(rows)).reshape(-1, 3)
    u = data[:, 0].astype(np.int64)
    rowid, inverse = np.unique(data[:, 1].astype(np.int64), return_inverse=True)
    score = data[:, 2]
    size = len(rowid)
    conditional = np.array([x.conditional for x in units], dtype=bool)[u]
    is_main = np.array([x.main for x in units], dtype=bool)[u]
    weight = np.array([x.weight for x in units], dtype=np.float64)[u]
    own = score
    if subtract_within and conditional.any():
        anchor = np.bincount(inverse, weights=np.where(conditional, 0.0, score), minlength=size)
        own = np.where(conditional, score - anchor[inverse], score)

    def total(weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.bincount(inverse, weights=weights, minlength=size).astype(np.float64, copy=False)

    matched = np.bincount(inverse[is_main], minlength=size).astype(np.int64)
    return Scores(rowid, total(np.where(is_main, own, 0.0)), matched, total(np.where(is_main, 0.0, weight * own)))


@dataclass(frozen=True)
class Ranked:
    """The results of a query, best first: per result its ``score`` and shown ``rowid``.

    The versions of one article are one result; ``members`` holds every matched
    version, grouped (``start``/``stop`` of each result's group), the shown one first,
    then the others in order of preference: :meth:`others`.
    """

    score: npt.NDArray[np.float64]
    rowid: npt.NDArray[np.int64]
    start: npt.NDArray[np.int64]
    stop: npt.NDArray[np.int64]
    members: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.rowid)

    def others(self, i: int) -> list[int]:
        """The other matched versions of result ``i`` (its ``also_in``), preferred first."""
        return [int(r) for r in self.members[self.start[i] + 1 : self.stop[i]]]

    def after(self, score: float, rowid: int) -> int:
        """The position of the first result after (``score``, ``rowid``) in this order."""
        later = (self.score < score) | ((self.score == score) & (self.rowid > rowid))
        return int(np.argmax(later)) if later.any() else len(self)

    @property
    def order(self) -> list[tuple[float, int]]:
        return list(zip(self.score.tolist(), self.rowid.tolist(), strict=True))

    @property
    def also_in(self) -> dict[int, list[int]]:
        return {int(r): self.others(i) for i, r in enumerate(self.rowid) if self.stop[i] - self.start[i] > 1}


def rank_rows(
    scores: Scores,
    n_main: int,
    groups: UnitGroups,
    *,
    local_penalty: bool,
    candidates: npt.NDArray[np.bool_] | None = None,
) -> Ranked:
    """Combine the scores of the candidate rows (all, unless a mask); one result per article.

    An article ranks by its best-scoring version and shows the preferred one of those
    that matched (in force, then the newest: it does not depend on the database's
    scoring); the others are its ``also_in``, preferred first. The order is by score
    (larger first), then rowid: total, so a keyset cursor is exact. The arithmetic is a
    loop's, element by element: main x (matched / n_main) ** COORD_EXPONENT + extra,
    times the kind factor.
    """
    pick = slice(None) if candidates is None else candidates
    rowid, main, matched, extra = scores.rowid[pick], scores.main[pick], scores.matched[pick], scores.extra[pick]
    score = main.copy()
    if n_main > 1 and COORD_EXPONENT != 0:
        score *= (matched / n_main) ** COORD_EXPONENT
    score += extra
    known = rowid < len(groups.group)  # not in the cache (cannot happen with a built database): a group of its own
    index = np.where(known, rowid, 0)
    group = np.where(known, np.frombuffer(groups.group, dtype=np.int64)[index], -rowid - 1)
    preference = np.where(known, np.frombuffer(groups.preference, dtype=np.int8)[index], 0)
    if local_penalty:
        score = np.where(known, score * np.frombuffer(groups.factor, dtype=np.float64)[index], score)
    # members by group, then (preference, -score, rowid): each group's first is the version shown
    by_group = np.lexsort((rowid, -score, preference, group))
    sorted_group = group[by_group]
    first = np.flatnonzero(np.r_[len(rowid) > 0, sorted_group[1:] != sorted_group[:-1]]).astype(np.int64)
    stop = np.r_[first[1:], len(rowid)].astype(np.int64)[: len(first)]
    best = np.maximum.reduceat(score[by_group], first) if len(first) else np.empty(0, dtype=np.float64)
    shown = rowid[by_group][first]
    order = np.lexsort((shown, -best))
    return Ranked(best[order], shown[order], first[order].astype(np.int64), stop[order], rowid[by_group])


# ---------------------------------------------------------------- results


def warm_up(reader: Reader) -> None:
    """Load the segmenter and expansion data, fill the reader's caches: the first search is not slow."""
    plan_query("人脸识别 warm-up")
    warm_caches(reader)
    unit_groups(reader)


def highlight_terms(q: str, mode: QueryMode) -> list[str]:
    """The words of a query to mark in snippets (stopwords and FTS5 operators dropped)."""
    if mode != "raw":
        return content_terms(query_terms(q))
    prefixes = [f"{p.lower()}*" for p in _RAW_PREFIX.findall(q)]
    return [*query_terms(_RAW_SYNTAX.sub(" ", _RAW_PREFIX.sub(" ", q))), *prefixes]


def _validate(reader: Reader, params: SearchParams, max_query_length: int) -> None:
    if len(params.q) > max_query_length:
        raise InvalidQuery(f"longer than {max_query_length} characters", parameter="q")
    if not params.q.strip():
        raise InvalidQuery("empty query", parameter="q")
    if not 1 <= params.limit <= MAX_LIMIT:
        raise InvalidQuery(f"must be between 1 and {MAX_LIMIT}", parameter="limit")
    if params.lang is not None and params.lang not in LANGS:
        raise InvalidQuery(f"must be one of {', '.join(LANGS)}", parameter="lang")
    if params.mode not in ("all", "any", "raw"):
        raise InvalidQuery("must be all, any or raw", parameter="mode")
    if params.topic is not None and params.topic not in topic_rows(reader):
        raise NotFound(f"no topic {params.topic!r}")
    if params.doc is not None and params.doc not in document_metas(reader):
        raise NotFound(f"no document {params.doc!r}")


def _result(
    row: Mapping[str, Any], terms: Sequence[str], own: Sequence[str], lang: str | None, score: float
) -> dict[str, Any]:
    """One hit, with its snippet in the language that matched (Chinese text first).

    ``own`` are the query's own words: the snippet is in the language they matched in,
    so an English query that matched an article's translation shows the translation
    even when expansion terms matched its Chinese text; ``terms`` are all marked.
    """
    texts = []
    if row["lang"] == "zh" and lang != "en":
        texts.append((row["text"], "zh", 120))
    if row["en_text"] and not (lang == "zh" and texts):  # lang=zh matched the Chinese text
        texts.append((row["en_text"], "en", 240))
    if not texts:
        texts.append((row["text"], row["lang"], 120))
    chosen = None
    for words in (own, terms):
        chosen = next((t for t in texts if _mentions(t[0], words)), None)
        if chosen is not None:
            break
    text_, snip_lang, width = chosen or texts[-1]
    return {
        "id": row["id"],
        "type": row["type"],
        "doc_id": row["doc_id"],
        "label": row["label"],
        "document_title": row["title_zh"] or row["title_en"],
        "doc_status": row["doc_status"],
        "score": float(f"{score:.6g}"),
        "snippet": snippet(text_, terms, width=width),
        "snippet_lang": snip_lang,
        "topics": row["topics"].split() if row["topics"] else [],
        "also_in": [],
    }


def _mentions(text_: str, words: Sequence[str]) -> bool:
    """Whether a snippet of ``text_`` would mark one of ``words`` (cheaper than making it)."""
    lowered = text_.lower()
    latin = []
    for word in words:
        if _CJK.search(word):
            if word in lowered:
                return True
        else:
            latin.append(word)
    return bool(latin) and bool(find_ranges(text_, latin))


_ROWS_SQL = (
    "SELECT su.rowid AS rowid, su.id, su.type, su.doc_id, su.doc_status, su.lang, su.text, su.en_text, su.topics, "
    "p.label AS label, d.title_zh AS title_zh, d.title_en AS title_en "
    "FROM search_units su LEFT JOIN provisions p ON p.id = su.id LEFT JOIN documents d ON d.id = su.doc_id "
)


def _rows(reader: Reader, rowids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The display rows of these rowids."""
    if not rowids:
        return {}
    names = {f"r{i}": r for i, r in enumerate(rowids)}
    sql = _ROWS_SQL + "WHERE su.rowid IN (" + ", ".join(f":{n}" for n in names) + ")"
    return {int(r["rowid"]): r for r in run_search(reader, sql, names)}


def _match(
    reader: Reader,
    params: SearchParams,
    plan: QueryPlan,
    words: Sequence[tuple[str, ...]],
    match_mode: QueryMode,
    *,
    fallback: bool,
) -> tuple[QueryMode, Scores]:
    """Run a (non-raw) query's index queries in ``match_mode``: the mode it ended in, and the scores.

    With ``fallback`` (a first page), ``all`` becomes ``any`` for a question or a
    sentence, and when no row has every word (a single lay word that only its
    expansion finds, 刷脸); a later page keeps the mode its cursor says.
    """
    subtract = reader.engine.dialect.name != "postgresql"
    if match_mode == "all" and fallback and plan.is_sentence():
        match_mode = "any"
    if match_mode == "all":
        # Every word at once: a small set, usually, and exact.
        required = tuple(t for c in words for t in c)
        units = [Unit(required)]
        units += [Unit(u.terms, u.weight, main=False, within=required) for u in plan.expansion]
        scores = _scores(_run_units(reader, params, units), units, subtract_within=subtract)
        scores = replace(scores, matched=np.where(scores.matched > 0, len(words), 0))  # all of them
        if scores.matched.any() or not fallback:
            return match_mode, scores
        match_mode = "any"
    units = _any_units(reader, words, plan, params.lang)
    return match_mode, _scores(_run_units(reader, params, units), units, subtract_within=subtract)


def _candidates(scores: Scores, match_mode: QueryMode) -> npt.NDArray[np.bool_]:
    """mode=all (and raw): the rows with the query's own words; any: expansion-only rows too."""
    return scores.matched > 0 if match_mode != "any" else np.ones(len(scores.rowid), dtype=bool)


def matching_rows(
    reader: Reader, q: str, *, match: QueryMode, lang: str | None = None, expand: bool = True
) -> npt.NDArray[np.int64]:
    """The rowids :func:`search` ranks for ``q`` when it matches in ``match`` (the ``match``
    of its result), with no filter but ``lang``: what facet counts are counted over."""
    params = SearchParams(q=q, mode=match, lang=lang, expand=expand)
    if match == "raw":
        units = [Unit((), raw=q.strip())]
        scores = _scores(_run_units(reader, params, units, raw=True), units)
    else:
        plan = plan_query(q, expand=expand)
        if not plan.content:
            return np.empty(0, dtype=np.int64)
        _, scores = _match(reader, params, plan, concepts(reader, plan, lang), match, fallback=False)
    return scores.rowid[_candidates(scores, match)]


def search(
    reader: Reader,
    q: str,
    *,
    mode: QueryMode = "all",
    type: ResultType | None = None,
    doc: str | None = None,
    topic: str | None = None,
    lang: str | None = None,
    status: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    max_query_length: int = 1000,
    expand: bool = True,
) -> dict[str, Any]:
    """Ranked provisions and passages for ``q``; see the module docstring.

    Returns ``{"query", "mode", "match", "terms", "expanded_terms", "results", "count",
    "next"}``: ``count`` is the number of results over all pages (versions of one
    article count once), ``next`` the cursor of the next page or None.
    """
    params = SearchParams(
        q=q, mode=mode, type=type, doc=doc, topic=topic, lang=lang, status=status, limit=limit, expand=expand
    )
    _validate(reader, params, max_query_length)
    after = decode_cursor(params, cursor) if cursor else None
    match_mode: QueryMode = after.match if after else mode
    groups = unit_groups(reader)

    if mode == "raw":
        if not q.strip():
            raise InvalidQuery("no searchable words (letters, digits or Chinese characters)", parameter="q")
        plan = QueryPlan(tuple(highlight_terms(q, "raw")), ())
        units: list[Unit] = [Unit((), raw=q.strip())]
        scores = _scores(_run_units(reader, params, units, raw=True), units)
        n_main = 1
    else:
        plan = plan_query(q, expand=expand)
        if not plan.content:
            raise InvalidQuery("no searchable words (letters, digits or Chinese characters)", parameter="q")
        words = concepts(reader, plan, lang)
        n_main = len(words)
        match_mode, scores = _match(reader, params, plan, words, match_mode, fallback=after is None)
    candidates = _candidates(scores, match_mode)
    if type is not None or status is not None:
        candidates &= groups.keep(scores.rowid, type, status)
    local_penalty = not names_place(q, groups.places)
    ranked = rank_rows(scores, n_main, groups, local_penalty=local_penalty, candidates=candidates)
    begin = ranked.after(after.score, after.rowid) if after is not None else 0
    positions = range(begin, min(begin + limit, len(ranked)))
    more = begin + limit < len(ranked)
    page = [(float(ranked.score[i]), int(ranked.rowid[i])) for i in positions]
    others = {int(ranked.rowid[i]): ranked.others(i) for i in positions}
    wanted = [r for _, r in page]
    wanted += [o for r in wanted for o in others[r]]
    shown = _rows(reader, wanted)
    terms = plan.highlight() if mode != "raw" else list(plan.terms)
    own = list(plan.content) if mode != "raw" else terms
    results = []
    for score, rowid in page:
        hit = _result(shown[rowid], terms, own, lang, score)
        hit["also_in"] = [shown[o]["id"] for o in others[rowid] if o in shown]
        results.append(hit)
    next_token = None
    if more and page:
        next_token = encode_cursor(params, Cursor(match=match_mode, score=page[-1][0], rowid=page[-1][1]))
    return {
        "query": q,
        "mode": mode,
        "match": match_mode,
        "terms": terms,
        "expanded_terms": list(plan.expanded),
        "results": results,
        "count": len(ranked),
        "next": next_token,
    }
