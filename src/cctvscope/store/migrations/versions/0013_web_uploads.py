"""Previewed survey uploads in the store, so that any server process takes the confirm.

``web_uploads`` holds a previewed survey file until its confirm (or the uploader's next
preview, or its expiry), with every finding of the preview as CSV. They were kept in one
process's memory and temporary folder: with ``cctvscope serve --workers N`` a confirm
that reached another process found nothing.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 12:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``web_uploads``."""
    op.create_table(
        "web_uploads",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("borough", sa.Text(), nullable=False),
        sa.Column("kept_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("findings_csv", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_uploads")),
    )
    op.create_index("ix_web_uploads_kept_at", "web_uploads", ["kept_at"], unique=False)


def downgrade() -> None:
    """Drop ``web_uploads``."""
    op.drop_index("ix_web_uploads_kept_at", table_name="web_uploads")
    op.drop_table("web_uploads")
