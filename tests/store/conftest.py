"""Store fixtures: a small estate, and a store on each backend.

Every store test runs twice: on a fresh SQLite file, and on PostgreSQL/PostGIS
when ``CCTVSCOPE_TEST_PG_URL`` is set (``make test`` sets it; locally run
``scripts/pg.sh start`` and export ``CCTVSCOPE_TEST_PG_URL=$(scripts/pg.sh url)``).
The PostgreSQL tests use a database of their own, created for the session and
dropped at its end, emptied before each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from cctvscope.model import Estate
from cctvscope.store import init_store
from cctvscope.store.region_tables import REGION_TABLES
from cctvscope.store.tables import ALL_TABLES
from tests.conftest import throwaway_pg_engine
from tests.store.builders import make_estate

PG_ENV = "CCTVSCOPE_TEST_PG_URL"


@pytest.fixture
def estate() -> Estate:
    """The small test estate (see :func:`make_estate`)."""
    return make_estate()


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[sa.Engine]:
    """A fresh, migrated PostgreSQL database for this session, dropped at its end."""
    with throwaway_pg_engine("store") as engine:
        yield engine


def empty_postgres(engine: sa.Engine) -> None:
    """Remove every row from the store tables (the schema stays)."""
    names = ", ".join(t.name for t in (*ALL_TABLES, *REGION_TABLES))
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
