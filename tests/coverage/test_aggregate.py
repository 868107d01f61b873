"""Coverage aggregation on hand-built scenes whose areas are worked out by hand."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from cctvscope.coverage.aggregate import coverage_unions, covered_km2_table, crimes_in_coverage
from cctvscope.coverage.detail import DetailLevel, detail_distance_m
from cctvscope.coverage.wedges import polygonised_sector_area_m2
from cctvscope.crs import BNG

BOROUGH = gpd.GeoDataFrame(
    {"gss_code": ["E09000001", "E09000002"]},
    geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)],
    crs=BNG,
)


def _cams(rows):
    return pd.DataFrame(
        rows,
        columns=[
            "camera_id",
            "borough_code",
            "x_m",
            "y_m",
            "heading_deg",
            "hfov_deg",
            "resolution_h_px",
        ],
    )


def test_disjoint_and_identical_wedges():
    # 1920 px, 90°: Detect reach = 1920 / (2·25·tan 45°) = 38.4 m.
    reach = 1920 / (2 * 25 * math.tan(math.radians(45)))
    assert float(detail_distance_m(1920, 90, 25)) == pytest.approx(reach)
    one = float(polygonised_sector_area_m2(reach, 90, 16))
    cams = _cams(
        [
            ("a", "E09000001", 200, 200, 0, 90, 1920),
            ("b", "E09000001", 600, 600, 0, 90, 1920),  # disjoint from a
            ("c", "E09000001", 600, 600, 0, 90, 1920),  # identical to b: no extra area
        ]
    )
    unions = coverage_unions(cams, BOROUGH, [DetailLevel.DETECT])
    table = covered_km2_table(unions, BOROUGH["gss_code"])
    assert table.loc["E09000001", "detect"] == pytest.approx(2 * one / 1e6, rel=1e-9)
    assert table.loc["E09000002", "detect"] == 0.0


def test_clipped_at_borough_edge():
    # A camera on the boundary facing east (heading 90°, opening 90°): the whole wedge
    # lies east of x = 1000, in the neighbour, so its own borough is credited nothing.
    cams = _cams([("a", "E09000001", 1000, 500, 90, 90, 1920)])
    table = covered_km2_table(coverage_unions(cams, BOROUGH, [DetailLevel.DETECT]), ["E09000001"])
    assert table.loc["E09000001", "detect"] == pytest.approx(0.0, abs=1e-12)


def test_crime_spread_by_area():
    # LSOA x: the left half of borough 1 with 100 crimes; LSOA y: the right half with 50.
    lsoas = gpd.GeoDataFrame(
        {"borough_code": ["E09000001", "E09000001"], "total": [100, 50]},
        geometry=[shapely.box(0, 0, 500, 1000), shapely.box(500, 0, 1000, 1000)],
        crs=BNG,
    )
    # Coverage: a 100 m x 100 m square inside LSOA x (1/50 of it) and one straddling both.
    cover = shapely.union_all([shapely.box(100, 100, 200, 200), shapely.box(450, 0, 550, 100)])
    unions = gpd.GeoDataFrame(
        {"gss_code": ["E09000001"], "level": ["recognise"], "covered_km2": [0.02]},
        geometry=[cover],
        crs=BNG,
    )
    got = crimes_in_coverage(unions, lsoas, "recognise")
    # x: (10,000 + 5,000) / 500,000 · 100 = 3.0; y: 5,000 / 500,000 · 50 = 0.5.
    assert got["E09000001"] == pytest.approx(3.5)
