"""Rows of the append-only audit log, written inside the transaction of the change they record.

A change and its audit row commit together or not at all: the web app never reports
a change it could not audit, and never audits a change that was rolled back.

The log is a hash chain: each row stores ``prev_sha256`` (the previous row's
``row_sha256``, or :data:`GENESIS_SHA256` for the first) and ``row_sha256``, the
SHA-256 of its id, time, user, action, target, detail, address and ``prev_sha256``.
Editing, deleting or re-inserting a row (with the triggers switched off, or on a
copy of the file) breaks the chain at that row, which :func:`verify_chain` reports.
Appending reads the last row and writes the next under a lock held to the end of
the transaction (SQLite: the write lock; PostgreSQL: ``LOCK TABLE ... EXCLUSIVE``),
so two writers can never both chain onto the same row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from cctvscope.store.web_tables import audit_log

GENESIS_SHA256 = "0" * 64
"""``prev_sha256`` of the first row."""


@dataclass(frozen=True)
class AuditRow:
    """One audit entry to append: who did what to which target, from where."""

    action: str
    target: str
    username: str | None
    ip: str | None
    detail: Mapping[str, Any] = field(default_factory=dict)

    def with_detail(self, **more: Any) -> AuditRow:
        """The same entry with ``more`` added to its detail."""
        return AuditRow(self.action, self.target, self.username, self.ip, {**self.detail, **more})


def _utc_text(at: dt.datetime) -> str:
    # SQLite hands back naive UTC, PostgreSQL an aware time: both hash as naive UTC.
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def chain_digest(row: Mapping[str, Any] | sa.RowMapping) -> str:
    """SHA-256 (hex) of an audit row's content and its ``prev_sha256``.

    ``row`` has the columns of ``audit_log`` (``row_sha256`` is not part of it).
    Canonical JSON (sorted keys, no spaces), so the digest of a row read back from
    either backend equals the digest computed when it was written.
    """
    content = [
        int(row["id"]),
        _utc_text(row["at"]),
        row["username"],
        row["action"],
        row["target"],
        row["detail"],
        row["ip"],
        row["prev_sha256"],
    ]
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lock(connection: sa.Connection) -> None:
    # SQLite: the transaction writes, so it holds (or, deferred, must win) the one write
    # lock; a deferred one that lost the race fails on its insert instead of forking the
    # chain. PostgreSQL: block other appenders until this transaction ends.
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE audit_log IN EXCLUSIVE MODE")


def insert_audit(connection: sa.Connection, row: AuditRow) -> None:
    """Append ``row`` in the connection's transaction, chained to the last row."""
    _lock(connection)
    last = connection.execute(
        sa.select(audit_log.c.id, audit_log.c.row_sha256).order_by(audit_log.c.id.desc()).limit(1)
    ).first()
    values: dict[str, Any] = {
        "id": 1 if last is None else int(last.id) + 1,
        "at": dt.datetime.now(dt.UTC),
        "username": row.username,
        "action": row.action,
        "target": row.target,
        # Through JSON once, so the digest is of what a read gives back (tuples -> lists).
        "detail": json.loads(json.dumps(dict(row.detail))),
        "ip": row.ip,
        "prev_sha256": GENESIS_SHA256 if last is None else (last.row_sha256 or GENESIS_SHA256),
    }
    connection.execute(audit_log.insert().values(**values, row_sha256=chain_digest(values)))


@dataclass(frozen=True)
class ChainCheck:
    """What :func:`verify_chain` found: rows read, and the first broken row if any."""

    rows: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        """Whether every row chains onto the one before and matches its digest."""
        return self.broken_id is None


def verify_chain(connection: sa.Connection, batch_rows: int = 5000) -> ChainCheck:
    """Walk the audit log in id order; the first row whose link or digest is wrong."""
    expected_prev = GENESIS_SHA256
    count = 0
    result = connection.execution_options(yield_per=batch_rows).execute(
        sa.select(audit_log).order_by(audit_log.c.id)
    )
    try:
        for found in result.mappings():
            count += 1
            problem = _link_problem(found, expected_prev)
            if problem:
                return ChainCheck(count, int(found["id"]), problem)
            expected_prev = str(found["row_sha256"])
    finally:
        result.close()  # a PostgreSQL server-side cursor when the walk stops early
    return ChainCheck(count)


def _link_problem(row: sa.RowMapping, expected_prev: str) -> str:
    """Why ``row`` breaks the chain, or an empty string."""
    if row["prev_sha256"] is None:
        return "no hash (written before the chain)"
    if row["prev_sha256"] != expected_prev:
        return "does not chain onto the row before it (a row was removed, added or edited)"
    if chain_digest(row) != row["row_sha256"]:
        return "its content does not match its hash (edited)"
    return ""
