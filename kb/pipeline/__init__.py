"""The build: corpus files -> ingest -> annotate -> link -> store, swapped in atomically.

:func:`build` is what ``kb ingest`` runs. On SQLite the new database is written to a
private file beside the target (``kb.sqlite.building-<pid>``), checked, fsynced and
then renamed over the target in one ``os.replace``: readers see the old database or
the new one, never a half-built one. Any failure before the rename leaves the old
database untouched; a crashed build's leftovers are removed by the next one. A lock
file (``kb.sqlite.lock``, ``flock``) makes a second concurrent build fail clearly.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kb import __version__
from kb.errors import BuildError, BuildLocked, ConfigError, KBError
from kb.ingest.commentary import parse_commentary
from kb.ingest.folder import scan_folder
from kb.ingest.manifest import load_manifest
from kb.ingest.sources import SourceText, read_source
from kb.ingest.statute import parse_statute
from kb.model import Corpus, DocumentMeta, ParsedCommentary, ParsedStatute
from kb.pipeline.enrich import enrich
from kb.settings import Settings
from kb.store.write import create_write_engine, write_corpus

__all__ = ["BuildReport", "assemble", "build"]

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildReport:
    database: str
    documents: int
    provisions: int
    articles: int
    passages: int
    annotations: int
    links: int
    warnings: tuple[str, ...]
    corpus_hash: str
    seconds: float
    size_bytes: int | None
    per_document: tuple[dict[str, Any], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Ingested:
    """What ingest produced, before annotation."""

    documents: tuple[DocumentMeta, ...]
    statutes: tuple[ParsedStatute, ...]
    commentary: tuple[ParsedCommentary, ...]
    sources: tuple[tuple[str, SourceText], ...]  # (doc_id, source)
    warnings: tuple[str, ...]


def ingest(settings: Settings, folders: Sequence[Path] = (), *, progress: Progress | None = None) -> Ingested:
    """Read and parse every document of the manifest (and of ``folders``)."""
    docs = list(load_manifest(settings.corpus_dir))
    roots: dict[str, Path] = {}
    strict_ids = {d.id for d in docs}
    for folder in folders:
        if not folder.is_dir():
            raise ConfigError(f"--source {folder}: not a directory")
        for found in scan_folder(folder, root=settings.source_root, taken={d.id for d in docs}):
            docs.append(found.meta)
            roots[found.meta.id] = found.root
    statutes: list[ParsedStatute] = []
    commentary: list[ParsedCommentary] = []
    sources: list[tuple[str, SourceText]] = []
    warnings: list[str] = []
    with_text = [d for d in docs if d.text_available]
    for i, doc in enumerate(with_text, 1):
        if progress:
            progress(f"ingest {doc.id}", i, len(with_text))
        root = roots.get(doc.id, settings.source_root)
        strict = doc.id in strict_ids
        try:
            texts = [read_source(root, s.path, expected_sha256=s.sha256) for s in doc.sources]
        except KBError:
            if strict:
                raise
            log.warning("skipping %s", doc.id, exc_info=True)
            continue
        for t in texts:
            warnings.extend(t.warnings)
            sources.append((doc.id, t))
        try:
            if doc.kind == "commentary":
                if len(texts) != 1:
                    raise BuildError(f"{doc.id}: a commentary document has exactly one source file")
                parsed_c = parse_commentary(doc, texts[0].text, texts[0].path)
                commentary.append(parsed_c)
                warnings.extend(parsed_c.warnings)
            else:
                parsed_s = parse_statute(doc, texts, strict=strict)
                statutes.append(parsed_s)
                warnings.extend(parsed_s.warnings)
        except KBError as exc:
            if strict:
                raise
            warnings.append(f"{doc.id}: skipped: {exc}")
    return Ingested(tuple(docs), tuple(statutes), tuple(commentary), tuple(sources), tuple(warnings))


def corpus_hash(sources: Sequence[tuple[str, SourceText]], manifest_text: str) -> str:
    digest = hashlib.sha256(manifest_text.encode("utf-8"))
    for doc_id, src in sorted(sources, key=lambda s: (s[0], s[1].path)):
        digest.update(f"{doc_id}\0{src.path}\0{src.sha256}\n".encode())
    return digest.hexdigest()


def assemble(
    settings: Settings, folders: Sequence[Path] = (), *, progress: Progress | None = None
) -> tuple[Corpus, Ingested, dict[str, Any]]:
    """Ingest, annotate and link: the whole corpus in memory, ready to store."""
    ingested = ingest(settings, folders, progress=progress)
    corpus, extras = enrich(
        documents=ingested.documents,
        statutes=ingested.statutes,
        commentary=ingested.commentary,
        corpus_dir=settings.corpus_dir,
        progress=progress,
    )
    return corpus, ingested, extras


def build(
    settings: Settings, folders: Sequence[Path] = (), *, progress: Progress | None = None
) -> BuildReport:
    """Build the knowledge base and swap it in; see the module docstring."""
    started = time.monotonic()
    target = settings.sqlite_path
    if target is None:
        raise ConfigError(f"database_url {settings.database_url!r}: only SQLite builds are supported so far")
    target.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(target):
        _clean_leftovers(target)
        corpus, ingested, extras = assemble(settings, folders, progress=progress)
        manifest_text = (settings.corpus_dir / "manifest.toml").read_text(encoding="utf-8")
        chash = corpus_hash(ingested.sources, manifest_text)
        info = {
            "corpus_hash": chash,
            "code_version": __version__,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "source_root": str(settings.source_root),
            "folders": ",".join(str(f) for f in folders),
            "schema_version": "1",
        }
        tmp = target.with_name(f"{target.name}.building-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        try:
            engine = create_write_engine(f"sqlite:///{tmp}")
            try:
                source_meta = [
                    {
                        "path": s.path,
                        "doc_id": doc_id,
                        "ordinal": i,
                        "sha256": s.sha256,
                        "size": s.size,
                        "encoding": s.encoding,
                    }
                    for i, (doc_id, s) in enumerate(ingested.sources)
                ]
                write_corpus(
                    engine,
                    corpus,
                    info,
                    progress=progress,
                    extracted=extras.get("extracted"),
                    passage_speakers=extras.get("speakers"),
                    source_meta=source_meta,
                )
            finally:
                engine.dispose()
            _check_and_sync(tmp)
            os.replace(tmp, target)
            _fsync_dir(target.parent)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    articles = sum(1 for p in corpus.provisions if p.level == "article")
    per_doc = []
    for d in corpus.documents:
        per_doc.append(
            {
                "id": d.id,
                "kind": d.kind,
                "text": d.text_available,
                "articles": sum(1 for p in corpus.provisions if p.doc_id == d.id and p.level == "article"),
                "passages": sum(1 for p in corpus.passages if p.doc_id == d.id),
            }
        )
    return BuildReport(
        database=str(target),
        documents=len(corpus.documents),
        provisions=len(corpus.provisions),
        articles=articles,
        passages=len(corpus.passages),
        annotations=len(corpus.annotations),
        links=len(corpus.links),
        warnings=corpus.warnings,
        corpus_hash=chash,
        seconds=round(time.monotonic() - started, 2),
        size_bytes=target.stat().st_size,
        per_document=tuple(per_doc),
    )


@contextmanager
def _build_lock(target: Path) -> Iterator[None]:
    lock_path = target.with_name(target.name + ".lock")
    with lock_path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(f"another kb ingest is building {target} (lock {lock_path})") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _clean_leftovers(target: Path) -> None:
    """Remove temp files of builds that died (we hold the lock, so none is running)."""
    for stale in target.parent.glob(f"{target.name}.building-*"):
        log.info("removing leftover %s of an interrupted build", stale)
        stale.unlink(missing_ok=True)


def _check_and_sync(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()
        if not result or result[0] != "ok":
            raise BuildError(f"{path}: integrity check failed: {result}")
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
