"""The build: corpus files -> ingest -> annotate -> link -> store, swapped in atomically.

:func:`build` is what ``kb ingest`` runs. The new database is written
aside and swapped in atomically by the store: on SQLite a private file beside the target,
checked, fsynced and renamed over it (:func:`kb.store.sqlite_build.sqlite_build`, which
also holds the build lock); on PostgreSQL a fresh schema (:func:`kb.store.pg.live_build`).
Readers see the old database or the new one, never a half-built one.

The statutes — 26 documents by default, 3,400 with ``--source corpus-scale`` — go
through worker processes twice (:mod:`kb.pipeline.tasks`): once to learn which
provisions exist (the citation finder checks pinpoints against them), then to parse
and annotate each one (or each work, so that its versions can be aligned), its rows
streamed into the database as they come (:class:`kb.store.stream.CorpusWriter`). Only
the article-level provisions stay in memory, for linking the commentary at the end.
Results arrive in document order, so the database is the same with any number of
workers. ``progress(what, done, total)`` is called throughout, per document in the two
long passes.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kb import __version__
from kb.annotate.citations import CitationIndex
from kb.annotate.topics import Taxonomy, load_taxonomy
from kb.annotate.translations import load_translations
from kb.errors import BuildError, ConfigError
from kb.ingest.commentary import parse_commentary
from kb.ingest.folder import scan_folders
from kb.ingest.manifest import load_manifest
from kb.ingest.sources import read_source
from kb.ingest.userdocs import UserCommentary, load_user_commentary
from kb.link.versions import version_links
from kb.model import DocumentMeta, ParsedCommentary, Provision
from kb.pipeline.enrich import TopicsByArticle, enrich_commentary
from kb.pipeline.parallel import default_workers, ordered_map
from kb.pipeline.tasks import (
    SEARCH_LEVELS,
    DocTask,
    Outline,
    SourceInfo,
    annotate_group,
    init_worker,
    outline,
    share_taxonomy,
)
from kb.settings import Settings
from kb.store import pg
from kb.store.connect import check_url
from kb.store.sqlite_build import sqlite_build
from kb.store.stream import CorpusWriter
from kb.store.write import create_write_engine

__all__ = ["BuildReport", "build"]

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
class _Plan:
    """Every document of the build and where its files are."""

    documents: tuple[DocumentMeta, ...]
    tasks: tuple[DocTask, ...]  # the statutes with text, in document order
    warnings: tuple[str, ...]  # folder files that are not documents, and why
    manifest_size: int  # documents[:manifest_size] are the manifest's
    user: dict[str, UserCommentary] = field(default_factory=dict)  # --commentary files, read and parsed


def _plan(settings: Settings, folders: Sequence[Path]) -> _Plan:
    manifest = list(load_manifest(settings.corpus_dir))
    if not settings.source_root.is_dir() and any(d.text_available for d in manifest):
        raise ConfigError(
            f"the source root {settings.source_root} does not exist: set KB_SOURCE_ROOT or pass --source-root DIR "
            "(the folder that holds the third-party texts, e.g. corpus/primary and corpus/commentary)"
        )
    for folder in folders:
        if not folder.is_dir():
            raise ConfigError(f"--source {folder}: not a directory")
    scan = scan_folders(folders, root=settings.source_root, manifest=manifest) if folders else None
    documents = manifest + [f.meta for f in scan.documents] if scan else manifest
    tasks = [DocTask(d, settings.source_root, True) for d in manifest if d.text_available and not d.is_commentary]
    if scan:
        tasks += [DocTask(f.meta, f.root, False) for f in scan.documents]
    # The user's commentary is read and parsed here: its ids and metadata are needed now.
    user = load_user_commentary(settings.commentary_dirs, documents) if settings.commentary_dirs else ()
    documents = documents + [u.meta for u in user]
    warnings = (*(scan.skipped if scan else ()), *(w for u in user for w in u.parsed.warnings))
    return _Plan(tuple(documents), tuple(tasks), warnings, len(manifest), {u.meta.id: u for u in user})


def _groups(tasks: Sequence[DocTask]) -> list[list[DocTask]]:
    """Statutes that must be annotated together: the versions linked by ``supersedes``
    (and sharing a work), in document order, groups ordered by their first member."""
    position = {t.meta.id: i for i, t in enumerate(tasks)}
    parent = list(range(len(tasks)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, t in enumerate(tasks):
        old = t.meta.supersedes
        if old in position:
            a, b = find(i), find(position[old])
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[DocTask]] = {}
    for i, t in enumerate(tasks):
        groups.setdefault(find(i), []).append(t)
    return [groups[k] for k in sorted(groups)]


def _corpus_hash(sources: Sequence[tuple[str, SourceInfo]], manifest_text: str) -> str:
    digest = hashlib.sha256(manifest_text.encode("utf-8"))
    for doc_id, src in sorted(sources, key=lambda s: (s[0], s[1].path)):
        digest.update(f"{doc_id}\0{src.path}\0{src.sha256}\n".encode())
    return digest.hexdigest()


class _Laps:
    """Logs how long each phase of the build took (``kb -v ingest`` shows them)."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def __call__(self, phase: str) -> None:
        now = time.monotonic()
        log.info("%s: %.1f s", phase, now - self.last)
        self.last = now


@dataclass
class _Tally:
    """Counts for the report, gathered while rows stream past."""

    provisions: int = 0
    articles: int = 0
    annotations: int = 0
    links: int = 0
    passages: int = 0
    articles_of: dict[str, int] = field(default_factory=dict)
    passages_of: dict[str, int] = field(default_factory=dict)
    seconds_of: dict[str, float] = field(default_factory=dict)


def build(
    settings: Settings,
    folders: Sequence[Path] = (),
    *,
    progress: Progress | None = None,
    workers: int | None = None,
) -> BuildReport:
    """Build the knowledge base and swap it in; see the module docstring.

    ``workers`` is the number of worker processes (default: the cores available, at
    most two); 1 runs everything in this process.
    """
    started = time.monotonic()
    target = settings.sqlite_path
    tick: Progress = progress or (lambda what, done, total: None)
    check_url(settings.database_url)
    if target is None:
        # A fresh schema, swapped in as the live one on success and dropped on failure.
        with pg.live_build(settings.database_url) as url:
            built = _build_into(url, settings, folders, tick, workers or default_workers())
        size = pg.schema_size_bytes(settings.database_url)
        return _report(pg.redacted(settings.database_url), size, *built, started=started)
    with sqlite_build(target) as url:
        built = _build_into(url, settings, folders, tick, workers or default_workers())
    return _report(str(target), target.stat().st_size, *built, started=started)


def _report(
    database: str,
    size: int,
    chash: str,
    tally: _Tally,
    warnings: list[str],
    documents: tuple[DocumentMeta, ...],
    *,
    started: float,
) -> BuildReport:
    per_doc = tuple(
        {
            "id": d.id,
            "kind": d.kind,
            "text": d.text_available,
            "articles": tally.articles_of.get(d.id, 0),
            "passages": tally.passages_of.get(d.id, 0),
            "seconds": round(tally.seconds_of.get(d.id, 0.0), 3),
        }
        for d in documents
    )
    return BuildReport(
        database=database,
        documents=len(documents),
        provisions=tally.provisions,
        articles=tally.articles,
        passages=tally.passages,
        annotations=tally.annotations,
        links=tally.links,
        warnings=tuple(warnings),
        corpus_hash=chash,
        seconds=round(time.monotonic() - started, 2),
        size_bytes=size,
        per_document=per_doc,
    )


def _build_into(
    url: str, settings: Settings, folders: Sequence[Path], tick: Progress, workers: int
) -> tuple[str, _Tally, list[str], tuple[DocumentMeta, ...]]:
    lap = _Laps()
    tick("reading the manifest and folders", 0, 1)
    plan = _plan(settings, folders)
    lap("plan")
    documents = plan.documents
    warnings: list[str] = list(plan.warnings)

    # Pass 1: which provisions exist; commentary parsed here meanwhile, in document order.
    outlines, commentary, sources = _outline_all(plan, settings, workers, tick)
    lap("pass 1: outline statutes, parse commentary")
    eids = {o.doc_id: o.eids for o in outlines.values() if o.eids}
    warnings.extend(o.problem for o in outlines.values() if o.problem)
    translations = tuple(t for t in load_translations(settings.corpus_dir) if t.eid in eids.get(t.doc_id, frozenset()))
    taxonomy = load_taxonomy(settings.corpus_dir)
    manifest_text = (settings.corpus_dir / "manifest.toml").read_text(encoding="utf-8")
    chash = _corpus_hash(sources, manifest_text)
    info = {
        "corpus_hash": chash,
        "code_version": __version__,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source_root": str(settings.source_root),
        "folders": ",".join(str(f) for f in folders),
        "commentary_folders": ",".join(str(f.resolve()) for f in settings.commentary_dirs),
        "schema_version": "1",
    }
    source_meta = [
        {"path": s.path, "doc_id": doc_id, "ordinal": i, "sha256": s.sha256, "size": s.size, "encoding": s.encoding}
        for i, (doc_id, s) in enumerate(sources)
    ]
    engine = create_write_engine(url)
    writer = CorpusWriter(engine, translations)
    tally = _Tally()
    try:
        writer.start(
            documents,
            taxonomy.topics,
            header_notes={o.doc_id: o.header_notes for o in outlines.values()},
            extracted={c.meta.id: dict(c.extracted) for c in commentary},
            source_meta=source_meta,
        )
        lap("documents written")
        # Pass 2: annotate every statute, streaming its rows into the database.
        articles, article_topics, statute_warnings = _annotate_all(
            plan, eids, settings, taxonomy, workers, writer, tally, tick
        )
        warnings.extend(statute_warnings)
        lap("pass 2: annotate statutes")
        warnings.extend(w for c in commentary if c.meta.id not in plan.user for w in c.warnings)

        tick("commentary: annotations and links", 0, 1)
        index = CitationIndex.build(documents, eids)
        core = [d.id for d in documents[: plan.manifest_size]]
        notes, commentary_links = enrich_commentary(
            commentary, index, taxonomy, articles, article_topics, documents, translations, core=core, workers=workers
        )
        links = list(notes.links) + version_links(documents) + commentary_links
        passages = [p for c in commentary for p in c.passages]
        lap("commentary annotations and links")
        writer.add_commentary(passages, notes.annotations, notes.speakers)
        writer.add_links(links)
        tally.passages = len(passages)
        tally.annotations += len(notes.annotations)
        tally.links += len(links)
        for c in commentary:
            tally.passages_of[c.meta.id] = len(c.passages)
        tick("full-text index", 0, 1)
        writer.finish(info)
        lap("commit and full-text index")
    except BaseException:
        writer.close()
        raise
    finally:
        engine.dispose()
    tick("done", 1, 1)
    return chash, tally, warnings, documents


def _outline_all(
    plan: _Plan, settings: Settings, workers: int, tick: Progress
) -> tuple[dict[str, Outline], list[ParsedCommentary], list[tuple[str, SourceInfo]]]:
    """Pass 1 over the statutes (in workers) and the commentary (here), in document order.

    The first manifest document that cannot be read or parsed stops the build, as it
    would have one document at a time.
    """
    outlines: dict[str, Outline] = {}
    commentary: list[ParsedCommentary] = []
    sources: list[tuple[str, SourceInfo]] = []
    statutes = iter(plan.tasks)
    with_text = [d for d in plan.documents if d.text_available]
    results = ordered_map(outline, plan.tasks, workers=workers)
    with closing(results):
        for i, doc in enumerate(with_text, 1):
            tick("reading and parsing", i, len(with_text))
            if doc.id in plan.user:
                parsed, src = plan.user[doc.id].parsed, _user_source(plan.user[doc.id])
                commentary.append(parsed)
                sources.append((doc.id, src))
                continue
            if doc.is_commentary:
                parsed, src = _commentary(doc, settings)
                commentary.append(parsed)
                sources.append((doc.id, src))
                continue
            task = next(statutes)
            assert task.meta.id == doc.id, "tasks follow the documents' order"
            found = next(results)
            outlines[doc.id] = found
            sources.extend((doc.id, s) for s in found.sources)
    return outlines, commentary, sources


def _commentary(doc: DocumentMeta, settings: Settings) -> tuple[ParsedCommentary, SourceInfo]:
    if len(doc.sources) != 1:
        raise BuildError(f"{doc.id}: a commentary document has exactly one source file")
    text = read_source(settings.source_root, doc.sources[0].path, expected_sha256=doc.sources[0].sha256)
    parsed = parse_commentary(doc, text.text, text.path)
    return parsed, SourceInfo(text.path, text.sha256, text.size, text.encoding, text.warnings)


def _user_source(doc: UserCommentary) -> SourceInfo:
    s = doc.source
    return SourceInfo(s.path, s.sha256, s.size, s.encoding, s.warnings)


def _annotate_all(
    plan: _Plan,
    eids: dict[str, frozenset[str]],
    settings: Settings,
    taxonomy: Taxonomy,
    workers: int,
    writer: CorpusWriter,
    tally: _Tally,
    tick: Progress,
) -> tuple[list[Provision], TopicsByArticle, list[str]]:
    """Pass 2: annotate the statutes in workers and stream them into ``writer``.

    Returns what the commentary linker needs (article-level provisions and their topic
    labels) and the statutes' warnings, in document order.
    """
    groups = _groups([t for t in plan.tasks if t.meta.id in eids])
    total = sum(len(g) for g in groups)
    articles: list[Provision] = []
    topics = TopicsByArticle()
    warnings: list[str] = []
    done = 0
    tick("annotating statutes", 0, total)
    share_taxonomy(taxonomy)
    results = ordered_map(
        annotate_group,
        groups,
        workers=workers,
        initializer=init_worker,
        initargs=(plan.documents, eids, settings.corpus_dir),
    )
    with closing(results):
        for result in results:
            for st in result.statutes:
                writer.add_statute(st.provisions, st.annotations, st.links, st.zh_tokens)
                n_articles = sum(1 for p in st.provisions if p.level == "article")
                tally.articles_of[st.meta.id] = n_articles
                tally.seconds_of[st.meta.id] = st.seconds
                tally.articles += n_articles
                tally.provisions += len(st.provisions)
                tally.annotations += len(st.annotations)
                tally.links += len(st.links)
                articles.extend(p for p in st.provisions if p.level in SEARCH_LEVELS)
                topics.add(st.annotations)
                warnings.extend(st.warnings)
                done += 1
                tick("annotating statutes", done, total)
            writer.add_links(result.links)
            tally.links += len(result.links)
    return articles, topics, warnings
