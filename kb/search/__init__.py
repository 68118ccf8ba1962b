"""Full-text search over articles and commentary passages (see :mod:`kb.search.engine`).

A layer above the store: it reads through ``kb.store.reader.Reader`` and the indexes the
store's writers build (``kb.store.search_index``, and ``kb.store.fts_schema`` for raw queries);
the store never imports it.

* :mod:`kb.search.plan` — a request, the terms of a query, its expansion units;
* :mod:`kb.search.fts` — query terms as FTS5 expressions and PostgreSQL SQL;
* :mod:`kb.search.index` — the search index in memory (stored by the build): per-word rows and BM25;
* :mod:`kb.search.sql` — one statement for a query's index queries on the database's own index (``mode=raw``);
* :mod:`kb.search.scoring` — which words score where, and PostgreSQL's BM25;
* :mod:`kb.search.groups` — per-database facts about rows (versions, kinds, places);
* :mod:`kb.search.rank` — scores combined per row, one result per article;
* :mod:`kb.search.cursor` — keyset cursors;
* :mod:`kb.search.expand` — synonyms (query expansion) and query stopwords;
* :mod:`kb.search.highlight` — snippets with ``<mark>``;
* :mod:`kb.search.engine` — :func:`search` and :func:`matching_rows`.

This package only re-exports.
"""

from __future__ import annotations

from kb.search.engine import matching_rows, search, warm_up
from kb.search.fts import QueryMode
from kb.search.plan import LANGS, MAX_LIMIT, QueryPlan, ResultType, SearchParams, highlight_terms, plan_query

__all__ = [
    "LANGS",
    "MAX_LIMIT",
    "QueryMode",
    "QueryPlan",
    "ResultType",
    "SearchParams",
    "highlight_terms",
    "matching_rows",
    "plan_query",
    "search",
    "warm_up",
]
