"""The SQL of a search: one statement for a query's index queries, and running it on either database.

SQLite runs each unit as an FTS5 ``MATCH`` scored by ``-bm25()``; PostgreSQL as
``tsvector @@ phraseto_tsquery`` conditions returning each word's count in the row and the
row's length, which :func:`kb.search.scoring.pg_bm25` turns into the same BM25.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kb.errors import InvalidQuery
from kb.search.fts import (
    BM25_WEIGHTS,
    pg_match,
    pg_term_frequency,
    pg_term_names,
    pg_terms_match,
    terms_expression,
)
from kb.search.index import index_of
from kb.search.plan import SearchParams, Unit
from kb.store.fts_schema import FTS_TABLE, PG_LENGTH
from kb.store.reader import Reader

__all__ = ["document_frequency", "execute", "run_search", "search_sql", "unit_count"]

# The index column a language's text lives in.
_COLUMN = {"zh": "zh_tokens", "en": "en_text"}


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
    fourth column, the row's length, which :func:`~kb.search.scoring.pg_bm25` turns into BM25).
    The filters of ``params`` apply; the full-text match always runs first (``CROSS JOIN``
    keeps SQLite from starting at an indexed filter column and probing the index once per row).
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
        # did not): the scores of ``within``/``within_any`` are taken off by combine_scores.
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


def execute(reader: Reader, sql: str, args: Mapping[str, Any], *, raw: bool = False) -> list[Any]:
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


def document_frequency(reader: Reader, terms: tuple[str, ...], lang: str | None) -> int:
    """How many search units have all of ``terms`` (in ``lang``'s column), cached per reader."""
    cache: dict[tuple[tuple[str, ...], str | None], int] = reader.cached("search.df", dict)
    key = (terms, lang)
    if key not in cache:
        if len(cache) > 100_000:  # a bound on memory, not a policy
            cache.clear()
        index = index_of(reader)
        if index is not None:
            cache[key] = index.count_all(terms, None if lang is None else ("zh", "en").index(lang))
            return cache[key]
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
        cache[key] = int(execute(reader, sql, args)[0][0])
    return cache[key]


def unit_count(reader: Reader) -> int:
    index = index_of(reader)
    if index is not None:
        return index.rows
    return reader.cached("search.units", lambda: int(execute(reader, "SELECT count(*) FROM search_units", {})[0][0]))
