"""Store fixtures: a small estate, and a store on each backend.

Every store test runs twice: on a fresh SQLite file, and on PostgreSQL/PostGIS
when ``CCTVSCOPE_TEST_PG_URL`` is set (``make test`` sets it; locally run
``scripts/pg.sh start`` and export ``CCTVSCOPE_TEST_PG_URL=$(scripts/pg.sh url)``).
The PostgreSQL tests use a database of their own, created for the session and
dropped at its end, emptied before each test.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from cctvscope.model import Estate
from cctvscope.store import init_store
from cctvscope.store.tables import ALL_TABLES
from tests.store.builders import make_estate

PG_ENV = "CCTVSCOPE_TEST_PG_URL"


@pytest.fixture
def estate() -> Estate:
    """The small test estate (see :func:`make_estate`)."""
    return make_estate()


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[sa.Engine]:
    """A fresh, migrated PostgreSQL database for this session, dropped at its end."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(
            f"{PG_ENV} is not set (scripts/pg.sh start; export {PG_ENV}=$(scripts/pg.sh url))"
        )
    name = f"cctvscope_store_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(sa.make_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = init_store(sa.make_url(base).set(database=name))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def empty_postgres(engine: sa.Engine) -> None:
    """Remove every row from the store tables (the schema stays)."""
    names = ", ".join(t.name for t in ALL_TABLES)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture
def pg_store(pg_engine: sa.Engine) -> sa.Engine:
    """The session's PostgreSQL store, emptied (for tests that are PostgreSQL only)."""
    empty_postgres(pg_engine)
    return pg_engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """The backend under test."""
    return str(request.param)


@pytest.fixture
def store(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """An empty, migrated store on ``backend``."""
    if backend == "postgres":
        engine: sa.Engine = request.getfixturevalue("pg_engine")
        empty_postgres(engine)
        yield engine
        return
    engine = init_store(f"sqlite:///{tmp_path / 'store' / 'cctvscope.db'}")
    try:
        yield engine
    finally:
        engine.dispose()
