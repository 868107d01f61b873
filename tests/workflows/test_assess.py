from __future__ import annotations

import math

import pytest

from cctvscope.workflows import BOROUGH_SUMMARY_COLUMNS, summarise_boroughs


def test_summary_hand_computed(tiny_estate):
    s = summarise_boroughs(tiny_estate).set_index("gss_code")
    assert list(s.reset_index().columns) == list(BOROUGH_SUMMARY_COLUMNS)
    a, b = s.loc["E09000001"], s.loc["E09000002"]
    assert (a["cameras"], a["council_cameras"], a["private_cameras"], a["tfl_cameras"]) == (
        3,
        2,
        1,
        0,
    )
    assert a["cameras_per_km2"] == pytest.approx(3.0)
    assert a["cameras_per_1000_residents"] == pytest.approx(1.5)  # 3 / 2,000 * 1,000
    assert a["crimes_per_camera"] == pytest.approx(100.0)  # 300 / 3
    assert a["share_analogue"] == pytest.approx(1 / 3)
    assert a["median_install_year"] == 2010  # 2004, 2010, 2020
    assert a["share_synthetic"] == pytest.approx(1.0)
    assert b["cameras"] == 1 and b["tfl_cameras"] == 1
    assert b["cameras_per_1000_residents"] == pytest.approx(0.25)
    assert math.isnan(b["crimes_per_camera"])  # no published crime: not infinity
    assert b["share_real"] == pytest.approx(1.0)


def test_summary_borough_without_cameras(tiny_estate):
    estate = tiny_estate.replace_tables(cameras=tiny_estate.cameras.iloc[:0])
    s = summarise_boroughs(estate)
    assert (s["cameras"] == 0).all()
    assert s["share_analogue"].isna().all()
