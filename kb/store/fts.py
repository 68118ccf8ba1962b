"""Full-text search: the SQL for the index, and turning user queries into FTS5 syntax.

The index is an FTS5 external-content table over ``search_units`` with two columns:
``zh_tokens`` (Chinese, pre-segmented by jieba with the legal user dictionary, one
space between tokens) and ``en_text`` (English, Porter-stemmed by FTS5). A query is
segmented the same way, so a Chinese and an English query run down one path.

User input is escaped by default (every term becomes a quoted string), so quotes,
``NEAR(``, ``*`` or ``-`` from a user are plain text; ``mode="raw"`` passes FTS5 syntax
through for those who ask for it, and raw queries still only reach the index.
"""

from __future__ import annotations

import re
from typing import Literal

from kb.annotate.nlp import tokens_for_index

__all__ = [
    "FTS_TABLE",
    "QueryMode",
    "create_fts_sql",
    "escape_term",
    "match_expression",
    "query_terms",
]

FTS_TABLE = "search_fts"
QueryMode = Literal["all", "any", "raw"]

# bm25 weights per column (zh_tokens, en_text): a hit in either counts the same.
BM25_WEIGHTS = (1.0, 1.0)


def create_fts_sql() -> list[str]:
    """SQLite statements that create and fill the index from ``search_units``."""
    return [
        f"DROP TABLE IF EXISTS {FTS_TABLE}",
        (
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
            "zh_tokens, en_text, content='search_units', content_rowid='rowid', "
            "tokenize='porter unicode61 remove_diacritics 2')"
        ),
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('rebuild')",
    ]


def escape_term(term: str) -> str:
    """Quote one term for FTS5, doubling any double quote inside it.

    >>> escape_term('a"b')
    '"a""b"'
    """
    return '"' + term.replace('"', '""') + '"'


_WORDISH = re.compile(r"\w", re.UNICODE)


def query_terms(query: str) -> list[str]:
    """The index tokens of a user query, deduplicated, in order."""
    seen: dict[str, None] = {}
    for tok in tokens_for_index(query).split():
        if _WORDISH.search(tok):
            seen.setdefault(tok, None)
    return list(seen)


def match_expression(query: str, mode: QueryMode = "all") -> str | None:
    """The FTS5 MATCH expression for a user query; None when it has no searchable term.

    >>> match_expression('face "NEAR(', "all")
    '"face" AND "near"'
    """
    if mode == "raw":
        return query.strip() or None
    terms = query_terms(query)
    if not terms:
        return None
    joiner = " AND " if mode == "all" else " OR "
    return joiner.join(escape_term(t) for t in terms)
