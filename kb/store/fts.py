"""TEMPORARY shim, removed at merge: the query side of the index moved to :mod:`kb.search.fts`,
its schema to :mod:`kb.store.fts_schema`. Only for ``kb.store.pages`` (moving on another branch)."""

from __future__ import annotations

from kb.search.fts import QueryMode

__all__ = ["QueryMode"]
