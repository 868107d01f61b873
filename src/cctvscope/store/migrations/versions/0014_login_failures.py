"""Failed logins in the store, so that the login rate limit holds across server processes.

``login_failures`` holds one row per failed login of the last rate-limit window. The
limiter counted in one process's memory: with ``cctvscope serve --workers N`` a password
sprayer got N times the attempts, one budget per process.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``login_failures``."""
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("pair_counted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index("ix_login_failures_ip_at", "login_failures", ["ip", "at"], unique=False)
    op.create_index(
        "ix_login_failures_username_ip", "login_failures", ["username", "ip"], unique=False
    )
    op.create_index("ix_login_failures_at", "login_failures", ["at"], unique=False)


def downgrade() -> None:
    """Drop ``login_failures``."""
    op.drop_index("ix_login_failures_at", table_name="login_failures")
    op.drop_index("ix_login_failures_username_ip", table_name="login_failures")
    op.drop_index("ix_login_failures_ip_at", table_name="login_failures")
    op.drop_table("login_failures")
