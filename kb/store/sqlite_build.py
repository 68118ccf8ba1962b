"""SQLite: building into a private file beside the target and swapping it in atomically.

The SQLite counterpart of :func:`kb.store.pg.postgres_build`. A build never writes into
the live database:

1. take a lock file (``kb.sqlite.lock``, ``flock``): a second concurrent build fails with
   :class:`kb.errors.BuildLocked`; holding it, remove what crashed builds left
   (``kb.sqlite.building-*``). The lock file is removed when the build ends, failed or
   not; a build killed with SIGKILL leaves it behind, harmless (``flock`` locks die with
   their process) and reused by the next build;
2. yield a URL on a private file, ``kb.sqlite.building-<pid>``, for the caller to write;
3. run ``PRAGMA integrity_check``, fsync the file, ``os.replace`` it over the target in
   one rename and fsync the directory: readers see the old database or the new one,
   never a half-built one.

Any failure before the rename removes the private file and leaves the target untouched;
disk and database errors become one :class:`kb.errors.BuildError` line. ::

    with sqlite_build(Path("var/kb.sqlite")) as url:
        engine = create_write_engine(url)
        write_corpus(engine, corpus, build_info)
        engine.dispose()
    # here the new database is in place
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from kb.errors import BuildError, BuildLocked

__all__ = ["error_line", "sqlite_build"]

log = logging.getLogger(__name__)


@contextmanager
def sqlite_build(target: Path) -> Iterator[str]:
    """Yield a ``sqlite:///`` URL on a private file; on success check it and swap it in as ``target``.

    See the module docstring. The caller disposes its engines before the block ends.
    """
    _refuse_non_database(target)
    with _build_lock(target):
        _clean_leftovers(target)
        tmp = target.with_name(f"{target.name}.building-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        swapped = False
        try:
            yield f"sqlite:///{tmp}"
            _check_and_sync(tmp)
            os.replace(tmp, target)
            swapped = True
            _fsync_dir(target.parent)
        except (OSError, sqlite3.Error, SQLAlchemyError) as exc:
            # Disk full, file too large, I/O error: one clear line, not a traceback.
            tmp.unlink(missing_ok=True)
            state = "the new database is in place" if swapped else f"{target} is unchanged"
            raise BuildError(f"build failed: {error_line(exc)}; {state}") from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def error_line(exc: BaseException) -> str:
    """The driver's one-line message (SQLAlchemy adds the SQL and a link)."""
    orig = getattr(exc, "orig", None)
    lines = str(orig if isinstance(orig, BaseException) else exc).splitlines()
    return lines[0] if lines else type(exc).__name__


@contextmanager
def _build_lock(target: Path) -> Iterator[None]:
    """Hold ``<target>.lock`` (``flock``) for the build, and remove it afterwards.

    The file is removed while still locked. A build that opened it just before then
    finds, once it holds the lock, that the path no longer names the file it locked,
    and starts again on a fresh file: two builds never both hold a lock.
    """
    lock_path = target.with_name(target.name + ".lock")
    while True:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fh = lock_path.open("a+")
        except OSError as exc:
            raise BuildError(f"cannot create the lock file {lock_path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise BuildLocked(f"another kb ingest is building {target} (lock {lock_path})") from None
        if _same_file(fh.fileno(), lock_path):
            break
        fh.close()  # removed by the build that just finished: lock the new file instead
    with fh:
        try:
            yield
        finally:
            lock_path.unlink(missing_ok=True)
            fcntl.flock(fh, fcntl.LOCK_UN)


# The first bytes of every SQLite database file.
_SQLITE_HEADER = b"SQLite format 3\x00"


def _refuse_non_database(target: Path) -> None:
    """A build replaces ``target``: never when it is something other than a SQLite database."""
    try:
        with target.open("rb") as fh:
            head = fh.read(len(_SQLITE_HEADER))
    except OSError:
        return  # absent, or not openable: the lock file or the swap says why, in one line
    if head and head != _SQLITE_HEADER:
        raise BuildError(f"{target} exists and is not a SQLite database: not replacing it (choose another --db)")


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


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
