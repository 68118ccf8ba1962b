"""Which databases kb can use, and a failure to open one as one line.

:func:`check_url` rejects, before any connection, what cannot work: a URL that does not
parse, a dialect other than SQLite or PostgreSQL, a PostgreSQL driver other than
psycopg, psycopg not installed. :func:`one_line_errors` turns a driver's failure to
connect or to read (server down, wrong password, a file that is not a database, a
database that ``kb ingest`` did not build) into :class:`kb.errors.DatabaseError`, whose
message is one line naming the database and the driver's reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from kb.errors import ConfigError, DatabaseError
from kb.store import pg
from kb.store.sqlite_build import error_line

__all__ = ["SUPPORTED", "check_url", "describe", "one_line_errors"]

SUPPORTED = "use a SQLite file (a path or sqlite:///PATH) or a postgresql+psycopg:// URL"

# Driver messages that mean "this SQLite file is not a knowledge base".
_NOT_A_KB = ("file is not a database", "no such table")


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise ConfigError(f"database {url!r} is not a database URL: {SUPPORTED}") from None


def describe(url: str) -> str:
    """The database as a person would name it: the SQLite file's path, or the URL without its password.

    >>> describe("sqlite:////tmp/kb.sqlite"), describe("postgresql+psycopg://kb:secret@h/kb")
    ('/tmp/kb.sqlite', 'postgresql+psycopg://kb:***@h/kb')
    """
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def check_url(url: str) -> None:
    """Raise ConfigError (one line) unless kb can use ``url``: SQLite, or PostgreSQL through psycopg.

    >>> check_url("mysql://u@h/db")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kb.errors.ConfigError: database mysql://u@h/db: mysql is not supported; use a SQLite file ...
    """
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        driver = parsed.get_driver_name()
        if driver != "pysqlite":
            raise ConfigError(f"database {describe(url)}: driver {driver!r} is not supported; {SUPPORTED}")
        return
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            raise ConfigError(
                f"database {describe(url)}: driver {parsed.get_driver_name()!r} is not supported; "
                "write postgresql+psycopg://USER:PASSWORD@HOST/DB"
            )
        pg.require_driver()
        return
    raise ConfigError(f"database {describe(url)}: {backend} is not supported; {SUPPORTED}")


@contextmanager
def one_line_errors(url: str) -> Iterator[None]:
    """Turn the driver's errors inside the block into one :class:`DatabaseError` line about ``url``."""
    try:
        yield
    except DBAPIError as exc:
        line = error_line(exc)
        where = describe(url)
        if make_url(url).get_backend_name() == "sqlite" and any(s in line for s in _NOT_A_KB):
            raise DatabaseError(f"{where} is not a knowledge base built by kb ingest ({line})") from exc
        raise DatabaseError(f"cannot read {where}: {line}") from exc
