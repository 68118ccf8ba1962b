"""The rows of every table, as dicts keyed by column name: one function per table.

Both writers build their rows here — :func:`kb.store.write.write_corpus` (a whole
:class:`~kb.model.Corpus` at once) and :class:`kb.store.stream.CorpusWriter` (statute
by statute) — so the two write identical databases (``tests/test_store_rows.py``
compares them). No SQLAlchemy here: the writers decide how rows are inserted.

>>> from kb.model import Link
>>> link_row(Link("a/art_1", "b/art_2", "cites", 1.0))
{'src': 'a/art_1', 'dst': 'b/art_2', 'kind': 'cites', 'score': 1.0, 'evidence': {}}
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

from kb.model import Annotation, DocumentMeta, Link, Passage, Provision, Topic, Translation

__all__ = [
    "SEARCH_LEVELS",
    "annotation_row",
    "build_info_rows",
    "document_rows",
    "link_row",
    "meta_to_json",
    "passage_row",
    "provision_row",
    "search_unit_rows",
    "stance_by_passage",
    "topic_rows",
    "topics_by_target",
]

# Provision levels that are units of the full-text index (with passages).
SEARCH_LEVELS = frozenset({"article", "preamble"})

Row = dict[str, Any]


def meta_to_json(doc: DocumentMeta) -> dict[str, Any]:
    """A document's metadata as the ``documents.meta`` JSON column holds it."""
    data = dataclasses.asdict(doc)
    data["sources"] = [dataclasses.asdict(s) for s in doc.sources]
    data["extra"] = dict(doc.extra)
    data["text_available"] = doc.text_available
    return data


def document_rows(
    documents: Iterable[DocumentMeta],
    header_notes: Mapping[str, Sequence[str]],
    extracted: Mapping[str, Mapping[str, str]],
) -> Iterator[Row]:
    """``documents``, numbered in the given order; ``extracted`` (commentary facts found in
    the page, by document id) gives the English title where the manifest has none."""
    for i, doc in enumerate(documents):
        found = extracted.get(doc.id, {})
        yield {
            "id": doc.id,
            "ordinal": i,
            "kind": doc.kind,
            "status": doc.status,
            "title_zh": doc.title_zh,
            # the title found in the page is English only when the document has no Chinese one
            "title_en": doc.title_en or (t if (t := found.get("title")) and t != doc.title_zh else None),
            "work": doc.work,
            "supersedes": doc.supersedes,
            "adopted": doc.adopted,
            "promulgated": doc.promulgated,
            "effective": doc.effective,
            "date": doc.date,
            "text_available": doc.text_available,
            "meta": meta_to_json(doc),
            "header_notes": list(header_notes.get(doc.id, ())),
            "extracted": dict(found),
        }


def topic_rows(topics: Iterable[Topic]) -> Iterator[Row]:
    """``topics``, numbered in taxonomy order."""
    for i, t in enumerate(topics):
        yield {**dataclasses.asdict(t), "ordinal": i}


def provision_row(p: Provision, translations: Mapping[str, Translation]) -> Row:
    """``provisions``: ``translations`` maps provision ids to our English working text."""
    tr = translations.get(p.id)
    return {
        "id": p.id,
        "doc_id": p.doc_id,
        "eid": p.eid,
        "parent_id": p.parent_id,
        "level": p.level,
        "number": p.number,
        "label": p.label,
        "heading": p.heading,
        "text": p.text,
        "text_en": tr.text_en if tr else None,
        "translation_status": tr.status if tr else None,
        "ordinal": p.ordinal,
        "source_path": p.source.path if p.source else None,
        "source_start": p.source.start if p.source else None,
        "source_end": p.source.end if p.source else None,
    }


def passage_row(p: Passage, speaker: Mapping[str, str | None], stance: str | None) -> Row:
    """``passages``: ``speaker`` has ``name``, ``role`` and ``kind`` (any may be missing)."""
    return {
        "id": p.id,
        "doc_id": p.doc_id,
        "n": p.n,
        "text": p.text,
        "kind": p.kind,
        "section": p.section,
        "part": p.part,
        "speaker": speaker.get("name"),
        "speaker_role": speaker.get("role"),
        "speaker_kind": speaker.get("kind"),
        "stance": stance,
        "sentences": [list(s) for s in p.sentences],
        "source_path": p.source.path if p.source else None,
        "source_start": p.source.start if p.source else None,
        "source_end": p.source.end if p.source else None,
    }


def annotation_row(a: Annotation, target_type: str) -> Row:
    """``annotations``: ``target_type`` is ``"provision"`` or ``"passage"``."""
    return {
        "target_id": a.target_id,
        "target_type": target_type,
        "kind": a.kind,
        "label": a.label,
        "start": a.start,
        "end": a.end,
        "text": a.text,
        "data": dict(a.data),
    }


def link_row(lk: Link) -> Row:
    return {"src": lk.src, "dst": lk.dst, "kind": lk.kind, "score": lk.score, "evidence": dict(lk.evidence)}


def build_info_rows(build_info: Mapping[str, str]) -> Iterator[Row]:
    return ({"key": k, "value": v} for k, v in build_info.items())


def topics_by_target(annotations: Iterable[Annotation]) -> dict[str, set[str]]:
    """The topic labels of each annotated provision or passage."""
    out: dict[str, set[str]] = defaultdict(set)
    for ann in annotations:
        if ann.kind == "topic":
            out[ann.target_id].add(ann.label)
    return out


def stance_by_passage(annotations: Iterable[Annotation]) -> dict[str, str]:
    """The stance of each passage: the label of its first stance annotation."""
    out: dict[str, str] = {}
    for ann in annotations:
        if ann.kind == "stance" and ann.target_id not in out:
            out[ann.target_id] = ann.label
    return out


def search_unit_rows(
    provisions: Iterable[Provision],
    passages: Iterable[Passage],
    *,
    first_rowid: int,
    doc_status: Mapping[str, str],
    translations: Mapping[str, Translation],
    topics: Mapping[str, Collection[str]],
    zh_tokens: Callable[[Provision], str],
) -> Iterator[Row]:
    """``search_units``: articles and preambles (Chinese, with their translations), then
    passages (English), numbered from ``first_rowid`` in that order.

    ``zh_tokens`` gives an article's full-text tokens (those of ``f"{label} {text}"``).
    """
    rowid = first_rowid
    for p in provisions:
        if p.level not in SEARCH_LEVELS:
            continue
        tr = translations.get(p.id)
        yield {
            "rowid": rowid,
            "id": p.id,
            "type": "provision",
            "doc_id": p.doc_id,
            "doc_status": doc_status.get(p.doc_id, ""),
            "lang": "zh",
            "text": p.text,
            "zh_tokens": zh_tokens(p),
            "en_text": tr.text_en if tr else "",
            "topics": " ".join(sorted(topics.get(p.id, ()))),
        }
        rowid += 1
    for passage in passages:
        yield {
            "rowid": rowid,
            "id": passage.id,
            "type": "passage",
            "doc_id": passage.doc_id,
            "doc_status": doc_status.get(passage.doc_id, ""),
            "lang": "en",
            "text": passage.text,
            "zh_tokens": "",
            "en_text": passage.text,
            "topics": " ".join(sorted(topics.get(passage.id, ()))),
        }
        rowid += 1
