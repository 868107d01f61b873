"""Real-data attributes: what borough registers carry, and provenance of figures.

Cameras gain make, model, IR range, VMS, fault notes, data custodian, last update
and ``catalogue_fields`` (attributes filled from the camera-model catalogue);
control rooms gain their VMS; evidence statistics the request turnaround; cost
items a provenance (``assumed`` for the assumptions file's figures). Existing rows
take the entity defaults, so every stored estate stays loadable.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 21:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, column, type, nullable, default for existing rows)
COLUMNS: tuple[tuple[str, str, sa.types.TypeEngine[Any], bool, str | None], ...] = (
    ("cameras", "catalogue_fields", sa.Text(), False, ""),
    ("cameras", "make", sa.Text(), False, ""),
    ("cameras", "model", sa.Text(), False, ""),
    ("cameras", "ir_range_m", sa.Float(), True, None),
    ("cameras", "vms", sa.Text(), False, ""),
    ("cameras", "fault_notes", sa.Text(), False, ""),
    ("cameras", "custodian", sa.Text(), False, ""),
    ("cameras", "last_updated", sa.Date(), True, None),
    ("control_rooms", "vms", sa.Text(), False, ""),
    ("evidence_stats", "turnaround_days", sa.Float(), True, None),
    ("cost_items", "provenance", sa.Text(), False, "assumed"),
)


def upgrade() -> None:
    """Add the columns; existing rows get the default, which is then dropped."""
    for table, column, type_, nullable, default in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(
                    column,
                    type_,
                    nullable=nullable,
                    server_default=None if default is None else sa.text(f"'{default}'"),
                )
            )
        if default is not None:
            with op.batch_alter_table(table) as batch:
                batch.alter_column(column, server_default=None)


def downgrade() -> None:
    """Drop the columns (their values go with them)."""
    for table, column, *_ in reversed(COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
