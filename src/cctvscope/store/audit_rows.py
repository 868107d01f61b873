"""Rows of the append-only audit log, written inside the transaction of the change they record.

A change and its audit row commit together or not at all: the web app never reports
a change it could not audit, and never audits a change that was rolled back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from cctvscope.store.web_tables import audit_log


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


def insert_audit(connection: sa.Connection, row: AuditRow) -> None:
    """Append ``row`` in the connection's transaction."""
    connection.execute(
        audit_log.insert().values(
            at=dt.datetime.now(dt.UTC),
            username=row.username,
            action=row.action,
            target=row.target,
            detail=dict(row.detail),
            ip=row.ip,
        )
    )
