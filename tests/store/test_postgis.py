"""PostgreSQL only: estate geometry is a real PostGIS column in EPSG:27700, with GiST indexes."""

from __future__ import annotations

import pytest
import shapely
import sqlalchemy as sa

from cctvscope.store import save_estate
from cctvscope.store.tables import GEOMETRY_TYPES

pytestmark = pytest.mark.postgres


def test_geometry_columns_are_postgis(pg_store):
    with pg_store.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT f_table_name, type, srid FROM geometry_columns "
                "WHERE f_table_schema = current_schema() ORDER BY f_table_name"
            )
        ).all()
    assert rows == [
        ("boroughs", "GEOMETRY", 27700),
        ("cameras", "POINT", 27700),
        (
            "control_rooms",
            "POINT",
            27700,
        ),
        # A region's layers are in its own metric CRS (BNG or a UTM zone): any SRID.
        ("region_areas", "GEOMETRY", 0),
        ("region_features", "GEOMETRY", 0),
        ("region_small_areas", "GEOMETRY", 0),
    ]


def test_gist_indexes(pg_store):
    with pg_store.connect() as connection:
        indexes = dict(
            connection.execute(
                sa.text(
                    "SELECT tablename, indexdef FROM pg_indexes "
                    "WHERE indexname LIKE 'ix_%_geometry' AND schemaname = current_schema()"
                )
            ).all()
        )
    assert set(indexes) == set(GEOMETRY_TYPES)
    assert all("USING gist (geometry)" in d for d in indexes.values())


def test_postgis_sees_the_same_geometry(pg_store, estate):
    saved = save_estate(pg_store, estate)
    with pg_store.connect() as connection:
        srids = connection.execute(
            sa.text(
                "SELECT DISTINCT ST_SRID(geometry) FROM boroughs UNION "
                "SELECT DISTINCT ST_SRID(geometry) FROM cameras UNION "
                "SELECT DISTINCT ST_SRID(geometry) FROM control_rooms"
            )
        ).scalars()
        assert set(srids) == {27700}
        areas = dict(
            connection.execute(
                sa.text("SELECT gss_code, ST_Area(geometry) FROM boroughs ORDER BY position")
            ).all()
        )
        # Point-in-polygon in PostGIS against the same test in shapely.
        inside = dict(
            connection.execute(
                sa.text(
                    "SELECT b.gss_code, count(c.camera_id) FROM boroughs b "
                    "LEFT JOIN cameras c ON c.estate_id = b.estate_id "
                    "AND ST_Within(c.geometry, b.geometry) GROUP BY b.gss_code"
                )
            ).all()
        )
    for code, polygon in zip(saved.boroughs["gss_code"], saved.boroughs.geometry, strict=True):
        assert areas[code] == pytest.approx(polygon.area, rel=1e-12)
        expected = int(shapely.within(saved.cameras.geometry.array, polygon).sum())
        assert inside[code] == expected
    assert areas["E09000003"] == pytest.approx(1_200_000.0)
    assert inside == {"E09000001": 2, "E09000002": 2, "E09000003": 1}
