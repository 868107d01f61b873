"""Initial schema: estates, the seven estate tables, findings and runs.

Written out in full (not built from the live metadata) so that it stays what it
was when later migrations change the tables; ``tests/store`` checks that the
migrated schema equals ``cctvscope.store.tables.metadata``. On PostgreSQL it
first enables PostGIS and gives each geometry column a GiST index.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 21:53:57.295144
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from cctvscope.store.tables import GeometryType

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create every store table (and, on PostgreSQL, PostGIS and the GiST indexes)."""
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "estates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("region_name", sa.Text(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("input_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estates")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_estates_name_version")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "boroughs",
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("gss_code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("inner_outer", sa.Text(), nullable=False),
        sa.Column("area_km2", sa.Float(), nullable=False),
        sa.Column("population", sa.BigInteger(), nullable=False),
        sa.Column("recorded_crimes_per_year", sa.BigInteger(), nullable=False),
        sa.Column("cost_profile", sa.Text(), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("geometry", GeometryType("GEOMETRY"), nullable=True),
        sa.ForeignKeyConstraint(
            ["estate_id"],
            ["estates.id"],
            name=op.f("fk_boroughs_estate_id_estates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("estate_id", "position", name=op.f("pk_boroughs")),
    )
    op.create_index("ux_boroughs_id", "boroughs", ["estate_id", "gss_code"], unique=True)
    op.create_table(
        "cameras",
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Text(), nullable=False),
        sa.Column("owner_type", sa.Text(), nullable=False),
        sa.Column("operator", sa.Text(), nullable=False),
        sa.Column("borough_code", sa.Text(), nullable=False),
        sa.Column("x_m", sa.Float(), nullable=False),
        sa.Column("y_m", sa.Float(), nullable=False),
        sa.Column("location_text", sa.Text(), nullable=False),
        sa.Column("mount_height_m", sa.Float(), nullable=False),
        sa.Column("heading_deg", sa.Float(), nullable=False),
        sa.Column("hfov_deg", sa.Float(), nullable=False),
        sa.Column("tilt_deg", sa.Float(), nullable=False),
        sa.Column("ptz", sa.Boolean(), nullable=False),
        sa.Column("ptz_max_zoom", sa.Float(), nullable=False),
        sa.Column("sensor_width_mm", sa.Float(), nullable=True),
        sa.Column("focal_length_mm", sa.Float(), nullable=True),
        sa.Column("resolution_h_px", sa.BigInteger(), nullable=False),
        sa.Column("resolution_v_px", sa.BigInteger(), nullable=False),
        sa.Column("codec", sa.Text(), nullable=False),
        sa.Column("fps", sa.Float(), nullable=False),
        sa.Column("signal", sa.Text(), nullable=False),
        sa.Column("install_year", sa.BigInteger(), nullable=False),
        sa.Column("retention_days", sa.BigInteger(), nullable=False),
        sa.Column("onvif_profiles", sa.Text(), nullable=False),
        sa.Column("export_formats", sa.Text(), nullable=False),
        sa.Column("time_sync", sa.Text(), nullable=False),
        sa.Column("control_room_id", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("defaulted_fields", sa.Text(), nullable=False),
        sa.Column("geometry", GeometryType("POINT"), nullable=True),
        sa.ForeignKeyConstraint(
            ["estate_id"],
            ["estates.id"],
            name=op.f("fk_cameras_estate_id_estates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("estate_id", "position", name=op.f("pk_cameras")),
    )
    op.create_index("ux_cameras_id", "cameras", ["estate_id", "camera_id"], unique=True)
    op.create_table(
        "contracts",
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Text(), nullable=False),
        sa.Column("borough_code", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("supplier", sa.Text(), nullable=False),
        sa.Column("annual_value_gbp", sa.Float(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["estate_id"],
            ["estates.id"],
            name=op.f("fk_contracts_estate_id_estates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("estate_id", "position", name=op.f("pk_contracts")),
    )
    op.create_index("ux_contracts_id", "contracts", ["estate_id", "contract_id"], unique=True)
    op.create_table(
        "control_rooms",
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("operator_kind", sa.Text(), nullable=False),
        sa.Column("operator", sa.Text(), nullable=False),
        sa.Column("borough_code", sa.Text(), nullable=True),
        sa.Column("served_boroughs", sa.Text(), nullable=False),
        sa.Column("x_m", sa.Float(), nullable=False),
        sa.Column("y_m", sa.Float(), nullable=False),
        sa.Column("operator_positions", sa.BigInteger(), nullable=False),
        sa.Column("hours_per_day", sa.Float(), nullable=False),
        sa.Column("days_per_week", sa.Float(), nullable=False),
        sa.Column("staff_fte", sa.Float(), nullable=False),
        sa.Column("screens_per_operator", sa.BigInteger(), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("geometry", GeometryType("POINT"), nullable=True),
        sa.ForeignKeyConstraint(
            ["estate_id"],
            ["estates.id"],
            name=op.f("fk_control_rooms_estate_id_estates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("estate_id", "position", name=op.f("pk_control_rooms")),
    )
    op.create_index("ux_control_rooms_id", "control_rooms", ["estate_id", "room_id"], unique=True)
    op.create_table(
        "cost_items",
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("profile", sa.Text(), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("value_gbp", sa.Float(), nullable=False),
        sa.Column("per", sa.Text(), nullable=False),
        sa.Column("price_base_year", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["estate_id"],
            ["estates.id"],
            name=op.f("fk_cost_items_estate_id_estates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("estate_id", "position", name=op.f("pk_cost_items")),
    )
    op.create_index("ux_cost_items_id", "cost_items", ["estate_id", "profile", "item"], unique=True)
    op.create_table(
        "evidence_stats",
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("borough_code", sa.Text(), nullable=False),
        sa.Column("year", sa.BigInteger(), nullable=False),
        sa.Column("requests_per_year", sa.BigInteger(), nullable=False),
        sa.Column("footage_available_share", sa.Float(), nullable=False),
        sa.Column("retrieval_model", sa.Text(), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["estate_id"],
            ["estates.id"],
            name=op.f("fk_evidence_stats_estate_id_estates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("estate_id", "position", name=op.f("pk_evidence_stats")),
    )
    op.create_index(
        "ux_evidence_stats_id", "evidence_stats", ["estate_id", "borough_code", "year"], unique=True
    )
    op.create_table(
        "findings",
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("table", sa.Text(), nullable=True),
        sa.Column("record_id", sa.Text(), nullable=True),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("field", sa.Text(), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["estate_id"],
            ["estates.id"],
            name=op.f("fk_findings_estate_id_estates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("estate_id", "position", name=op.f("pk_findings")),
    )
    op.create_table(
        "links",
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Text(), nullable=False),
        sa.Column("camera_id", sa.Text(), nullable=False),
        sa.Column("control_room_id", sa.Text(), nullable=False),
        sa.Column("link_type", sa.Text(), nullable=False),
        sa.Column("bandwidth_mbps", sa.Float(), nullable=False),
        sa.Column("length_km", sa.Float(), nullable=False),
        sa.Column("annual_cost_gbp", sa.Float(), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["estate_id"],
            ["estates.id"],
            name=op.f("fk_links_estate_id_estates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("estate_id", "position", name=op.f("pk_links")),
    )
    op.create_index("ux_links_id", "links", ["estate_id", "link_id"], unique=True)
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("input_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("cctvscope_version", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["estate_id"],
            ["estates.id"],
            name=op.f("fk_runs_estate_id_estates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_runs_estate_id"), "runs", ["estate_id"], unique=False)
    if postgres:
        for table in ("boroughs", "control_rooms", "cameras"):
            op.create_index(f"ix_{table}_geometry", table, ["geometry"], postgresql_using="gist")


def downgrade() -> None:
    """Drop every store table (PostGIS stays: other objects in the database may use it)."""
    op.drop_index(op.f("ix_runs_estate_id"), table_name="runs")
    op.drop_table("runs")
    op.drop_index("ux_links_id", table_name="links")
    op.drop_table("links")
    op.drop_table("findings")
    op.drop_index("ux_evidence_stats_id", table_name="evidence_stats")
    op.drop_table("evidence_stats")
    op.drop_index("ux_cost_items_id", table_name="cost_items")
    op.drop_table("cost_items")
    op.drop_index("ux_control_rooms_id", table_name="control_rooms")
    op.drop_table("control_rooms")
    op.drop_index("ux_contracts_id", table_name="contracts")
    op.drop_table("contracts")
    op.drop_index("ux_cameras_id", table_name="cameras")
    op.drop_table("cameras")
    op.drop_index("ux_boroughs_id", table_name="boroughs")
    op.drop_table("boroughs")
    op.drop_table("estates")
