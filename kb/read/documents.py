"""Read-side queries about documents: the list, one document, a commentary's passages, health and stats."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.errors import NotFound
from kb.read.lookups import TOC_LEVELS, doc_summary, document_row, passage_fields, topic_labels
from kb.store.reader import PUBLIC_BUILD_KEYS, Reader, build_info
from kb.store.schema import AnnotationRow, DocumentRow, LinkRow, PassageRow, ProvisionRow, SourceFileRow

__all__ = ["cached_counts", "document_passages", "get_document", "health", "list_documents", "stats"]


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
    counts = cached_counts(reader)
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


def cached_counts(reader: Reader) -> dict[str, dict[str, int]]:
    """Provisions per level and passages, per document (cached on the reader)."""

    def compute() -> dict[str, dict[str, int]]:
        with reader.session() as s:
            return _counts(s)

    return reader.cached("counts", compute)


def get_document(reader: Reader, doc_id: str) -> dict[str, Any]:
    with reader.session() as s:
        row = document_row(s, doc_id)
        data = _document_dict(row, cached_counts(reader).get(doc_id, {}))
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
            **passage_fields(r),
            "topics": topics.get(r.id, []),
            "stance": r.stance,
        }
        for r in rows
    ]
    return {"document": doc_summary(doc), "results": results, "count": len(results)}


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
