"""Control-room consolidation on a hand-built estate whose optimum is worked out by hand.

Three square boroughs in a row, all cameras at each borough's centre:
A (10 cameras) at x 505 km, B (20) at 515 km, C (10) at 535 km (y 185 km);
council rooms rA, rB, rC at the centres (2 positions each, capacity 2 x 2 = 4),
police room rP 10 km north of B (capacity 4). 10 cameras per position, so
demand is A 1, B 2, C 1 position; a position costs 5 FTE x £40k = £200k/yr;
an open room £100k/yr; transmission £100 per Mbit/s-km-yr at 1 Mbit/s per
camera (so £1,000/km for A and C, £2,000/km for B); migration £100 a camera,
closure £5k, set-up £20k; 5-year horizon at 0 % (sum of factors A = 5).

Status quo: 3 x 100k + 4 x 200k = £1,100,000/yr.
k = 1: rB costs 930k (A 10 km = 10k, C 20 km = 20k), rA 950k, rC 970k,
  rP 956.5k (+20k set-up) -> rB; one-off 2 x 1,000 + 2 x 5,000 = 12,000;
  saving 170,000; NPV = -12,000 + 5 x 170,000 = 838,000; payback year 1.
k = 2: {rB, rC} 1,010,000 (A -> rB, 10 km), one-off 6,000; {rA, rB} 1,020,000
  (6,000); {rA, rC} 1,020,000 (7,000) -> {rB, rC}, NPV -6,000 + 5 x 90,000 = 444,000.
k = 3: the status quo (NPV 0, payback year 0). k = 4: rP too, NPV -20,000 - 500,000.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from cctvscope.crs import BNG
from cctvscope.errors import InfeasibleError
from cctvscope.model import Borough, Camera, Estate, Region, empty_estate
from cctvscope.model.assumptions import read_assumptions
from cctvscope.model.entities import ControlRoom
from cctvscope.model.frames import normalise_frame, records_to_frame, with_points
from cctvscope.optimisation.control_rooms import (
    ControlRoomOptions,
    consolidation_options,
    solve_option,
    status_quo,
)
from cctvscope.optimisation.control_rooms_data import ControlRoomParams, Sites, prepare
from cctvscope.reporting.charts.control_rooms import option_map
from tests.conftest import make_camera
from tests.conftest import make_room as _room

CODES = {"A": "E09000001", "B": "E09000002", "C": "E09000003"}
CENTRES = {"A": (505_000.0, 185_000.0), "B": (515_000.0, 185_000.0), "C": (535_000.0, 185_000.0)}
COUNTS = {"A": 10, "B": 20, "C": 10}
P_XY = (515_000.0, 195_000.0)


def _params(rate: float = 0.0) -> ControlRoomParams:
    return ControlRoomParams(
        cameras_per_position=10.0,
        fte_per_position=5.0,
        operator_fte_gbp_per_year=40_000.0,
        room_fixed_gbp_per_year=100_000.0,
        supervisor_positions_per_room=0.0,
        expansion_factor=2.0,
        hub_capacity_positions=4.0,
        transmission_gbp_per_mbps_km_year=100.0,
        link_fixed_gbp_per_year={"fibre": 0.0},
        migration_gbp_per_camera=100.0,
        closure_gbp_per_room=5_000.0,
        setup_gbp_per_room=20_000.0,
        horizon_years=5,
        discount_bands=((30.0, rate),),
    )


@pytest.fixture(scope="module")
def estate() -> Estate:
    boroughs = [
        Borough(
            gss_code=code,
            name=f"Borough {key}",
            inner_outer="Inner",
            area_km2=100.0,
            population=1000,
            recorded_crimes_per_year=10,
            cost_profile="test",
            provenance="real",
            source="test",
        )
        for key, code in CODES.items()
    ]
    polygons = [
        shapely.box(x - 5_000, y - 5_000, x + 5_000, y + 5_000) for x, y in CENTRES.values()
    ]
    frame = gpd.GeoDataFrame(
        normalise_frame(Borough, records_to_frame(Borough, boroughs)), geometry=polygons, crs=BNG
    )
    base = empty_estate("rooms", Region(region_code="E12000007", name="London"), frame)
    rooms = [_room(f"r{k}", "council", CENTRES[k], CODES[k]) for k in CODES]
    rooms.append(_room("rP", "police", P_XY, CODES["B"]))
    cameras = [
        make_camera(
            f"{key}{n}",
            CODES[key],
            *CENTRES[key],
            resolution_h_px=1000,
            resolution_v_px=1000,
            fps=10.0,
            codec="h264",
            control_room_id=f"r{key}",
        )
        for key in CODES
        for n in range(COUNTS[key])
    ]
    return base.replace_tables(
        control_rooms=with_points(records_to_frame(ControlRoom, rooms)),
        cameras=with_points(records_to_frame(Camera, cameras)),
    )


def _data(estate: Estate, rate: float = 0.0):
    return prepare(estate, read_assumptions(), params=_params(rate), sites=Sites())


def _solve(estate: Estate, k: int | None = None, **kw: object):
    return solve_option(_data(estate), ControlRoomOptions(**kw), room_count=k)


def test_demand_costs_and_status_quo(estate: Estate):
    data = _data(estate)
    assert data.positions.tolist() == [1.0, 2.0, 1.0]
    assert data.capacity_positions.tolist() == [4.0, 4.0, 4.0, 4.0]
    rb = data.room_index("rB")
    assert data.transmission_gbp_per_year[rb].tolist() == pytest.approx([10_000, 0, 20_000])
    assert data.staffing_gbp_per_year[rb].tolist() == pytest.approx([200_000, 400_000, 200_000])
    quo = status_quo(data)
    assert quo.rooms == ("rA", "rB", "rC")
    assert quo.annual_cost_gbp_per_year == pytest.approx(1_100_000)


@pytest.mark.parametrize(
    ("k", "rooms", "annual", "one_off", "npv", "payback"),
    [
        (1, ("rB",), 930_000, 12_000, 838_000, 1),
        (2, ("rB", "rC"), 1_010_000, 6_000, 444_000, 1),
        (3, ("rA", "rB", "rC"), 1_100_000, 0, 0, 0),
        (4, ("rA", "rB", "rC", "rP"), 1_200_000, 20_000, -520_000, None),
    ],
)
def test_optimal_option_per_room_count(estate, k, rooms, annual, one_off, npv, payback):
    option = _solve(estate, k)
    assert option.status == "optimal"
    assert option.open_rooms == rooms
    assert option.annual_cost_gbp_per_year == pytest.approx(annual)
    assert option.one_off_gbp == pytest.approx(one_off)
    assert option.annual_saving_gbp_per_year == pytest.approx(1_100_000 - annual)
    assert option.npv_gbp == pytest.approx(npv, abs=1e-6)
    assert option.payback_year == payback


def test_k2_assignment(estate: Estate):
    option = _solve(estate, 2)
    assert dict(option.assignment) == {CODES["A"]: "rB", CODES["B"]: "rB", CODES["C"]: "rC"}


def test_npv_uses_green_book_factors(estate: Estate):
    option = solve_option(_data(estate, 0.035), ControlRoomOptions(), room_count=1)
    factors = sum(1.035**-t for t in range(1, 6))
    assert option.npv_gbp == pytest.approx(-12_000 + 170_000 * factors)


def test_locked_site(estate: Estate):
    option = _solve(estate, 1, locked_rooms=("rP",))
    assert option.open_rooms == ("rP",)
    transmission = 1_000 * math.hypot(10, 10) + 2_000 * 10 + 1_000 * math.hypot(20, 10)
    assert option.annual_cost_gbp_per_year == pytest.approx(900_000 + transmission)
    assert option.one_off_gbp == pytest.approx(40 * 100 + 3 * 5_000 + 20_000)


def test_max_distance(estate: Estate):
    with pytest.raises(InfeasibleError, match="max distance"):
        _solve(estate, 1, max_distance_km=15.0)
    option = _solve(estate, 2, max_distance_km=15.0)
    assert option.open_rooms == ("rB", "rC")
    with pytest.raises(InfeasibleError, match="max distance"):
        _solve(estate, None, max_distance_km=15.0, locked_rooms=("rA",), max_rooms=1)


def test_infeasible_k_is_reported_in_table(estate: Estate):
    result = consolidation_options(
        estate,
        read_assumptions(),
        room_counts=[1, 2],
        settings=ControlRoomOptions(max_distance_km=15.0),
        sites=Sites(),
        params=_params(),
    )
    table = result.table()
    assert table["status"].tolist() == ["infeasible", "optimal"]
    assert "max distance" in table.loc[0, "reason"]
    assert table.loc[1, "open_rooms"] == "rB;rC"


def test_police_colocation(estate: Estate):
    option = _solve(estate, 1, police_colocation_km=0.0)
    assert option.open_rooms == ("rP",)
    option = _solve(estate, 1, police_colocation_km=10.5)  # rB is 10 km from rP
    assert option.open_rooms == ("rB",)
    with pytest.raises(InfeasibleError, match="police co-location"):
        _solve(estate, 2, police_colocation_km=0.0)
    with pytest.raises(InfeasibleError, match="police co-location"):
        _solve(estate, 1, police_colocation_km=0.0, locked_rooms=("rA",))


def test_resilience(estate: Estate):
    option = _solve(estate, 2, resilience=True)
    assert option.open_rooms == ("rB", "rC")
    assert dict(option.backup) == {CODES["A"]: "rC", CODES["B"]: "rC", CODES["C"]: "rB"}
    assert all(option.backup[c] != option.assignment[c] for c in CODES.values())
    with pytest.raises(InfeasibleError, match="resilience"):
        _solve(estate, 1, resilience=True)


def test_option_map(estate: Estate, tmp_path: Path):
    path = option_map(estate, _solve(estate, 2), tmp_path / "k2.svg")
    text = path.read_text(encoding="utf-8")
    assert "2 rooms" in text
    assert "10 km" in text


@pytest.mark.slow
def test_london_options_smoke(tmp_path: Path):
    from cctvscope.ingest.london import read_police_stations
    from cctvscope.ingest.synthetic import build_london_estate

    estate = build_london_estate("london")
    stations = read_police_stations()
    start = time.perf_counter()
    result = consolidation_options(
        estate, read_assumptions(), stations=stations, room_counts=[1, 2, 4]
    )
    seconds = time.perf_counter() - start
    table = result.table()
    assert len(result.status_quo.rooms) == 32
    assert table.loc[0, "status"] == "infeasible"
    assert "capacity" in table.loc[0, "reason"]
    assert (table.loc[1:, "status"] == "optimal").all()
    assert np.all(
        table.loc[1:, "annual_cost_gbp_per_year"] < result.status_quo.annual_cost_gbp_per_year
    )
    assert seconds < 20
    option = result.options[1]
    council = estate.cameras[estate.cameras["owner_type"] == "council"]
    assert set(option.assignment) == set(council["borough_code"])
    path = option_map(estate, option, tmp_path / "london_k2.svg")
    assert path.stat().st_size > 10_000
