"""Code of Practice self-assessments: the ``cop_assessments`` table.

One row per submitted self-assessment of a borough against the Surveillance
Camera Code of Practice questionnaire. It refers to the estate by name, not by a
foreign key to ``estates``: an assessment belongs to a borough and outlives the
estate's versions. Written out in full, like 0001.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``cop_assessments`` and its (estate name, borough) index."""
    op.create_table(
        "cop_assessments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("estate_name", sa.Text(), nullable=False),
        sa.Column("borough_code", sa.Text(), nullable=False),
        sa.Column("questionnaire_id", sa.Text(), nullable=False),
        sa.Column("questionnaire_version", sa.Text(), nullable=False),
        sa.Column("assessor", sa.Text(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("principle_scores", sa.JSON(), nullable=False),
        sa.Column("overall_share", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cop_assessments")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_cop_assessments_estate_borough",
        "cop_assessments",
        ["estate_name", "borough_code"],
        unique=False,
    )


def downgrade() -> None:
    """Drop ``cop_assessments`` (the stored assessments go with it)."""
    op.drop_index("ix_cop_assessments_estate_borough", table_name="cop_assessments")
    op.drop_table("cop_assessments")
