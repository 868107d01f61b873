"""Jobs of the web app in the store: long actions' state and progress, for every process.

``web_jobs`` holds each control-room run, survey import and registration started from
the web: its state, status line and progress, updated as it advances, so that any
process of ``cctvscope serve --workers N`` answers its status (they were in one
process's memory before).

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-04 08:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``web_jobs``."""
    op.create_table(
        "web_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_jobs")),
    )
    op.create_index("ix_web_jobs_kind_created_at", "web_jobs", ["kind", "created_at"], unique=False)


def downgrade() -> None:
    """Drop ``web_jobs``."""
    op.drop_index("ix_web_jobs_kind_created_at", table_name="web_jobs")
    op.drop_table("web_jobs")
