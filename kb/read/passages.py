"""Read-side query of one commentary passage: speaker, topics, stance and its links."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kb.errors import NotFound
from kb.ids import node_type
from kb.read.lookups import (
    annotations_of,
    doc_summary,
    document_row,
    document_titles,
    grouped_topics,
    provision_labels,
    speaker_of,
    stance_tags,
    topic_rows,
)
from kb.store.reader import Reader
from kb.store.schema import LinkRow, PassageRow

__all__ = ["get_passage"]


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
        titles = document_titles(s, sorted({lk.dst for lk in links if node_type(lk.dst) == "document"}))
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
            if node_type(lk.dst) == "document"
        ],
        "source": {"path": row.source_path, "start": row.source_start, "end": row.source_end},
    }
