"""The detection curve's other forms: p(16) beyond the PSDB data, worked out by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from cctvscope.crs import BNG
from cctvscope.model import Camera, ControlRoom, CostItem
from cctvscope.model.assumptions import read_assumptions
from cctvscope.model.frames import records_to_frame, with_points
from cctvscope.optimisation.detection_fits import (
    MODEL_FORM,
    detection_at,
    detection_at_from_assumptions,
    fit_line,
)
from cctvscope.optimisation.monitoring import curve_from_assumptions, psdb_points
from tests.conftest import make_camera, make_room

ASSUMPTIONS = read_assumptions()
SCREENS = (1.0, 4.0, 6.0, 9.0)
ACCURACY = (0.85, 0.74, 0.58, 0.53)

# Linear least squares by hand: mean s = 5, mean p = 0.675, Sxx = 16 + 1 + 1 + 16 = 34,
# Sxy = -4(0.175) - 1(0.065) + 1(-0.095) + 4(-0.145) = -1.44.
SLOPE = -1.44 / 34  # -0.0423529 per screen
INTERCEPT = 0.675 - 5 * SLOPE  # 0.8867647
P16_LINEAR = INTERCEPT + 16 * SLOPE  # 0.2091176
# The model's curve at 16: 0.150913 + 0.706725 exp(-0.0818177 × 15).
P16_MODEL = 0.150913 + 0.706725 * np.exp(-0.0818177 * 15)  # 0.3580491


def _log_linear_p16() -> float:
    """Second method for the log-linear fit: the normal equations in ln s, solved directly."""
    x = np.log(np.array(SCREENS))
    y = np.array(ACCURACY)
    xm, ym = x.mean(), y.mean()
    slope = float(np.sum((x - xm) * (y - ym)) / np.sum((x - xm) ** 2))
    return float(ym - slope * xm + slope * np.log(16))


def test_linear_fit_matches_the_hand_worked_least_squares():
    line = fit_line(SCREENS, ACCURACY, "linear")
    assert line.slope == pytest.approx(SLOPE)
    assert line.intercept == pytest.approx(INTERCEPT)
    assert float(line(16)) == pytest.approx(P16_LINEAR)
    assert float(line(16)) == pytest.approx(0.209, abs=5e-4)  # the 0.21
    assert float(line(30)) == 0.0  # clipped: 0.887 - 30 × 0.042 < 0


def test_log_linear_fit_matches_the_normal_equations():
    line = fit_line(SCREENS, ACCURACY, "log-linear")
    assert float(line(16)) == pytest.approx(_log_linear_p16())
    assert float(line(16)) == pytest.approx(0.467, abs=5e-4)  # the 0.47


def test_p16_is_an_extrapolation_with_the_forms_as_its_range():
    at = detection_at_from_assumptions(16, ASSUMPTIONS)
    assert at.extrapolated and at.data_max_screens == 9.0
    assert at.by_form[0] == (MODEL_FORM, pytest.approx(P16_MODEL, abs=1e-9))
    assert curve_from_assumptions(ASSUMPTIONS).form == MODEL_FORM == "exponential to a floor"
    assert dict(at.by_form)["linear"] == pytest.approx(P16_LINEAR)
    assert at.low == pytest.approx(P16_LINEAR)
    assert at.high == pytest.approx(_log_linear_p16())
    low, high = at.factors()
    # Today's detections ×0.58 to ×1.30 (0.2091 / 0.3580 and 0.4668 / 0.3580).
    assert low == pytest.approx(P16_LINEAR / P16_MODEL)
    assert (round(low, 2), round(high, 2)) == (0.58, 1.30)


def test_within_the_data_the_model_fit_stands():
    at = detection_at(9, curve_from_assumptions(ASSUMPTIONS), psdb_points(ASSUMPTIONS))
    assert not at.extrapolated
    assert at.low == at.high == at.value
    assert at.factors() == (1.0, 1.0)


def test_monitoring_rooms_carry_todays_detections_under_each_form(tiny_estate):
    """Two council rooms watching borough A's two council cameras: one gives an operator
    16 screens (beyond the data), one 4 (within it)."""
    from cctvscope.optimisation.monitoring_estate import monitoring_london

    rooms = [
        make_room(
            f"r{screens}",
            "council",
            (500_500.0, 180_500.0),
            "E09000001",
            screens_per_operator=screens,
        )
        for screens in (16, 4)
    ]
    cams = [
        make_camera("a1", "E09000001", 500_100, 180_100, control_room_id="r16"),
        make_camera("a2", "E09000001", 500_200, 180_200, control_room_id="r4"),
    ]
    cost = CostItem(
        profile="test",
        item="operator_fte",
        value_gbp=38_000.0,
        per="FTE-year",
        price_base_year=2024,
        source="t",
    )
    estate = tiny_estate.replace_tables(
        cameras=with_points(records_to_frame(Camera, cams)),
        control_rooms=records_to_frame(ControlRoom, rooms),
        cost_items=records_to_frame(CostItem, [cost]),
    )
    crime = gpd.GeoDataFrame(
        {"total": [300.0]}, geometry=[shapely.box(500_000, 180_000, 501_000, 181_000)], crs=BNG
    )
    table = monitoring_london(estate, ASSUMPTIONS, lsoa_crime=crime).set_index("room_id")
    sixteen, four = table.loc["r16"], table.loc["r4"]
    today = float(sixteen["detections_per_year_status_quo"])
    assert today > 0
    assert bool(sixteen["detection_extrapolated"]) and not bool(four["detection_extrapolated"])
    assert sixteen["detections_per_year_status_quo_low"] == pytest.approx(
        today * P16_LINEAR / P16_MODEL
    )
    assert sixteen["detections_per_year_status_quo_high"] == pytest.approx(
        today * _log_linear_p16() / P16_MODEL
    )
    within = float(four["detections_per_year_status_quo"])
    assert four["detections_per_year_status_quo_low"] == within
    assert four["detections_per_year_status_quo_high"] == within
