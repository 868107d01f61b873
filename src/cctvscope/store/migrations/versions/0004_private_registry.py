"""Private camera registry: the ``private_registrations`` table.

One row per private camera a business has registered, by estate name and camera
id (unique together), with the business's contact, its consents and the
registry's verification status. Written out in full, like 0001.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 23:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``private_registrations`` and its (estate name, business) index."""
    op.create_table(
        "private_registrations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("estate_name", sa.Text(), nullable=False),
        sa.Column("business_id", sa.Text(), nullable=False),
        sa.Column("camera_id", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("consent_contact", sa.Boolean(), nullable=False),
        sa.Column("consent_share", sa.Boolean(), nullable=False),
        sa.Column("verification_status", sa.Text(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_registrations")),
        sa.UniqueConstraint(
            "estate_name",
            "camera_id",
            name=op.f("uq_private_registrations_estate_name_camera_id"),
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_private_registrations_estate_business",
        "private_registrations",
        ["estate_name", "business_id"],
        unique=False,
    )


def downgrade() -> None:
    """Drop ``private_registrations`` (the stored registrations go with it)."""
    op.drop_index("ix_private_registrations_estate_business", table_name="private_registrations")
    op.drop_table("private_registrations")
