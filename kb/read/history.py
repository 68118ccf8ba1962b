"""Law at a date: an article across every version of its work, and the version in force then.

:func:`provision_history` follows the ``aligned`` links that ``kb.link.versions`` built
between consecutive versions (old article <- new article, with an alignment status) from
the requested article back to its first version and forward to the last, and lists the
article in each version, oldest first:

==============  ===========================================================
``added``       first appears in this version (the first version included)
``unchanged``   same text as in the previous version, formatting aside
``changed``     the text changed; ``diff`` is a word-level edit script
``removed``     no longer in this version (the entry has no text)
``unknown``     no alignment reaches this version (a version without text
                between them, or no ``supersedes`` between the two)
==============  ===========================================================

Formatting is no change: the alignment already folds whitespace, full- and half-width
forms and cross-reference numbers that follow the renumbering
(``kb.link.versions.formatting_key``); "renumbered" counts as ``unchanged`` here, with
``renumbered`` set.

:func:`provision_as_of` finds a provision as it read on a date, in the version in force
then (``kb.dates.version_in_force``: drafts never are).
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.dates import in_force_key, version_in_force
from kb.errors import InvalidQuery, NotFound
from kb.ids import Eid, doc_of, provision_id, split_provision_id
from kb.model import DocumentMeta
from kb.read.lookups import document_metas, like_escape
from kb.read.provisions import get_provision
from kb.store.reader import Reader
from kb.store.schema import LinkRow, ProvisionRow

__all__ = [
    "CHANGE_STATUSES",
    "get_provision_at",
    "parse_day",
    "provision_as_of",
    "provision_history",
    "work_versions",
]

CHANGE_STATUSES = ("added", "unchanged", "changed", "removed", "unknown")
# Alignment statuses (kb.link.versions) that are no change of the text.
_SAME_TEXT = frozenset({"unchanged", "renumbered"})


def parse_day(value: str, parameter: str = "as_of") -> str:
    """A full ISO date ``YYYY-MM-DD``, checked; :class:`InvalidQuery` naming ``parameter`` if not.

    >>> parse_day("2019-06-01")
    '2019-06-01'
    """
    try:
        if len(value) == 10:
            return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    raise InvalidQuery("expected a date YYYY-MM-DD", parameter=parameter)


def work_versions(reader: Reader, doc_id: str) -> list[DocumentMeta]:
    """Every version of ``doc_id``'s work, oldest first (just the document when it has no work)."""
    metas = document_metas(reader)
    meta = metas.get(doc_id)
    if meta is None:
        raise NotFound(f"no document {doc_id!r}")
    if not meta.work:
        return [meta]
    return sorted((m for m in metas.values() if m.work == meta.work), key=lambda m: (in_force_key(m), m.id))


def _article_of(s: Session, node_id: str) -> ProvisionRow:
    """The row of the article (or preamble) ``node_id`` is or lies in."""
    doc_id, eid = split_provision_id(node_id)
    parsed = Eid.parse(eid)
    if s.get(ProvisionRow, node_id) is None:
        raise NotFound(f"no provision {node_id!r}")
    article = parsed.article
    if article is None:
        raise InvalidQuery(f"{node_id} is a {parsed.level}: histories are of articles", parameter="eid")
    row = s.get(ProvisionRow, provision_id(doc_id, article))
    if row is None:  # pragma: no cover - every part's article is in the database
        raise NotFound(f"no provision {provision_id(doc_id, article)!r}")
    return row


def _earlier(s: Session, new_id: str, old_doc: str) -> tuple[str | None, str | None]:
    """(old eid, alignment status) of ``new_id`` in ``old_doc``; (None, "added") when it is
    new; (None, None) when no alignment links the two versions."""
    for lk in s.scalars(select(LinkRow).where(LinkRow.kind == "aligned", LinkRow.src == new_id)):
        if lk.dst == old_doc:
            return None, "added"
        if doc_of(lk.dst) == old_doc:
            return split_provision_id(lk.dst)[1], (lk.evidence or {}).get("status")
    return None, None


def _later(s: Session, old_id: str, new_doc: str) -> tuple[str | None, str | None]:
    """(new eid, alignment status) of ``old_id`` in ``new_doc``; (None, "removed") when gone."""
    prefix = like_escape(new_doc) + "/%"
    for lk in s.scalars(
        select(LinkRow).where(LinkRow.kind == "aligned", LinkRow.dst == old_id, LinkRow.src.like(prefix, escape="\\"))
    ):
        return split_provision_id(lk.src)[1], (lk.evidence or {}).get("status")
    removed = s.scalar(
        select(LinkRow.id).where(LinkRow.kind == "aligned", LinkRow.src == old_id, LinkRow.dst == new_doc).limit(1)
    )
    return (None, "removed") if removed is not None else (None, None)


def _version_facts(meta: DocumentMeta) -> dict[str, Any]:
    return {
        "doc_id": meta.id,
        "title_zh": meta.title_zh,
        "title_en": meta.title_en,
        "status": meta.status,
        "adopted": meta.adopted,
        "promulgated": meta.promulgated,
        "effective": meta.effective,
        "in_force_from": meta.in_force_from,
        "text_available": meta.text_available,
    }


def provision_history(reader: Reader, node_id: str) -> dict[str, Any]:
    """The article ``node_id`` (or the article a paragraph or item belongs to) in
    every version of its work, oldest first; see the module docstring."""
    from kb.annotate.nlp import words_zh
    from kb.link.versions import word_diff

    versions = work_versions(reader, doc_of(node_id))
    with reader.session() as s:
        article = _article_of(s, node_id)
        k = next(i for i, m in enumerate(versions) if m.id == article.doc_id)
        eids: dict[int, str] = {k: article.eid}
        change: dict[int, str] = {}
        # Backwards from the requested version to where the article first appears.
        i = k
        while i > 0:
            j = i - 1
            while j >= 0 and not versions[j].text_available:
                j -= 1
            if j < 0:
                break
            old_eid, status = _earlier(s, provision_id(versions[i].id, eids[i]), versions[j].id)
            if old_eid is None:
                change[i] = "added" if status == "added" else "unknown"
                break
            eids[j], change[i] = old_eid, _change(status)
            i = j
        # Forwards to the last version, or to where it was removed.
        i = k
        while i < len(versions) - 1:
            j = i + 1
            while j < len(versions) and not versions[j].text_available:
                j += 1
            if j == len(versions):
                break
            new_eid, status = _later(s, provision_id(versions[i].id, eids[i]), versions[j].id)
            if new_eid is None:
                change[j] = "removed" if status == "removed" else "unknown"
                break
            eids[j], change[j] = new_eid, _change(status)
            i = j
        rows = {i: s.get(ProvisionRow, provision_id(versions[i].id, eid)) for i, eid in eids.items()}
    entries: list[dict[str, Any]] = []
    previous: str | None = None
    previous_eid: str | None = None
    for i in sorted({*eids, *change}):
        row = rows.get(i)
        status = change.get(i, "added")
        entry: dict[str, Any] = {
            **_version_facts(versions[i]),
            "id": row.id if row is not None else None,
            "eid": row.eid if row is not None else None,
            "label": row.label if row is not None else None,
            "text": row.text if row is not None else None,
            "change": status,
            "renumbered": bool(row is not None and previous_eid is not None and previous_eid != row.eid),
            "diff": [],
        }
        if status == "changed" and previous is not None and row is not None:
            entry["diff"] = [dict(op) for op in word_diff(previous, row.text, words_zh)]
        entries.append(entry)
        previous = row.text if row is not None else None
        previous_eid = row.eid if row is not None else None
    return {
        "id": node_id,
        "article_id": article.id,
        "work": versions[k].work,
        "versions": [m.id for m in versions],
        "results": entries,
        "count": len(entries),
        "changes": sum(1 for e in entries if e["change"] == "changed"),
    }


def _change(alignment_status: str | None) -> str:
    if alignment_status is None:
        return "unknown"
    return "unchanged" if alignment_status in _SAME_TEXT else "changed"


def provision_as_of(reader: Reader, node_id: str, as_of: str) -> dict[str, str | None]:
    """Which provision ``node_id`` was on ``as_of``: the version in force then and the
    article's id in it (it may be renumbered). Raises :class:`NotFound` when no version was
    in force yet, or the article was not in the version in force."""
    day = parse_day(as_of)
    versions = work_versions(reader, doc_of(node_id))
    chosen = version_in_force(versions, day)
    if chosen is None:
        raise NotFound(f"no version of {doc_of(node_id)!r} was in force on {day}")
    history = provision_history(reader, node_id)
    entry = next((e for e in history["results"] if e["doc_id"] == chosen.id), None)
    if entry is None or entry["id"] is None:
        raise NotFound(f"{node_id} has no counterpart in {chosen.id}, the version in force on {day}")
    # A paragraph or item keeps its place under the article's number in that version.
    asked = Eid.parse(split_provision_id(node_id)[1])
    below = asked.units[len(Eid.parse(split_provision_id(history["article_id"])[1]).units) :]
    chosen_doc, chosen_eid = split_provision_id(entry["id"])
    chosen_id = provision_id(chosen_doc, Eid((*Eid.parse(chosen_eid).units, *below)))
    return {
        "as_of": day,
        "requested": node_id,
        "version": chosen.id,
        "in_force_from": chosen.in_force_from,
        "id": chosen_id,
    }


def get_provision_at(reader: Reader, node_id: str, as_of: str, *, base_url: str = "") -> dict[str, Any]:
    """``get_provision`` of the provision as it read on ``as_of``, with ``as_of`` saying
    which version was chosen (``csl-2025/art_43`` on 2019-05-01 is ``csl-2016/art_41``)."""
    choice = provision_as_of(reader, node_id, as_of)
    data = get_provision(reader, choice["id"] or node_id, base_url=base_url)
    data["as_of"] = choice
    return data
