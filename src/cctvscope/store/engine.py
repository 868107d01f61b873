"""Engines for the two supported backends: SQLite (embedded) and PostgreSQL/PostGIS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine, event
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from cctvscope.errors import StoreError

SUPPORTED_BACKENDS = ("sqlite", "postgresql")
"""URL schemes the store accepts."""


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


def connect(url: str | sa.URL) -> Engine:
    """An engine for the store at ``url`` (the schema is not touched; see ``init_store``).

    For SQLite, the parent directory of the database file is created, foreign keys
    are switched on, and SQLAlchemy rather than ``sqlite3`` emits ``BEGIN`` so that
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
    try:
        engine = sa.create_engine(parsed)
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
    cursor.close()


def _sqlite_on_begin(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def as_engine(url_or_engine: str | sa.URL | Engine) -> Engine:
    """The engine itself, or a new one for a URL."""
    if isinstance(url_or_engine, Engine):
        return url_or_engine
    return connect(url_or_engine)
