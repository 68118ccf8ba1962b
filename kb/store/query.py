"""Transitional alias of :mod:`kb.read.query` for ``kb.store.search`` until the search engine moves to ``kb/search``.

Delete this module once nothing imports ``kb.store.query``.
"""

from kb.read.query import Reader, document_metas, warm_caches

__all__ = ["Reader", "document_metas", "warm_caches"]
