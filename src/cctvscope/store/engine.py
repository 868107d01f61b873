"""Engines for the two supported backends: SQLite (embedded) and PostgreSQL/PostGIS."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine, event
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from cctvscope.errors import StoreError

SUPPORTED_BACKENDS = ("sqlite", "postgresql")
"""URL schemes the store accepts."""
SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite connection waits for another writer's lock before giving up [ms].

A save holds the write lock for well under a second per 10,000 cameras; waiting
rather than failing at once is what keeps a web read (which appends an audit row)
from answering 500 while an import commits."""


def parse_url(url: str | sa.URL) -> sa.URL:
    """Parse and check a store URL; plain ``postgresql://`` means the psycopg 3 driver.

    Raises
    ------
    StoreError
        When the URL cannot be parsed or names a backend other than SQLite or PostgreSQL.
    """
    try:
        parsed = sa.make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"not a database URL: {str(url)!r}; use sqlite:///FILE or "
            "postgresql+psycopg://USER@HOST:PORT/DB"
        ) from exc
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise StoreError(
            f"unsupported database {backend!r} in {parsed.render_as_string(hide_password=True)!r}; "
            "the store supports sqlite:///FILE and postgresql+psycopg://USER@HOST:PORT/DB"
        )
    if backend == "postgresql" and "+" not in parsed.drivername:
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg2 is not a dependency
    return parsed


def connect(url: str | sa.URL, pool_size: int | None = None) -> Engine:
    """An engine for the store at ``url`` (the schema is not touched; see ``init_store``).

    ``pool_size``: connections kept open (as many more may open at a peak, each closed
    after use); SQLAlchemy's default (5) when None.

    For SQLite, the parent directory of the database file is created, foreign keys
    are switched on, the journal is write-ahead (WAL) with a busy timeout
    (:data:`SQLITE_BUSY_TIMEOUT_MS`), and SQLAlchemy rather than ``sqlite3`` emits ``BEGIN`` so that
    reads and DDL are inside the transaction too (``sqlite3``'s legacy mode would
    run them in autocommit).

    Raises
    ------
    StoreError
        For an unsupported or malformed URL, or a missing database driver.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    pool: dict[str, Any] = {}
    if pool_size is not None:
        pool = {"pool_size": pool_size, "max_overflow": pool_size}
    try:
        engine = sa.create_engine(parsed, **pool)
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"no database driver for {parsed.drivername!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see connect)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # Write-ahead logging: readers never wait for a writer, and a writer never waits
    # for readers (the default rollback journal blocks reads during a commit). An
    # in-memory database keeps its own journal mode.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


#: Execution option asking SQLite for the write lock when the transaction begins.
WRITE_INTENT = "cctvscope_write"


def _sqlite_on_begin(connection: sa.Connection) -> None:
    # A transaction that reads then writes must take the write lock up front: under WAL a
    # deferred one that started reading before another writer committed cannot upgrade
    # (SQLITE_BUSY_SNAPSHOT, no waiting), while BEGIN IMMEDIATE waits the busy timeout.
    immediate = connection.get_execution_options().get(WRITE_INTENT, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """A transaction that will write: on SQLite it holds the write lock from its start."""
    with (
        engine.connect().execution_options(**{WRITE_INTENT: True}) as connection,
        connection.begin(),
    ):
        yield connection


def as_engine(url_or_engine: str | sa.URL | Engine) -> Engine:
    """The engine itself, or a new one for a URL."""
    if isinstance(url_or_engine, Engine):
        return url_or_engine
    return connect(url_or_engine)
