"""Store tables of police evidence requests (migration ``0003``).

Registered on the same :data:`cctvscope.store.tables.metadata` as the estate
tables, so Alembic compares them too. Like ``cop_assessments`` they refer to
cameras and boroughs by their identifiers, not by foreign keys to an estate
version: a request outlives the estate's versions.

* ``evidence_requests``: one row per request to one footage holder (operator).
* ``request_cameras``: the candidate cameras of a request that the holder holds,
  with the detail level at the place, retention and export formats as known when
  the request was made, and whether the footage was already outside retention.
* ``evidence_items``: the files a holder supplied, by SHA-256 of the master in the
  evidence vault (:mod:`cctvscope.evidence.vault`), whose hash-chained custody log
  is the authoritative record of every action on them.
"""

from __future__ import annotations

import sqlalchemy as sa

from cctvscope.store.tables import metadata

evidence_requests = sa.Table(
    "evidence_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("holder", sa.Text, nullable=False),
    sa.Column("owner_type", sa.Text, nullable=False),
    sa.Column("borough_code", sa.Text, nullable=False),
    sa.Column("place_x_m", sa.Float, nullable=False),
    sa.Column("place_y_m", sa.Float, nullable=False),
    sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
    sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("outside_retention", sa.Boolean, nullable=False),
    sa.Column("requested_by", sa.Text, nullable=False),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("supplied_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("expired_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("history", sa.JSON, nullable=False),
    sa.Index("ix_evidence_requests_borough_owner", "borough_code", "owner_type"),
    sqlite_autoincrement=True,
)
"""One request to one footage holder for one place and time window."""

request_cameras = sa.Table(
    "request_cameras",
    metadata,
    sa.Column(
        "request_id",
        sa.Integer,
        sa.ForeignKey("evidence_requests.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("camera_id", sa.Text, primary_key=True),
    sa.Column("borough_code", sa.Text, nullable=False),
    sa.Column("owner_type", sa.Text, nullable=False),
    sa.Column("level", sa.Text, nullable=True),
    sa.Column("retention_days", sa.BigInteger, nullable=True),
    sa.Column("retention_ends_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("export_formats", sa.Text, nullable=False),
    sa.Column("outside_retention", sa.Boolean, nullable=False),
)
"""The cameras a request covers."""

evidence_items = sa.Table(
    "evidence_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "request_id",
        sa.Integer,
        sa.ForeignKey("evidence_requests.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("camera_id", sa.Text, nullable=False),
    sa.Column("clock_offset_s", sa.Float, nullable=True),
    sa.Column("intake_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("intake_by", sa.Text, nullable=False),
    sa.Column("origin", sa.Text, nullable=False),
    sa.UniqueConstraint("request_id", "sha256"),
    sqlite_autoincrement=True,
)
"""Supplied evidence files (masters in the vault), by request."""

EVIDENCE_TABLES: tuple[sa.Table, ...] = (evidence_requests, request_cameras, evidence_items)
"""The evidence tables, parents first."""
