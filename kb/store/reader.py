"""A read-only connection to a built database, and its per-database cache.

:func:`open_reader` gives a :class:`Reader` (SQLite opened with ``mode=ro``, every
statement under the ``query_timeout_seconds`` deadline). A built database never
changes (``kb ingest`` swaps in a new file), so a :class:`Reader` caches what is costly
and the same for every request: document counts, the topic list, the citation index.
A long-running server holds a :class:`ReaderSource`, which notices a swapped-in file
and opens a fresh :class:`Reader` for it.

On PostgreSQL (``KB_DATABASE_URL=postgresql+psycopg://...``) the reader's connections
use the live schema (``search_path``, see :mod:`kb.store.pg`), run READ ONLY
transactions and have a ``statement_timeout``; a build swaps a new schema in under the
same name, and the schema's oid plays the part of the file's stamp.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.orm import Session

from kb.errors import NotFound
from kb.settings import Settings
from kb.store import pg
from kb.store.connect import check_url, one_line_errors
from kb.store.schema import BuildInfoRow

__all__ = [
    "PUBLIC_BUILD_KEYS",
    "Reader",
    "ReaderSource",
    "build_info",
    "open_reader",
    "paged_rows",
    "read_only_engine",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

# Build facts that are safe to show a client (the source root is a server path).
PUBLIC_BUILD_KEYS = ("corpus_hash", "code_version", "built_at", "schema_version")


@dataclass(frozen=True)
class Reader:
    """A read-only engine and a per-database cache.

    ``path`` and ``stamp`` identify the SQLite file it opened (on PostgreSQL ``stamp``
    is the live schema's oid), so a caller can tell when ``kb ingest`` has swapped in a
    new one (:meth:`is_stale`).
    """

    engine: Engine
    path: Path | None = None
    stamp: tuple[int, ...] | None = None
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, compare=False, repr=False)

    def session(self) -> Session:
        return Session(self.engine)

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per reader (the database never changes under it)."""
        if key in self.cache:  # the common case needs no lock
            hit: T = self.cache[key]
            return hit
        with self._lock:
            if key not in self.cache:
                self.cache[key] = compute()
            value: T = self.cache[key]
            return value

    def is_stale(self) -> bool:
        """True when the database file (or the live schema) was replaced since this
        reader opened it, and the new one is there to be opened."""
        if self.path is not None:
            return _file_stamp(self.path) != self.stamp
        if self.engine.dialect.name == "postgresql":
            current = pg.live_stamp(self.engine)
            return current is not None and current != self.stamp
        return False


def _file_stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns)


def read_only_engine(settings: Settings) -> Engine:
    """An engine that cannot write: SQLite opened with ``mode=ro``.

    Every connection checkout gets a deadline of ``settings.query_timeout_seconds``
    (a SQLite progress handler), so no single request can hold a connection for long.
    """
    path = settings.sqlite_path
    if path is not None:
        if not path.exists():
            raise NotFound(f"no database at {path}: run `kb ingest` first")
        engine = create_engine(
            f"sqlite+pysqlite:///file:{path}?mode=ro&uri=true",
            connect_args={"check_same_thread": False},
        )
        _install_deadline(engine, settings.query_timeout_seconds)
        _install_mmap(engine)
        return engine
    if pg.is_postgres(settings.database_url):
        engine = pg.read_engine(settings.database_url, timeout_seconds=settings.query_timeout_seconds)
        if pg.live_stamp(engine) is None:
            engine.dispose()
            raise NotFound(f"no knowledge base (schema {pg.LIVE_SCHEMA!r}) in {pg.redacted(settings.database_url)}")
        return engine
    return create_engine(settings.database_url, execution_options={"postgresql_readonly": True})


# Read the file through a memory map of up to this many bytes rather than a read() call a
# page: a search fetches its result rows from all over a full-corpus file, and a map halves
# the CPU of that (the pages are the OS's file cache, shared by every worker, not copies).
SQLITE_MMAP_BYTES = 1 << 30


def _install_mmap(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _mmap(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")


def _install_deadline(engine: Engine, seconds: float) -> None:
    if seconds <= 0:
        return

    @event.listens_for(engine, "checkout")
    def _deadline(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        deadline = time.monotonic() + seconds
        # A non-zero return makes SQLite abort the statement with "interrupted".
        dbapi_conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 20_000)


def _new_reader(settings: Settings) -> Reader:
    """A reader on a database checked to be a knowledge base: a problem is one line (kb.store.connect)."""
    check_url(settings.database_url)
    path = settings.sqlite_path
    with one_line_errors(settings.database_url):
        engine = read_only_engine(settings)
        try:
            with engine.connect() as conn:
                conn.execute(select(BuildInfoRow.key).limit(1)).all()
        except BaseException:
            engine.dispose()
            raise
    stamp: tuple[int, ...] | None
    if path is not None:
        stamp = _file_stamp(path)
    elif engine.dialect.name == "postgresql":
        stamp = pg.live_stamp(engine)
    else:
        stamp = None
    return Reader(engine, path=path, stamp=stamp)


@contextmanager
def open_reader(settings: Settings) -> Iterator[Reader]:
    reader = _new_reader(settings)
    try:
        yield reader
    finally:
        reader.engine.dispose()


class ReaderSource:
    """The current :class:`Reader` of a long-running server.

    ``kb ingest`` replaces the database file (or the live PostgreSQL schema)
    atomically; connections opened before keep reading the old file. :meth:`get`
    checks (at most every ``check_every`` seconds) and switches to a fresh reader, with
    fresh caches, when it has changed.
    """

    def __init__(self, settings: Settings, *, check_every: float = 2.0) -> None:
        self._settings = settings
        self._check_every = check_every
        self._lock = threading.Lock()
        self._reader = _new_reader(settings)
        self._checked = time.monotonic()
        self._retired: list[Reader] = []

    def get(self) -> Reader:
        now = time.monotonic()
        if now - self._checked < self._check_every:
            return self._reader
        with self._lock:
            if now - self._checked >= self._check_every:
                self._checked = now
                path = self._settings.sqlite_path
                if self._reader.is_stale() and (path is None or path.exists()):
                    log.info("database changed; reopening %s", path or pg.redacted(self._settings.database_url))
                    # In-flight requests may still use the old engine: dispose it later.
                    for old in self._retired:
                        old.engine.dispose()
                    self._retired = [self._reader]
                    self._reader = _new_reader(self._settings)
        return self._reader

    def close(self) -> None:
        for reader in (*self._retired, self._reader):
            reader.engine.dispose()


def build_info(reader: Reader) -> dict[str, str]:
    def compute() -> dict[str, str]:
        with reader.session() as s:
            return {r.key: r.value for r in s.scalars(select(BuildInfoRow))}

    return dict(reader.cached("build_info", compute))


PAGE_ROWS = 5000


def paged_rows(reader: Reader, sql: str, *, page: int | None = None) -> Iterator[Any]:
    """The rows of ``sql`` a page at a time, each page a short query of its own.

    ``sql`` selects ``rowid`` first and has ``WHERE rowid > :after ORDER BY rowid LIMIT :n``
    (a table of a full corpus read at once would cost a worker 100 MB more at its peak, and
    under load one long read can pass the statement deadline).
    """
    query = text(sql)
    page = page or PAGE_ROWS
    after = -1
    while True:
        with reader.engine.connect() as conn:
            rows = conn.execute(query, {"after": after, "n": page}).all()
        yield from rows
        if len(rows) < page:
            return
        after = int(rows[-1][0])
