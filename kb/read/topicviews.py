"""Topics: the taxonomy with counts, what is tagged with a topic, and the viewpoints on it.

:func:`topic_viewpoints` is the analyst's side-by-side: the commentary on a topic
grouped by document and speaker, each with a stance (from the ``stance`` annotation on
that topic, else the passage's overall stance), the passages, and the provisions those
passages discuss (``discusses`` links).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from kb.errors import InvalidQuery, NotFound
from kb.ids import doc_of
from kb.read.lookups import (
    UNIT_LEVELS,
    annotations_of,
    chunks,
    doc_summary,
    excerpt,
    provision_labels,
    speaker_of,
    topic_rows,
)
from kb.store.reader import Reader
from kb.store.schema import AnnotationRow, DocumentRow, LinkRow, PassageRow, ProvisionRow

__all__ = [
    "get_topic",
    "list_topics",
    "topic_viewpoints",
]


def _tagged(topic_id: str) -> Any:
    """Subquery: the ids of everything tagged with ``topic_id``."""
    return select(AnnotationRow.target_id).where(AnnotationRow.kind == "topic", AnnotationRow.label == topic_id)


def _topic(reader: Reader, topic_id: str) -> dict[str, Any]:
    topics = topic_rows(reader)
    if topic_id not in topics:
        raise NotFound(f"no topic {topic_id!r}")
    return topics[topic_id]


def list_topics(reader: Reader) -> list[dict[str, Any]]:
    """Every topic with how many articles and passages carry it."""

    def compute() -> list[dict[str, Any]]:
        counts: dict[str, dict[str, int]] = defaultdict(lambda: {"provisions": 0, "passages": 0})
        with reader.session() as s:
            for label, n in s.execute(
                select(AnnotationRow.label, func.count(func.distinct(AnnotationRow.target_id)))
                .join(ProvisionRow, ProvisionRow.id == AnnotationRow.target_id)
                .where(AnnotationRow.kind == "topic", ProvisionRow.level.in_(UNIT_LEVELS))
                .group_by(AnnotationRow.label)
            ):
                counts[label]["provisions"] = n
            for label, n in s.execute(
                select(AnnotationRow.label, func.count(func.distinct(AnnotationRow.target_id)))
                .where(AnnotationRow.kind == "topic", AnnotationRow.target_type == "passage")
                .group_by(AnnotationRow.label)
            ):
                counts[label]["passages"] = n
        return [{**t, "counts": dict(counts[t["id"]])} for t in topic_rows(reader).values()]

    return reader.cached("topic_list", compute)


def get_topic(reader: Reader, topic_id: str, *, limit: int = 100) -> dict[str, Any]:
    """The articles and passages on a topic (at most ``limit`` of each), with evidence."""
    if not 1 <= limit <= 1000:
        raise InvalidQuery("must be between 1 and 1000", parameter="limit")
    topic = _topic(reader, topic_id)
    counts: dict[str, int] = next((t["counts"] for t in list_topics(reader) if t["id"] == topic_id), {})
    with reader.session() as s:
        prov_rows = s.execute(
            select(ProvisionRow, DocumentRow.title_zh, DocumentRow.title_en, DocumentRow.status)
            .join(DocumentRow, DocumentRow.id == ProvisionRow.doc_id)
            .where(
                ProvisionRow.level.in_(UNIT_LEVELS),
                ProvisionRow.id.in_(_tagged(topic_id)),
            )
            .order_by(DocumentRow.ordinal, ProvisionRow.ordinal)
            .limit(limit)
        ).all()
        pass_rows = s.execute(
            select(PassageRow, DocumentRow.title_en, DocumentRow.date)
            .join(DocumentRow, DocumentRow.id == PassageRow.doc_id)
            .where(PassageRow.id.in_(_tagged(topic_id)))
            .order_by(DocumentRow.ordinal, PassageRow.n)
            .limit(limit)
        ).all()
        evidence: dict[str, list[str]] = defaultdict(list)
        ids = [r[0].id for r in prov_rows] + [r[0].id for r in pass_rows]
        for chunk in chunks(ids):
            for target, text in s.execute(
                select(AnnotationRow.target_id, AnnotationRow.text)
                .where(
                    AnnotationRow.target_id.in_(chunk), AnnotationRow.kind == "topic", AnnotationRow.label == topic_id
                )
                .order_by(AnnotationRow.id)
            ):
                if text not in evidence[target]:
                    evidence[target].append(text)
    provisions = [
        {
            "id": p.id,
            "doc_id": p.doc_id,
            "eid": p.eid,
            "label": p.label,
            "document_title": title_zh or title_en,
            "document_status": status,
            "excerpt": excerpt(p.text),
            "text_en": p.text_en,
            "evidence": evidence.get(p.id, []),
        }
        for p, title_zh, title_en, status in prov_rows
    ]
    passages = [
        {
            "id": p.id,
            "doc_id": p.doc_id,
            "document_title": title_en,
            "date": date,
            "excerpt": excerpt(p.text),
            "speaker": speaker_of(p),
            "stance": p.stance,
            "evidence": evidence.get(p.id, []),
        }
        for p, title_en, date in pass_rows
    ]
    return {**topic, "counts": counts, "provisions": provisions, "passages": passages}


def topic_viewpoints(reader: Reader, topic_id: str) -> dict[str, Any]:
    """Commentary on a topic side by side: per document, per speaker, with stance,
    the passages and the provisions those passages discuss."""
    topic = _topic(reader, topic_id)
    with reader.session() as s:
        rows = s.execute(
            select(PassageRow, DocumentRow)
            .join(DocumentRow, DocumentRow.id == PassageRow.doc_id)
            .where(PassageRow.id.in_(_tagged(topic_id)))
            .order_by(DocumentRow.date, DocumentRow.ordinal, PassageRow.n)
        ).all()
        passage_ids = [p.id for p, _ in rows]
        stance_on_topic: dict[str, dict[str, Any]] = {}
        for a in annotations_of(s, passage_ids, ("stance",)):
            data = a["data"] or {}
            # A stance with no topic ("" or missing) is the passage's stance on everything it covers.
            if (data.get("topic") or topic_id) == topic_id and a["target_id"] not in stance_on_topic:
                stance_on_topic[a["target_id"]] = a
        discussed: dict[str, list[LinkRow]] = defaultdict(list)
        for chunk in chunks(passage_ids):
            for lk in s.scalars(
                select(LinkRow)
                .where(LinkRow.src.in_(chunk), LinkRow.kind == "discusses")
                .order_by(LinkRow.score.desc(), LinkRow.id)
            ):
                discussed[lk.src].append(lk)
        labels = provision_labels(s, sorted({lk.dst for links in discussed.values() for lk in links}))
    documents: dict[str, dict[str, Any]] = {}
    for passage, doc in rows:
        entry = documents.setdefault(
            doc.id,
            {
                "document": doc_summary(doc),
                "outlet": (doc.meta or {}).get("outlet"),
                "authors": (doc.meta or {}).get("authors", []),
                "speakers": {},
            },
        )
        key = passage.speaker or ""
        speaker = entry["speakers"].setdefault(
            key,
            {
                "speaker": speaker_of(passage),
                "stances": defaultdict(int),
                "passages": [],
                "provisions": {},
            },
        )
        stance_ann = stance_on_topic.get(passage.id)
        stance = stance_ann["label"] if stance_ann else passage.stance
        speaker["stances"][stance or "none"] += 1
        speaker["passages"].append(
            {
                "id": passage.id,
                "n": passage.n,
                "text": passage.text,
                "section": passage.section,
                "stance": stance,
                "stance_evidence": (stance_ann or {}).get("data") or {},
            }
        )
        for lk in discussed.get(passage.id, []):
            prov = speaker["provisions"].setdefault(
                lk.dst,
                {"id": lk.dst, "doc_id": doc_of(lk.dst), **labels.get(lk.dst, {}), "score": 0.0, "passages": []},
            )
            prov["score"] = max(prov["score"], round(lk.score, 4))
            prov["passages"].append(passage.id)
    out_docs = []
    for entry in documents.values():
        speakers = []
        for sp in entry["speakers"].values():
            stances = dict(sp["stances"])
            speakers.append(
                {
                    "speaker": sp["speaker"],
                    "stance": max(stances, key=lambda k: (stances[k], k != "none")) if stances else None,
                    "stances": stances,
                    "passages": sp["passages"],
                    "provisions": sorted(sp["provisions"].values(), key=lambda p: -p["score"]),
                }
            )
        out_docs.append({**entry, "speakers": speakers})
    return {"topic": topic, "documents": out_docs, "count": len(rows)}
