"""Regions: any area as an input, with its area units and layers.

``regions`` (name, title, metric CRS), ``region_areas`` (the area units an estate
of the region takes as its boroughs), ``region_layers`` (one row per layer read,
with the source file and its SHA-256) and the layers' features:
``region_small_areas``, ``region_crime_points`` and ``region_features``. Geometry
columns take any SRID: a region is in British National Grid inside Great Britain
and in a UTM zone elsewhere (``regions.crs_epsg``). Written out in full, like 0001.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 22:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from cctvscope.store.tables import GeometryType

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _region_key(table: str) -> list[Any]:
    """``region_id`` (cascading to ``regions``) and ``position`` columns and constraints."""
    return [
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f(f"fk_{table}_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("region_id", "position", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    """Create the region tables."""
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("crs_epsg", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("name", name=op.f("uq_regions_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "region_areas",
        *_region_key("region_areas"),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("geometry", GeometryType("GEOMETRY", srid=None), nullable=False),
        sa.UniqueConstraint("region_id", "code", name=op.f("uq_region_areas_region_id_code")),
    )
    op.create_table(
        "region_layers",
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("feature_count", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_region_layers_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("region_id", "name", name=op.f("pk_region_layers")),
    )
    op.create_table(
        "region_small_areas",
        *_region_key("region_small_areas"),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("area_code", sa.Text(), nullable=True),
        sa.Column("population", sa.BigInteger(), nullable=True),
        sa.Column("crimes", sa.BigInteger(), nullable=True),
        sa.Column("geometry", GeometryType("GEOMETRY", srid=None), nullable=False),
    )
    op.create_table(
        "region_crime_points",
        *_region_key("region_crime_points"),
        sa.Column("month", sa.Text(), nullable=False),
        sa.Column("crime_type", sa.Text(), nullable=False),
        sa.Column("x_m", sa.Float(), nullable=False),
        sa.Column("y_m", sa.Float(), nullable=False),
        sa.Column("small_area_code", sa.Text(), nullable=True),
    )
    op.create_table(
        "region_features",
        *_region_key("region_features"),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("osm_id", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("geometry", GeometryType("GEOMETRY", srid=None), nullable=False),
    )
    op.create_index(
        "ix_region_features_region_kind", "region_features", ["region_id", "kind"], unique=False
    )


def downgrade() -> None:
    """Drop the region tables (every stored region goes with them)."""
    op.drop_index("ix_region_features_region_kind", table_name="region_features")
    for table in (
        "region_features",
        "region_crime_points",
        "region_small_areas",
        "region_layers",
        "region_areas",
        "regions",
    ):
        op.drop_table(table)
