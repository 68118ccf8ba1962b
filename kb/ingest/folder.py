"""Documents from a folder of statute files that the manifest does not list.

``kb ingest --source DIR`` walks ``DIR`` for ``*.md`` and ``*.txt`` statute files
(users' own corpora, the 3,422-law scale corpus). Each file becomes a document whose
id is derived from its title and date: ``个人信息保护法-2021-08-20`` (the common prefix
``中华人民共和国`` dropped). Collisions get ``-2``, ``-3`` … in sorted path order, so ids
are deterministic. Files with the same title are versions of one work; local
regulations keep their province (from a ``地方性法规/<省>/`` folder).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kb.ingest.normalize import normalize_space
from kb.model import DocKind, DocumentMeta, SourceRef

__all__ = ["FolderDocument", "scan_folder", "title_of"]

_DATE_IN_NAME = re.compile(r"[（(](\d{4}-\d{2}-\d{2})[)）]")
_TITLE_PREFIX = "中华人民共和国"
_KIND_BY_FOLDER: dict[str, DocKind] = {
    "行政法规": "administrative-regulation",
    "司法解释": "judicial-interpretation",
    "部门规章": "departmental-rule",
    "地方性法规": "local-regulation",
    "DLC": "local-regulation",
}


@dataclass(frozen=True, slots=True)
class FolderDocument:
    meta: DocumentMeta
    root: Path  # the root its SourceRef path is relative to


def title_of(path: Path) -> str:
    """The title from the file's first ``#`` line or first line, else its name."""
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            stripped = line.strip().lstrip("\ufeff")
            if stripped:
                return normalize_space(stripped.lstrip("#")) or _stem_title(path)
    return _stem_title(path)


def _stem_title(path: Path) -> str:
    return _DATE_IN_NAME.sub("", path.stem).strip()


def _slug(title: str, date: str | None) -> str:
    core = title.removeprefix(_TITLE_PREFIX)
    core = re.sub(r"[\s/\\?#%]+", "", core)[:80] or "document"
    return f"{core}-{date}" if date else core


def scan_folder(folder: Path, *, root: Path, taken: set[str] | None = None) -> list[FolderDocument]:
    """Every statute file under ``folder`` as a document, ids deterministic.

    ``root`` is the source root the manifest paths are relative to; files outside it
    are refused by the reader later. ``taken`` are ids already used (the manifest's).
    """
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".md", ".txt") and p.is_file())
    files = [p for p in files if p.name.upper() not in ("README.MD", "SOURCES.MD")]
    used = set(taken or ())
    proposals = []
    for path in files:
        title = title_of(path)
        m = _DATE_IN_NAME.search(path.name)
        proposals.append((path, title, m.group(1) if m else None))
    counts = Counter(_slug(t, d) for _, t, d in proposals)
    out: list[FolderDocument] = []
    for path, title, date in proposals:
        base = _slug(title, date)
        doc_id = base
        n = 1
        while doc_id in used:
            n += 1
            doc_id = f"{base}-{n}"
        used.add(doc_id)
        parts = path.relative_to(folder).parts
        kind: DocKind = "law"
        for part in parts:
            kind = _KIND_BY_FOLDER.get(part, kind)
        province = None
        if "地方性法规" in parts:
            i = parts.index("地方性法规")
            province = parts[i + 1] if i + 1 < len(parts) - 1 else None
        # Relative to the source root when the folder is inside it, else to the folder.
        base_root = root if path.resolve().is_relative_to(root.resolve()) else folder
        rel = path.resolve().relative_to(base_root.resolve()).as_posix()
        meta = DocumentMeta(
            id=doc_id,
            kind=kind,
            title_zh=title,
            aliases_zh=(title.removeprefix(_TITLE_PREFIX),) if title.startswith(_TITLE_PREFIX) else (),
            promulgated=date,
            status="unknown",
            sources=(SourceRef(rel, None),),
            work=f"{province or ''}{title.removeprefix(_TITLE_PREFIX)}",
            province=province,
            notes=None if counts[base] == 1 else f"{counts[base]} files share the id base {base!r}",
        )
        out.append(FolderDocument(meta, base_root))
    return out
