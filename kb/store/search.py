"""TEMPORARY shim, removed at merge: the search engine moved to :mod:`kb.search`.

Only for ``kb.store.pages`` and ``api.app``, which another branch is moving (to
``kb.read`` and ``api.web``); everything else imports ``kb.search``. The store must not
import ``kb.search`` (it sits above the store): the import-linter contract ignores this
module's imports by name until it is deleted.
"""

from __future__ import annotations

from kb.search import matching_rows, search
from kb.search import warm_up as _warm_search
from kb.store.query import Reader, warm_caches

__all__ = ["matching_rows", "search", "warm_up"]


def warm_up(reader: Reader) -> None:
    """What ``api.app`` warmed before the move: the search's caches and the read side's."""
    _warm_search(reader)
    warm_caches(reader)
