"""PTZ cameras credited at the field of view they are tasked to (coverage.ptz_tasked_hfov_deg)."""

from __future__ import annotations

import math

import pytest

from cctvscope.coverage.detail import (
    DetailLevel,
    assumed_ptz_tasked_hfov_deg,
    tasked_hfov_deg,
)
from cctvscope.coverage.engine import CoverageOptions, camera_reach_m, compute_coverage
from cctvscope.model.assumptions import read_assumptions
from tests.coverage.test_engine import LEVELS, _camera_frame, _inputs

RECOGNISE = LEVELS.index(DetailLevel.RECOGNISE)


def _cams():
    # 1920 px, widest 60°: a PTZ with 30x zoom, a PTZ with 1.5x zoom, a fixed camera.
    return _camera_frame(
        [
            {"x_m": 500.0, "y_m": 500.0, "hfov_deg": 60.0, "resolution_h_px": 1920, "ptz": True,
             "ptz_max_zoom": 30.0},
            {"x_m": 1500.0, "y_m": 500.0, "hfov_deg": 60.0, "resolution_h_px": 1920, "ptz": True,
             "ptz_max_zoom": 1.5},
            {"x_m": 500.0, "y_m": 1500.0, "hfov_deg": 60.0, "resolution_h_px": 1920},
        ]
    )  # fmt: skip


def test_tasked_dori_distance_by_hand():
    # The assumption as shipped: 30°.
    tasked = assumed_ptz_tasked_hfov_deg(read_assumptions())
    assert tasked == 30.0
    # Recognise (125 px/m) at 30°: D = 1920 / (125 · 2 · tan 15°) = 1920 / 66.987 = 28.662 m.
    # The 1.5x PTZ cannot narrow to 30°: fully zoomed tan(h/2) = tan 30° / 1.5 = 0.38490, so
    # D = 1920 / (125 · 2 · 0.38490) = 19.953 m. The fixed camera: at 60°, 13.302 m.
    wide, zoomed = camera_reach_m(_cams(), LEVELS, 60.0, tasked)
    assert wide[:, RECOGNISE] == pytest.approx([28.662, 19.953, 13.302], abs=1e-3)
    # The fully zoomed reach is unchanged: 30x → 1920 / (125 · 2 · tan30°/30) capped at 60 m.
    assert zoomed[:, RECOGNISE] == pytest.approx([60.0, 19.953, 13.302], abs=1e-3)
    # Without the assumption: every camera at its widest angle (13.302 m).
    old, _ = camera_reach_m(_cams(), LEVELS, 60.0, None)
    assert old[:, RECOGNISE] == pytest.approx([13.302] * 3, abs=1e-3)
    # Detect (25 px/m) at 30°: 143.3 m, capped at 60 m.
    assert wide[0, LEVELS.index(DetailLevel.DETECT)] == 60.0
    assert float(tasked_hfov_deg(60.0, 1.5, 30.0)) == pytest.approx(
        math.degrees(2 * math.atan(math.tan(math.radians(30)) / 1.5))
    )


def test_coverage_credits_the_tasked_circle():
    options = CoverageOptions(
        levels=LEVELS, usable_range_m=60.0, ptz_tasked_hfov_deg=30.0, grid_m=250.0
    )
    # A crime point 20 m north of the 30x PTZ: inside its tasked Recognise circle (28.66 m),
    # outside the widest-angle one (13.30 m).
    inputs = _inputs([(500.0, 520.0)])
    result = compute_coverage(_cams(), inputs, options)
    cams = result.cameras[result.cameras["level"] == "recognise"].set_index("camera_id")
    assert cams.loc["c0", "reach_m"] == pytest.approx(28.662, abs=1e-3)
    # The visible area is the painted circle: π · 28.662² = 2,580.9 m² on 1 m cells.
    assert cams.loc["c0", "visible_area_m2"] == pytest.approx(math.pi * 28.662**2, rel=0.01)
    s = result.summary
    rec = s[(s["area_type"] == "london") & (s["level"] == "recognise")].iloc[0]
    assert rec["crime_points_covered"] == 1
    wide = compute_coverage(_cams(), inputs, CoverageOptions(levels=LEVELS, usable_range_m=60.0))
    s = wide.summary
    assert (
        s[(s["area_type"] == "london") & (s["level"] == "recognise")].iloc[0][
            "crime_points_covered"
        ]
        == 0
    )
