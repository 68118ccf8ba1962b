"""The link graph: version comparison (``aligned`` links) and neighbourhoods.

:func:`compare_versions` lists how each article of an earlier version fared in a later
one; :func:`graph` walks links of chosen kinds breadth-first from a node, nearest
first, up to a node cap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kb.errors import InvalidQuery, NotFound
from kb.ids import doc_of, node_type
from kb.read.lookups import (
    UNIT_LEVELS,
    chunks,
    doc_summary,
    document_row,
    document_titles,
    excerpt,
    like_escape,
    passage_briefs,
    provision_labels,
    version_entry,
)
from kb.store.reader import Reader
from kb.store.schema import DocumentRow, LinkRow, PassageRow, ProvisionRow

__all__ = [
    "GRAPH_KINDS",
    "GRAPH_MAX_NODES",
    "compare_versions",
    "graph",
]

GRAPH_KINDS = ("cites", "discusses", "mentions", "aligned", "version_of")
# A neighbourhood larger than this is cut (nearest hops first) and marked truncated.
GRAPH_MAX_NODES = 500


def compare_versions(reader: Reader, from_id: str, to_id: str) -> dict[str, Any]:
    """Article alignment of an earlier version (``from_id``) with a later one (``to_id``)."""
    if from_id == to_id:
        raise InvalidQuery("from and to are the same document", parameter="to")
    with reader.session() as s:
        old_doc = document_row(s, from_id)
        new_doc = document_row(s, to_id)
        if not old_doc.work or old_doc.work != new_doc.work:
            raise InvalidQuery(f"{from_id} and {to_id} are not versions of one work", parameter="to")
        if _has_alignment(s, from_id, to_id):
            raise InvalidQuery(f"{from_id} is the later version: try from={to_id}&to={from_id}", parameter="from")
        links = list(
            s.scalars(
                select(LinkRow).where(
                    LinkRow.kind == "aligned",
                    or_(
                        (
                            LinkRow.src.like(f"{like_escape(to_id)}/%", escape="\\")
                            & (LinkRow.dst.like(f"{like_escape(from_id)}/%", escape="\\") | (LinkRow.dst == from_id))
                        ),
                        (LinkRow.src.like(f"{like_escape(from_id)}/%", escape="\\") & (LinkRow.dst == to_id)),
                    ),
                )
            )
        )
        ordinals: dict[str, int] = {}
        labels: dict[str, str] = {}
        for doc_id in (from_id, to_id):
            for pid, ordinal, label in s.execute(
                select(ProvisionRow.id, ProvisionRow.ordinal, ProvisionRow.label).where(
                    ProvisionRow.doc_id == doc_id, ProvisionRow.level.in_(UNIT_LEVELS)
                )
            ):
                ordinals[pid], labels[pid] = ordinal, label
    rows = []
    for lk in links:
        entry = version_entry(lk, set())
        rows.append(
            {
                "old_id": entry["old_id"],
                "new_id": entry["new_id"],
                "old_label": labels.get(entry["old_id"] or ""),
                "new_label": labels.get(entry["new_id"] or ""),
                "status": entry["status"],
                "score": entry["score"],
                "moved": entry["moved"],
                "diff": entry["diff"],
            }
        )
    rows = _in_reading_order(rows, ordinals)
    summary: dict[str, int] = defaultdict(int)
    for r in rows:
        summary[r["status"] or "unknown"] += 1
    return {
        "from": doc_summary(old_doc),
        "to": doc_summary(new_doc),
        "summary": dict(summary),
        "results": rows,
        "count": len(rows),
    }


def _has_alignment(s: Session, new_id: str, old_id: str) -> bool:
    return (
        s.scalar(
            select(LinkRow.id)
            .where(
                LinkRow.kind == "aligned",
                LinkRow.src.like(f"{like_escape(new_id)}/%", escape="\\"),
                LinkRow.dst.like(f"{like_escape(old_id)}/%", escape="\\"),
            )
            .limit(1)
        )
        is not None
    )


def _in_reading_order(rows: list[dict[str, Any]], ordinals: Mapping[str, int]) -> list[dict[str, Any]]:
    """New-text order; a removed article goes after the new article its predecessor became."""
    by_old = sorted((r for r in rows if r["old_id"]), key=lambda r: ordinals.get(r["old_id"], 0))
    anchor: dict[str, float] = {}
    last = -1.0
    for r in by_old:
        if r["new_id"]:
            last = float(ordinals.get(r["new_id"], 0))
        else:
            anchor[r["old_id"]] = last + 0.5

    def key(r: dict[str, Any]) -> tuple[float, int]:
        if r["new_id"]:
            return (float(ordinals.get(r["new_id"], 0)), 0)
        return (anchor.get(r["old_id"], -1.0), ordinals.get(r["old_id"], 0))

    return sorted(rows, key=key)


def graph(
    reader: Reader,
    node: str,
    *,
    depth: int = 1,
    kinds: Sequence[str] | None = None,
    max_nodes: int = GRAPH_MAX_NODES,
) -> dict[str, Any]:
    """The neighbourhood of ``node`` over links of ``kinds``, up to ``depth`` hops.

    At most ``max_nodes`` nodes are returned (nearest first); ``truncated`` says when
    the neighbourhood was larger.
    """
    if not 1 <= depth <= 3:
        raise InvalidQuery("must be 1, 2 or 3", parameter="depth")
    kinds = tuple(kinds) if kinds else GRAPH_KINDS
    unknown = [k for k in kinds if k not in GRAPH_KINDS]
    if unknown:
        raise InvalidQuery(
            f"unknown link kind {unknown[0]!r}; expected some of {', '.join(GRAPH_KINDS)}", parameter="kinds"
        )
    with reader.session() as s:
        if not _node_exists(s, node):
            raise NotFound(f"no document, provision or passage {node!r}")
        hops = {node: 0}
        edges: dict[int, LinkRow] = {}
        frontier = [node]
        truncated = False
        for hop in range(1, depth + 1):
            found: list[LinkRow] = []
            for chunk in chunks(frontier):
                found.extend(
                    s.scalars(
                        select(LinkRow)
                        .where(LinkRow.kind.in_(kinds), or_(LinkRow.src.in_(chunk), LinkRow.dst.in_(chunk)))
                        .order_by(LinkRow.score.desc(), LinkRow.id)
                    )
                )
            next_frontier: list[str] = []
            for lk in found:
                for end in (lk.src, lk.dst):
                    if end not in hops:
                        if len(hops) >= max_nodes:
                            truncated = True
                            continue
                        hops[end] = hop
                        next_frontier.append(end)
                if lk.src in hops and lk.dst in hops:
                    edges[lk.id] = lk
            frontier = next_frontier
            if not frontier:
                break
        info = _node_info(s, list(hops))
    nodes = [{"id": n, "type": node_type(n), "hop": h, **info.get(n, {})} for n, h in hops.items()]
    return {
        "node": node,
        "depth": depth,
        "kinds": list(kinds),
        "nodes": nodes,
        "edges": [
            {"id": lk.id, "source": lk.src, "target": lk.dst, "kind": lk.kind, "score": round(lk.score, 4)}
            for lk in sorted(edges.values(), key=lambda e: e.id)
        ],
        "truncated": truncated,
        "max_nodes": max_nodes,
    }


def _node_exists(s: Session, node: str) -> bool:
    kind = node_type(node)
    if kind == "document":
        return s.get(DocumentRow, node) is not None
    if kind == "passage":
        return s.get(PassageRow, node) is not None
    return s.get(ProvisionRow, node) is not None


def _node_info(s: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    info: dict[str, dict[str, Any]] = {}
    docs = [i for i in ids if node_type(i) == "document"]
    for doc_id, title in document_titles(s, docs).items():
        info[doc_id] = {"label": title or doc_id, "doc_id": doc_id}
    for pid, data in provision_labels(s, [i for i in ids if node_type(i) == "provision"]).items():
        info[pid] = {"label": f"{data['document_title'] or ''} {data['label']}".strip(), "doc_id": doc_of(pid)}
    for pid, brief in passage_briefs(s, [i for i in ids if node_type(i) == "passage"]).items():
        info[pid] = {"label": excerpt(brief["excerpt"], 80), "doc_id": brief["doc_id"]}
    return info
