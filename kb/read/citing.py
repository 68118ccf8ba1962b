"""Citations, both ways: finding them in free text, and citing a document or provision.

:func:`resolve_citations` wraps ``kb.annotate.citations.find_citations`` with a
:class:`~kb.annotate.citations.CitationIndex` built from the database once per reader
(documents' manifest entries and the eids that exist); :func:`cite` returns every
citation form of ``kb.read.citeformat``.
"""

from __future__ import annotations

import re
import sys
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import select

from kb.errors import InvalidQuery, NotFound
from kb.ids import doc_of, node_type, split_provision_id
from kb.model import DocumentMeta
from kb.read import citeformat
from kb.read.lookups import document_metas, provision_labels
from kb.store.reader import Reader
from kb.store.schema import ProvisionRow

__all__ = [
    "citation_index",
    "cite",
    "resolve_citations",
]


def citation_index(reader: Reader) -> Any:
    """The :class:`kb.annotate.citations.CitationIndex` of this database, built once."""

    def compute() -> Any:
        from kb.annotate.citations import CitationIndex

        # Half a million eids at full scale: streamed in document order and frozen a document
        # at a time, each string interned ("art_1__para_1" is in thousands of documents), so
        # that an API worker holds one copy and never all the rows at once.
        eids: dict[str, frozenset[str]] = {}
        query = select(ProvisionRow.doc_id, ProvisionRow.eid).order_by(ProvisionRow.doc_id)
        with reader.engine.connect() as conn:
            rows = conn.execution_options(stream_results=True, yield_per=5000).execute(query)
            for doc_id, group in groupby(rows, key=itemgetter(0)):
                eids[doc_id] = frozenset(sys.intern(eid) for _, eid in group)
        docs = list(document_metas(reader).values())
        return CitationIndex.build(docs, eids)

    return reader.cached("citation_index", compute)


# An ISO date, possibly partial: 2021, 2021-08, 2021-08-20.
_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def resolve_citations(
    reader: Reader, text: str, date: str | None = None, *, max_length: int | None = None, date_parameter: str = "date"
) -> list[dict[str, Any]]:
    """Every citation of a statute in ``text``, resolved against this database.

    ``date`` (ISO, may be partial: 2021, 2021-08) picks the version of a work that was
    in force then; without it the citation finder's default applies.
    """
    if max_length is not None and len(text) > max_length:
        raise InvalidQuery(f"longer than {max_length} characters", parameter="text")
    if not text.strip():
        raise InvalidQuery("empty text", parameter="text")
    if date is not None and not _PARTIAL_DATE.match(date):
        raise InvalidQuery("expected an ISO date: YYYY, YYYY-MM or YYYY-MM-DD", parameter=date_parameter)
    from kb.annotate.citations import find_citations

    index = citation_index(reader)
    with reader.session() as s:
        found = find_citations(text, index, date=date)
        labels = provision_labels(s, sorted({i for c in found for i in c.ids if node_type(i) == "provision"}))
    docs = document_metas(reader)
    out = []
    for c in found:
        targets = []
        for target_id in c.ids:
            doc = docs.get(doc_of(target_id))
            eid = split_provision_id(target_id)[1] if node_type(target_id) != "document" else None
            targets.append(
                {
                    "id": target_id,
                    "type": node_type(target_id),
                    "label": labels.get(target_id, {}).get("label"),
                    "document_title": (doc.title_zh or doc.title_en) if doc else None,
                    "citation_zh": citeformat.cite_zh(doc, eid) if doc else None,
                    "citation_en": citeformat.cite_en(doc, eid) if doc else None,
                }
            )
        out.append(
            {
                "text": c.text,
                "span": [c.start, c.end],
                "start": c.start,
                "end": c.end,
                "status": c.status,
                "ids": list(c.ids),
                "doc_id": c.doc_id,
                "pinpoint": c.pinpoint,
                "note": c.note,
                "version": _version(docs.get(c.doc_id)) if c.doc_id else None,
                "targets": targets,
            }
        )
    return out


def _version(meta: DocumentMeta | None) -> dict[str, Any] | None:
    """Which version of its work a citation resolved to."""
    if meta is None:
        return None
    return {"doc_id": meta.id, "work": meta.work, "in_force_from": meta.in_force_from, "status": meta.status}


def cite(reader: Reader, doc_id: str, eid: str | None = None, *, base_url: str = "") -> dict[str, Any]:
    """Citation strings, CSL-JSON, BibTeX and RIS for a document or one of its provisions.

    A document the knowledge base holds no text of can be cited at document level.
    """
    meta = document_metas(reader).get(doc_id)
    if meta is None:
        raise NotFound(f"no document {doc_id!r}")
    if eid is not None:
        with reader.session() as s:
            if s.get(ProvisionRow, f"{doc_id}/{eid}") is None:
                absent = "" if meta.text_available else " (the knowledge base holds no text of it; cite the document)"
                raise NotFound(f"no provision {eid!r} in {doc_id!r}{absent}")
    return citeformat.citation_record(meta, eid, base_url=base_url)
