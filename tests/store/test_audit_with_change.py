"""A change and its audit row commit together; SQLite readers do not fail while a writer commits."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from cctvscope.errors import StoreError
from cctvscope.model import Estate
from cctvscope.store import init_store, list_estates, save_estate
from cctvscope.store.audit_rows import AuditRow, insert_audit
from cctvscope.store.engine import SQLITE_BUSY_TIMEOUT_MS
from cctvscope.store.web_tables import audit_log


def _audit_rows(engine: sa.Engine, target: str | None = None) -> list[dict[str, object]]:
    """The audit rows (of one target): the log is append-only, so on PostgreSQL it keeps the
    rows of earlier tests."""
    query = sa.select(audit_log)
    if target is not None:
        query = query.where(audit_log.c.target == target)
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(query).mappings()]


def test_the_audit_row_is_saved_with_the_version(store: sa.Engine, estate: Estate) -> None:
    row = AuditRow("data_change", "survey import X", "manager", "127.0.0.1", {"added": 3})
    saved = save_estate(store, estate, audit=row)
    rows = _audit_rows(store, "survey import X")
    assert len(rows) == 1
    assert rows[0]["target"] == "survey import X"
    assert rows[0]["detail"] == {"added": 3, "estate_version": saved.version}


def test_an_audit_row_that_cannot_be_written_rolls_the_version_back(
    store: sa.Engine, estate: Estate
) -> None:
    # No action (a NOT NULL column) makes the audit insert fail inside the save's transaction.
    row = AuditRow(None, "rolled back", "manager", None)  # type: ignore[arg-type]
    with pytest.raises(StoreError):
        save_estate(store, estate, audit=row)
    assert list_estates(store) == []
    assert _audit_rows(store, "rolled back") == []
    # A detail that is not JSON is refused before anything is written.
    with pytest.raises(StoreError, match="cannot store a object"):
        save_estate(
            store, estate, audit=AuditRow("data_change", "bad", None, None, {"x": object()})
        )
    assert list_estates(store) == []


def test_a_refused_save_writes_no_audit_row(store: sa.Engine, estate: Estate) -> None:
    save_estate(store, estate)
    row = AuditRow("data_change", "stale", "manager", None)
    with pytest.raises(StoreError, match="changed while this change was prepared"):
        save_estate(store, estate, based_on=0, audit=row)  # computed before version 1
    assert _audit_rows(store, "stale") == []


def test_sqlite_is_write_ahead_with_a_busy_timeout(tmp_path: Path) -> None:
    engine = init_store(f"sqlite:///{tmp_path / 's.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == (
            SQLITE_BUSY_TIMEOUT_MS
        )


def test_sqlite_reads_and_writes_wait_for_a_committing_writer(
    tmp_path: Path, estate: Estate
) -> None:
    """While one transaction holds the write lock, a read answers and a second write waits
    for it, then commits (under the rollback journal the read failed with 'locked')."""
    engine = init_store(f"sqlite:///{tmp_path / 's.db'}")
    save_estate(engine, estate)
    holding = threading.Event()
    release = threading.Event()

    def writer() -> None:
        with engine.begin() as connection:
            insert_audit(connection, AuditRow("hold", "lock", None, None))
            holding.set()
            release.wait(timeout=10)

    thread = threading.Thread(target=writer)
    thread.start()
    assert holding.wait(timeout=10)
    try:
        assert [i.name for i in list_estates(engine)] == [estate.name]  # read during the lock
        errors: list[BaseException] = []

        def second() -> None:
            try:
                # It read version 1 before the lock was released: it must wait, not fail.
                save_estate(
                    engine, estate, based_on=1, audit=AuditRow("data_change", "second", None, None)
                )
            except BaseException as exc:  # handed to the test thread
                errors.append(exc)

        waiting = threading.Thread(target=second)
        waiting.start()
        waiting.join(timeout=0.3)  # let it reach the lock
    finally:
        release.set()
    thread.join()
    waiting.join()
    assert errors == []
    assert max(i.version for i in list_estates(engine)) == 2
    assert sorted(str(r["target"]) for r in _audit_rows(engine)) == ["lock", "second"]
