"""Transitional alias of :mod:`kb.read.lookups` for ``kb.store.search`` until the search engine moves to ``kb/search``.

Delete this module once nothing imports ``kb.store.lookups``.
"""

from kb.read.lookups import topic_rows

__all__ = ["topic_rows"]
