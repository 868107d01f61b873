"""Joint public/private coverage and recruitment ranking on scenes worked out by hand."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cctvscope.coverage.aggregate import crimes_in_coverage
from cctvscope.coverage.detail import DetailLevel, detail_distance_m
from cctvscope.coverage.joint import (
    JOINT_COLUMNS,
    joint_coverage,
    recruitment_candidates,
    region_totals,
)
from cctvscope.coverage.wedges import polygonised_sector_area_m2
from cctvscope.crs import BNG

A, B = "E09000001", "E09000002"
BOROUGHS = gpd.GeoDataFrame(
    {"gss_code": [A, B]},
    geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)],
    crs=BNG,
)
# 360° cameras (circles) of 16384 px: Detect reach = 16384 / (25 · 2π) = 104.3 m (the
# fisheye model spreads the pixels over the full turn), capped by a usable range of 50 m.
R = 50.0
K = 64
CIRCLE = float(polygonised_sector_area_m2(R, 360, K))  # area of one 64-gon of radius 50


def _cams(rows):
    frame = pd.DataFrame(rows, columns=["camera_id", "owner_type", "borough_code", "x_m", "y_m"])
    frame["heading_deg"] = 0.0
    frame["hfov_deg"] = 360.0
    frame["resolution_h_px"] = 16384
    return frame


def _row(table, code, level="detect"):
    return table[(table["gss_code"] == code) & (table["level"] == level)].iloc[0]


def test_circles_public_private_overlap_and_gain():
    assert float(detail_distance_m(16384, 360, DetailLevel.DETECT.px_per_m)) > R
    cams = _cams(
        [
            ("p1", "council", A, 200, 200),
            ("q1", "private", A, 200, 200),  # identical to p1: all duplication
            ("q2", "private", A, 600, 600),  # on its own: all gain
            ("p2", "tfl", B, 1500, 500),  # B has public only
        ]
    )
    table = joint_coverage(
        cams, BOROUGHS, None, [DetailLevel.DETECT], usable_range_m=R, arc_vertices=K
    )
    assert list(table.columns) == [*JOINT_COLUMNS, "geometry"]
    a = _row(table, A)
    km2 = CIRCLE / 1e6
    assert a["public_km2"] == pytest.approx(km2, rel=1e-9)
    assert a["private_km2"] == pytest.approx(2 * km2, rel=1e-9)
    assert a["joint_km2"] == pytest.approx(2 * km2, rel=1e-9)
    assert a["overlap_km2"] == pytest.approx(km2, rel=1e-9)
    assert a["private_only_km2"] == pytest.approx(km2, rel=1e-9)
    assert a["gain_km2"] == pytest.approx(km2, rel=1e-9)
    assert a["gain_pct"] == pytest.approx(100.0)
    assert a["duplication_share"] == pytest.approx(0.5)
    assert math.isnan(a["crimes"])  # no LSOA crime given
    b = _row(table, B)
    assert b["private_km2"] == 0.0 and b["gain_km2"] == 0.0 and b["gain_pct"] == 0.0
    assert math.isnan(b["duplication_share"])


def test_overlapping_circles_lens_by_hand():
    # A private circle overlapping a public one (centres 50 m apart, r = 50 m): the
    # overlap is the lens, the gain the private circle less the lens.
    cams = _cams([("p", "council", A, 300, 500), ("q", "private", A, 350, 500)])
    table = joint_coverage(
        cams, BOROUGHS, None, [DetailLevel.DETECT], usable_range_m=R, arc_vertices=K
    )
    a = _row(table, A)
    # Exact circles of r = 50 at distance d = 50: lens area = 2r²acos(d/2r) − (d/2)√(4r²−d²).
    d = 50.0
    lens = 2 * R**2 * math.acos(d / (2 * R)) - d / 2 * math.sqrt(4 * R**2 - d**2)
    circle = math.pi * R**2
    # The 64-gons are within 0.2 % of the exact circles.
    assert a["overlap_km2"] * 1e6 == pytest.approx(lens, rel=5e-3)
    assert a["gain_km2"] * 1e6 == pytest.approx(circle - lens, rel=5e-3)
    assert a["joint_km2"] * 1e6 == pytest.approx(2 * circle - lens, rel=5e-3)
    assert a["public_km2"] + a["private_only_km2"] == pytest.approx(a["joint_km2"], rel=1e-12)
    assert a["private_km2"] == pytest.approx(a["overlap_km2"] + a["private_only_km2"], rel=1e-9)


def test_crime_weighted_by_hand():
    # LSOA x = left half of A (100 crimes), y = right half (50); B has none.
    lsoas = gpd.GeoDataFrame(
        {"borough_code": [A, A], "total": [100, 50]},
        geometry=[shapely.box(0, 0, 500, 1000), shapely.box(500, 0, 1000, 1000)],
        crs=BNG,
    )
    cams = _cams([("p", "council", A, 200, 500), ("q", "private", A, 800, 500)])
    table = joint_coverage(
        cams, BOROUGHS, lsoas, [DetailLevel.DETECT], usable_range_m=R, arc_vertices=K
    )
    a = _row(table, A)
    # Public circle in x: 100 · C / 500,000; private circle in y: 50 · C / 500,000.
    assert a["crimes"] == 150
    assert a["crimes_public"] == pytest.approx(100 * CIRCLE / 500_000, rel=1e-9)
    assert a["crimes_gain"] == pytest.approx(50 * CIRCLE / 500_000, rel=1e-9)
    assert a["crime_gain_pct"] == pytest.approx(50.0, rel=1e-9)
    assert a["crime_share_joint"] == pytest.approx(150 * CIRCLE / 500_000 / 150, rel=1e-9)
    b = _row(table, B)
    assert b["crimes"] == 0 and math.isnan(b["crime_share_public"])
    # Same formula as crimes_in_coverage.
    unions = gpd.GeoDataFrame(
        {"gss_code": [A], "level": ["detect"]}, geometry=[table.geometry.iloc[0]], crs=BNG
    )
    assert crimes_in_coverage(unions, lsoas, "detect")[A] == pytest.approx(a["crimes_gain"])
    totals = region_totals(table).loc["detect"]
    assert totals["gain_km2"] == pytest.approx(CIRCLE / 1e6, rel=1e-9)
    assert totals["gain_pct"] == pytest.approx(100.0, rel=1e-9)


def test_recruitment_ranking_on_a_tiny_grid():
    # A 300 m x 200 m area of three 100 m-wide LSOA columns spanning both rows, crime
    # 60, 30, 90: each of the 6 cells of 100 m gets half its column's crime
    # (30, 15, 45 per cell). A public camera covers the centre of cell (2, 0):
    # it drops out, and the candidates are ranked by crime, ties by cell id.
    lsoas = gpd.GeoDataFrame(
        {"borough_code": [A, A, B], "total": [60, 30, 90]},
        geometry=[
            shapely.box(0, 0, 100, 200),
            shapely.box(100, 0, 200, 200),
            shapely.box(200, 0, 300, 200),
        ],
        crs=BNG,
    )
    cams = _cams([("p", "council", B, 250, 50), ("q", "private", A, 50, 150)])
    got = recruitment_candidates(
        cams,
        lsoas,
        cell_m=100,
        top_n=4,
        level=DetailLevel.DETECT,
        usable_range_m=10,
        arc_vertices=K,
    )
    # Cells, row-major from the south-west: id = row · 3 + col.
    # (2,1) id 5: 45; (0,0) id 0: 30; (0,1) id 3: 30; (1,0) id 1: 15; (1,1) id 4: 15.
    assert got["cell_id"].tolist() == [5, 0, 3, 1]
    assert got["rank"].tolist() == [1, 2, 3, 4]
    assert got["crimes"].tolist() == pytest.approx([45, 30, 30, 15])
    assert got["borough_code"].tolist() == [B, A, A, A]
    assert got["public_share"].tolist() == [0.0] * 4
    circle10 = float(polygonised_sector_area_m2(10, 360, K))
    assert got["private_share"].tolist() == pytest.approx([0, 0, circle10 / 1e4, 0])
    assert got.geometry.iloc[0].equals(shapely.box(200, 100, 300, 200))
    # Allowing partly covered cells brings the covered cell (id 2, 45 crimes) back first.
    loose = recruitment_candidates(
        cams,
        lsoas,
        cell_m=100,
        top_n=2,
        level=DetailLevel.DETECT,
        usable_range_m=10,
        arc_vertices=K,
        max_public_share=0.05,
    )
    assert loose["cell_id"].tolist() == [2, 5]


def test_london_joint_gain_at_recognise(capsys):
    from cctvscope.coverage.detail import assumed_usable_range_m
    from cctvscope.ingest import london
    from cctvscope.ingest.synthetic import build_london_estate
    from cctvscope.model.assumptions import read_assumptions

    estate = build_london_estate("london")
    table = joint_coverage(
        estate.cameras,
        estate.boroughs,
        london.read_lsoa_crime(),
        [DetailLevel.RECOGNISE],
        usable_range_m=assumed_usable_range_m(read_assumptions()),
    )
    assert len(table) == 33
    numbers = table[["public_km2", "private_km2", "joint_km2", "gain_km2", "gain_pct"]]
    assert np.isfinite(numbers.to_numpy()).all()
    assert (table["gain_km2"] >= 0).all() and (table["joint_km2"] >= table["public_km2"]).all()
    totals = region_totals(table).loc["recognise"]
    assert np.isfinite(totals[["gain_km2", "gain_pct", "crime_gain_pct"]].to_numpy(float)).all()
    with capsys.disabled():
        print(
            f"\nLondon, Recognise or better: public {totals['public_km2']:.3f} km², "
            f"joint {totals['joint_km2']:.3f} km², gain {totals['gain_km2']:.3f} km² "
            f"({totals['gain_pct']:.1f} %); crime-weighted gain {totals['crime_gain_pct']:.1f} %"
        )


def _grid_scene() -> tuple[pd.DataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Two boroughs, three LSOAs with crime, public and private cameras overlapping.

    1920 px at 60° HFOV: Detect reach 66.5 m capped at 50 m, Recognise 13.3 m. Every
    view stays inside its camera's borough (the wedge unions credit a borough with its
    own cameras only); p2's view straddles the LSOA boundary at x = 500.
    """
    rows = [
        ("p1", "council", A, 200.0, 200.0, 0.0, True),
        ("q1", "private", A, 230.0, 200.0, 0.0, True),  # overlaps p1
        ("p2", "tfl", A, 480.0, 500.0, 90.0, False),
        ("q2", "private", A, 700.0, 700.0, 0.0, False),  # on its own: all gain
        ("p3", "police", B, 1500.0, 500.0, 0.0, True),
        ("q3", "private", B, 1500.0, 520.0, 180.0, False),  # inside p3's circle
    ]
    cams = pd.DataFrame(
        rows,
        columns=["camera_id", "owner_type", "borough_code", "x_m", "y_m", "heading_deg", "ptz"],
    )
    cams["hfov_deg"] = 60.0
    cams["resolution_h_px"] = 1920
    cams["ptz_max_zoom"] = 1.0
    cams["provenance"] = "synthetic"
    boroughs = BOROUGHS.assign(name=["A", "B"])
    lsoas = gpd.GeoDataFrame(
        {
            "lsoa_code": ["L1", "L2", "L3"],
            "lsoa_name": ["A west", "A east", "B"],
            "borough_code": [A, A, B],
            "total": [100.0, 60.0, 40.0],
        },
        geometry=[
            shapely.box(0, 0, 500, 1000),
            shapely.box(500, 0, 1000, 1000),
            BOROUGHS.geometry[1],
        ],
        crs=BNG,
    )
    return cams, boroughs, lsoas


def test_grid_joint_coverage_matches_the_wedge_unions():
    # Second method: the painted 1 m grid's public/private bits against exact polygon
    # unions of the same views (no buildings, 128 arc vertices against 0.5° ray steps).
    # Cells count by their centres, so each area differs from the polygon by a few cells
    # along the outlines: within 1 % at Detect (50 m views), 3 % at Recognise (13 m).
    from cctvscope.coverage.engine import CoverageInputs, CoverageOptions, compute_coverage
    from cctvscope.coverage.joint import joint_coverage_from_grid

    cams, boroughs, lsoas = _grid_scene()
    levels = (DetailLevel.DETECT, DetailLevel.RECOGNISE)
    vector = joint_coverage(
        cams, boroughs, lsoas, levels, usable_range_m=R, arc_vertices=128
    ).set_index(["gss_code", "level"])
    inputs = CoverageInputs(
        lsoas=lsoas,
        boroughs=boroughs,
        crime_points=gpd.GeoSeries(shapely.points(np.empty((0, 2))), crs=BNG),
    )
    result = compute_coverage(cams, inputs, CoverageOptions(levels=levels, usable_range_m=R))
    grid = joint_coverage_from_grid(result.summary, boroughs, lsoas, levels)
    assert list(grid.columns) == [*JOINT_COLUMNS, "geometry"]
    grid = grid.set_index(["gss_code", "level"])
    assert list(grid.index) == list(vector.index)
    for level, rel in (("detect", 0.01), ("recognise", 0.03)):
        for code in (A, B):
            v, g = vector.loc[(code, level)], grid.loc[(code, level)]
            for column in ("public_km2", "private_km2", "joint_km2", "overlap_km2", "gain_km2"):
                assert g[column] == pytest.approx(v[column], rel=rel), (code, level, column)
            for column in ("crimes_public", "crimes_joint", "crimes_gain"):
                assert g[column] == pytest.approx(v[column], rel=rel), (code, level, column)
            assert g["crimes"] == v["crimes"]
    # The scene is not trivial: overlap and gain in both boroughs at Detect.
    assert (vector.xs("detect", level="level")[["overlap_km2", "gain_km2"]] > 0).all().all()
    totals = region_totals(grid.reset_index()).loc["detect"]
    assert totals["gain_km2"] == pytest.approx(
        totals["joint_km2"] - totals["public_km2"], abs=1e-12
    )
