"""The append-only audit log: logins, data changes and views of private-camera locations.

Only :func:`record` writes; nothing here updates or deletes, and the store's
triggers (migration 0005) refuse both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from cctvscope.store.audit_rows import AuditRow, insert_audit
from cctvscope.store.engine import write_transaction
from cctvscope.store.web_tables import audit_log

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGOUT = "logout"
DATA_CHANGE = "data_change"
VIEW_PRIVATE = "view_private_locations"
RUN = "run_analysis"
ACCOUNT_CHANGE = "account_change"


@dataclass(frozen=True)
class AuditEntry:
    """One audit row."""

    id: int
    at: dt.datetime
    username: str | None
    action: str
    target: str
    detail: dict[str, Any]
    ip: str | None


def record(
    engine: Engine,
    action: str,
    target: str,
    *,
    username: str | None,
    ip: str | None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append one row (a change to the estate writes its row with the change instead:
    see :func:`row`)."""
    with write_transaction(engine) as connection:
        insert_audit(connection, row(action, target, username=username, ip=ip, detail=detail))


def row(
    action: str,
    target: str,
    *,
    username: str | None,
    ip: str | None,
    detail: Mapping[str, Any] | None = None,
) -> AuditRow:
    """An entry for a store write to append in its own transaction."""
    return AuditRow(action, target, username, ip, dict(detail or {}))


def entries(engine: Engine, *, action: str | None = None, limit: int = 200) -> list[AuditEntry]:
    """The newest rows first, optionally of one action."""
    query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if action:
        query = query.where(audit_log.c.action == action)
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return [
        AuditEntry(
            id=int(r["id"]),
            at=r["at"] if r["at"].tzinfo else r["at"].replace(tzinfo=dt.UTC),
            username=r["username"],
            action=str(r["action"]),
            target=str(r["target"]),
            detail=dict(r["detail"]),
            ip=r["ip"],
        )
        for r in rows
    ]
