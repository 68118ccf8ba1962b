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
from typing import Any, cast, get_args

from kb.errors import ManifestError
from kb.model import DocKind, DocumentMeta, SourceRef
from kb.settings import get_settings

__all__ = ["MANIFEST_NAME", "documents_by_id", "load_manifest", "parse_manifest", "versions_of"]

MANIFEST_NAME = "manifest.toml"

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_TUPLE_FIELDS = ("short_names", "aliases_zh", "aliases_en", "descriptions_en", "authors", "discusses")
_STR_FIELDS = (
    "title_zh",
    "title_en",
    "issuer",
    "adopted",
    "promulgated",
    "effective",
    "date",
    "url",
    "work",
    "supersedes",
    "outlet",
    "province",
    "notes",
)
_DATE_FIELDS = ("adopted", "promulgated", "effective", "date")
_EXTRA_FIELDS = ("doc_number",)
_KNOWN = {"id", "kind", "status", "source", *_TUPLE_FIELDS, *_STR_FIELDS, *_EXTRA_FIELDS}
_KINDS = frozenset(get_args(DocKind))


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
    entries = raw.get("document")
    if not isinstance(entries, list) or not entries:
        raise ManifestError(f"{origin}: no [[document]] entries")
    docs = [_document(entry, origin, i) for i, entry in enumerate(entries, 1)]
    _check_references(docs, origin)
    return tuple(docs)


def _document(entry: Any, origin: str, index: int) -> DocumentMeta:
    where = f"{origin}: document #{index}"
    if not isinstance(entry, dict):
        raise ManifestError(f"{where}: not a table")
    doc_id = entry.get("id")
    if not isinstance(doc_id, str) or not _ID.match(doc_id):
        raise ManifestError(f"{where}: id {doc_id!r} must be lower-case letters, digits and hyphens")
    where = f"{origin}: document {doc_id!r}"
    unknown = set(entry) - _KNOWN
    if unknown:
        raise ManifestError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    kind = entry.get("kind")
    if kind not in _KINDS:
        raise ManifestError(f"{where}: kind {kind!r} is not one of {', '.join(sorted(_KINDS))}")
    fields: dict[str, Any] = {}
    for name in _STR_FIELDS:
        value = entry.get(name)
        if value is not None and not isinstance(value, str):
            raise ManifestError(f"{where}: {name} must be a string")
        if name in _DATE_FIELDS and value is not None and not _DATE.match(value):
            raise ManifestError(f"{where}: {name} {value!r} is not an ISO date (YYYY[-MM[-DD]])")
        fields[name] = value
    for name in _TUPLE_FIELDS:
        value = entry.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ManifestError(f"{where}: {name} must be a list of strings")
        fields[name] = tuple(value)
    sources = []
    for src in entry.get("source", []):
        if not isinstance(src, dict) or not isinstance(src.get("path"), str):
            raise ManifestError(f"{where}: each [[document.source]] needs a path")
        sha = src.get("sha256") or None
        if sha is not None and not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise ManifestError(f"{where}: sha256 of {src['path']} is not 64 hex digits")
        sources.append(SourceRef(src["path"], sha))
    extra = {name: entry[name] for name in _EXTRA_FIELDS if name in entry}
    return DocumentMeta(
        id=doc_id,
        kind=cast(DocKind, kind),
        status=str(entry.get("status", "unknown")),
        sources=tuple(sources),
        extra=extra,
        **fields,
    )


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
