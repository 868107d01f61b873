"""Police evidence requests: ``evidence_requests``, ``request_cameras``, ``evidence_items``.

A request goes to one footage holder for one place and time window; its cameras
and the supplied files (by SHA-256 in the evidence vault) hang off it and go with
it. No foreign keys to estate versions: a request outlives them. Written out in
full, like 0001.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the three evidence tables and the (borough, owner type) index."""
    op.create_table(
        "evidence_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("owner_type", sa.Text(), nullable=False),
        sa.Column("borough_code", sa.Text(), nullable=False),
        sa.Column("place_x_m", sa.Float(), nullable=False),
        sa.Column("place_y_m", sa.Float(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("outside_retention", sa.Boolean(), nullable=False),
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("supplied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_requests")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_evidence_requests_borough_owner",
        "evidence_requests",
        ["borough_code", "owner_type"],
        unique=False,
    )
    op.create_table(
        "request_cameras",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Text(), nullable=False),
        sa.Column("borough_code", sa.Text(), nullable=False),
        sa.Column("owner_type", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=True),
        sa.Column("retention_days", sa.BigInteger(), nullable=True),
        sa.Column("retention_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("export_formats", sa.Text(), nullable=False),
        sa.Column("outside_retention", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["evidence_requests.id"],
            name=op.f("fk_request_cameras_request_id_evidence_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "camera_id", name=op.f("pk_request_cameras")),
    )
    op.create_table(
        "evidence_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("camera_id", sa.Text(), nullable=False),
        sa.Column("clock_offset_s", sa.Float(), nullable=True),
        sa.Column("intake_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("intake_by", sa.Text(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["evidence_requests.id"],
            name=op.f("fk_evidence_items_request_id_evidence_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_items")),
        sa.UniqueConstraint(
            "request_id", "sha256", name=op.f("uq_evidence_items_request_id_sha256")
        ),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    """Drop the evidence tables (stored requests go with them; the vault's files stay)."""
    op.drop_table("evidence_items")
    op.drop_table("request_cameras")
    op.drop_index("ix_evidence_requests_borough_owner", table_name="evidence_requests")
    op.drop_table("evidence_requests")
