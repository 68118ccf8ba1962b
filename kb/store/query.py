"""Read-side queries: everything the CLI and the API read goes through here.

Functions take a :class:`Reader` (an engine opened read-only, see ``kb.store.reader``)
and return plain JSON-able dicts. They raise :class:`kb.errors.NotFound` for unknown
ids and :class:`kb.errors.InvalidQuery` for bad parameters.

This module answers for documents, provisions and passages itself and re-exports the
rest of the read side, so callers (``api``, ``kb.cli``) import one module: topics from
``kb.store.topicviews``, versions and the graph from ``kb.store.graphs``, citations
from ``kb.store.citing``. Full-text search is ``kb.store.search``; citation formats
are ``kb.store.citeformat``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.errors import NotFound
from kb.store import citeformat
from kb.store.citing import citation_index, cite, resolve_citations
from kb.store.graphs import GRAPH_KINDS, GRAPH_MAX_NODES, compare_versions, graph
from kb.store.lookups import (
    CONTAINERS,
    TOC_LEVELS,
    UNIT_LEVELS,
    annotations_of,
    chunks,
    doc_summary,
    document_metas,
    document_row,
    document_titles,
    grouped_topics,
    is_passage_id,
    meta_from_row,
    node_type,
    passage_briefs,
    provision_labels,
    speaker_of,
    stance_tags,
    topic_labels,
    topic_rows,
    version_entry,
)
from kb.store.reader import PUBLIC_BUILD_KEYS, Reader, ReaderSource, build_info, open_reader, read_only_engine
from kb.store.schema import AnnotationRow, DocumentRow, LinkRow, PassageRow, ProvisionRow, SourceFileRow
from kb.store.topicviews import get_topic, list_topics, topic_viewpoints

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
    "get_topic",
    "graph",
    "health",
    "list_documents",
    "list_topics",
    "meta_from_row",
    "node_type",
    "open_reader",
    "read_only_engine",
    "resolve_citations",
    "show",
    "stats",
    "topic_viewpoints",
    "warm_caches",
]

log = logging.getLogger(__name__)

# Links from a commentary passage that make it commentary on a provision.
_COMMENTARY_KINDS = ("discusses", "cites", "mentions")


def health(reader: Reader) -> dict[str, Any]:
    """``GET /health``: the database answers; what build it is."""
    info = build_info(reader)
    with reader.session() as s:
        documents = s.scalar(select(func.count()).select_from(DocumentRow)) or 0
    return {"status": "ok", "build": {k: info.get(k) for k in PUBLIC_BUILD_KEYS}, "documents": documents}


def _document_dict(row: DocumentRow, counts: dict[str, int] | None = None) -> dict[str, Any]:
    meta = dict(row.meta)
    return {
        "id": row.id,
        "kind": row.kind,
        "status": row.status,
        "title_zh": row.title_zh,
        "title_en": row.title_en,
        "short_names": meta.get("short_names", []),
        "work": row.work,
        "supersedes": row.supersedes,
        "issuer": meta.get("issuer"),
        "adopted": row.adopted,
        "promulgated": row.promulgated,
        "effective": row.effective,
        "date": row.date,
        "url": meta.get("url"),
        "outlet": meta.get("outlet"),
        "authors": meta.get("authors", []),
        "discusses": meta.get("discusses", []),
        "doc_number": meta.get("extra", {}).get("doc_number"),
        "notes": meta.get("notes"),
        "text_available": row.text_available,
        "text_status": "available"
        if row.text_available
        else "absent: the knowledge base knows this document but holds no text of it",
        "header_notes": row.header_notes,
        "counts": counts or {},
    }


def list_documents(reader: Reader, *, kind: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
    with reader.session() as s:
        q = select(DocumentRow).order_by(DocumentRow.ordinal)
        if kind:
            q = q.where(DocumentRow.kind == kind)
        if status:
            q = q.where(DocumentRow.status == status)
        rows = list(s.scalars(q))
    counts = _cached_counts(reader)
    return [_document_dict(r, counts.get(r.id, {})) for r in rows]


def _counts(s: Session) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for doc_id, level, n in s.execute(
        select(ProvisionRow.doc_id, ProvisionRow.level, func.count()).group_by(ProvisionRow.doc_id, ProvisionRow.level)
    ):
        out.setdefault(doc_id, {})[level + "s"] = n
    for doc_id, n in s.execute(select(PassageRow.doc_id, func.count()).group_by(PassageRow.doc_id)):
        out.setdefault(doc_id, {})["passages"] = n
    return out


def _cached_counts(reader: Reader) -> dict[str, dict[str, int]]:
    def compute() -> dict[str, dict[str, int]]:
        with reader.session() as s:
            return _counts(s)

    return reader.cached("counts", compute)


def get_document(reader: Reader, doc_id: str) -> dict[str, Any]:
    with reader.session() as s:
        row = document_row(s, doc_id)
        data = _document_dict(row, _cached_counts(reader).get(doc_id, {}))
        data["sources"] = [
            {"path": f.path, "sha256": f.sha256, "size": f.size, "encoding": f.encoding}
            for f in s.scalars(
                select(SourceFileRow).where(SourceFileRow.doc_id == doc_id).order_by(SourceFileRow.ordinal)
            )
        ]
        toc = s.execute(
            select(
                ProvisionRow.id,
                ProvisionRow.eid,
                ProvisionRow.level,
                ProvisionRow.label,
                ProvisionRow.heading,
                ProvisionRow.parent_id,
            )
            .where(ProvisionRow.doc_id == doc_id, ProvisionRow.level.in_(TOC_LEVELS))
            .order_by(ProvisionRow.ordinal)
        )
        data["toc"] = [
            {
                "id": r.id,
                "eid": r.eid,
                "level": r.level,
                "label": r.label,
                "heading": r.heading,
                "parent_id": r.parent_id,
            }
            for r in toc
        ]
        versions = (
            s.scalars(
                select(DocumentRow)
                .where(DocumentRow.work == row.work, DocumentRow.id != row.id)
                .order_by(DocumentRow.ordinal)
            ).all()
            if row.work
            else []
        )
        data["versions"] = [doc_summary(v) for v in versions]
        data["extracted"] = row.extracted or {}
        return data


def document_passages(reader: Reader, doc_id: str) -> dict[str, Any]:
    """A commentary document's passages in order, with topics, speaker and stance."""
    with reader.session() as s:
        doc = document_row(s, doc_id)
        if doc.kind != "commentary":
            raise NotFound(f"document {doc_id!r} is a {doc.kind}, not commentary: it has provisions, not passages")
        rows = list(s.scalars(select(PassageRow).where(PassageRow.doc_id == doc_id).order_by(PassageRow.n)))
        topics = topic_labels(s, [r.id for r in rows])
    results = [
        {
            "id": r.id,
            "n": r.n,
            "text": r.text,
            "kind": r.kind,
            "section": r.section,
            "part": r.part,
            "speaker": speaker_of(r),
            "topics": topics.get(r.id, []),
            "stance": r.stance,
        }
        for r in rows
    ]
    return {"document": doc_summary(doc), "results": results, "count": len(results)}


def _translation_of_part(article_text: str, article_en: str | None, part_text: str) -> str | None:
    """The English of a paragraph or item, cut from its article's line-aligned translation.

    Translations keep one line per paragraph and item, in the order of the Chinese
    article's lines, so the part's lines pick out the same lines of the English.
    """
    if not article_en:
        return None
    zh_lines = article_text.split("\n")
    en_lines = article_en.split("\n")
    part_lines = part_text.split("\n")
    if len(zh_lines) != len(en_lines) or not part_lines:
        return None
    n = len(part_lines)
    for i in range(len(zh_lines) - n + 1):
        if zh_lines[i : i + n] == part_lines:
            return "\n".join(en_lines[i : i + n])
    return None


def get_provision(reader: Reader, provision_id: str, *, base_url: str = "") -> dict[str, Any]:
    """A provision with its text, translation, place in the tree, topics and links."""
    with reader.session() as s:
        row = s.get(ProvisionRow, provision_id)
        if row is None:
            raise NotFound(f"no provision {provision_id!r}")
        is_container = row.level in CONTAINERS
        descendants = (
            []
            if is_container
            else list(
                s.scalars(
                    select(ProvisionRow.id).where(
                        ProvisionRow.doc_id == row.doc_id,
                        ProvisionRow.eid.like(row.eid + "\\_\\_%", escape="\\"),
                    )
                )
            )
        )
        children = list(
            s.scalars(select(ProvisionRow).where(ProvisionRow.parent_id == row.id).order_by(ProvisionRow.ordinal))
        )
        path = _ancestors(s, row)
        ids = [row.id, *descendants]
        own = set(ids)
        anns = annotations_of(s, [row.id])
        out_links: list[LinkRow] = []
        in_links: list[LinkRow] = []
        for chunk in chunks(ids):
            out_links.extend(s.scalars(select(LinkRow).where(LinkRow.src.in_(chunk))))
            in_links.extend(s.scalars(select(LinkRow).where(LinkRow.dst.in_(chunk))))
        by_score: Callable[[LinkRow], tuple[float, int]] = lambda lk: (-lk.score, lk.id)  # noqa: E731
        out_links.sort(key=by_score)
        in_links.sort(key=by_score)
        doc = document_row(s, row.doc_id)
        text_en, translation_status = row.text_en, row.translation_status
        if text_en is None and row.level not in ("article", "preamble") and not is_container:
            article = next((p for p in path if p["level"] == "article"), None)
            art_row = s.get(ProvisionRow, article["id"]) if article else None
            if art_row is not None:
                text_en = _translation_of_part(art_row.text, art_row.text_en, row.text)
                if text_en:
                    translation_status = f"{art_row.translation_status} (from the article's translation)"
        cites_out = [lk for lk in out_links if lk.kind == "cites"]
        cited_in = [lk for lk in in_links if lk.kind == "cites"]
        from_passages = [lk for lk in in_links if is_passage_id(lk.src) and lk.kind in _COMMENTARY_KINDS]
        prov_ids = {lk.dst for lk in cites_out if node_type(lk.dst) == "provision"}
        prov_ids |= {lk.src for lk in cited_in if node_type(lk.src) == "provision"}
        labels = provision_labels(s, sorted(prov_ids))
        passage_ids = {lk.src for lk in (*from_passages, *cited_in) if is_passage_id(lk.src)}
        briefs = passage_briefs(s, sorted(passage_ids))
        doc_titles = document_titles(s, sorted({lk.dst for lk in cites_out if "/" not in lk.dst}))
    meta = meta_from_row(doc)
    citation = citeformat.citation_record(meta, row.eid, base_url=base_url)

    def target(node: str) -> dict[str, Any]:
        kind = node_type(node)
        if kind == "provision":
            return {"type": kind, **labels.get(node, {})}
        if kind == "passage":
            return {"type": kind, **briefs.get(node, {})}
        return {"type": kind, "document_title": doc_titles.get(node)}

    return {
        "id": row.id,
        "doc_id": row.doc_id,
        "eid": row.eid,
        "level": row.level,
        "number": row.number,
        "label": row.label,
        "heading": row.heading,
        "text": row.text,
        "text_en": text_en,
        "translation_status": translation_status or "none",
        "document": doc_summary(doc),
        "path": path,
        "children": [
            {"id": c.id, "eid": c.eid, "level": c.level, "label": c.label, "text": c.text, "heading": c.heading}
            for c in children
        ],
        "topics": grouped_topics(anns, topic_rows(reader)),
        "annotations": [a for a in anns if a["kind"] != "topic"],
        "cites": [
            {
                "src": lk.src,
                "dst": lk.dst,
                "kind": lk.kind,
                "score": round(lk.score, 4),
                "evidence": lk.evidence,
                **target(lk.dst),
            }
            for lk in cites_out
        ],
        "cited_by": [
            {
                "src": lk.src,
                "dst": lk.dst,
                "kind": lk.kind,
                "score": round(lk.score, 4),
                "evidence": lk.evidence,
                **target(lk.src),
            }
            for lk in cited_in
        ],
        "versions": [version_entry(lk, own) for lk in (*out_links, *in_links) if lk.kind == "aligned"],
        "commentary": [
            {
                "passage_id": lk.src,
                "src": lk.src,
                "target_id": lk.dst,
                "kind": lk.kind,
                "score": round(lk.score, 4),
                "evidence": lk.evidence,
                **briefs.get(lk.src, {}),
            }
            for lk in from_passages
        ],
        "citation": {k: citation[k] for k in ("zh", "en", "url", "api_url")},
        "source": {"path": row.source_path, "start": row.source_start, "end": row.source_end},
    }


def _ancestors(s: Session, row: ProvisionRow) -> list[dict[str, Any]]:
    path: list[dict[str, Any]] = []
    parent_id = row.parent_id
    while parent_id:
        parent = s.get(ProvisionRow, parent_id)
        if parent is None:
            break
        path.append(
            {
                "id": parent.id,
                "eid": parent.eid,
                "level": parent.level,
                "label": parent.label,
                "heading": parent.heading,
            }
        )
        parent_id = parent.parent_id
    return list(reversed(path))


def get_passage(reader: Reader, passage_id: str) -> dict[str, Any]:
    """A commentary passage with speaker, topics, stance and its links, best first."""
    with reader.session() as s:
        row = s.get(PassageRow, passage_id)
        if row is None:
            raise NotFound(f"no passage {passage_id!r}")
        doc = document_row(s, row.doc_id)
        anns = annotations_of(s, [row.id])
        links = list(s.scalars(select(LinkRow).where(LinkRow.src == row.id).order_by(LinkRow.score.desc(), LinkRow.id)))
        labels = provision_labels(s, sorted({lk.dst for lk in links if node_type(lk.dst) == "provision"}))
        titles = document_titles(s, sorted({lk.dst for lk in links if "/" not in lk.dst}))
    return {
        "id": row.id,
        "doc_id": row.doc_id,
        "n": row.n,
        "text": row.text,
        "kind": row.kind,
        "section": row.section,
        "part": row.part,
        "document": doc_summary(doc),
        "speaker": speaker_of(row),
        "stance": row.stance,
        "stances": stance_tags(anns),
        "sentences": row.sentences,
        "topics": grouped_topics(anns, topic_rows(reader)),
        "annotations": [a for a in anns if a["kind"] != "topic"],
        "links": [
            {
                "provision_id": lk.dst,
                "kind": lk.kind,
                "score": round(lk.score, 4),
                "evidence": lk.evidence,
                **labels.get(lk.dst, {}),
            }
            for lk in links
            if node_type(lk.dst) == "provision"
        ],
        "documents": [
            {
                "doc_id": lk.dst,
                "kind": lk.kind,
                "score": round(lk.score, 4),
                "evidence": lk.evidence,
                "document_title": titles.get(lk.dst),
            }
            for lk in links
            if "/" not in lk.dst
        ],
        "source": {"path": row.source_path, "start": row.source_start, "end": row.source_end},
    }


def show(reader: Reader, target: str) -> dict[str, Any]:
    """``kb show``: a document, provision or passage by id."""
    kind = node_type(target)
    if kind == "document":
        return {"type": "document", **get_document(reader, target)}
    if kind == "passage":
        return {"type": "passage", **get_passage(reader, target)}
    return {"type": "provision", **get_provision(reader, target)}


def warm_caches(reader: Reader) -> None:
    """Fill the reader's caches now rather than on the first request that needs them."""
    build_info(reader)
    _cached_counts(reader)
    list_topics(reader)
    citation_index(reader)


def stats(reader: Reader) -> dict[str, Any]:
    with reader.session() as s:
        counts = _counts(s)
        docs = list(s.scalars(select(DocumentRow).order_by(DocumentRow.ordinal)))
        totals = {
            "documents": len(docs),
            "documents_with_text": sum(1 for d in docs if d.text_available),
            "provisions": s.scalar(select(func.count()).select_from(ProvisionRow)) or 0,
            "articles": s.scalar(select(func.count()).select_from(ProvisionRow).where(ProvisionRow.level == "article"))
            or 0,
            "passages": s.scalar(select(func.count()).select_from(PassageRow)) or 0,
            "annotations": dict(
                s.execute(select(AnnotationRow.kind, func.count()).group_by(AnnotationRow.kind)).tuples().all()
            ),
            "links": dict(s.execute(select(LinkRow.kind, func.count()).group_by(LinkRow.kind)).tuples().all()),
        }
        per_doc = [
            {"id": d.id, "kind": d.kind, "status": d.status, "text_available": d.text_available, **counts.get(d.id, {})}
            for d in docs
        ]
    return {"build": build_info(reader), "totals": totals, "documents": per_doc}
