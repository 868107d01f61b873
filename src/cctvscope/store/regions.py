"""Save, list and load stored regions (:mod:`cctvscope.store.region_tables`).

A region is written in one transaction (every layer or nothing) and never
changed afterwards: to change one, make a new region under another name.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa

from cctvscope.errors import StoreError, UnknownRegionError
from cctvscope.store.region_tables import (
    region_areas,
    region_crime_points,
    region_features,
    region_layers,
    region_small_areas,
    regions,
)
from cctvscope.store.repository import EngineOrUrl, _database_errors, _engine


@dataclass(frozen=True)
class LayerInfo:
    """One layer of a region: what it holds, how many features, the file it came from."""

    name: str
    kind: str
    feature_count: int
    source: str
    sha256: str
    created_at: dt.datetime


@dataclass(frozen=True)
class RegionInfo:
    """A stored region: its name, title (names outputs), metric CRS, areas and layers."""

    name: str
    title: str
    crs_epsg: int
    created_at: dt.datetime
    areas: int
    layers: tuple[LayerInfo, ...]
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def crs(self) -> str:
        """The region's CRS as ``EPSG:<code>``."""
        return f"EPSG:{self.crs_epsg}"


@dataclass(frozen=True)
class RegionData:
    """A region's layers, each in the region's CRS.

    ``areas``: code, name, geometry. ``small_areas``: code, name, area_code,
    population, crimes, geometry. ``crime``: month, crime_type, x_m, y_m,
    small_area_code. ``features``: kind, osm_id, name, geometry. Missing layers are
    empty frames with these columns.
    """

    info: RegionInfo
    areas: gpd.GeoDataFrame
    small_areas: gpd.GeoDataFrame
    crime: pd.DataFrame
    features: gpd.GeoDataFrame


AREA_COLUMNS = ["code", "name"]
SMALL_AREA_COLUMNS = ["code", "name", "area_code", "population", "crimes"]
CRIME_COLUMNS = ["month", "crime_type", "x_m", "y_m", "small_area_code"]
FEATURE_COLUMNS = ["kind", "osm_id", "name"]


def _plain(value: Any) -> Any:
    """A cell as a driver value: NA and NaN become NULL, numpy scalars Python ones."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _rows(region_id: int, frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """Insert parameters: ``region_id``, ``position`` and the columns (plus geometry)."""
    names = [*columns, "geometry"] if isinstance(frame, gpd.GeoDataFrame) else columns
    values = [frame[c].array if c != "geometry" else frame.geometry.array for c in names]
    return [
        {
            "region_id": region_id,
            "position": i,
            **{n: _plain(v) for n, v in zip(names, row, strict=True)},
        }
        for i, row in enumerate(zip(*values, strict=True))
    ]


def save_region(engine: EngineOrUrl, data: RegionData) -> RegionInfo:
    """Store a new region with all its layers in one transaction; the region as stored.

    Raises
    ------
    StoreError
        When a region of that name exists, or the database refuses the write.
    """
    info = data.info
    with (
        _engine(engine) as eng,
        _database_errors(f"saving region {info.name!r}"),
        eng.begin() as connection,
    ):
        taken = connection.execute(
            sa.select(regions.c.id).where(regions.c.name == info.name)
        ).first()
        if taken is not None:
            raise StoreError(f"a region named {info.name!r} exists; choose another name")
        inserted = connection.execute(
            regions.insert().values(
                name=info.name,
                title=info.title,
                crs_epsg=info.crs_epsg,
                created_at=info.created_at,
                metadata=dict(info.metadata),
            )
        ).inserted_primary_key
        assert inserted is not None, "an insert into regions returns its id"
        region_id = int(inserted[0])
        writes = (
            (region_areas, data.areas, AREA_COLUMNS),
            (region_small_areas, data.small_areas, SMALL_AREA_COLUMNS),
            (region_crime_points, data.crime, CRIME_COLUMNS),
            (region_features, data.features, FEATURE_COLUMNS),
        )
        for table, frame, columns in writes:
            rows = _rows(int(region_id), frame, columns)
            if rows:
                connection.execute(table.insert(), rows)
        layers = [{"region_id": region_id, **layer.__dict__} for layer in info.layers]
        if layers:
            connection.execute(region_layers.insert(), layers)
    stored = region_info(engine, info.name)
    assert stored is not None, "a region just saved can be read back"
    return stored


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back: they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def list_regions(engine: EngineOrUrl) -> list[RegionInfo]:
    """Every stored region, by name."""
    with (
        _engine(engine) as eng,
        _database_errors("listing regions"),
        eng.connect() as connection,
    ):
        heads = connection.execute(sa.select(regions).order_by(regions.c.name)).all()
        counts: dict[int, int] = dict(
            connection.execute(
                sa.select(region_areas.c.region_id, sa.func.count()).group_by(
                    region_areas.c.region_id
                )
            ).all()
        )
        layer_rows = connection.execute(
            sa.select(region_layers).order_by(region_layers.c.created_at, region_layers.c.name)
        ).all()
    layers: dict[int, list[LayerInfo]] = {}
    for row in layer_rows:
        layers.setdefault(row.region_id, []).append(
            LayerInfo(
                row.name,
                row.kind,
                row.feature_count,
                row.source,
                row.sha256,
                _utc(row.created_at),
            )
        )
    return [
        RegionInfo(
            name=head.name,
            title=head.title,
            crs_epsg=head.crs_epsg,
            created_at=_utc(head.created_at),
            areas=int(counts.get(head.id, 0)),
            layers=tuple(layers.get(head.id, [])),
            metadata=dict(head.metadata),
        )
        for head in heads
    ]


def region_info(engine: EngineOrUrl, name: str) -> RegionInfo | None:
    """The stored region called ``name``, or None."""
    return next((r for r in list_regions(engine) if r.name == name), None)


def _frame(
    connection: sa.Connection, table: sa.Table, region_id: int, columns: list[str], crs: str | None
) -> pd.DataFrame:
    """A region's rows of ``table`` in stored order (a GeoDataFrame when ``crs`` is given)."""
    names = [*columns, "geometry"] if crs else columns
    rows = connection.execute(
        sa.select(*(table.c[c] for c in names))
        .where(table.c.region_id == region_id)
        .order_by(table.c.position)
    ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=names)
    if crs is None:
        return frame
    geo = gpd.GeoDataFrame(
        frame.drop(columns="geometry"), geometry=list(frame["geometry"]), crs=crs
    )
    return cast(pd.DataFrame, geo)


def load_region_data(engine: EngineOrUrl, name: str) -> RegionData:
    """Every layer of the stored region ``name``.

    Raises
    ------
    StoreError
        When there is no such region (the message lists those there are).
    """
    infos = list_regions(engine)
    info = next((r for r in infos if r.name == name), None)
    if info is None:
        known = ", ".join(r.name for r in infos) or "none yet"
        raise UnknownRegionError(f"no region named {name!r}; regions: {known}")
    with (
        _engine(engine) as eng,
        _database_errors(f"loading region {name!r}"),
        eng.connect() as connection,
    ):
        region_id = connection.execute(
            sa.select(regions.c.id).where(regions.c.name == name)
        ).scalar_one()
        crs = info.crs
        areas = _frame(connection, region_areas, region_id, AREA_COLUMNS, crs)
        small = _frame(connection, region_small_areas, region_id, SMALL_AREA_COLUMNS, crs)
        crime = _frame(connection, region_crime_points, region_id, CRIME_COLUMNS, None)
        features = _frame(connection, region_features, region_id, FEATURE_COLUMNS, crs)
    for column in ("population", "crimes"):
        small[column] = small[column].astype("Int64")
    crime = crime.astype({"x_m": float, "y_m": float})
    return RegionData(info, areas, small, crime, features)


def delete_region(engine: EngineOrUrl, name: str) -> bool:
    """Remove the region ``name`` with its layers; False when there was none."""
    with (
        _engine(engine) as eng,
        _database_errors(f"deleting region {name!r}"),
        eng.begin() as connection,
    ):
        region_id = connection.execute(
            sa.select(regions.c.id).where(regions.c.name == name)
        ).scalar()
        if region_id is None:
            return False
        # SQLite enforces no foreign keys unless asked: delete the children explicitly.
        for table in (
            region_layers,
            region_areas,
            region_small_areas,
            region_crime_points,
            region_features,
        ):
            connection.execute(table.delete().where(table.c.region_id == region_id))
        connection.execute(regions.delete().where(regions.c.id == region_id))
    return True
