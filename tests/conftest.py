"""Shared fixtures: tiny estates built in code, so tests know every number."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator

import geopandas as gpd
import pytest
import shapely
import sqlalchemy as sa

from cctvscope.crs import BNG
from cctvscope.model import Borough, Camera, ControlRoom, Estate, Region, empty_estate
from cctvscope.model.frames import normalise_frame, records_to_frame, with_points
from cctvscope.store import init_store

PG_ENV = "CCTVSCOPE_TEST_PG_URL"


def make_camera(
    camera_id: str,
    borough_code: str = "E09000001",
    x_m: float = 0.0,
    y_m: float = 0.0,
    **kw: object,
) -> Camera:
    """A valid camera with plain defaults; keyword arguments override fields."""
    fields: dict[str, object] = {
        "camera_id": camera_id,
        "owner_type": "council",
        "operator": "Test Council",
        "borough_code": borough_code,
        "x_m": x_m,
        "y_m": y_m,
        "mount_height_m": 6.0,
        "heading_deg": 90.0,
        "hfov_deg": 60.0,
        "tilt_deg": 10.0,
        "ptz": False,
        "ptz_max_zoom": 1.0,
        "resolution_h_px": 1920,
        "resolution_v_px": 1080,
        "codec": "h264",
        "fps": 25.0,
        "signal": "ip",
        "install_year": 2015,
        "retention_days": 31,
        "time_sync": "ntp",
        "status": "operational",
        "provenance": "synthetic",
        "source": "test",
    }
    fields.update(kw)
    return Camera.model_validate(fields)


def make_room(
    room_id: str, kind: str, xy: tuple[float, float], code: str | None, **kw: object
) -> ControlRoom:
    """A valid control room (2 positions, 24/7, 16 screens); keyword arguments override fields."""
    return ControlRoom.model_validate(
        {
            "room_id": room_id,
            "name": room_id,
            "operator_kind": kind,
            "operator": "test",
            "borough_code": code,
            "served_boroughs": (code,) if code and kind == "council" else (),
            "x_m": xy[0],
            "y_m": xy[1],
            "operator_positions": 2,
            "hours_per_day": 24,
            "days_per_week": 7,
            "staff_fte": 10,
            "screens_per_operator": 16,
            "provenance": "synthetic",
            "source": "test",
        }
        | kw
    )


@pytest.fixture
def tiny_estate() -> Estate:
    """Two 1 km x 1 km boroughs side by side, four cameras with known attributes.

    Borough A (E09000001, x 500000-501000): population 2,000, 300 crimes; cameras
    a1 (council, ip, 2010), a2 (council, analogue, 2004), a3 (private, ip, 2020).
    Borough B (E09000002, x 501000-502000): population 4,000, 0 crimes; camera
    b1 (tfl, real, ip, 2018).
    """
    boroughs = [
        Borough(
            gss_code="E09000001",
            name="Alpha",
            inner_outer="Inner",
            area_km2=1.0,
            population=2000,
            recorded_crimes_per_year=300,
            cost_profile="test",
            provenance="real",
            source="test",
        ),
        Borough(
            gss_code="E09000002",
            name="Beta",
            inner_outer="Outer",
            area_km2=1.0,
            population=4000,
            recorded_crimes_per_year=0,
            cost_profile="test",
            provenance="real",
            source="test",
        ),
    ]
    polygons = [
        shapely.box(500_000, 180_000, 501_000, 181_000),
        shapely.box(501_000, 180_000, 502_000, 181_000),
    ]
    borough_frame = gpd.GeoDataFrame(
        normalise_frame(Borough, records_to_frame(Borough, boroughs)), geometry=polygons, crs=BNG
    )
    estate = empty_estate("tiny", Region(region_code="E12000007", name="London"), borough_frame)
    cameras = [
        make_camera("a1", "E09000001", 500_100, 180_100, install_year=2010),
        make_camera(
            "a2",
            "E09000001",
            500_200,
            180_200,
            install_year=2004,
            signal="analogue",
            codec="mpeg4",
            resolution_h_px=720,
            resolution_v_px=576,
        ),
        make_camera("a3", "E09000001", 500_300, 180_300, owner_type="private", install_year=2020),
        make_camera(
            "b1",
            "E09000002",
            501_500,
            180_500,
            owner_type="tfl",
            provenance="real",
            install_year=2018,
        ),
    ]
    return estate.replace_tables(cameras=with_points(records_to_frame(Camera, cameras)))


@contextlib.contextmanager
def throwaway_pg_engine(prefix: str) -> Iterator[sa.Engine]:
    """A fresh, migrated PostgreSQL database named after ``prefix``, dropped on exit.

    Skips the test when no server is configured (``scripts/pg.sh start``).
    """
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(
            f"{PG_ENV} is not set (scripts/pg.sh start; export {PG_ENV}=$(scripts/pg.sh url))"
        )
    name = f"cctvscope_{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(sa.make_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = init_store(sa.make_url(base).set(database=name))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()
