"""Read-side queries: everything the CLI and the API read goes through here.

Functions take a :class:`Reader` (an engine opened read-only) and return plain
JSON-able dicts. They raise :class:`kb.errors.NotFound` for unknown ids and
:class:`kb.errors.InvalidQuery` for bad parameters.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session

from kb.errors import NotFound
from kb.settings import Settings
from kb.store.schema import (
    AnnotationRow,
    BuildInfoRow,
    DocumentRow,
    LinkRow,
    PassageRow,
    ProvisionRow,
    SourceFileRow,
)

__all__ = [
    "Reader",
    "build_info",
    "get_document",
    "get_passage",
    "get_provision",
    "list_documents",
    "open_reader",
    "read_only_engine",
    "show",
    "stats",
]


@dataclass(frozen=True)
class Reader:
    engine: Engine

    def session(self) -> Session:
        return Session(self.engine)


def read_only_engine(settings: Settings) -> Engine:
    """An engine that cannot write: SQLite opened with ``mode=ro``."""
    path = settings.sqlite_path
    if path is not None:
        if not path.exists():
            raise NotFound(f"no database at {path}: run `kb ingest` first")
        return create_engine(
            f"sqlite+pysqlite:///file:{path}?mode=ro&uri=true",
            connect_args={"check_same_thread": False},
        )
    return create_engine(settings.database_url, execution_options={"postgresql_readonly": True})


@contextmanager
def open_reader(settings: Settings) -> Iterator[Reader]:
    engine = read_only_engine(settings)
    try:
        yield Reader(engine)
    finally:
        engine.dispose()


def build_info(reader: Reader) -> dict[str, str]:
    with reader.session() as s:
        return {r.key: r.value for r in s.scalars(select(BuildInfoRow))}


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


def list_documents(
    reader: Reader, *, kind: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    with reader.session() as s:
        q = select(DocumentRow).order_by(DocumentRow.ordinal)
        if kind:
            q = q.where(DocumentRow.kind == kind)
        if status:
            q = q.where(DocumentRow.status == status)
        rows = list(s.scalars(q))
        counts = _counts(s)
        return [_document_dict(r, counts.get(r.id, {})) for r in rows]


def _counts(s: Session) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for doc_id, level, n in s.execute(
        select(ProvisionRow.doc_id, ProvisionRow.level, func.count()).group_by(
            ProvisionRow.doc_id, ProvisionRow.level
        )
    ):
        out.setdefault(doc_id, {})[level + "s"] = n
    for doc_id, n in s.execute(select(PassageRow.doc_id, func.count()).group_by(PassageRow.doc_id)):
        out.setdefault(doc_id, {})["passages"] = n
    return out


def get_document(reader: Reader, doc_id: str) -> dict[str, Any]:
    with reader.session() as s:
        row = s.get(DocumentRow, doc_id)
        if row is None:
            raise NotFound(f"no document {doc_id!r}")
        data = _document_dict(row, _counts(s).get(doc_id, {}))
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
            .where(
                ProvisionRow.doc_id == doc_id,
                ProvisionRow.level.in_(["book", "subbook", "chapter", "section", "preamble", "article"]),
            )
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
        return data


def _annotations(
    s: Session, target_ids: list[str], kinds: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    q = select(AnnotationRow).where(AnnotationRow.target_id.in_(target_ids)).order_by(AnnotationRow.id)
    if kinds:
        q = q.where(AnnotationRow.kind.in_(kinds))
    return [
        {
            "target_id": a.target_id,
            "kind": a.kind,
            "label": a.label,
            "start": a.start,
            "end": a.end,
            "text": a.text,
            "data": a.data,
        }
        for a in s.scalars(q)
    ]


def _link_dicts(rows: list[LinkRow], key: str) -> list[dict[str, Any]]:
    return [
        {key: getattr(r, key), "kind": r.kind, "score": round(r.score, 4), "evidence": r.evidence}
        for r in rows
    ]


def get_provision(reader: Reader, provision_id: str) -> dict[str, Any]:
    with reader.session() as s:
        row = s.get(ProvisionRow, provision_id)
        if row is None:
            raise NotFound(f"no provision {provision_id!r}")
        descendants = (
            list(
                s.scalars(
                    select(ProvisionRow)
                    .where(
                        ProvisionRow.doc_id == row.doc_id,
                        ProvisionRow.eid.like(row.eid + "\\_\\_%", escape="\\"),
                    )
                    .order_by(ProvisionRow.ordinal)
                )
            )
            if row.level not in ("book", "subbook", "chapter", "section")
            else []
        )
        children = list(
            s.scalars(
                select(ProvisionRow).where(ProvisionRow.parent_id == row.id).order_by(ProvisionRow.ordinal)
            )
        )
        path = _ancestors(s, row)
        ids = [row.id, *(d.id for d in descendants)]
        anns = _annotations(s, ids)
        out_links = list(
            s.scalars(select(LinkRow).where(LinkRow.src.in_(ids)).order_by(LinkRow.score.desc(), LinkRow.id))
        )
        in_links = list(
            s.scalars(select(LinkRow).where(LinkRow.dst.in_(ids)).order_by(LinkRow.score.desc(), LinkRow.id))
        )
        doc = s.get(DocumentRow, row.doc_id)
        return {
            "id": row.id,
            "doc_id": row.doc_id,
            "eid": row.eid,
            "level": row.level,
            "number": row.number,
            "label": row.label,
            "heading": row.heading,
            "text": row.text,
            "text_en": row.text_en,
            "translation_status": row.translation_status or "none",
            "document": {
                "id": doc.id,
                "title_zh": doc.title_zh,
                "title_en": doc.title_en,
                "status": doc.status,
            }
            if doc
            else None,
            "path": path,
            "children": [
                {
                    "id": c.id,
                    "eid": c.eid,
                    "level": c.level,
                    "label": c.label,
                    "text": c.text,
                    "heading": c.heading,
                }
                for c in children
            ],
            "topics": [a for a in anns if a["kind"] == "topic"],
            "annotations": [a for a in anns if a["kind"] != "topic"],
            "cites": [
                {"src": lk.src, **d}
                for lk, d in zip(
                    [x for x in out_links if x.kind == "cites"],
                    _link_dicts([x for x in out_links if x.kind == "cites"], "dst"),
                    strict=True,
                )
            ],
            "cited_by": _link_dicts([x for x in in_links if x.kind == "cites"], "src"),
            "versions": _link_dicts([x for x in out_links if x.kind == "aligned"], "dst")
            + _link_dicts([x for x in in_links if x.kind == "aligned"], "src"),
            "commentary": _link_dicts([x for x in in_links if x.kind == "discusses"], "src"),
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
    with reader.session() as s:
        row = s.get(PassageRow, passage_id)
        if row is None:
            raise NotFound(f"no passage {passage_id!r}")
        anns = _annotations(s, [row.id])
        links = list(
            s.scalars(select(LinkRow).where(LinkRow.src == row.id).order_by(LinkRow.score.desc(), LinkRow.id))
        )
        return {
            "id": row.id,
            "doc_id": row.doc_id,
            "n": row.n,
            "text": row.text,
            "kind": row.kind,
            "section": row.section,
            "part": row.part,
            "speaker": {"name": row.speaker, "role": row.speaker_role, "kind": row.speaker_kind},
            "stance": row.stance,
            "sentences": row.sentences,
            "topics": [a for a in anns if a["kind"] == "topic"],
            "annotations": [a for a in anns if a["kind"] != "topic"],
            "links": [
                {
                    "provision_id": lk.dst,
                    "kind": lk.kind,
                    "score": round(lk.score, 4),
                    "evidence": lk.evidence,
                }
                for lk in links
                if lk.kind in ("discusses", "cites") and "/" in lk.dst
            ],
            "documents": [
                {"doc_id": lk.dst, "kind": lk.kind, "score": round(lk.score, 4), "evidence": lk.evidence}
                for lk in links
                if "/" not in lk.dst
            ],
            "source": {"path": row.source_path, "start": row.source_start, "end": row.source_end},
        }


def show(reader: Reader, target: str) -> dict[str, Any]:
    """``kb show``: a document, provision or passage by id."""
    if "/" not in target:
        return {"type": "document", **get_document(reader, target)}
    if "/p_" in target:
        return {"type": "passage", **get_passage(reader, target)}
    return {"type": "provision", **get_provision(reader, target)}


def stats(reader: Reader) -> dict[str, Any]:
    with reader.session() as s:
        counts = _counts(s)
        docs = list(s.scalars(select(DocumentRow).order_by(DocumentRow.ordinal)))
        totals = {
            "documents": len(docs),
            "documents_with_text": sum(1 for d in docs if d.text_available),
            "provisions": s.scalar(select(func.count()).select_from(ProvisionRow)) or 0,
            "articles": s.scalar(
                select(func.count()).select_from(ProvisionRow).where(ProvisionRow.level == "article")
            )
            or 0,
            "passages": s.scalar(select(func.count()).select_from(PassageRow)) or 0,
            "annotations": dict(
                s.execute(select(AnnotationRow.kind, func.count()).group_by(AnnotationRow.kind))
                .tuples()
                .all()
            ),
            "links": dict(
                s.execute(select(LinkRow.kind, func.count()).group_by(LinkRow.kind)).tuples().all()
            ),
        }
        per_doc = [
            {
                "id": d.id,
                "kind": d.kind,
                "status": d.status,
                "text_available": d.text_available,
                **counts.get(d.id, {}),
            }
            for d in docs
        ]
    return {"build": build_info(reader), "totals": totals, "documents": per_doc}
