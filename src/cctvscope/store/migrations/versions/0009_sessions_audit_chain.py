"""Revocable web sessions, and a hash-chained audit log that refuses overwriting inserts.

``web_sessions`` holds each logged-in session (by the SHA-256 of the cookie's random
id) so that logout, a password change or disabling an account ends it. ``audit_log``
gains ``prev_sha256`` and ``row_sha256`` (existing rows are chained here, in id
order), and a trigger that refuses an ``INSERT`` whose id is not past the last: on
SQLite ``INSERT OR REPLACE`` would otherwise overwrite a row without firing the
``DELETE`` trigger of 0005. On PostgreSQL ``TRUNCATE`` (which fires no row
trigger) is refused too.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 03:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from cctvscope.store.audit_rows import GENESIS_SHA256, chain_digest

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MESSAGE = "audit_log is append-only"
_SQLITE_INSERT_TRIGGER = (
    "CREATE TRIGGER audit_log_append_only_insert BEFORE INSERT ON audit_log "
    "WHEN NEW.id IS NULL OR NEW.id <= (SELECT COALESCE(MAX(id), 0) FROM audit_log) "
    f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}: an inserted id must follow the last'); END"
)
_SQLITE_UPDATE_TRIGGER = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
)
_PG_INSERT_FUNCTION = (
    "CREATE OR REPLACE FUNCTION audit_log_insert_after_last() RETURNS trigger AS $$ "
    "BEGIN IF NEW.id IS NULL OR NEW.id <= (SELECT COALESCE(MAX(id), 0) FROM audit_log) THEN "
    f"RAISE EXCEPTION '{_MESSAGE}: an inserted id must follow the last'; END IF; "
    "RETURN NEW; END; $$ LANGUAGE plpgsql"
)
_PG_INSERT_TRIGGER = (
    "CREATE TRIGGER audit_log_insert_after_last BEFORE INSERT ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_insert_after_last()"
)
_PG_TRUNCATE_TRIGGER = (
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
)

_audit = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("username", sa.Text()),
    sa.column("action", sa.Text()),
    sa.column("target", sa.Text()),
    sa.column("detail", sa.JSON()),
    sa.column("ip", sa.Text()),
    sa.column("prev_sha256", sa.String(64)),
    sa.column("row_sha256", sa.String(64)),
)


def _chain_existing_rows(bind: sa.Connection) -> None:
    """Chain the rows written before this migration (the UPDATE trigger is off meanwhile)."""
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
    prev = GENESIS_SHA256
    rows = bind.execute(sa.select(_audit).order_by(_audit.c.id)).mappings().all()
    for row in rows:
        values = {**row, "prev_sha256": prev}
        digest = chain_digest(values)
        bind.execute(
            _audit.update()
            .where(_audit.c.id == row["id"])
            .values(prev_sha256=prev, row_sha256=digest)
        )
        prev = digest
    if postgres:
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    else:
        op.execute(_SQLITE_UPDATE_TRIGGER)


def upgrade() -> None:
    """Create ``web_sessions``; chain the audit log and guard its inserts."""
    op.create_table(
        "web_sessions",
        sa.Column("id_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_web_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_sha256", name=op.f("pk_web_sessions")),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"], unique=False)
    op.add_column("audit_log", sa.Column("prev_sha256", sa.String(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("row_sha256", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    _chain_existing_rows(bind)
    if bind.dialect.name == "postgresql":
        op.execute(_PG_INSERT_FUNCTION)
        op.execute(_PG_INSERT_TRIGGER)
        op.execute(_PG_TRUNCATE_TRIGGER)
    else:
        op.execute(_SQLITE_INSERT_TRIGGER)


def downgrade() -> None:
    """Drop the sessions, the insert guard and the chain columns."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_insert_after_last ON audit_log")
        op.execute("DROP FUNCTION audit_log_insert_after_last()")
        op.drop_column("audit_log", "row_sha256")
        op.drop_column("audit_log", "prev_sha256")
    else:
        op.execute("DROP TRIGGER audit_log_append_only_insert")
        # Plain ALTER TABLE (SQLite >= 3.35): a batch copy would drop 0005's triggers.
        op.execute("ALTER TABLE audit_log DROP COLUMN row_sha256")
        op.execute("ALTER TABLE audit_log DROP COLUMN prev_sha256")
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")
    op.drop_table("web_sessions")
