"""Read-side queries: everything the CLI and the API read goes through here.

Functions take a :class:`Reader` (an engine opened read-only, see ``kb.store.reader``)
and return plain JSON-able dicts. They raise :class:`kb.errors.NotFound` for unknown
ids and :class:`kb.errors.InvalidQuery` for bad parameters.

This module re-exports the read side, so callers (``api``, ``kb.cli``) import one
module: documents from ``kb.read.documents``, provisions from ``kb.read.provisions``,
passages from ``kb.read.passages``, topics from ``kb.read.topicviews``, versions and
the graph from ``kb.read.graphs``, citations from ``kb.read.citing``. Full-text search
is ``kb.search``; citation formats are ``kb.read.citeformat``.
"""

from __future__ import annotations

from typing import Any

from kb.ids import node_type
from kb.read.citing import citation_index, cite, resolve_citations
from kb.read.documents import cached_counts, document_passages, get_document, health, list_documents, stats
from kb.read.graphs import GRAPH_KINDS, GRAPH_MAX_NODES, compare_versions, graph
from kb.read.history import get_provision_at, provision_history
from kb.read.lookups import CONTAINERS, TOC_LEVELS, UNIT_LEVELS, document_metas, meta_from_row
from kb.read.pagedata import commentary_passages
from kb.read.passages import get_passage
from kb.read.provisions import get_provision
from kb.read.topicviews import get_topic, list_topics, topic_viewpoints
from kb.store.reader import PUBLIC_BUILD_KEYS, Reader, ReaderSource, build_info, open_reader, read_only_engine

__all__ = [
    "CONTAINERS",
    "GRAPH_KINDS",
    "GRAPH_MAX_NODES",
    "PUBLIC_BUILD_KEYS",
    "TOC_LEVELS",
    "UNIT_LEVELS",
    "Reader",
    "ReaderSource",
    "build_info",
    "cite",
    "compare_versions",
    "document_metas",
    "document_passages",
    "get_document",
    "get_passage",
    "get_provision",
    "get_provision_at",
    "get_topic",
    "graph",
    "health",
    "list_documents",
    "list_topics",
    "meta_from_row",
    "open_reader",
    "provision_history",
    "read_only_engine",
    "resolve_citations",
    "show",
    "stats",
    "topic_viewpoints",
    "warm_caches",
]


def show(reader: Reader, target: str) -> dict[str, Any]:
    """``kb show``: a document, provision or passage by id. A commentary document comes with
    its passages, each with its speaker, topics and links (strongest first)."""
    kind = node_type(target)
    if kind == "document":
        doc = get_document(reader, target)
        if doc["kind"] == "commentary":
            doc["passages"] = [_passage_summary(p) for p in commentary_passages(reader, target)]
        return {"type": "document", **doc}
    if kind == "passage":
        return {"type": "passage", **get_passage(reader, target)}
    return {"type": "provision", **get_provision(reader, target)}


def _passage_summary(p: dict[str, Any]) -> dict[str, Any]:
    """A passage as ``kb show`` lists it under its document: its links without their evidence
    (``kb show <passage id>`` gives that)."""
    keep = ("id", "kind", "score", "short_name")
    return {
        **{k: p[k] for k in ("id", "n", "text", "kind", "section", "speaker", "stance")},
        "topics": [t["id"] for t in p["topics"]],
        "links": sorted(
            ({k: lk.get(k) for k in keep} for lk in (*p["provisions"], *p["documents"])), key=lambda lk: -lk["score"]
        ),
    }


def warm_caches(reader: Reader) -> None:
    """Fill the reader's caches now rather than on the first request that needs them."""
    build_info(reader)
    cached_counts(reader)
    list_topics(reader)
    citation_index(reader)
