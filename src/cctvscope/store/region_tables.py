"""The tables of stored regions, on the store's one ``MetaData``.

A region is an area a user works in (London, a metropolitan borough, a police
force area): its area units (``region_areas``, the future estates' boroughs), and
the layers read for it (``region_layers``, one row per layer with its source file
and SHA-256), whose features live in ``region_small_areas``, ``region_crime_points``
and ``region_features``. Rows of a region hang off ``regions.id`` and go with it.

Geometry is in the region's metric CRS (``regions.crs_epsg``: British National Grid
in Great Britain, a UTM zone elsewhere), so the geometry columns take any SRID.
Imported at the end of :mod:`cctvscope.store.tables`, so Alembic sees them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from cctvscope.store.tables import GeometryType, metadata


def _region_key() -> list[sa.Column[Any]]:
    """``region_id`` and ``position``: which region a row belongs to, and its order."""
    return [
        sa.Column(
            "region_id",
            sa.Integer,
            sa.ForeignKey("regions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer, primary_key=True),
    ]


regions = sa.Table(
    "regions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("crs_epsg", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("metadata", sa.JSON, nullable=False),
    sqlite_autoincrement=True,
)
"""One row per region: its name (the key users type), title (names outputs) and CRS."""

region_areas = sa.Table(
    "region_areas",
    metadata,
    *_region_key(),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("geometry", GeometryType("GEOMETRY", srid=None), nullable=False),
    sa.UniqueConstraint("region_id", "code"),
)
"""The region's area units (boroughs, wards, districts, ...): code, name, polygon."""

region_layers = sa.Table(
    "region_layers",
    metadata,
    sa.Column(
        "region_id",
        sa.Integer,
        sa.ForeignKey("regions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("feature_count", sa.Integer, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
"""Each layer of a region: what it is, how many features, and the file it came from."""

region_small_areas = sa.Table(
    "region_small_areas",
    metadata,
    *_region_key(),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("area_code", sa.Text, nullable=True),
    sa.Column("population", sa.BigInteger, nullable=True),
    sa.Column("crimes", sa.BigInteger, nullable=True),
    sa.Column("geometry", GeometryType("GEOMETRY", srid=None), nullable=False),
)
"""Small statistical areas (LSOAs, output areas): the area unit each lies in, population,
recorded crimes (None where not known)."""

region_crime_points = sa.Table(
    "region_crime_points",
    metadata,
    *_region_key(),
    sa.Column("month", sa.Text, nullable=False),
    sa.Column("crime_type", sa.Text, nullable=False),
    sa.Column("x_m", sa.Float, nullable=False),
    sa.Column("y_m", sa.Float, nullable=False),
    sa.Column("small_area_code", sa.Text, nullable=True),
)
"""Street-level crimes (police.uk points) in the region's CRS [m]."""

region_features = sa.Table(
    "region_features",
    metadata,
    *_region_key(),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("osm_id", sa.Text, nullable=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("geometry", GeometryType("GEOMETRY", srid=None), nullable=False),
    sa.Index("ix_region_features_region_kind", "region_id", "kind"),
)
"""Map features of the region: buildings, streets, police stations (``osm_id`` like
``way/123`` when from OpenStreetMap)."""

REGION_TABLES: tuple[sa.Table, ...] = (
    regions,
    region_areas,
    region_layers,
    region_small_areas,
    region_crime_points,
    region_features,
)
"""Every region table, parents first."""
