"""The read-side queries of the web pages (``api.web.pages`` shapes their answers).

A statute's whole body with per-article commentary counts, a commentary text with every
annotation and link of every passage, the passages that refer to a document, short names
and labels for linked provisions and documents, and the facet columns of search hits.
Each function takes a :class:`Reader` and returns plain JSON-able dicts; each bulk lookup
runs one query per :data:`kb.read.lookups.CHUNK` ids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.ids import Eid, article_eid, node_type, provision_id, split_provision_id
from kb.read.lookups import (
    CONTAINERS,
    UNIT_LEVELS,
    annotations_of,
    chunks,
    excerpt,
    like_escape,
    passage_fields,
    topic_rows,
)
from kb.store.reader import Reader
from kb.store.schema import AnnotationRow, DocumentRow, LinkRow, PassageRow, ProvisionRow, SearchUnitRow

__all__ = [
    "article_lines",
    "commentary_passages",
    "document_dates",
    "document_info",
    "passage_texts",
    "provision_info",
    "referenced_by",
    "search_unit_facets",
    "short_name",
    "statute_body",
]


def short_name(doc: Mapping[str, Any]) -> str:
    """A short, readable name for a document: its first Latin short name, else a title.

    >>> short_name({"id": "x", "short_names": ["PIPL", "个保法"], "title_zh": "中华人民共和国个人信息保护法"})
    'PIPL'
    >>> short_name({"id": "x", "short_names": [], "title_zh": "网络数据安全管理条例", "title_en": "Regulation"})
    '网络数据安全管理条例'
    """
    names = list(doc.get("short_names") or [])
    latin = [n for n in names if n.isascii()]
    if latin:
        return str(latin[0])
    if names:
        return str(names[0])
    title = doc.get("title_zh") or doc.get("title_en") or doc.get("outlet") or doc["id"]
    return str(title).removeprefix("中华人民共和国")


def search_unit_facets(reader: Reader, rowids: Sequence[int]) -> list[tuple[int, str, str, str]]:
    """(rowid, type, doc_id, topics) of the search units ``rowids``, by rowid."""
    wanted = [int(r) for r in rowids]
    columns = (SearchUnitRow.rowid, SearchUnitRow.type, SearchUnitRow.doc_id, SearchUnitRow.topics)
    out: list[tuple[int, str, str, str]] = []
    with reader.session() as s:
        for chunk in chunks(wanted):
            rows = s.execute(select(*columns).where(SearchUnitRow.rowid.in_(chunk)))
            out.extend((int(r[0]), str(r[1]), str(r[2]), str(r[3] or "")) for r in rows)
    return sorted(out)


def statute_body(reader: Reader, doc_id: str) -> list[dict[str, Any]]:
    """A statute's containers and articles in order, each article with its lines, topics and counts."""
    with reader.session() as s:
        return _statute_body(s, reader, doc_id)


def _statute_body(s: Session, reader: Reader, doc_id: str) -> list[dict[str, Any]]:
    rows = list(s.scalars(select(ProvisionRow).where(ProvisionRow.doc_id == doc_id).order_by(ProvisionRow.ordinal)))
    prefix = like_escape(doc_id) + "/%"
    discussed: dict[str, set[str]] = defaultdict(set)
    cited: dict[str, set[str]] = defaultdict(set)
    for src, dst, kind in s.execute(
        select(LinkRow.src, LinkRow.dst, LinkRow.kind).where(
            LinkRow.kind.in_(("discusses", "cites")), LinkRow.dst.like(prefix, escape="\\")
        )
    ):
        eid = article_eid(split_provision_id(dst)[1])
        if kind == "discusses":
            discussed[eid].add(src)
        else:
            cited[eid].add(src)
    topics: dict[str, list[str]] = defaultdict(list)
    for target, label in s.execute(
        select(AnnotationRow.target_id, AnnotationRow.label)
        .where(AnnotationRow.kind == "topic", AnnotationRow.target_id.like(prefix, escape="\\"))
        .order_by(AnnotationRow.id)
    ):
        eid = split_provision_id(target)[1]
        if article_eid(eid) == eid and label not in topics[eid]:
            topics[eid].append(label)
    names = topic_rows(reader)
    parts: dict[str, list[ProvisionRow]] = defaultdict(list)
    for r in rows:
        if r.level not in CONTAINERS and r.level not in UNIT_LEVELS:
            parts[article_eid(r.eid)].append(r)
    body: list[dict[str, Any]] = []
    for r in rows:
        if r.level in CONTAINERS:
            body.append(
                {
                    "kind": "container",
                    "eid": r.eid,
                    "id": r.id,
                    "level": r.level,
                    "label": r.label,
                    "heading": r.heading,
                    "depth": len(Eid.parse(r.eid).units) - 1,
                }
            )
        elif r.level in UNIT_LEVELS:
            body.append(
                {
                    "kind": "article",
                    "eid": r.eid,
                    "id": r.id,
                    "level": r.level,
                    "label": r.label,
                    "text_en": r.text_en,
                    "translation_status": r.translation_status,
                    "lines": article_lines(r.text, r.text_en, [(p.eid, p.level, p.text) for p in parts[r.eid]]),
                    "topics": [
                        {"id": t, "label_en": names.get(t, {}).get("label_en") or t} for t in topics.get(r.eid, [])
                    ],
                    "discussed_by": len(discussed.get(r.eid, ())),
                    "cited_by": len(cited.get(r.eid, ())),
                }
            )
    return body


def article_lines(text_zh: str, text_en: str | None, parts: Sequence[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """An article's lines, each with the eid and level of the part it starts, and its English.

    ``parts`` are the article's paragraphs, items and sub-items in document order as
    ``(eid, level, text)``; a part's text starts with its own line. English lines pair
    with Chinese lines only when both have as many lines (translations keep one line
    per paragraph and item); otherwise ``en`` is None on every line.

    >>> article_lines("甲\\n（一）乙", "A\\n(1) B", [("art_1__para_1", "paragraph", "甲\\n（一）乙"),
    ...                                        ("art_1__para_1__item_1", "item", "（一）乙")])[1]
    {'zh': '（一）乙', 'en': '(1) B', 'eid': 'art_1__para_1__item_1', 'level': 'item'}
    """
    zh_lines = text_zh.split("\n") if text_zh else []
    en_lines = text_en.split("\n") if text_en else []
    paired = len(en_lines) == len(zh_lines)
    out = []
    j = 0
    for i, line in enumerate(zh_lines):
        eid = level = None
        if j < len(parts) and parts[j][2].split("\n", 1)[0] == line:
            eid, level = parts[j][0], parts[j][1]
            j += 1
        out.append({"zh": line, "en": en_lines[i] if paired else None, "eid": eid, "level": level})
    return out


def commentary_passages(reader: Reader, doc_id: str) -> list[dict[str, Any]]:
    """A commentary's passages in order, each with its annotations, topics and links."""
    with reader.session() as s:
        return _commentary_passages(s, reader, doc_id)


def _commentary_passages(s: Session, reader: Reader, doc_id: str) -> list[dict[str, Any]]:
    rows = list(s.scalars(select(PassageRow).where(PassageRow.doc_id == doc_id).order_by(PassageRow.n)))
    ids = [r.id for r in rows]
    anns: dict[str, list[dict[str, Any]]] = defaultdict(list)
    links: dict[str, list[LinkRow]] = defaultdict(list)
    for a in annotations_of(s, ids):
        anns[a["target_id"]].append(a)
    for chunk in chunks(ids):
        for lk in s.scalars(select(LinkRow).where(LinkRow.src.in_(chunk)).order_by(LinkRow.score.desc(), LinkRow.id)):
            links[lk.src].append(lk)
    targets = sorted({lk.dst for lks in links.values() for lk in lks})
    labels = _provision_info(s, [t for t in targets if node_type(t) == "provision"])
    titles = _document_info(s, [t for t in targets if node_type(t) == "document"])
    names = topic_rows(reader)
    out = []
    for r in rows:
        topic_ids = list(dict.fromkeys(a["label"] for a in anns[r.id] if a["kind"] == "topic"))
        out.append(
            {
                **passage_fields(r),
                "stance": r.stance,
                "annotations": anns[r.id],
                "topics": [{"id": t, "label_en": names.get(t, {}).get("label_en") or t} for t in topic_ids],
                "provisions": [
                    _link_entry(lk, labels.get(lk.dst, {"label": lk.dst, "document_title": None, "short_name": lk.dst}))
                    for lk in links[r.id]
                    if node_type(lk.dst) == "provision"
                ],
                "documents": [
                    _link_entry(
                        lk, titles.get(lk.dst, {"title": lk.dst, "short_name": lk.dst, "text_available": False})
                    )
                    for lk in links[r.id]
                    if node_type(lk.dst) == "document"
                ],
            }
        )
    return out


def _link_entry(lk: LinkRow, target: Mapping[str, Any]) -> dict[str, Any]:
    """One link of a passage as the commentary page lists it: the link, then what it points to."""
    return {"id": lk.dst, "kind": lk.kind, "score": round(lk.score, 4), "evidence": lk.evidence, **target}


def provision_info(reader: Reader, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """id -> label, document title and a short citation-like name (``PIPL 第十三条``)."""
    with reader.session() as s:
        return _provision_info(s, ids)


def _provision_info(s: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """id -> label, document title and a short citation-like name (``PIPL 第十三条``)."""
    out: dict[str, dict[str, Any]] = {}
    for chunk in chunks(ids):
        for pid, label, level, doc in s.execute(
            select(ProvisionRow.id, ProvisionRow.label, ProvisionRow.level, DocumentRow)
            .join(DocumentRow, DocumentRow.id == ProvisionRow.doc_id)
            .where(ProvisionRow.id.in_(chunk))
        ):
            full = _full_label(s, pid, label, level)
            out[pid] = {
                "label": full,
                "level": level,
                "doc_id": doc.id,
                "document_title": doc.title_zh or doc.title_en,
                "short_name": f"{_row_short_name(doc)} {full}",
            }
    return out


def _full_label(s: Session, pid: str, label: str, level: str) -> str:
    """第十三条第一款 rather than 第一款: a part's label is read with its article's."""
    if level in UNIT_LEVELS or level in CONTAINERS:
        return label
    doc_id, eid = split_provision_id(pid)
    art = s.get(ProvisionRow, provision_id(doc_id, article_eid(eid)))
    return f"{art.label}{label}" if art is not None and label else label or eid


def _row_short_name(doc: DocumentRow) -> str:
    meta = doc.meta or {}
    return short_name(
        {
            "id": doc.id,
            "short_names": meta.get("short_names"),
            "title_zh": doc.title_zh,
            "title_en": doc.title_en,
            "outlet": meta.get("outlet"),
        }
    )


def document_info(reader: Reader, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """id -> title, short name and whether the text is available."""
    with reader.session() as s:
        return _document_info(s, ids)


def _document_info(s: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for chunk in chunks(ids):
        for doc in s.scalars(select(DocumentRow).where(DocumentRow.id.in_(chunk))):
            out[doc.id] = {
                "title": doc.title_zh or doc.title_en or doc.id,
                "short_name": _row_short_name(doc),
                "text_available": doc.text_available,
            }
    return out


def referenced_by(reader: Reader, doc_id: str) -> list[dict[str, Any]]:
    """Commentary passages that mention or cite the document itself (not one provision)."""
    with reader.session() as s:
        rows = s.execute(
            select(LinkRow, PassageRow, DocumentRow)
            .join(PassageRow, PassageRow.id == LinkRow.src)
            .join(DocumentRow, DocumentRow.id == PassageRow.doc_id)
            .where(LinkRow.dst == doc_id, LinkRow.kind.in_(("mentions", "cites")))
            .order_by(DocumentRow.ordinal, PassageRow.n)
        ).all()
    return [
        {
            "passage_id": p.id,
            "doc_id": p.doc_id,
            "n": p.n,
            "document_title": doc.title_en or doc.title_zh or _row_short_name(doc),
            "kind": lk.kind,
            "text": (lk.evidence or {}).get("text"),
            "excerpt": excerpt(p.text, 240),
        }
        for lk, p, doc in rows
    ]


def passage_texts(reader: Reader, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """id -> the passage's number and whole text."""
    out: dict[str, dict[str, Any]] = {}
    with reader.session() as s:
        for chunk in chunks(ids):
            for p in s.scalars(select(PassageRow).where(PassageRow.id.in_(chunk))):
                out[p.id] = {"n": p.n, "text": p.text}
    return out


def document_dates(reader: Reader) -> dict[str, str | None]:
    """Every document's date."""
    with reader.session() as s:
        return dict(s.execute(select(DocumentRow.id, DocumentRow.date)).tuples().all())
