"""The audit log is append-only against every SQL path, and hash-chained so that a change made
with the triggers off (or to a copy of the file) is found by ``verify_chain``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from cctvscope.store import init_store
from cctvscope.store.audit_rows import GENESIS_SHA256, AuditRow, insert_audit, verify_chain
from cctvscope.store.engine import write_transaction
from cctvscope.store.migrate import upgrade_database
from cctvscope.store.web_tables import audit_log


def _append(engine: sa.Engine, target: str, **detail: object) -> None:
    with write_transaction(engine) as connection:
        insert_audit(connection, AuditRow("data_change", target, "someone", "127.0.0.1", detail))


def _rows(engine: sa.Engine) -> list[dict[str, object]]:
    with engine.connect() as connection:
        query = sa.select(audit_log).order_by(audit_log.c.id)
        return [dict(r) for r in connection.execute(query).mappings()]


def _check(engine: sa.Engine):
    with engine.connect() as connection:
        return verify_chain(connection)


def _by_hand(row: dict[str, object], prev: str) -> str:
    """The row's digest worked out from its documented recipe, not through chain_digest."""
    at = row["at"]
    assert isinstance(at, dt.datetime)
    naive_utc = at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at
    content = [
        row["id"], naive_utc.isoformat(timespec="microseconds"), row["username"],
        row["action"], row["target"], row["detail"], row["ip"], prev,
    ]  # fmt: skip
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def test_each_row_chains_onto_the_one_before(store: sa.Engine) -> None:
    before = _rows(store)
    for n in range(3):
        _append(store, f"chain {n}", n=n, ids=("a", "b"))
    rows = _rows(store)[len(before) :]
    prev = before[-1]["row_sha256"] if before else GENESIS_SHA256
    for row in rows:
        assert row["prev_sha256"] == prev
        assert row["row_sha256"] == _by_hand(row, str(prev))
        prev = row["row_sha256"]
    assert [r["detail"] for r in rows] == [{"n": n, "ids": ["a", "b"]} for n in range(3)]
    check = _check(store)
    assert check.intact and check.rows == len(before) + 3


def test_insert_or_replace_cannot_overwrite_a_row_on_sqlite(tmp_path: Path) -> None:
    engine = init_store(f"sqlite:///{tmp_path / 'a.db'}")
    _append(engine, "original")
    _append(engine, "second")
    statements = [
        "INSERT OR REPLACE INTO audit_log (id, at, action, target, detail) "
        "VALUES (1, '2026-01-01 00:00:00', 'x', 'forged', '{}')",
        "REPLACE INTO audit_log (id, at, action, target, detail) "
        "VALUES (1, '2026-01-01 00:00:00', 'x', 'forged', '{}')",
        "INSERT INTO audit_log (id, at, action, target, detail) "
        "VALUES (1, '2026-01-01 00:00:00', 'x', 'forged', '{}') "
        "ON CONFLICT(id) DO UPDATE SET target = excluded.target",
        # An id that skips ahead is fine for the trigger, but no id at all is refused.
        "INSERT INTO audit_log (at, action, target, detail) "
        "VALUES ('2026-01-01 00:00:00', 'x', 'forged', '{}')",
    ]
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.exec_driver_sql(statement)
    assert [r["target"] for r in _rows(engine)] == ["original", "second"]
    assert _check(engine).intact
    engine.dispose()


@pytest.mark.postgres
def test_upsert_and_truncate_are_refused_on_postgres(pg_store: sa.Engine) -> None:
    _append(pg_store, "original")
    first = _rows(pg_store)[-1]["id"]
    statements = [
        f"INSERT INTO audit_log (id, at, action, target, detail) VALUES ({first}, now(), "
        "'x', 'forged', '{}') ON CONFLICT (id) DO UPDATE SET target = excluded.target",
        f"INSERT INTO audit_log (id, at, action, target, detail) VALUES ({first}, now(), "
        "'x', 'forged', '{}') ON CONFLICT DO NOTHING",
        "TRUNCATE audit_log",
        "UPDATE audit_log SET target = 'forged'",
        "DELETE FROM audit_log",
    ]
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), pg_store.begin() as connection:
            connection.exec_driver_sql(statement)
    assert _rows(pg_store)[-1]["target"] == "original"


def _without_triggers(engine: sa.Engine, *statements: str | sa.Executable) -> None:
    """Tamper as someone with the file (or a superuser) could: triggers off."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
        else:
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_append_only_insert")
        for statement in statements:
            connection.execute(sa.text(statement) if isinstance(statement, str) else statement)
        if engine.dialect.name == "postgresql":  # the session's database is shared
            connection.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")


def test_an_edited_row_is_the_first_broken_one(store: sa.Engine) -> None:
    for n in range(4):
        _append(store, f"edit {n}")
    row = _rows(store)[-3]
    edit = f"UPDATE audit_log SET username = :name WHERE id = {row['id']}"
    _without_triggers(store, edit.replace(":name", "'nobody'"))
    check = _check(store)
    assert check.broken_id == row["id"]
    assert "does not match its hash" in check.reason
    _without_triggers(store, edit.replace(":name", f"'{row['username']}'"))  # put back
    assert _check(store).intact


def test_a_deleted_row_breaks_the_chain_at_the_next(store: sa.Engine) -> None:
    for n in range(4):
        _append(store, f"delete {n}")
    rows = _rows(store)
    gone = rows[-3]
    _without_triggers(store, f"DELETE FROM audit_log WHERE id = {gone['id']}")
    check = _check(store)
    assert check.broken_id == rows[-2]["id"]
    assert "does not chain" in check.reason
    _without_triggers(store, audit_log.insert().values(**gone))  # put back
    assert _check(store).intact


def test_concurrent_writers_keep_one_chain(store: sa.Engine) -> None:
    before = len(_rows(store))
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for n in range(25):
                _append(store, f"{name} {n}")
        except BaseException as exc:  # reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    check = _check(store)
    assert check.intact and check.rows == before + 75


def test_the_migration_chains_rows_written_before_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = upgrade_database(url, "0007")
    with engine.begin() as connection:
        for n in range(3):
            connection.exec_driver_sql(
                "INSERT INTO audit_log (at, action, target, detail, ip) VALUES "
                f"('2026-11-2{n} 10:00:00.000000', 'login', 'old {n}', '{{\"n\": {n}}}', NULL)"
            )
    upgrade_database(engine)
    rows = _rows(engine)
    assert [r["prev_sha256"] for r in rows[1:]] == [r["row_sha256"] for r in rows[:-1]]
    assert rows[0]["prev_sha256"] == GENESIS_SHA256
    assert rows[0]["row_sha256"] == _by_hand(rows[0], GENESIS_SHA256)
    assert _check(engine).intact
    _append(engine, "after")
    assert _check(engine).rows == 4
    engine.dispose()


def test_cli_audit_verify_exit_0_then_3_at_the_edited_row(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cctvscope.cli.main import app

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = init_store(url)
    for n in range(3):
        _append(engine, f"cli {n}")
    runner = CliRunner()
    intact = runner.invoke(app, ["audit", "verify", "--database-url", url])
    assert intact.exit_code == 0, intact.output
    assert "intact: 3 rows" in intact.output
    _without_triggers(engine, "UPDATE audit_log SET target = 'forged' WHERE id = 2")
    broken = runner.invoke(app, ["audit", "verify", "--database-url", url])
    assert broken.exit_code == 3
    assert "broken at row id 2" in broken.output
    assert "does not match its hash" in broken.output
    engine.dispose()
