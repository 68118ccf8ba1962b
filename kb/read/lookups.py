"""Small shared pieces of the read side: bulk lookups, row -> dict shapes (ids: ``kb.ids``).

``kb.read.query`` and its companions (``topicviews``, ``graphs``, ``citing``) build
their answers from these; each bulk lookup takes a list of ids and runs one query per
:data:`CHUNK` ids, so no page issues a query per row.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.errors import NotFound
from kb.ids import doc_of
from kb.model import DocumentMeta, SourceRef
from kb.store.reader import Reader
from kb.store.schema import AnnotationRow, DocumentRow, LinkRow, PassageRow, ProvisionRow, TopicRow

__all__ = [
    "CHUNK",
    "CONTAINERS",
    "EXCERPT",
    "TOC_LEVELS",
    "UNIT_LEVELS",
    "annotations_of",
    "chunks",
    "doc_summary",
    "document_metas",
    "document_row",
    "document_titles",
    "excerpt",
    "grouped_topics",
    "like_escape",
    "meta_from_row",
    "passage_briefs",
    "passage_fields",
    "provision_labels",
    "speaker_of",
    "stance_tags",
    "topic_labels",
    "topic_rows",
    "version_entry",
]

T = TypeVar("T")

CONTAINERS = ("book", "subbook", "chapter", "section")
TOC_LEVELS = (*CONTAINERS, "preamble", "article")


# Provisions that stand on their own in lists (topic pages, search): articles and the
# text before the first article. Paragraphs and items are reached through them.
UNIT_LEVELS = ("article", "preamble")


# Ids per bulk query: SQLite host parameters per statement stay well under the old 999 limit.
CHUNK = 500
# Characters of text shown where a list only needs a reminder of it.
EXCERPT = 200


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def excerpt(text: str, limit: int = EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def like_escape(value: str) -> str:
    r"""``value`` for a LIKE pattern with ``escape="\"``: ``\``, ``%`` and ``_`` taken literally.

    >>> like_escape("a_b%c")
    'a\\_b\\%c'
    """
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def meta_from_row(row: DocumentRow) -> DocumentMeta:
    """The :class:`DocumentMeta` a document row was written from (title from the text if found)."""
    raw = dict(row.meta or {})
    names = {f.name for f in dataclasses.fields(DocumentMeta)}
    kwargs: dict[str, Any] = {k: v for k, v in raw.items() if k in names}
    for key in ("short_names", "aliases_zh", "aliases_en", "descriptions_en", "authors", "discusses"):
        kwargs[key] = tuple(kwargs.get(key) or ())
    kwargs["sources"] = tuple(
        SourceRef(path=s["path"], sha256=s.get("sha256")) for s in raw.get("sources") or () if isinstance(s, dict)
    )
    kwargs["extra"] = dict(kwargs.get("extra") or {})
    kwargs["id"] = row.id
    kwargs["kind"] = row.kind
    kwargs["title_en"] = row.title_en or kwargs.get("title_en")
    return DocumentMeta(**kwargs)


def document_metas(reader: Reader) -> dict[str, DocumentMeta]:
    """Every document's :class:`DocumentMeta`, by id (cached)."""

    def compute() -> dict[str, DocumentMeta]:
        with reader.session() as s:
            return {r.id: meta_from_row(r) for r in s.scalars(select(DocumentRow).order_by(DocumentRow.ordinal))}

    return reader.cached("documents_meta", compute)


def doc_summary(row: DocumentRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "status": row.status,
        "title_zh": row.title_zh,
        "title_en": row.title_en,
        "date": row.date or row.promulgated or row.adopted,
        "text_available": row.text_available,
    }


def speaker_of(row: PassageRow) -> dict[str, Any]:
    return {"name": row.speaker, "role": row.speaker_role, "kind": row.speaker_kind}


def passage_fields(row: PassageRow) -> dict[str, Any]:
    """The fields every listing of a document's passages starts with."""
    return {
        "id": row.id,
        "n": row.n,
        "text": row.text,
        "kind": row.kind,
        "section": row.section,
        "part": row.part,
        "speaker": speaker_of(row),
    }


def document_row(s: Session, doc_id: str) -> DocumentRow:
    row = s.get(DocumentRow, doc_id)
    if row is None:
        raise NotFound(f"no document {doc_id!r}")
    return row


def annotations_of(s: Session, target_ids: Sequence[str], kinds: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for chunk in chunks(target_ids):
        q = select(AnnotationRow).where(AnnotationRow.target_id.in_(chunk)).order_by(AnnotationRow.id)
        if kinds:
            q = q.where(AnnotationRow.kind.in_(kinds))
        out.extend(
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
        )
    return out


def topic_labels(s: Session, target_ids: Sequence[str]) -> dict[str, list[str]]:
    """target id -> its topic ids, in first-annotation order."""
    out: dict[str, list[str]] = defaultdict(list)
    for chunk in chunks(target_ids):
        for target, label in s.execute(
            select(AnnotationRow.target_id, AnnotationRow.label)
            .where(AnnotationRow.target_id.in_(chunk), AnnotationRow.kind == "topic")
            .order_by(AnnotationRow.id)
        ):
            if label not in out[target]:
                out[target].append(label)
    return out


def topic_rows(reader: Reader) -> dict[str, dict[str, Any]]:
    def compute() -> dict[str, dict[str, Any]]:
        with reader.session() as s:
            return {
                t.id: {"id": t.id, "label_en": t.label_en, "label_zh": t.label_zh, "definition": t.definition}
                for t in s.scalars(select(TopicRow).order_by(TopicRow.ordinal))
            }

    return reader.cached("topics", compute)


def grouped_topics(anns: Iterable[Mapping[str, Any]], topics: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Topic annotations of one target grouped by topic, each with its evidence spans."""
    groups: dict[str, dict[str, Any]] = {}
    for a in anns:
        if a["kind"] != "topic":
            continue
        topic = topics.get(a["label"], {})
        group = groups.setdefault(
            a["label"],
            {
                "id": a["label"],
                "label": a["label"],  # the annotation label; kept for `kb show`
                "label_en": topic.get("label_en"),
                "label_zh": topic.get("label_zh"),
                "evidence": [],
            },
        )
        group["evidence"].append({"start": a["start"], "end": a["end"], "text": a["text"], "data": a["data"]})
    return list(groups.values())


def stance_tags(anns: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "stance": a["label"],
            "topic": (a["data"] or {}).get("topic") or None,
            "start": a["start"],
            "end": a["end"],
            "text": a["text"],
            "data": a["data"],
        }
        for a in anns
        if a["kind"] == "stance"
    ]


def provision_labels(s: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """id -> label, heading and document title of provisions (bulk)."""
    out: dict[str, dict[str, Any]] = {}
    for chunk in chunks(ids):
        for pid, label, heading, level, title_zh, title_en in s.execute(
            select(
                ProvisionRow.id,
                ProvisionRow.label,
                ProvisionRow.heading,
                ProvisionRow.level,
                DocumentRow.title_zh,
                DocumentRow.title_en,
            )
            .join(DocumentRow, DocumentRow.id == ProvisionRow.doc_id)
            .where(ProvisionRow.id.in_(chunk))
        ):
            out[pid] = {"label": label, "heading": heading, "level": level, "document_title": title_zh or title_en}
    return out


def passage_briefs(s: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for chunk in chunks(ids):
        for p, title_en in s.execute(
            select(PassageRow, DocumentRow.title_en)
            .join(DocumentRow, DocumentRow.id == PassageRow.doc_id)
            .where(PassageRow.id.in_(chunk))
        ):
            out[p.id] = {
                "doc_id": p.doc_id,
                "document_title": title_en,
                "excerpt": excerpt(p.text),
                "speaker": speaker_of(p),
                "stance": p.stance,
            }
    return out


def document_titles(s: Session, ids: Sequence[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for chunk in chunks(ids):
        for doc_id, title_zh, title_en in s.execute(
            select(DocumentRow.id, DocumentRow.title_zh, DocumentRow.title_en).where(DocumentRow.id.in_(chunk))
        ):
            out[doc_id] = title_zh or title_en
    return out


def version_entry(lk: LinkRow, own_ids: set[str]) -> dict[str, Any]:
    """One ``aligned`` link seen from a provision: the other version's article.

    Links run new article -> old article; an added article points at the old
    document, a removed one at the new document (see ``kb.link.versions``).
    """
    ev = lk.evidence or {}
    if ev.get("new_eid") is not None:
        new_doc, old_doc = doc_of(lk.src), doc_of(lk.dst)
    else:
        old_doc, new_doc = doc_of(lk.src), doc_of(lk.dst)
    old_id = f"{old_doc}/{ev['old_eid']}" if ev.get("old_eid") else None
    new_id = f"{new_doc}/{ev['new_eid']}" if ev.get("new_eid") else None
    this_is_old = old_id in own_ids
    return {
        "provision_id": new_id if this_is_old else old_id,
        "doc_id": new_doc if this_is_old else old_doc,
        "direction": "later" if this_is_old else "earlier",
        "status": ev.get("status"),
        "score": round(lk.score, 4),
        "diff": ev.get("diff", []),
        "old_id": old_id,
        "new_id": new_id,
        "moved": bool(ev.get("moved")),
    }
