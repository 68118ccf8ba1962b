"""Read-side query of one provision: its text, translation, place in the tree, topics and links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.errors import NotFound
from kb.ids import is_passage_id, node_type
from kb.read import citeformat
from kb.read.lookups import (
    CONTAINERS,
    annotations_of,
    chunks,
    doc_summary,
    document_row,
    document_titles,
    grouped_topics,
    meta_from_row,
    passage_briefs,
    provision_labels,
    topic_rows,
    version_entry,
)
from kb.store.reader import Reader
from kb.store.schema import LinkRow, ProvisionRow

__all__ = ["get_provision"]

# Links from a commentary passage that make it commentary on a provision.
_COMMENTARY_KINDS = ("discusses", "cites", "mentions")


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
        doc_titles = document_titles(s, sorted({lk.dst for lk in cites_out if node_type(lk.dst) == "document"}))
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
