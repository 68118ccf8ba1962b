"""The whole build on the real default corpus: counts, idempotence, atomicity, errors."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from expected import ARTICLE_COUNTS
from sqlalchemy import create_engine

from kb.errors import BuildLocked, ConfigError, HashMismatch, ParseError
from kb.model import DocumentMeta
from kb.pipeline import build
from kb.settings import Settings
from kb.store import pg
from kb.store.sqlite_build import _build_lock
from kb.store.verify import content_digest, verify

EXPECTED = ARTICLE_COUNTS


def _db(settings: Settings) -> Path:
    assert settings.sqlite_path is not None
    return settings.sqlite_path


def test_article_counts_in_the_database(built_db: Settings) -> None:
    with sqlite3.connect(f"file:{_db(built_db)}?mode=ro", uri=True) as conn:
        rows = dict(conn.execute("SELECT doc_id, count(*) FROM provisions WHERE level='article' GROUP BY doc_id"))
    assert rows == EXPECTED


def test_no_link_is_stored_twice(built_db: Settings) -> None:
    """An article citing one target from two of its paragraphs still makes one link."""
    with sqlite3.connect(f"file:{_db(built_db)}?mode=ro", uri=True) as conn:
        repeated = conn.execute(
            "SELECT src, dst, kind FROM links GROUP BY src, dst, kind HAVING count(*) > 1"
        ).fetchall()
        cites = conn.execute("SELECT count(*) FROM links WHERE kind = 'cites'").fetchone()[0]
    assert cites > 100 and repeated == []


def test_every_document_is_known_and_absent_texts_say_so(built_db: Settings) -> None:
    with sqlite3.connect(f"file:{_db(built_db)}?mode=ro", uri=True) as conn:
        docs = dict(conn.execute("SELECT id, text_available FROM documents"))
    assert len(docs) == 26
    assert docs["cac-frt-2023-draft"] == 0 and docs["pipl-2021"] == 1


def test_verify_passes_on_a_fresh_build(built_db: Settings) -> None:
    engine = create_engine(built_db.database_url)
    try:
        report = verify(engine, built_db.source_root)
    finally:
        engine.dispose()
    assert report["ok"], report["problems"]


def test_rebuild_is_idempotent(built_db: Settings, tmp_path: Path) -> None:
    again = Settings(database_url=f"sqlite:///{tmp_path / 'again.sqlite'}", source_root=built_db.source_root)
    build(again)
    digests = []
    for s in (built_db, again):
        engine = create_engine(s.database_url)
        digests.append(content_digest(engine))
        engine.dispose()
    assert digests[0] == digests[1]


FIXTURES = Path(__file__).parent / "fixtures"
# Every row and every column, in stored order: annotation data and link evidence included.
_ROWS = (
    "SELECT * FROM annotations ORDER BY id",
    "SELECT * FROM links ORDER BY id",
    "SELECT * FROM passages ORDER BY doc_id, n",
)


def test_one_process_and_two_build_the_same_rows(
    built_db: Settings, manifest: dict[str, DocumentMeta], tmp_path: Path
) -> None:
    """Statutes, and commentary added with --commentary, are annotated and linked a document
    per task on worker processes; one process gives the same database, row for row."""
    dumps = []
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.sqlite"
        settings = Settings(
            database_url=f"sqlite:///{db}",
            source_root=built_db.source_root,
            commentary_dirs=[FIXTURES / "open_commentary_fresh8"],
        )
        build(settings, workers=workers)
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            dumps.append([conn.execute(q).fetchall() for q in _ROWS])
            linked = {d for (d,) in conn.execute("SELECT p.doc_id FROM links l JOIN passages p ON p.id = l.src")}
        assert len(linked - set(manifest)) >= 8  # the added articles were linked, not skipped
    assert dumps[0] == dumps[1]


def _copy_corpus_dir(tmp_path: Path, settings: Settings) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(settings.corpus_dir, corpus)
    return corpus


def test_failed_build_leaves_the_previous_database_untouched(built_db: Settings, tmp_path: Path) -> None:
    target = tmp_path / "kb.sqlite"
    shutil.copy(_db(built_db), target)
    before = target.read_bytes()
    corpus = _copy_corpus_dir(tmp_path, built_db)
    manifest = corpus / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    # Corrupt one hash: the build must stop with the file named, and change nothing.
    first_sha = text.split('sha256 = "', 1)[1][:64]
    manifest.write_text(text.replace(first_sha, "0" * 64, 1), encoding="utf-8")
    broken = Settings(database_url=f"sqlite:///{target}", source_root=built_db.source_root, corpus_dir=corpus)
    with pytest.raises(HashMismatch, match=r"pipl-2021\.zh\.txt"):
        build(broken)
    assert target.read_bytes() == before
    assert not list(tmp_path.glob("kb.sqlite.building-*"))


def test_bad_statute_fails_the_build_naming_file_and_line(built_db: Settings, tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(built_db.source_root / "corpus", root / "corpus")
    pipl = root / "corpus" / "primary" / "pipl-2021.zh.txt"
    pipl.write_text(pipl.read_text(encoding="utf-8").replace("第十三条 ", "第十五条 ", 1), encoding="utf-8")
    corpus = _copy_corpus_dir(tmp_path, built_db)
    manifest = corpus / "manifest.toml"
    lines = manifest.read_text(encoding="utf-8").split("\n")
    # The edited file's hash no longer applies.
    i = next(n for n, line in enumerate(lines) if "pipl-2021.zh.txt" in line)
    lines[i + 1] = 'sha256 = ""'
    manifest.write_text("\n".join(lines), encoding="utf-8")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite'}", source_root=root, corpus_dir=corpus)
    # pipl-2021 is first in the manifest: the build stops there, before any missing file.
    with pytest.raises(ParseError, match=r"pipl-2021.zh.txt:35: article 第十五条 appears twice"):
        build(settings)


def test_a_second_build_at_once_fails_clearly(tmp_path: Path, built_db: Settings) -> None:
    target = tmp_path / "locked.sqlite"
    with _build_lock(target):
        settings = Settings(database_url=f"sqlite:///{target}", source_root=built_db.source_root)
        with pytest.raises(BuildLocked, match="another kb ingest"):
            build(settings)


def test_a_postgres_url_without_the_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now fails, as when it is not installed
    url = "postgresql+psycopg://kb@localhost/kb"
    message = r"needs the 'postgres' extra: pip install 'facelaw-kb\[postgres\]'"
    with pytest.raises(ConfigError, match=message):
        pg.read_engine(url)
    with pytest.raises(ConfigError, match=message):
        build(Settings(database_url=url))
