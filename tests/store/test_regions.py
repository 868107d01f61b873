"""Stored regions round-trip on both backends, in BNG and in a UTM zone."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from cctvscope.errors import StoreError
from cctvscope.store.regions import (
    LayerInfo,
    RegionData,
    RegionInfo,
    delete_region,
    list_regions,
    load_region_data,
    save_region,
)

AT = dt.datetime(2026, 12, 3, 22, 0, tzinfo=dt.UTC)


def region(name: str, epsg: int, x0: float, y0: float) -> RegionData:
    """Two square areas, one small area, one crime and one building at (x0, y0) in ``epsg``."""
    crs = f"EPSG:{epsg}"
    squares = [
        shapely.box(x0, y0, x0 + 1000, y0 + 1000),
        shapely.box(x0 + 1000, y0, x0 + 2000, y0 + 1000),
    ]
    layer = LayerInfo("areas", "boundaries", 2, "areas.geojson", "0" * 64, AT)
    info = RegionInfo(name, name.title(), epsg, AT, 2, (layer,), {"note": "test"})
    small = gpd.GeoDataFrame(
        {
            "code": ["S1"],
            "name": ["Small"],
            "area_code": ["A1"],
            "population": pd.array([120], dtype="Int64"),
            "crimes": pd.array([pd.NA], dtype="Int64"),
        },
        geometry=[squares[0]],
        crs=crs,
    )
    return RegionData(
        info,
        gpd.GeoDataFrame({"code": ["A1", "A2"], "name": ["One", "Two"]}, geometry=squares, crs=crs),
        small,
        pd.DataFrame(
            {
                "month": ["2024-03"],
                "crime_type": ["Burglary"],
                "x_m": [x0 + 10.5],
                "y_m": [y0 + 20.25],
                "small_area_code": [None],
            }
        ),
        gpd.GeoDataFrame(
            {"kind": ["building"], "osm_id": ["way/1"], "name": [""]},
            geometry=[shapely.box(x0, y0, x0 + 10, y0 + 10)],
            crs=crs,
        ),
    )


@pytest.mark.parametrize(
    ("epsg", "x0", "y0"), [(27700, 390_000, 390_000), (32631, 450_000, 5_400_000)]
)
def test_region_round_trip(store, epsg, x0, y0):
    data = region("heatons", epsg, x0, y0)
    saved = save_region(store, data)
    assert saved == data.info
    assert list_regions(store) == [data.info]
    got = load_region_data(store, "heatons")
    assert got.areas.crs.to_epsg() == epsg
    assert list(got.areas["code"]) == ["A1", "A2"]
    assert got.areas.geometry.area.tolist() == [1e6, 1e6]
    assert got.small_areas["population"].tolist() == [120]
    assert got.small_areas["crimes"].isna().all()
    assert got.crime[["x_m", "y_m"]].to_numpy().tolist() == [[x0 + 10.5, y0 + 20.25]]
    assert got.features["osm_id"].tolist() == ["way/1"]
    with pytest.raises(StoreError, match="exists"):
        save_region(store, data)
    assert delete_region(store, "heatons")
    assert list_regions(store) == []
    with pytest.raises(StoreError, match="no region named 'heatons'; regions: none yet"):
        load_region_data(store, "heatons")
