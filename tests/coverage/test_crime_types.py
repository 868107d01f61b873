"""Crime in coverage by police.uk crime type: counts worked out by hand."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from cctvscope.coverage.engine import CoverageOptions, compute_coverage
from cctvscope.coverage.summaries import UNKNOWN_TYPE
from cctvscope.reporting.guide_crime import (
    UNEVEN_TYPES,
    area_types,
    category_table,
    crime_type_notes,
    crime_type_table,
    points_phrase,
    types_available,
)
from tests.coverage.test_engine import LEVELS, _camera_frame, _inputs


def _result(types: list[str] | None):
    # A full-circle camera at (500, 500): Recognise reach 1920 / (125 · 2·tan 30°) = 13.30 m,
    # Monitor and Detect capped at 50 m. Points 10, 40 and 100 m north, one in the east LSOA.
    cams = _camera_frame(
        [{"x_m": 500.0, "y_m": 500.0, "hfov_deg": 60.0, "resolution_h_px": 1920, "ptz": True}]
    )
    assert 1920 / (125 * 2 * math.tan(math.radians(30))) < 40
    inputs = _inputs([(500.0, 510.0), (500.0, 540.0), (500.0, 600.0), (1500.0, 500.0)])
    if types is not None:
        inputs = type(inputs)(
            lsoas=inputs.lsoas,
            boroughs=inputs.boroughs,
            crime_points=inputs.crime_points,
            crime_types=pd.Series(types),
        )
    options = CoverageOptions(levels=LEVELS, usable_range_m=50.0, grid_m=250.0)
    return compute_coverage(cams, inputs, options)


def test_crime_points_by_type_and_level_by_hand():
    result = _result(["Burglary", "Drugs", "Burglary", "Drugs"])
    t = result.crime_by_type.set_index(["area_type", "level", "crime_type"])
    # Recognise (13.3 m) sees the burglary 10 m away only; Detect (50 m) also the drugs
    # offence 40 m away; the burglary 100 m away and the drugs offence in the east, neither.
    expected = {
        ("recognise", "Burglary"): (2, 1, 0.5),
        ("recognise", "Drugs"): (2, 0, 0.0),
        ("detect", "Burglary"): (2, 1, 0.5),
        ("detect", "Drugs"): (2, 1, 0.5),
    }
    for kind in ("borough", "london"):
        for (level, crime), (points, covered, share) in expected.items():
            row = t.loc[(kind, level, crime)]
            assert (int(row["crime_points"]), int(row["crime_points_covered"])) == (points, covered)
            assert float(row["crime_points_share"]) == share
    assert result.crime_types == ("Burglary", "Drugs")
    # The types add up to the summary's all-crime figures.
    s = result.summary
    region = s[(s["area_type"] == "london") & (s["level"] == "recognise")].iloc[0]
    by_type = t.xs(("london", "recognise"), level=("area_type", "level"))
    assert by_type["crime_points"].sum() == region["crime_points"] == 4
    assert by_type["crime_points_covered"].sum() == region["crime_points_covered"] == 1
    assert set(t.loc["borough"]["area_name"]) == {"Borough"}


def test_points_without_types_are_one_stated_type():
    result = _result(None)
    assert result.crime_types == (UNKNOWN_TYPE,)
    rec = result.crime_by_type
    rec = rec[(rec["area_type"] == "london") & (rec["level"] == "recognise")]
    assert rec["crime_points"].tolist() == [4] and rec["crime_points_covered"].tolist() == [1]


def test_guide_says_which_types_each_area_has():
    result = _result(["Burglary", "Drugs", "Burglary", "Drugs"])
    rows = [
        ("borough", "W", "West", "Burglary", 10, 5),
        ("borough", "E", "East", "Burglary", 4, 1),
        ("borough", "E", "East", "Drugs", 6, 3),
        ("london", "london", "Town", "Burglary", 14, 6),
        ("london", "london", "Town", "Drugs", 6, 3),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "area_type",
            "area_code",
            "area_name",
            "crime_type",
            "crime_points",
            "crime_points_covered",
        ],
    ).assign(level="recognise")
    frame["crime_points_share"] = frame["crime_points_covered"] / frame["crime_points"]
    fake = replace(result, crime_by_type=frame)
    assert types_available(fake) == (
        "Crime types available: Burglary, Drugs. Not every area has every type: "
        "Burglary only in West; all 2 types in East. " + UNEVEN_TYPES
    )
    assert area_types(fake, "borough", "W") == ("Burglary",)
    assert points_phrase(area_types(fake, "london")) == (
        "street-level crime points of 2 police.uk crime types"
    )
    table = crime_type_table(fake, "Town")
    # Most points first; 6 of 14 burglaries = 42.9 %, in 2 areas; drugs 3 of 6 in 1.
    assert [list(r) for r in table.rows] == [
        ["Burglary", "14", "6", "42.9 %", "2"],
        ["Drugs", "6", "3", "50.0 %", "1"],
    ]
    burglary_only = replace(result, crime_by_type=frame[frame["crime_type"] == "Burglary"])
    note = crime_type_notes(burglary_only, "Town")[0]
    assert "burglary street points, the only crime type given" in note
    assert "Crime types available in every area: Burglary." in note


def test_small_area_crime_by_category_by_hand():
    cams = _camera_frame(
        [{"x_m": 500.0, "y_m": 500.0, "hfov_deg": 60.0, "resolution_h_px": 1920, "ptz": True}]
    )
    base = _inputs([(500.0, 510.0)])
    # West: 60 of category A and 40 of B (its total, 100); east: 50 of A (its total, 50).
    lsoas = base.lsoas.assign(cat_a=[60.0, 50.0], cat_b=[40.0, 0.0])
    inputs = replace(base, lsoas=lsoas, crime_categories={"cat_a": "A", "cat_b": "B"})
    options = CoverageOptions(levels=LEVELS, usable_range_m=50.0, grid_m=250.0)
    result = compute_coverage(cams, inputs, options)
    t = result.lsoa_crime_by_category.set_index(["area_type", "level", "category"])
    assert t.loc[("london", "recognise", "A"), "lsoa_crime"] == 110.0
    assert t.loc[("london", "recognise", "B"), "lsoa_crime"] == 40.0
    # The Recognise circle (r = 1920 / (125 · 2·tan 30°) = 13.302 m, π r² = 555.9 m²) lies
    # in the west LSOA (2,000,000 m²): A covered = 60 × 555.9 / 2e6 = 0.01668 (1 m cells).
    circle_m2 = math.pi * (1920 / (125 * 2 * math.tan(math.radians(30)))) ** 2
    assert t.loc[("london", "recognise", "A"), "lsoa_crime_covered"] == pytest.approx(
        60 * circle_m2 / 2e6, rel=0.02
    )
    # The categories add up to the summary's small-area crime in coverage, level by level.
    s = result.summary[result.summary["area_type"] == "london"].set_index("level")
    for level in ("monitor", "detect", "recognise"):
        both = t.xs(("london", level), level=("area_type", "level"))["lsoa_crime_covered"].sum()
        assert both == pytest.approx(float(s.loc[level, "lsoa_crime_covered"]))
    # The guide's table: most recorded first, rounded to whole crimes.
    rows = [list(r) for r in category_table(result, "Town").rows]
    assert rows == [["A", "110", "0", "0.0 %"], ["B", "40", "0", "0.0 %"]]
    # Without categories there is no table.
    assert _result(None).lsoa_crime_by_category.empty
