"""Documents from a folder of statute files that the manifest does not list.

``kb ingest --source DIR`` walks ``DIR`` for ``*.md`` and ``*.txt`` statute files
(users' own corpora, the 3,422-law scale corpus). Each file becomes a document whose
id is derived from its title and date: ``个人信息保护法-2021-08-20`` (the common prefix
``中华人民共和国`` dropped). The date is the one in the file name
(``刑法(2020-12-26).md``), else the last dated history line of the header
(``2024年12月31日 …修正``); its ``adopted`` date is the first history line, the law's
own adoption (so a text amended in 2023 still answers a citation from 2015).
Collisions get ``-2``, ``-3`` … in sorted path order, so
ids are deterministic.

The manifest wins over a folder:

* a file that is already a manifest source (the Civil Code's eight books) is skipped;
* a file with a manifest document's title and one of its dates is that document again
  (``网络安全法(2016-11-07).md`` is ``csl-2016``) and is skipped;
* a file with a manifest title and another date is another version of the manifest's
  work (``work = "csl"``).

Files with the same title (and province) are versions of one work. They are ordered by
date (undated first: a file without date or history is taken as the oldest), and each
version supersedes the latest one dated before it, so the build links ``version_of``
and aligns their articles; versions with the same date are duplicates, not successors.
Superseded versions get status ``amended``. Local regulations keep their province (from
a ``地方性法规/<省>/`` folder).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from kb.ingest.normalize import normalize_space
from kb.model import DocKind, DocumentMeta, SourceRef

__all__ = [
    "FolderDocument",
    "FolderScan",
    "header_dates",
    "order_versions",
    "scan_folders",
    "title_of",
]

_DATE_IN_NAME = re.compile(r"[（(](\d{4}-\d{2}-\d{2})[)）]")
# A dated history line of a Markdown header: 2024年12月31日 上海市第十六届…修正
_HISTORY_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日")
_INFO_END = "<!-- INFO END -->"
_HEADER_LINES = 80  # the history never runs longer; stop reading there
_TITLE_PREFIX = "中华人民共和国"
_IGNORED_NAMES = frozenset({"README.MD", "SOURCES.MD"})
_KIND_BY_FOLDER: dict[str, DocKind] = {
    "行政法规": "administrative-regulation",
    "司法解释": "judicial-interpretation",
    "部门规章": "departmental-rule",
    "地方性法规": "local-regulation",
    "DLC": "local-regulation",
}
_LOCAL_FOLDER = "地方性法规"
_SUPERSEDED_STATUS = "amended"


@dataclass(frozen=True, slots=True)
class FolderDocument:
    meta: DocumentMeta
    root: Path  # the root its SourceRef path is relative to


@dataclass(frozen=True)
class FolderScan:
    """What :func:`scan_folders` found: documents, and files it did not make documents."""

    documents: tuple[FolderDocument, ...]
    skipped: tuple[str, ...] = ()  # "<path>: <reason>"


@dataclass(frozen=True, slots=True)
class _File:
    path: Path
    rel: str
    base_root: Path
    title: str
    date: str | None
    adopted: str | None
    kind: DocKind
    province: str | None


def title_of(path: Path) -> str:
    """The title from the file's first ``#`` line or first line, else its name."""
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            stripped = line.strip().lstrip("\ufeff")
            if stripped:
                return normalize_space(stripped.lstrip("#")) or _stem_title(path)
    return _stem_title(path)


def header_dates(path: Path) -> tuple[str | None, str | None]:
    """The first and last dated history lines before ``<!-- INFO END -->`` (ISO dates).

    A header lists adoption, then each amendment: the first dates the law, the last
    this version of it.
    """
    dates: list[str] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for i, line in enumerate(fh):
            stripped = line.strip()
            if stripped == _INFO_END or i >= _HEADER_LINES:
                break
            m = _HISTORY_DATE.match(stripped)
            if m:
                dates.append(f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}")
    return (dates[0], dates[-1]) if dates else (None, None)


def _stem_title(path: Path) -> str:
    return _DATE_IN_NAME.sub("", path.stem).strip()


def _bare(title: str) -> str:
    """A title for comparison: no 中华人民共和国 prefix, no whitespace."""
    return re.sub(r"\s+", "", title).removeprefix(_TITLE_PREFIX)


def _slug(title: str, date: str | None) -> str:
    core = title.removeprefix(_TITLE_PREFIX)
    core = re.sub(r"[\s/\\?#%]+", "", core)[:80] or "document"
    return f"{core}-{date}" if date else core


def _kind_and_province(parts: Sequence[str]) -> tuple[DocKind, str | None]:
    kind: DocKind = "law"
    for part in parts:
        kind = _KIND_BY_FOLDER.get(part, kind)
    province = None
    if _LOCAL_FOLDER in parts:
        i = parts.index(_LOCAL_FOLDER)
        province = parts[i + 1] if i + 1 < len(parts) - 1 else None
    return kind, province


def _files(folder: Path, root: Path, skipped: list[str]) -> list[_File]:
    paths = sorted(p for p in folder.rglob("*") if p.suffix in (".md", ".txt") and p.is_file())
    out = []
    for path in paths:
        if path.name.upper() in _IGNORED_NAMES:
            continue
        resolved = path.resolve()
        if not (resolved.is_relative_to(root.resolve()) or resolved.is_relative_to(folder.resolve())):
            # A symlink out of the folder: never follow it to read files elsewhere.
            skipped.append(f"{path}: refused: a symlink leading outside {folder} and the source root")
            continue
        # Relative to the source root when the folder is inside it, else to the folder.
        base_root = root if resolved.is_relative_to(root.resolve()) else folder
        rel = path.resolve().relative_to(base_root.resolve()).as_posix()
        m = _DATE_IN_NAME.search(path.name)
        kind, province = _kind_and_province(path.relative_to(folder).parts)
        first, last = header_dates(path)
        date = m.group(1) if m else last
        # The law's first adoption, when it is older than this version: a consolidated
        # text amended in 2023 is still the law a 2015 text cites.
        adopted = first if first and date and first < date else None
        out.append(_File(path, rel, base_root, title_of(path), date, adopted, kind, province))
    return out


def _manifest_dates(doc: DocumentMeta) -> set[str]:
    return {d for d in (doc.adopted, doc.promulgated, doc.effective, doc.date) if d}


def _manifest_titles(manifest: Iterable[DocumentMeta]) -> dict[str, list[DocumentMeta]]:
    by_title: dict[str, list[DocumentMeta]] = defaultdict(list)
    for doc in manifest:
        if doc.is_commentary:
            continue
        for title in (doc.title_zh, *doc.aliases_zh):
            if title:
                by_title[_bare(title)].append(doc)
    return by_title


def _work_key(f: _File) -> str:
    """Same title, same work; a local title names its province unless it says it already."""
    title = f.title.removeprefix(_TITLE_PREFIX)
    if f.province and not title.startswith(f.province):
        return f"{f.province}:{title}"
    return title


def scan_folders(folders: Sequence[Path], *, root: Path, manifest: Sequence[DocumentMeta] = ()) -> FolderScan:
    """Every statute file under ``folders`` as a document; see the module docstring.

    ``root`` is the source root the manifest paths are relative to; files outside it
    are read relative to their folder. ``manifest`` documents keep their ids, and their
    source files and versions are not repeated.
    """
    manifest_paths = {src.path: doc.id for doc in manifest for src in doc.sources}
    by_title = _manifest_titles(manifest)
    used = {d.id for d in manifest}
    skipped: list[str] = []
    kept: list[tuple[_File, DocumentMeta | None]] = []  # (file, manifest version it belongs with)
    seen: set[Path] = set()
    for folder in folders:
        for f in _files(folder, root, skipped):
            if f.path.resolve() in seen:
                continue  # nested --source folders name a file once
            seen.add(f.path.resolve())
            if f.rel in manifest_paths and f.base_root == root:
                skipped.append(f"{f.rel}: already in the manifest as {manifest_paths[f.rel]}")
                continue
            same_title = by_title.get(_bare(f.title), [])
            twin = next((d for d in same_title if f.date and f.date in _manifest_dates(d)), None)
            if twin is not None:
                skipped.append(f"{f.rel}: the same version as manifest document {twin.id}")
                continue
            kept.append((f, same_title[0] if same_title else None))
    counts = Counter(_slug(f.title, f.date) for f, _ in kept)
    metas: list[DocumentMeta] = []
    roots: list[Path] = []
    for f, manifest_version in kept:
        base = _slug(f.title, f.date)
        doc_id = base
        n = 1
        while doc_id in used:
            n += 1
            doc_id = f"{base}-{n}"
        used.add(doc_id)
        work = (manifest_version.work or manifest_version.id) if manifest_version else _work_key(f)
        metas.append(
            DocumentMeta(
                id=doc_id,
                kind=f.kind,
                title_zh=f.title,
                aliases_zh=(f.title.removeprefix(_TITLE_PREFIX),) if f.title.startswith(_TITLE_PREFIX) else (),
                adopted=f.adopted,
                promulgated=f.date,
                status="unknown",
                sources=(SourceRef(f.rel, None),),
                work=work,
                province=f.province,
                notes=None if counts[base] == 1 else f"{counts[base]} files share the id base {base!r}",
            )
        )
        roots.append(f.base_root)
    metas = order_versions(metas, manifest)
    return FolderScan(tuple(FolderDocument(m, r) for m, r in zip(metas, roots, strict=True)), tuple(skipped))


def order_versions(folder_docs: Sequence[DocumentMeta], manifest: Sequence[DocumentMeta] = ()) -> list[DocumentMeta]:
    """``supersedes`` and status for folder documents that share a work.

    Versions are ordered by (date, id), undated first; each version supersedes the
    latest one dated strictly before it (manifest versions included, which are never
    changed), and a folder version with a later version becomes ``amended``.
    """
    versions: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)  # work -> (date, id, is_folder)
    for doc in manifest:
        if doc.work and doc.text_available and not doc.is_commentary:
            date = doc.promulgated or doc.adopted or doc.effective or doc.date or ""
            versions[doc.work].append((date, doc.id, False))
    for doc in folder_docs:
        versions[doc.work or doc.id].append((doc.promulgated or "", doc.id, True))
    supersedes: dict[str, str] = {}
    amended: set[str] = set()
    for entries in versions.values():
        entries.sort()
        for i, (date, doc_id, is_folder) in enumerate(entries):
            earlier = [e for e in entries[:i] if e[0] < date]
            if earlier and is_folder:
                supersedes[doc_id] = earlier[-1][1]
            if is_folder and any(e[0] > date for e in entries[i + 1 :]):
                amended.add(doc_id)
    return [
        replace(
            doc,
            supersedes=supersedes.get(doc.id, doc.supersedes),
            status=_SUPERSEDED_STATUS if doc.id in amended else doc.status,
        )
        for doc in folder_docs
    ]
