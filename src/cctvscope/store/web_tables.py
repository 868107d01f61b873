"""Accounts of the web application: users, their boroughs, API tokens and the audit log.

On the store's one ``MetaData`` so that Alembic compares them with migration 0005.
``audit_log`` is append-only: the module offers no update or delete, migration
0005 adds triggers that refuse ``UPDATE`` and ``DELETE`` on both backends, and
0009 one that refuses an ``INSERT`` whose id is not past the last (``INSERT OR
REPLACE``, upserts) and on PostgreSQL ``TRUNCATE``.
Passwords are stored as argon2 hashes and API tokens as SHA-256 digests (a token is
random with 256 bits of entropy, so a fast digest is enough and allows lookup).
"""

from __future__ import annotations

import sqlalchemy as sa

from cctvscope.store.tables import metadata

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.Text, nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("business_id", sa.Text, nullable=True),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)
"""One row per account; ``role`` is a :class:`cctvscope.web.security.UserRole` value."""

user_boroughs = sa.Table(
    "user_boroughs",
    metadata,
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("borough_code", sa.Text, primary_key=True),
)
"""The boroughs (GSS codes) a borough manager manages."""

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sqlite_autoincrement=True,
)
"""API tokens for scripts (``Authorization: Bearer``), stored as digests only."""

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("username", sa.Text, nullable=True),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("ip", sa.Text, nullable=True),
    sa.Column("prev_sha256", sa.String(64), nullable=True),
    sa.Column("row_sha256", sa.String(64), nullable=True),
    sa.Index("ix_audit_log_action_at", "action", "at"),
    sqlite_autoincrement=True,
)
"""Append-only record of logins, data changes and views of private-camera locations.

Hash-chained (migration 0009): ``row_sha256`` is the SHA-256 of the row's content and
``prev_sha256``, the previous row's ``row_sha256``; see :mod:`cctvscope.store.audit_rows`."""

web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("id_sha256", sa.String(64), primary_key=True),
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_web_sessions_user_id", "user_id"),
)
"""Logged-in sessions, by the SHA-256 of the random id in the cookie: logout, a password
change or disabling the account sets ``revoked_at`` and the cookie stops working."""

web_jobs = sa.Table(
    "web_jobs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("progress", sa.Float, nullable=False),
    sa.Column("request", sa.JSON, nullable=False),
    sa.Column("result", sa.JSON, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_web_jobs_kind_created_at", "kind", "created_at"),
)
"""Long actions of the web app (control-room runs, survey imports, registrations): their
state, status line and progress [0-1], written as they advance so that every server
process over the store answers for them (migration 0012)."""

web_uploads = sa.Table(
    "web_uploads",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("user_id", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("borough", sa.Text, nullable=False),
    sa.Column("kept_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=True),
    sa.Column("findings_csv", sa.LargeBinary, nullable=False),
    sa.Index("ix_web_uploads_kept_at", "kept_at"),
)
"""Previewed survey uploads waiting for their confirm: the file (None when the preview had
errors, so there is nothing to confirm) and every finding as CSV, kept in the store so that
any server process takes the confirm (migration 0013); deleted on confirm, at the
uploader's next preview, or once older than ``upload_keep_s``."""

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ip", sa.Text, nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("pair_counted", sa.Boolean, nullable=False),
    sa.Index("ix_login_failures_ip_at", "ip", "at"),
    sa.Index("ix_login_failures_username_ip", "username", "ip"),
    sa.Index("ix_login_failures_at", "at"),
)
"""Failed logins of the last rate-limit window, one row each (username lower-cased), so that
every server process over the store counts the same failures (migration 0014). A good login
clears ``pair_counted`` of its username and address's rows: they still count for the
address. Rows older than the longest window are deleted as new failures come in."""

WEB_TABLES: tuple[sa.Table, ...] = (
    users,
    user_boroughs,
    api_tokens,
    audit_log,
    web_sessions,
    web_jobs,
    web_uploads,
    login_failures,
)
"""The web tables, parents first."""
