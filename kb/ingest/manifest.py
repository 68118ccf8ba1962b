"""The manifest (``corpus/manifest.toml``): every document the knowledge base knows.

>>> docs = load_manifest()
>>> by_id = {d.id: d for d in docs}
>>> by_id["csl-2025"].supersedes
'csl-2016'
>>> by_id["cac-frt-2023-draft"].text_available
False
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationError, field_validator

from kb.datafiles import RuleModel, rule_error
from kb.errors import ManifestError
from kb.model import DocKind, DocumentMeta, SourceRef
from kb.settings import get_settings

__all__ = ["MANIFEST_NAME", "documents_by_id", "load_manifest", "parse_manifest", "versions_of"]

MANIFEST_NAME = "manifest.toml"

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _doc_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"{value!r} must be lower-case letters, digits and hyphens")
    return value


def _iso_date(value: str) -> str:
    if not _DATE.match(value):
        raise ValueError(f"{value!r} is not an ISO date (YYYY[-MM[-DD]])")
    return value


DocId = Annotated[str, AfterValidator(_doc_id)]
IsoDate = Annotated[str, AfterValidator(_iso_date)]


class SourceEntry(RuleModel):
    """``[[document.source]]``: one source file, relative to the source root, and its hash."""

    path: str
    sha256: str | None = None

    @field_validator("sha256")
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        if not value:  # an empty hash: not pinned
            return None
        if not _SHA256.match(value):
            raise ValueError(f"{value!r} is not 64 hex digits")
        return value


class DocumentEntry(RuleModel):
    """``[[document]]``: one document of the knowledge base (see :class:`kb.model.DocumentMeta`)."""

    id: DocId
    kind: DocKind
    status: str = "unknown"
    source: tuple[SourceEntry, ...] = ()
    title_zh: str | None = None
    title_en: str | None = None
    issuer: str | None = None
    adopted: IsoDate | None = None
    promulgated: IsoDate | None = None
    effective: IsoDate | None = None
    date: IsoDate | None = None
    url: str | None = None
    work: str | None = None
    supersedes: str | None = None
    outlet: str | None = None
    province: str | None = None
    notes: str | None = None
    short_names: tuple[str, ...] = ()
    aliases_zh: tuple[str, ...] = ()
    aliases_en: tuple[str, ...] = ()
    descriptions_en: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    discusses: tuple[str, ...] = ()
    doc_number: str | None = None  # kept in DocumentMeta.extra

    def meta(self) -> DocumentMeta:
        fields = self.model_dump(exclude={"id", "kind", "status", "source", "doc_number"})
        return DocumentMeta(
            id=self.id,
            kind=self.kind,
            status=self.status,
            sources=tuple(SourceRef(s.path, s.sha256) for s in self.source),
            extra={"doc_number": self.doc_number} if self.doc_number is not None else {},
            **fields,
        )


class ManifestFile(RuleModel):
    """The whole of ``manifest.toml``."""

    version: int = 1
    document: tuple[DocumentEntry, ...] = Field(min_length=1)


def load_manifest(corpus_dir: Path | None = None) -> tuple[DocumentMeta, ...]:
    """Read and validate ``<corpus_dir>/manifest.toml``."""
    path = (corpus_dir or get_settings().corpus_dir) / MANIFEST_NAME
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{path}: manifest not found") from None
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{path}: not UTF-8 (invalid byte at offset {exc.start})") from None
    except OSError as exc:  # a directory, no permission …
        raise ManifestError(f"{path}: cannot read the manifest: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{path}: {exc}") from None
    return parse_manifest(raw, origin=str(path))


def parse_manifest(raw: Mapping[str, Any], *, origin: str = "manifest") -> tuple[DocumentMeta, ...]:
    """Validate a decoded manifest. A bad entry is one ManifestError naming ``origin``, the
    document (by id when it has one) and the field.

    >>> parse_manifest({"document": [{"id": "x-1", "kind": "law", "effective": "June"}]}, origin="m.toml")
    Traceback (most recent call last):
    ...
    kb.errors.ManifestError: m.toml: document 'x-1'.effective: Value error, 'June' is not an ISO date (YYYY[-MM[-DD]])
    """
    try:
        manifest = ManifestFile.model_validate(raw)
    except ValidationError as exc:
        raise _manifest_error(origin, raw, exc) from None
    docs = [entry.meta() for entry in manifest.document]
    _check_references(docs, origin)
    return tuple(docs)


def _manifest_error(origin: str, raw: Mapping[str, Any], exc: ValidationError) -> ManifestError:
    """One ManifestError for ``exc``: a field of a document is named by the document's id."""
    loc = exc.errors()[0]["loc"]
    if len(loc) > 2 and loc[0] == "document" and isinstance(loc[1], int):
        entry = raw["document"][loc[1]]
        doc_id = entry.get("id")
        name = f"document {doc_id!r}" if isinstance(doc_id, str) else f"document #{loc[1] + 1}"
        try:
            DocumentEntry.model_validate(entry)
        except ValidationError as inner:
            return ManifestError(str(rule_error(origin, inner, entry=name)))
    return ManifestError(str(rule_error(origin, exc)))


def _check_references(docs: Sequence[DocumentMeta], origin: str) -> None:
    seen: set[str] = set()
    for doc in docs:
        if doc.id in seen:
            raise ManifestError(f"{origin}: duplicate document id {doc.id!r}")
        seen.add(doc.id)
    for doc in docs:
        for ref in (doc.supersedes, *doc.discusses):
            if ref is not None and ref not in seen:
                raise ManifestError(f"{origin}: document {doc.id!r} refers to unknown id {ref!r}")
        if doc.supersedes == doc.id:
            raise ManifestError(f"{origin}: document {doc.id!r} supersedes itself")


def documents_by_id(docs: Sequence[DocumentMeta]) -> dict[str, DocumentMeta]:
    return {d.id: d for d in docs}


def versions_of(docs: Sequence[DocumentMeta], work: str) -> list[DocumentMeta]:
    """The versions of one work, oldest first (by the date each came into force)."""
    found = [d for d in docs if d.work == work]
    return sorted(found, key=lambda d: (d.in_force_from or "", d.id))
