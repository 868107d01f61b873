"""Store URLs and engines: supported backends, SQLite details."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from cctvscope.errors import StoreError
from cctvscope.store import connect
from cctvscope.store.engine import parse_url


@pytest.mark.parametrize(
    "url",
    ["mysql://user@localhost/db", "oracle://scott@host/orcl", "duckdb:///x.duckdb"],
)
def test_unsupported_backend(url):
    with pytest.raises(StoreError, match="unsupported database") as caught:
        connect(url)
    assert "sqlite:///FILE" in str(caught.value)
    assert "postgresql+psycopg://" in str(caught.value)


def test_malformed_url():
    with pytest.raises(StoreError, match=r"not a database URL: 'cctvscope\.db'"):
        connect("cctvscope.db")


def test_password_is_not_echoed():
    with pytest.raises(StoreError) as caught:
        connect("mysql://user:secret@localhost/db")
    assert "secret" not in str(caught.value)


def test_plain_postgresql_means_psycopg3():
    assert parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert parse_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"
    engine = connect("postgresql://u@127.0.0.1:1/db")  # no connection is made yet
    try:
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


def test_sqlite_creates_parent_directory_and_enforces_foreign_keys(tmp_path):
    path = tmp_path / "a" / "b" / "store.db"
    engine = connect(f"sqlite:///{path}")
    try:
        assert path.parent.is_dir()
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def create_then_fail(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        raise RuntimeError("roll back")


def test_sqlite_transactions_cover_reads_and_ddl(tmp_path):
    # sqlite3's legacy mode would autocommit the CREATE TABLE; the store's engine rolls it back.
    engine = connect(f"sqlite:///{tmp_path / 'tx.db'}")
    try:
        with pytest.raises(RuntimeError, match="roll back"):
            create_then_fail(engine)
        assert "t" not in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
