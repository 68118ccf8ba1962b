"""Full-text search: turning user queries into FTS5 syntax and PostgreSQL SQL over the index.

The index (its schema: ``kb.store.fts_schema``) has two columns, ``zh_tokens`` (jieba
tokens) and ``en_text`` (English, Porter-stemmed). A query is segmented the way the
index was, so a Chinese and an English query run down one path.

User input is escaped by default (every term becomes a quoted string), so quotes,
``NEAR(``, ``*`` or ``-`` from a user are plain text; ``mode="raw"`` passes FTS5 syntax
through for those who ask for it, and raw queries still only reach the index.

On PostgreSQL, :func:`pg_match` turns a user query into SQL over the generated
``tsvector`` columns; every term is a bound parameter that goes through
``phraseto_tsquery``, never tsquery syntax. :func:`pg_term_frequency` gives a word's
count in a row: with the row's length (``n_words``), what BM25 needs besides the
document frequencies (``kb.search.scoring.pg_bm25`` sums it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from kb.annotate.nlp import tokens_for_index
from kb.store.fts_schema import PG_COLUMNS

__all__ = [
    "BM25_B",
    "BM25_K1",
    "BM25_WEIGHTS",
    "PgMatch",
    "QueryMode",
    "escape_term",
    "match_expression",
    "maximal_terms",
    "pg_match",
    "pg_term_frequency",
    "pg_term_names",
    "pg_terms_match",
    "query_terms",
    "terms_expression",
]

QueryMode = Literal["all", "any", "raw"]

# bm25 weights per column (zh_tokens, en_text): a hit in either counts the same.
BM25_WEIGHTS = (1.0, 1.0)
# FTS5's bm25 constants (PostgreSQL's BM25 in kb.search.scoring.pg_bm25 uses the same).
BM25_K1, BM25_B = 1.2, 0.75
# The indexed column a language filter (``lang=zh|en``) keeps.
_PG_LANG_COLUMN = {"zh": "zh_tokens", "en": "en_text"}


def escape_term(term: str) -> str:
    """Quote one term for FTS5, doubling any double quote inside it.

    >>> escape_term('a"b')
    '"a""b"'
    """
    return '"' + term.replace('"', '""') + '"'


_WORDISH = re.compile(r"\w", re.UNICODE)
# What unicode61 splits words on: anything but letters and digits.
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def query_terms(query: str) -> list[str]:
    """The index tokens of a user query, deduplicated, in order."""
    seen: dict[str, None] = {}
    for tok in tokens_for_index(query).split():
        if _WORDISH.search(tok):
            seen.setdefault(tok, None)
    return list(seen)


def maximal_terms(terms: Sequence[str]) -> list[str]:
    """The terms that are not part of a longer one: the words of a phrase, once.

    jieba's search mode gives a compound and its parts; a phrase added by query
    expansion should match as the compound, not as any of its parts.

    >>> maximal_terms(["人脸", "信息", "人脸信息"])
    ['人脸信息']
    >>> maximal_terms(["公共", "安全", "公共安全", "视频", "系统"])
    ['公共安全', '视频', '系统']
    """
    return [t for t in terms if not any(t != other and t in other for other in terms)]


def terms_expression(terms: Sequence[str], *, require_all: bool = True) -> str | None:
    """An FTS5 expression of index tokens, each quoted: all of them (AND) or any (OR).

    >>> terms_expression(["face", 'a"b'], require_all=False)
    '"face" OR "a""b"'
    """
    if not terms:
        return None
    return (" AND " if require_all else " OR ").join(escape_term(t) for t in terms)


def match_expression(query: str, mode: QueryMode = "all") -> str | None:
    """The FTS5 MATCH expression for a user query; None when it has no searchable term.

    >>> match_expression('face "NEAR(', "all")
    '"face" AND "near"'
    """
    if mode == "raw":
        return query.strip() or None
    return terms_expression(query_terms(query), require_all=mode == "all")


@dataclass(frozen=True)
class PgMatch:
    """A query as PostgreSQL SQL over ``search_units su``: a condition and a rank.

    ``rank`` is smaller-is-better (minus ``ts_rank_cd``), as FTS5's ``bm25()`` is, so
    the rest of the search code does not care which database answers.
    """

    condition: str
    rank: str
    args: dict[str, Any] = field(default_factory=dict)


# ts_rank_cd normalisation for mode=raw, whose query has no words to count for BM25
# (kb.search.scoring.pg_bm25): 1 | 32, divided by 1 + log(document length), as BM25 damps
# long texts, then r / (r + 1), as BM25's term frequency saturates.
_PG_RANK_NORMALIZATION = 33


def pg_match(query: str, mode: QueryMode = "all", lang: str | None = None) -> PgMatch | None:
    """The PostgreSQL condition and rank for a user query; None when it has no term.

    A term must match in either column (in ``lang``'s column only, when given), as an
    FTS5 term without a column filter does. ``mode="raw"`` hands the query to
    ``to_tsquery`` (PostgreSQL's tsquery syntax: ``&``, ``|``, ``!``, ``<->``, ``:*``).

    >>> m = pg_match("face 人脸", "all")
    >>> m.args
    {'t0': 'face', 't1': '人脸'}
    >>> m.condition.count("phraseto_tsquery")
    4
    >>> pg_match("face", "any", "en").condition
    "(su.en_tsv @@ (phraseto_tsquery('kb_english', :t0)))"
    """
    columns = list(PG_COLUMNS) if lang is None else [_PG_LANG_COLUMN[lang]]
    if mode == "raw":
        raw = query.strip()
        if not raw:
            return None
        per_column = {c: f"to_tsquery('{PG_COLUMNS[c][1]}', :raw)" for c in columns}
        condition = " OR ".join(f"su.{PG_COLUMNS[c][0]} @@ {q}" for c, q in per_column.items())
        return PgMatch(f"({condition})", _pg_rank(per_column), {"raw": raw})
    return pg_terms_match(query_terms(query), require_all=mode == "all", lang=lang)


def pg_term_names(terms: Sequence[str], prefix: str = "t") -> dict[str, str]:
    """Bound parameter name -> term, as :func:`pg_terms_match` binds them (terms left empty dropped).

    The index turned punctuation into spaces; a term gets the same treatment here.
    """
    args = {f"{prefix}{i}": _NOT_WORD.sub(" ", t).strip() for i, t in enumerate(terms)}
    return {name: value for name, value in args.items() if value}


def pg_term_frequency(name: str, lang: str | None = None, *, term: str = "") -> str:
    """SQL (float8): how often the term bound as ``:name`` occurs in the row, over the columns searched.

    ``ts_rank_cd`` with normalisation 0 is 0.1 for each occurrence of a one-word query
    (a cover of one position, weight D): ten times it is the count, weighted per column
    as FTS5's bm25 weighs a column's hits. ``term``: the word itself; a Chinese one is
    counted in the Chinese column only.
    """
    columns = list(PG_COLUMNS) if lang is None else [_PG_LANG_COLUMN[lang]]
    if _CJK_CHAR.search(term):
        # English text has (nearly) no Chinese words: counting there would cost a call a row.
        columns = [c for c in columns if c != "en_text"]
    if not columns:
        return "0::float8"
    weights = dict(zip(("zh_tokens", "en_text"), BM25_WEIGHTS, strict=True))
    parts = [
        f"{weights[c]} * ts_rank_cd(su.{PG_COLUMNS[c][0]}, phraseto_tsquery('{PG_COLUMNS[c][1]}', :{name}), 0)"
        for c in columns
    ]
    return f"round(10 * ({' + '.join(parts)}))::float8"


def pg_terms_match(
    terms: Sequence[str], *, require_all: bool = True, lang: str | None = None, prefix: str = "t"
) -> PgMatch | None:
    """:func:`pg_match` for index tokens given as they are (not segmented again).

    ``prefix`` names the bound parameters (``t0``, ``t1`` ...), so that the matches of
    several term groups can share one statement.

    >>> pg_terms_match(["人脸识别"], prefix="u3_").args
    {'u3_0': '人脸识别'}
    """
    columns = list(PG_COLUMNS) if lang is None else [_PG_LANG_COLUMN[lang]]
    args = pg_term_names(terms, prefix)
    if not args:
        return None

    def tsquery(column: str, name: str) -> str:
        return f"phraseto_tsquery('{PG_COLUMNS[column][1]}', :{name})"

    # Any term, in each column: what "any" matches and what every row is ranked by.
    any_term = {c: "(" + " || ".join(tsquery(c, name) for name in args) + ")" for c in columns}
    if require_all:
        # Every term, each in any of the columns.
        per_term = (" OR ".join(f"su.{PG_COLUMNS[c][0]} @@ {tsquery(c, name)}" for c in columns) for name in args)
        condition = " AND ".join(f"({term})" for term in per_term)
    else:
        condition = " OR ".join(f"su.{PG_COLUMNS[c][0]} @@ {q}" for c, q in any_term.items())
    return PgMatch(f"({condition})", _pg_rank(any_term), args)


def _pg_rank(per_column: dict[str, str]) -> str:
    """SQL for minus the weighted sum of each column's ``ts_rank_cd`` (float8, exact in a cursor)."""
    weights = dict(zip(("zh_tokens", "en_text"), BM25_WEIGHTS, strict=True))
    parts = [
        f"{weights[c]} * ts_rank_cd(su.{PG_COLUMNS[c][0]}, {q}, {_PG_RANK_NORMALIZATION})::float8"
        for c, q in per_column.items()
    ]
    return "-(" + " + ".join(parts) + ")"
