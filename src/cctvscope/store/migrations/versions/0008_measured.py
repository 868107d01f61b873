"""Measured attributes: what a live ONVIF audit read from the device itself.

Cameras gain ``measured_fields`` (the attributes a live audit read from the
device, provenance ``measured``) and ``measured_at`` (when, ISO 8601 UTC).
Existing rows take the entity defaults (empty), so every stored estate stays
loadable.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 03:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: tuple[str, ...] = ("measured_fields", "measured_at")


def upgrade() -> None:
    """Add the columns; existing rows get the empty string, whose default is then dropped."""
    for column in COLUMNS:
        with op.batch_alter_table("cameras") as batch:
            batch.add_column(
                sa.Column(column, sa.Text(), nullable=False, server_default=sa.text("''"))
            )
        with op.batch_alter_table("cameras") as batch:
            batch.alter_column(column, server_default=None)


def downgrade() -> None:
    """Drop the columns (their values go with them)."""
    for column in reversed(COLUMNS):
        with op.batch_alter_table("cameras") as batch:
            batch.drop_column(column)
