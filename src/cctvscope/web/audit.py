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
#: Every action, for the audit page's filter.
ACTIONS = (LOGIN, LOGIN_FAILED, LOGOUT, DATA_CHANGE, VIEW_PRIVATE, RUN, ACCOUNT_CHANGE)


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


@dataclass(frozen=True)
class AuditFilter:
    """Which audit rows: an action, a user, text in the target, a time span (UTC)."""

    action: str | None = None
    username: str | None = None
    text: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def _where(query: sa.Select[Any], chosen: AuditFilter) -> sa.Select[Any]:
    if chosen.action:
        query = query.where(audit_log.c.action == chosen.action)
    if chosen.username:
        query = query.where(audit_log.c.username == chosen.username)
    if chosen.text:
        query = query.where(audit_log.c.target.contains(chosen.text, autoescape=True))
    if chosen.since:
        query = query.where(audit_log.c.at >= _naive_utc(chosen.since))
    if chosen.until:
        query = query.where(audit_log.c.at < _naive_utc(chosen.until))
    return query


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    """The store keeps UTC; a naive time is read as UTC."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def entries(
    engine: Engine,
    *,
    action: str | None = None,
    limit: int = 200,
    chosen: AuditFilter | None = None,
    before_id: int | None = None,
) -> list[AuditEntry]:
    """The newest rows first, filtered (``action`` or ``chosen``), and older than
    ``before_id`` when paging back."""
    query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    query = _where(query, chosen or AuditFilter(action=action))
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
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


#: Items of a list shown in a row's readable detail before "and N more".
SHOWN_ITEMS = 5


def readable_detail(detail: Mapping[str, Any]) -> list[str]:
    """A row's detail as ``key: value`` lines; a long list shows its count and first items
    (the export keeps every item)."""
    lines = []
    for key, value in detail.items():
        if isinstance(value, list | tuple):
            head = ", ".join(str(v) for v in value[:SHOWN_ITEMS])
            more = f" and {len(value) - SHOWN_ITEMS:,} more" if len(value) > SHOWN_ITEMS else ""
            text = f"{len(value):,} ({head}{more})" if value else "none"
        elif isinstance(value, dict):
            text = ", ".join(f"{k}={v}" for k, v in value.items())
        else:
            text = str(value)
        lines.append(f"{key.replace('_', ' ')}: {text}")
    return lines
