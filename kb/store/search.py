"""Full-text search over articles and commentary passages, ranked by BM25.

One index (``search_fts``, see ``kb.store.fts``) covers both languages: a Chinese
query matches the jieba tokens of an article, an English query matches the English
translations of articles and the commentary passages, so "facial recognition"
finds Chinese provisions through their translations.

As in sqlite-utils, the SQL is built by one function (:func:`search_sql`) and run by
another (:func:`run_search`); :func:`search` puts them together:

* user input is escaped into quoted FTS5 terms (``mode="all"``, the default, or
  ``"any"``); ``mode="raw"`` passes FTS5 syntax through, and a syntax error there is
  an :class:`~kb.errors.InvalidQuery`, never a crash;
* if every term is required and nothing matches, the query is run again with any
  term (the result says ``"match": "any"``);
* pages are keyset pages: the opaque ``next`` cursor holds the rank and rowid of the
  last result and a fingerprint of the query, so it cannot be replayed on another one;
* snippets are the display text, HTML-escaped, with ``<mark>`` around matches
  (``kb.store.highlight``).

On PostgreSQL the same function answers from the ``tsvector`` columns of
``search_units`` (:func:`kb.store.fts.pg_match`): :func:`search` picks the SQL by the
reader's dialect, everything else (validation, fallback, cursors, snippets) is shared.
Raw queries there are PostgreSQL tsquery syntax (``to_tsquery``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

from kb.errors import InvalidQuery, NotFound
from kb.store.fts import BM25_WEIGHTS, FTS_TABLE, PgMatch, QueryMode, match_expression, pg_match, query_terms
from kb.store.highlight import snippet
from kb.store.query import Reader, document_metas, list_topics, warm_caches

__all__ = [
    "LANGS",
    "MAX_LIMIT",
    "SearchParams",
    "decode_cursor",
    "encode_cursor",
    "highlight_terms",
    "run_search",
    "search",
    "search_sql",
    "warm_up",
]

log = logging.getLogger(__name__)

MAX_LIMIT = 100
LANGS = ("zh", "en")
ResultType = Literal["provision", "passage"]
# The index column a language's text lives in.
_COLUMN = {"zh": "zh_tokens", "en": "en_text"}
# FTS5 operators and punctuation, dropped from a raw query to find the words to mark.
_RAW_SYNTAX = re.compile(r"\b(?:AND|OR|NOT|NEAR)\b|[{}():^*+\"]|\b\w+\s*:")
# A prefix term of a raw query: consen*
_RAW_PREFIX = re.compile(r"([^\W_]+)\*")
_CURSOR_VERSION = 1


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

    def fingerprint(self) -> str:
        """Ties a cursor to the query and filters it was issued for (not the limit)."""
        key = json.dumps([self.q, self.type, self.doc, self.topic, self.lang, self.status], ensure_ascii=False)
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


def search_sql(
    params: SearchParams, match: str | PgMatch, *, after: Cursor | None = None, count: bool = False
) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters of one page of results (or of the total, ``count=True``).

    ``match`` is an FTS5 MATCH expression (SQLite) or a :class:`PgMatch` (PostgreSQL).
    Rank is ``bm25()`` (smaller is better); ties
    are broken by rowid, which makes the order total and the keyset cursor exact.
    ``CROSS JOIN`` keeps SQLite from starting at an indexed filter column (type,
    doc_id) and probing the index once per row: the full-text match always goes first.
    """
    if isinstance(match, PgMatch):
        return _pg_search_sql(params, match, after=after, count=count)
    if params.lang:
        match = f"{{{_COLUMN[params.lang]}}} : ({match})"
    weights = ", ".join(str(w) for w in BM25_WEIGHTS)
    args: dict[str, Any] = {"match": match}
    where = _filters(params, args, dialect="sqlite")
    inner = f"SELECT rowid, bm25({FTS_TABLE}, {weights}) AS rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match"
    if count:
        sql = f"SELECT count(*) FROM ({inner}) AS f CROSS JOIN search_units su ON su.rowid = f.rowid"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return sql, args
    if after is not None:
        where.append("(f.rank > :after_rank OR (f.rank = :after_rank AND su.rowid > :after_rowid))")
        args["after_rank"] = after.score
        args["after_rowid"] = after.rowid
    sql = (
        "SELECT su.rowid, su.id, su.type, su.doc_id, su.doc_status, su.lang, su.text, su.en_text, su.topics, "
        "f.rank, p.label AS label, d.title_zh AS title_zh, d.title_en AS title_en "
        f"FROM ({inner}) AS f "
        "CROSS JOIN search_units su ON su.rowid = f.rowid "
        "LEFT JOIN provisions p ON p.id = su.id "
        "LEFT JOIN documents d ON d.id = su.doc_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY f.rank, su.rowid LIMIT :limit"
    args["limit"] = params.limit + 1  # one more than a page: is there a next page?
    return sql, args


def _filters(params: SearchParams, args: dict[str, Any], *, dialect: str) -> list[str]:
    """The WHERE conditions of the type/doc/status/topic filters (filling ``args``)."""
    where: list[str] = []
    if params.type:
        where.append("su.type = :type")
        args["type"] = params.type
    if params.doc:
        where.append("su.doc_id = :doc")
        args["doc"] = params.doc
    if params.status:
        where.append("su.doc_status = :status")
        args["status"] = params.status
    if params.topic:
        # topics is a space-joined list of ids: match a whole id, not a substring.
        find = "instr" if dialect == "sqlite" else "strpos"
        where.append(f"{find}(' ' || su.topics || ' ', ' ' || :topic || ' ') > 0")
        args["topic"] = params.topic
    return where


# The search_units columns a result is made from.
_UNIT_COLUMNS = ("rowid", "id", "type", "doc_id", "doc_status", "lang", "text", "en_text", "topics")


def _pg_search_sql(
    params: SearchParams, match: PgMatch, *, after: Cursor | None = None, count: bool = False
) -> tuple[str, dict[str, Any]]:
    """:func:`search_sql` for PostgreSQL: the same columns, order and keyset.

    The language filter is part of ``match`` already (:func:`kb.store.fts.pg_match`).
    """
    args: dict[str, Any] = dict(match.args)
    where = [match.condition, *_filters(params, args, dialect="postgresql")]
    if count:
        return "SELECT count(*) FROM search_units su WHERE " + " AND ".join(where), args
    ranked = (
        f"SELECT {', '.join('su.' + c for c in _UNIT_COLUMNS)}, {match.rank} AS rank "
        "FROM search_units su WHERE " + " AND ".join(where)
    )
    # The page is cut before the joins, so only its rows look up labels and titles.
    page = f"SELECT * FROM ({ranked}) AS r"
    if after is not None:
        page += " WHERE r.rank > :after_rank OR (r.rank = :after_rank AND r.rowid > :after_rowid)"
        args["after_rank"] = after.score
        args["after_rowid"] = after.rowid
    page += " ORDER BY r.rank, r.rowid LIMIT :limit"
    args["limit"] = params.limit + 1
    sql = (
        f"SELECT {', '.join('f.' + c for c in _UNIT_COLUMNS)}, "
        "f.rank, p.label AS label, d.title_zh AS title_zh, d.title_en AS title_en "
        f"FROM ({page}) AS f "
        "LEFT JOIN provisions p ON p.id = f.id "
        "LEFT JOIN documents d ON d.id = f.doc_id "
        "ORDER BY f.rank, f.rowid"
    )
    return sql, args


# PostgreSQL error codes: a statement cancelled by statement_timeout; a bad tsquery.
_PG_CANCELLED = "57014"
_PG_SYNTAX = "42601"


def run_search(reader: Reader, sql: str, args: Mapping[str, Any], *, raw: bool = False) -> list[dict[str, Any]]:
    """Run SQL from :func:`search_sql`; syntax errors of raw queries and timeouts become InvalidQuery."""
    try:
        with reader.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(sql), dict(args))]
    except DBAPIError as exc:
        message = str(exc.orig) if exc.orig is not None else str(exc)
        code = getattr(exc.orig, "sqlstate", None)
        if "interrupted" in message or code == _PG_CANCELLED:
            raise InvalidQuery("the search took too long; use fewer or more specific terms", parameter="q") from None
        if raw and (code == _PG_SYNTAX or (code is None and isinstance(exc, OperationalError))):
            kind = "PostgreSQL tsquery" if code else "FTS5 query"
            raise InvalidQuery(f"not a valid {kind}: {message.strip()}", parameter="q") from None
        raise


def warm_up(reader: Reader) -> None:
    """Load the segmenter and fill the reader's caches, so the first search is not slow."""
    query_terms("人脸识别 warm-up")
    warm_caches(reader)


def highlight_terms(q: str, mode: QueryMode) -> list[str]:
    """The words of a query to mark in snippets (FTS5 operators dropped in raw mode)."""
    if mode != "raw":
        return query_terms(q)
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
    if params.topic is not None and params.topic not in {t["id"] for t in list_topics(reader)}:
        raise NotFound(f"no topic {params.topic!r}")
    if params.doc is not None and params.doc not in document_metas(reader):
        raise NotFound(f"no document {params.doc!r}")


def _result(row: Mapping[str, Any], terms: Sequence[str], lang: str | None) -> dict[str, Any]:
    """One hit, with its snippet in the language that matched (Chinese text first)."""
    zh_snip = None
    if row["lang"] == "zh" and lang != "en":
        zh_snip = snippet(row["text"], terms, width=120)
        if "<mark>" not in zh_snip and row["en_text"]:
            zh_snip = None
    if zh_snip is not None:
        snip, snip_lang = zh_snip, "zh"
    elif row["en_text"]:
        snip, snip_lang = snippet(row["en_text"], terms, width=240), "en"
    else:
        snip, snip_lang = snippet(row["text"], terms, width=120), row["lang"]
    return {
        "id": row["id"],
        "type": row["type"],
        "doc_id": row["doc_id"],
        "label": row["label"],
        "document_title": row["title_zh"] or row["title_en"],
        "doc_status": row["doc_status"],
        "score": float(f"{-float(row['rank']):.6g}"),
        "snippet": snip,
        "snippet_lang": snip_lang,
        "topics": row["topics"].split() if row["topics"] else [],
    }


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
) -> dict[str, Any]:
    """Ranked provisions and passages for ``q``; see the module docstring.

    Returns ``{"query", "match", "results", "count", "next"}``: ``count`` is the
    number of hits over all pages, ``next`` the cursor of the next page or None.
    """
    params = SearchParams(q=q, mode=mode, type=type, doc=doc, topic=topic, lang=lang, status=status, limit=limit)
    _validate(reader, params, max_query_length)
    after = decode_cursor(params, cursor) if cursor else None
    match_mode: QueryMode = after.match if after else mode
    postgres = reader.engine.dialect.name == "postgresql"

    def expression_for(m: QueryMode) -> str | PgMatch | None:
        return pg_match(q, m, lang) if postgres else match_expression(q, m)

    expression = expression_for(match_mode)
    if expression is None:
        raise InvalidQuery("no searchable words (letters, digits or Chinese characters)", parameter="q")
    raw = match_mode == "raw"
    rows = run_search(reader, *search_sql(params, expression, after=after), raw=raw)
    if not rows and after is None and match_mode == "all" and len(query_terms(q)) > 1:
        fallback = expression_for("any")
        if fallback is not None:
            match_mode, expression = "any", fallback
            rows = run_search(reader, *search_sql(params, expression))
    count_rows = run_search(reader, *search_sql(params, expression, count=True), raw=raw)
    total = int(next(iter(count_rows[0].values()))) if count_rows else 0
    page, more = rows[: params.limit], len(rows) > params.limit
    terms = highlight_terms(q, match_mode)
    next_token = None
    if more and page:
        last = page[-1]
        position = Cursor(match=match_mode, score=float(last["rank"]), rowid=int(last["rowid"]))
        next_token = encode_cursor(params, position)
    return {
        "query": q,
        "mode": mode,
        "match": match_mode,
        "terms": terms,
        "results": [_result(r, terms, lang) for r in page],
        "count": total,
        "next": next_token,
    }
