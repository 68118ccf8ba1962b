"""PostgreSQL: building into a fresh schema and swapping it in; read-only engines.

The same tables as on SQLite live in one schema, ``kb`` (:data:`LIVE_SCHEMA`). Readers
set ``search_path`` to it, so every query — ORM or text — names tables unqualified,
as on SQLite. A build never writes into the live schema:

1. take a session advisory lock (a second concurrent build fails with BuildLocked)
   and drop what crashed builds left (``kb_build_*``, ``kb_old_*``: the prefixes are
   the live name's, so builds of another live schema are left alone);
2. create ``kb_build_<random>`` and write into it (any writer: ``write_corpus`` or
   ``kb.store.stream.CorpusWriter``, through a URL whose ``search_path`` is that schema);
3. create the full-text columns and indexes (``kb.store.fts_schema.create_fts_sql``) and check
   the tables answer;
4. in one transaction rename ``kb`` to ``kb_old_<random>`` and the new schema to ``kb``;
   readers see the old build or the new one, never half of one;
5. drop the old schema in a second transaction. (In the swap transaction, the DROP
   would wait for queries still running on the old tables while holding the renamed
   catalog rows, and every new query would queue behind it.)

A failure in steps 2–4 drops the new schema and leaves ``kb`` serving. ::

    with postgres_build("postgresql+psycopg://kb@db/kb") as url:
        engine = create_write_engine(url)      # search_path = kb_build_<random>
        write_corpus(engine, corpus, build_info)
        engine.dispose()
    # here the new build is live

Readers: :func:`read_engine` (search_path, read-only transactions, a per-statement
timeout); :func:`live_stamp` tells a long-running server that a new build is live.
"""

from __future__ import annotations

import importlib
import logging
import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy import create_engine as _sqlalchemy_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from kb.errors import BuildError, BuildLocked, ConfigError
from kb.store.fts_schema import create_fts_sql
from kb.store.sqlite_build import error_line

if TYPE_CHECKING:
    from kb.model import Corpus

__all__ = [
    "LIVE_SCHEMA",
    "POSTGRES_EXTRA",
    "build_postgres",
    "is_postgres",
    "live_build",
    "live_stamp",
    "postgres_build",
    "read_engine",
    "redacted",
    "require_driver",
    "schema_size_bytes",
    "schema_url",
]

log = logging.getLogger(__name__)

LIVE_SCHEMA = "kb"
# Schema names go into DDL as identifiers: only plain lower-case names are accepted,
# short enough (40) that the build's "<name>_build_<12 hex>" stays within PostgreSQL's 63.
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_LIVE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,39}$")
# How long the swap (or a DROP of an old build) waits for a lock before giving up: the
# swap then fails cleanly; an old schema that cannot be dropped yet is left for the next build.
_SWAP_LOCK_TIMEOUT = "10s"


# What to do when a PostgreSQL URL is used without the driver.
POSTGRES_EXTRA = "PostgreSQL support needs the 'postgres' extra: pip install 'facelaw-kb[postgres]'"


def require_driver() -> None:
    """Raise ConfigError (:data:`POSTGRES_EXTRA`) when psycopg, the 'postgres' extra, is not installed."""
    try:
        importlib.import_module("psycopg")
    except ImportError:
        raise ConfigError(POSTGRES_EXTRA) from None


def _engine(url: str, **kwargs: Any) -> Engine:
    """SQLAlchemy's ``create_engine`` for a PostgreSQL URL, after :func:`require_driver`."""
    require_driver()
    return _sqlalchemy_engine(url, **kwargs)


def is_postgres(url: str) -> bool:
    """True for a SQLAlchemy PostgreSQL URL.

    >>> is_postgres("postgresql+psycopg://kb@localhost/kb"), is_postgres("sqlite:///x.db")
    (True, False)
    """
    return make_url(url).get_backend_name() == "postgresql"


def redacted(url: str) -> str:
    """The URL with its password hidden, for logs and reports."""
    return make_url(url).render_as_string(hide_password=True)


def _check_schema_name(schema: str) -> str:
    if not _SCHEMA_NAME.match(schema):
        raise ConfigError(f"schema {schema!r}: use lower-case letters, digits and _")
    return schema


def schema_url(url: str, schema: str) -> str:
    """``url`` with ``search_path`` set to ``schema`` (libpq ``options``), for writers.

    >>> schema_url("postgresql+psycopg://kb@h/db", "kb_build_1")
    'postgresql+psycopg://kb@h/db?options=-csearch_path%3Dkb_build_1'
    """
    parsed = make_url(url)
    options = parsed.query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    option = f"-csearch_path={_check_schema_name(schema)}"
    return parsed.update_query_dict({"options": f"{options} {option}".strip()}).render_as_string(hide_password=False)


def read_engine(url: str, *, schema: str = LIVE_SCHEMA, timeout_seconds: float = 0.0) -> Engine:
    """A read-only engine on ``schema``: every transaction is READ ONLY and every
    statement is cancelled after ``timeout_seconds`` (0: no limit).

    ``search_path`` is set when a connection opens (not in the URL), so a URL with its
    own ``options`` keeps them.
    """
    _check_schema_name(schema)
    engine = _engine(url, pool_pre_ping=True, execution_options={"postgresql_readonly": True})
    timeout_ms = max(0, round(timeout_seconds * 1000))

    @event.listens_for(engine, "connect", insert=True)
    def _session_settings(dbapi_conn: Any, _record: Any) -> None:
        # SQLAlchemy's recipe: settings outside a transaction, so a rollback keeps them.
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True
        cur = dbapi_conn.cursor()
        cur.execute(f"SET search_path TO {schema}")
        cur.execute(f"SET statement_timeout = {timeout_ms}")
        cur.close()
        dbapi_conn.autocommit = autocommit

    return engine


def live_stamp(engine: Engine) -> tuple[int, ...] | None:
    """The oid of the schema the engine reads (its ``search_path``), or None if absent.

    A swap gives the live name to another schema, so a changed stamp means a new build.
    """
    with engine.connect() as conn:
        oid = conn.execute(text("SELECT oid FROM pg_namespace WHERE nspname = current_schema()")).scalar()
    return None if oid is None else (int(oid),)


def schema_size_bytes(url: str, schema: str = LIVE_SCHEMA) -> int:
    """The on-disk size of a schema's tables and indexes."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            size = conn.execute(
                text(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :s AND c.relkind = 'r'"
                ),
                {"s": schema},
            ).scalar()
    finally:
        engine.dispose()
    return int(size or 0)


@contextmanager
def postgres_build(url: str, *, schema: str = LIVE_SCHEMA) -> Iterator[str]:
    """Yield a URL on a fresh build schema; on success make it ``schema``, else drop it.

    See the module docstring. The caller writes through the URL and disposes its
    engines before the block ends. Raises BuildLocked when another build holds the
    lock, BuildError when the written schema is unusable.
    """
    if not _LIVE_NAME.match(schema):
        raise ConfigError(f"schema {schema!r}: use up to 40 lower-case letters, digits and _")
    admin = _engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as lock_conn:
            _lock(lock_conn, schema)
            try:
                _drop_leftovers(admin, schema)
                build_schema = f"{schema}_build_{secrets.token_hex(6)}"
                with admin.connect() as conn:
                    conn.exec_driver_sql(f"CREATE SCHEMA {build_schema}")
                log.info("building into schema %s of %s", build_schema, redacted(url))
                try:
                    yield schema_url(url, build_schema)
                    _finish(url, build_schema)
                    _swap(admin, build_schema, schema)
                except BaseException:
                    log.info("build failed: dropping schema %s; %s is untouched", build_schema, schema)
                    _drop_schema(admin, build_schema)
                    raise
            finally:
                lock_conn.execute(text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": _lock_key(schema)})
    finally:
        admin.dispose()


@contextmanager
def live_build(url: str) -> Iterator[str]:
    """:func:`postgres_build` of :data:`LIVE_SCHEMA`, a database error becoming one BuildError line."""
    try:
        with postgres_build(url) as build_url:
            yield build_url
    except SQLAlchemyError as exc:
        raise BuildError(f"build failed: {error_line(exc)}; the live schema is unchanged") from exc


def build_postgres(
    url: str, corpus: Corpus, build_info: Mapping[str, str], *, schema: str = LIVE_SCHEMA, **write_kwargs: Any
) -> str:
    """Write ``corpus`` with :func:`kb.store.write.write_corpus` into a fresh schema and
    swap it in as ``schema`` (default :data:`LIVE_SCHEMA`); returns that name.

    ``write_kwargs`` go to ``write_corpus`` (``progress``, ``extracted``,
    ``passage_speakers``, ``source_meta``).
    """
    from kb.store.write import create_write_engine, write_corpus

    with postgres_build(url, schema=schema) as build_url:
        engine = create_write_engine(build_url)
        try:
            write_corpus(engine, corpus, build_info, **write_kwargs)
        finally:
            engine.dispose()
    return schema


# ---------------------------------------------------------------- the steps


def _lock_key(schema: str) -> str:
    return f"facelaw-kb build {schema}"


def _lock(conn: Connection, schema: str) -> None:
    got = conn.execute(text("SELECT pg_try_advisory_lock(hashtext(:k))"), {"k": _lock_key(schema)}).scalar()
    if not got:
        raise BuildLocked(f"another kb ingest is building schema {schema!r} of this database")


def _schemas(conn: Connection, prefix: str) -> list[str]:
    rows = conn.execute(
        text("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, :p) ORDER BY nspname"), {"p": prefix}
    )
    return [r[0] for r in rows if _SCHEMA_NAME.match(r[0])]


def _drop_schema(admin: Engine, name: str) -> None:
    with admin.connect() as conn:
        # A reader still inside a transaction on the old tables must not stall the build.
        conn.exec_driver_sql(f"SET lock_timeout = '{_SWAP_LOCK_TIMEOUT}'")
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {_check_schema_name(name)} CASCADE")


def _drop_leftovers(admin: Engine, live: str) -> None:
    """Drop schemas of builds that died, and old builds not yet dropped (we hold the lock)."""
    with admin.connect() as conn:
        stale = _schemas(conn, f"{live}_build_") + _schemas(conn, f"{live}_old_")
    for name in stale:
        log.info("dropping leftover schema %s", name)
        try:
            _drop_schema(admin, name)
        except DBAPIError as exc:  # still in use by a slow reader: the next build drops it
            log.warning("could not drop %s yet: %s", name, exc.orig)


def _finish(url: str, build_schema: str) -> None:
    """The full-text index (idempotent: ``write_corpus`` may have made it), then a check."""
    engine = _engine(schema_url(url, build_schema))
    try:
        with engine.begin() as conn:
            for stmt in create_fts_sql("postgresql"):
                conn.exec_driver_sql(stmt)
        with engine.connect() as conn:
            documents = conn.execute(text("SELECT count(*) FROM documents")).scalar()
            units = conn.execute(text("SELECT count(*) FROM search_units")).scalar()
            info = conn.execute(text("SELECT count(*) FROM build_info")).scalar()
    except DBAPIError as exc:
        raise BuildError(f"schema {build_schema} is not a complete build: {exc.orig}") from exc
    finally:
        engine.dispose()
    if not info:
        raise BuildError(f"schema {build_schema}: the build wrote no build_info (did the writer finish?)")
    log.info("schema %s: %s documents, %s search units", build_schema, documents, units)


def _swap(admin: Engine, build_schema: str, live: str) -> None:
    retired = f"{live}_old_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        # The admin engine autocommits; the swap is one real transaction.
        conn.execution_options(isolation_level="READ COMMITTED")
        conn.begin()
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{_SWAP_LOCK_TIMEOUT}'")
        exists = conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": live}).scalar()
        if exists:
            conn.exec_driver_sql(f"ALTER SCHEMA {live} RENAME TO {retired}")
        conn.exec_driver_sql(f"ALTER SCHEMA {build_schema} RENAME TO {live}")
        conn.commit()
    log.info("schema %s is live as %s", build_schema, live)
    if exists:
        try:
            _drop_schema(admin, retired)
        except DBAPIError as exc:
            log.warning("could not drop the previous build %s yet: %s", retired, exc.orig)
