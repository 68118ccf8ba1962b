"""Checking a built database: its own integrity, its index, and its sources.

``kb verify`` runs :func:`verify_database` (:func:`verify` on an engine it opens); the build
tests use :func:`content_digest` to show that the same input gives the same ids and the same
content.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.exc import DatabaseError

from kb.ingest.sources import sha256_file
from kb.store import pg
from kb.store.schema import (
    AnnotationRow,
    BuildInfoRow,
    DocumentRow,
    LinkRow,
    PassageRow,
    ProvisionRow,
    SearchUnitRow,
    SourceFileRow,
)
from kb.store.search_index import read_search_index

__all__ = ["content_digest", "verify", "verify_database"]

# What the digest covers: every row that a build derives from its input, in a stable order.
_DIGEST_QUERIES = (
    select(DocumentRow.id, DocumentRow.kind, DocumentRow.status, DocumentRow.meta).order_by(DocumentRow.id),
    select(
        ProvisionRow.id, ProvisionRow.parent_id, ProvisionRow.level, ProvisionRow.text, ProvisionRow.text_en
    ).order_by(ProvisionRow.id),
    select(PassageRow.id, PassageRow.text, PassageRow.section, PassageRow.speaker, PassageRow.stance).order_by(
        PassageRow.id
    ),
    select(
        AnnotationRow.target_id, AnnotationRow.kind, AnnotationRow.label, AnnotationRow.start, AnnotationRow.end
    ).order_by(
        AnnotationRow.target_id, AnnotationRow.kind, AnnotationRow.label, AnnotationRow.start, AnnotationRow.end
    ),
    select(LinkRow.src, LinkRow.dst, LinkRow.kind, LinkRow.score).order_by(LinkRow.src, LinkRow.dst, LinkRow.kind),
)


def content_digest(engine: Engine) -> str:
    """A sha256 over the derived content (not build time, not paths of the build)."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for query in _DIGEST_QUERIES:
            for row in conn.execute(query):
                digest.update(json.dumps(list(row), ensure_ascii=False, sort_keys=True, default=str).encode())
                digest.update(b"\n")
    return digest.hexdigest()


def verify_database(url: str, source_root: Path | None = None) -> dict[str, Any]:
    """:func:`verify` on the database at ``url`` (SQLite, or PostgreSQL's live schema)."""
    engine = pg.read_engine(url) if pg.is_postgres(url) else create_engine(url)
    try:
        return verify(engine, source_root)
    finally:
        engine.dispose()


def verify(engine: Engine, source_root: Path | None = None) -> dict[str, Any]:
    """Integrity, FTS consistency, counts and (with ``source_root``) source hashes.

    Returns a report with ``ok`` and a list of ``problems``; it raises nothing for a
    bad database, so a caller can print everything that is wrong.
    """
    problems: list[str] = []
    report: dict[str, Any] = {"counts": {}, "sources_changed": []}
    try:
        _verify(engine, source_root, report, problems)
    except DatabaseError as exc:
        problems.append(f"the database cannot be read: {str(exc.orig).splitlines()[0]}")
    report["problems"] = problems
    report["ok"] = not problems
    return report


def _verify(engine: Engine, source_root: Path | None, report: dict[str, Any], problems: list[str]) -> None:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            result = conn.execute(text("PRAGMA integrity_check")).scalar()
            report["integrity_check"] = result
            if result != "ok":
                problems.append(f"integrity_check: {result}")
            try:
                # rank=1 makes FTS5 compare an external-content index with its table too.
                conn.execute(text("INSERT INTO search_fts(search_fts, rank) VALUES('integrity-check', 1)"))
                report["fts"] = "ok"
            except DatabaseError as exc:  # the FTS5 check reports corruption as an error
                report["fts"] = "corrupt"
                problems.append(f"full-text index out of step with its table: {str(exc.orig).splitlines()[0]}")
            fts_rows = conn.execute(text("SELECT count(*) FROM search_fts")).scalar()
            units = conn.execute(select(func.count()).select_from(SearchUnitRow)).scalar()
            if fts_rows != units:
                problems.append(f"full-text index has {fts_rows} rows, search_units {units}")
        units = conn.execute(select(func.count()).select_from(SearchUnitRow)).scalar()
        index = read_search_index(conn)
        report["search_index"] = "missing" if index is None else ("ok" if index.rows == units else "out of step")
        if index is None:
            problems.append("no search index (a build from before it was stored): run kb ingest again")
        elif index.rows != units:
            problems.append(f"search index has {index.rows} rows, search_units {units}")
        counts = {
            "documents": conn.execute(select(func.count()).select_from(DocumentRow)).scalar(),
            "provisions": conn.execute(select(func.count()).select_from(ProvisionRow)).scalar(),
            "passages": conn.execute(select(func.count()).select_from(PassageRow)).scalar(),
            "annotations": conn.execute(select(func.count()).select_from(AnnotationRow)).scalar(),
            "links": conn.execute(select(func.count()).select_from(LinkRow)).scalar(),
        }
        report["counts"] = counts
        orphans = conn.execute(
            select(func.count())
            .select_from(ProvisionRow)
            .where(
                ProvisionRow.parent_id.is_not(None),
                ProvisionRow.parent_id.not_in(select(ProvisionRow.id)),
            )
        ).scalar()
        if orphans:
            problems.append(f"{orphans} provisions have a parent that does not exist")
        changed: list[str] = []
        if source_root is not None:
            # Folder documents (kb ingest --source DIR outside the root) are relative to DIR.
            folders = conn.execute(select(BuildInfoRow.value).where(BuildInfoRow.key == "folders")).scalar() or ""
            commentary = conn.execute(
                select(BuildInfoRow.value).where(BuildInfoRow.key == "commentary_folders")
            ).scalar()
            roots = [source_root, *(Path(f) for f in f"{folders},{commentary or ''}".split(",") if f)]
            for row in conn.execute(select(SourceFileRow.path, SourceFileRow.sha256)):
                path = next((r / row.path for r in roots if (r / row.path).is_file()), source_root / row.path)
                if not path.is_file():
                    changed.append(f"{row.path}: missing")
                elif sha256_file(path) != row.sha256:
                    changed.append(f"{row.path}: changed since the build")
            problems.extend(changed)
        report["sources_changed"] = changed
