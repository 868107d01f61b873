"""Evidence-retrieval operating models on a hand-worked estate, and a London smoke test."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cctvscope.crs import BNG
from cctvscope.economics.evidence_ops import (
    MODELS,
    TABLE_COLUMNS,
    EvidenceOpsParams,
    evidence_ops_at_share,
    evidence_ops_choices,
    evidence_ops_savings,
    evidence_ops_table,
    nearest_station_distance_m,
    round_trip_travel_h,
)
from cctvscope.errors import DataError
from cctvscope.ingest.london import read_police_stations
from cctvscope.ingest.synthetic import build_london_estate
from cctvscope.model import Estate
from cctvscope.model.assumptions import Assumptions, parse_assumptions, read_assumptions
from cctvscope.model.entities import Camera, ControlRoom, EvidenceStats
from cctvscope.model.frames import records_to_frame, with_points
from cctvscope.reporting.charts.evidence_ops import TITLE, evidence_ops_chart
from tests.conftest import make_camera

# Round test inputs. Price base 2024 with a 2 % uplift: only the embedded post is
# dated 2023, so it becomes 30,000 x 1.02 = 30,600 GBP a year at 2024 prices.
ASSUMPTIONS_YAML = """
economics:
  price_base_year: {value: 2024, unit: year, source: assumption, note: t, status: assumption}
economics_prices:
  price_uplift_rate: {value: 0.02, unit: "-", source: assumption, note: t, status: assumption}
economics_evidence:
  officer_cost_gbp_per_hour:
    {value: {value_gbp: 40.0, price_base_year: 2024}, unit: GBP/h, source: assumption,
     note: t, status: assumption}
  travel_speed_km_per_h: {value: 20.0, unit: km/h, source: assumption, note: t, status: assumption}
  road_circuity_factor: {value: 1.5, unit: "-", source: assumption, note: t, status: assumption}
  waiting_time_h: {value: 0.25, unit: h, source: assumption, note: t, status: assumption}
  export_time_h: {value: 0.5, unit: h, source: assumption, note: t, status: assumption}
  request_check_h: {value: 0.1, unit: h, source: assumption, note: t, status: assumption}
  digital_transfer_officer_h: {value: 0.2, unit: h, source: assumption, note: t, status: assumption}
  embedded_post_gbp_per_year:
    {value: {value_gbp: 30000.0, price_base_year: 2023}, unit: GBP/yr, source: assumption,
     note: t, status: assumption}
  embedded_requests_per_post_per_year:
    {value: 1000, unit: requests/yr, source: assumption, note: t, status: assumption}
  dems_gbp_per_item:
    {value: {value_gbp: 2.0, price_base_year: 2024}, unit: GBP, source: assumption,
     note: t, status: assumption}
  dems_gbp_per_borough_year:
    {value: {value_gbp: 5000.0, price_base_year: 2024}, unit: GBP/yr, source: assumption,
     note: t, status: assumption}
"""

A, B = "E09000001", "E09000002"


@pytest.fixture
def assumptions() -> Assumptions:
    return parse_assumptions(ASSUMPTIONS_YAML)


def _room(room_id: str, x_m: float, y_m: float, served: tuple[str, ...]) -> ControlRoom:
    return ControlRoom(
        room_id=room_id,
        name=room_id,
        operator_kind="council",
        operator="Test Council",
        borough_code=served[0],
        served_boroughs=served,
        x_m=x_m,
        y_m=y_m,
        operator_positions=2,
        hours_per_day=24,
        days_per_week=7,
        staff_fte=10,
        screens_per_operator=4,
        provenance="synthetic",
        source="test",
    )


@pytest.fixture
def stations() -> gpd.GeoDataFrame:
    """S1 keep, 5,000 m (3-4-5) from room-a; S2 cut, 100 m from room-a (must be ignored);
    S3 keep, 1,200 m due north of room-ab. Every other pairing is farther (> 10 km)."""
    return gpd.GeoDataFrame(
        {"name": ["S1", "S2", "S3"], "status_2017_plan": ["keep", "cut", "keep"]},
        geometry=shapely.points([[497_000, 176_000], [500_100, 180_000], [510_000, 181_200]]),
        crs=BNG,
    )


@pytest.fixture
def estate(tiny_estate: Estate) -> Estate:
    """Borough A is served by room-a and the shared room-ab; its council cameras a1, a2
    are on room-a, so room-a is A's room. Borough B is served only by room-ab.

    Evidence: A 1,000 requests/yr, 60 % with footage, officers attend now;
    B 200 requests/yr, 50 % with footage, embedded police staff now.
    """
    rooms = [
        _room("room-a", 500_000, 180_000, (A,)),
        _room("room-ab", 510_000, 180_000, (B, A)),
    ]
    cameras = [
        make_camera("a1", A, 500_100, 180_100, control_room_id="room-a"),
        make_camera("a2", A, 500_200, 180_200, control_room_id="room-a"),
        make_camera("a3", A, 500_300, 180_300, control_room_id="room-ab", owner_type="private"),
        make_camera("b1", B, 501_500, 180_500, control_room_id="room-ab"),
    ]
    stats = [
        EvidenceStats(
            borough_code=A,
            year=2021,
            requests_per_year=1000,
            footage_available_share=0.6,
            retrieval_model="officer_attends",
            provenance="synthetic",
        ),
        # An older year of A, which the latest (2021) supersedes.
        EvidenceStats(
            borough_code=A,
            year=2019,
            requests_per_year=9999,
            footage_available_share=0.1,
            retrieval_model="embedded_police",
            provenance="synthetic",
        ),
        EvidenceStats(
            borough_code=B,
            year=2021,
            requests_per_year=200,
            footage_available_share=0.5,
            retrieval_model="embedded_police",
            provenance="synthetic",
        ),
    ]
    return tiny_estate.replace_tables(
        control_rooms=with_points(records_to_frame(ControlRoom, rooms)),
        cameras=with_points(records_to_frame(Camera, cameras)),
        evidence_stats=records_to_frame(EvidenceStats, stats),
    )


def _row(table: pd.DataFrame, borough: str, model: str) -> pd.Series:
    rows = table[(table["borough_code"] == borough) & (table["model"] == model)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_params_move_money_to_the_price_base(assumptions: Assumptions) -> None:
    p = EvidenceOpsParams.from_assumptions(assumptions)
    assert p.officer_cost_gbp_per_hour == pytest.approx(40.0)
    assert p.embedded_post_gbp_per_year == pytest.approx(30_600.0)  # 30,000 x 1.02


def test_nearest_kept_station(estate: Estate, stations: gpd.GeoDataFrame) -> None:
    nearest = nearest_station_distance_m(estate.control_rooms, stations)
    # room-a: S2 (cut) is 100 m away but ignored; S1 is sqrt(3000² + 4000²) = 5,000 m.
    assert nearest.loc["room-a", "station_name"] == "S1"
    assert nearest.loc["room-a", "straight_line_m"] == pytest.approx(5_000.0)
    # room-ab: S3 due north, 181,200 - 180,000 = 1,200 m.
    assert nearest.loc["room-ab", "station_name"] == "S3"
    assert nearest.loc["room-ab", "straight_line_m"] == pytest.approx(1_200.0)


def test_round_trip() -> None:
    # 2 x 5 km x 1.5 / 20 km/h = 0.75 h; 2 x 1.2 km x 1.5 / 20 = 0.18 h.
    assert round_trip_travel_h([5_000.0, 1_200.0], 1.5, 20.0) == pytest.approx([0.75, 0.18])


def test_table_hand_worked(
    estate: Estate, assumptions: Assumptions, stations: gpd.GeoDataFrame
) -> None:
    table = evidence_ops_table(estate, assumptions, stations=stations)
    assert list(table.columns) == list(TABLE_COLUMNS)
    assert len(table) == 2 * 3
    assert set(table.loc[table["borough_code"] == A, "room_id"]) == {"room-a"}
    assert set(table.loc[table["borough_code"] == B, "room_id"]) == {"room-ab"}
    assert list(table.loc[table["current"], "model"]) == ["officer_attends", "embedded_police"]

    # Borough A: N = 1,000, a = 0.6, trip 0.75 h (road 2 x 5 km x 1.5 = 15 km).
    # embedded: 0.1 h/req -> 100 h -> GBP 4,000; post 1,000/1,000 x 30,600; total 34,600.
    # attends: 0.1 + 0.6 x (0.75 + 0.25 + 0.5) = 1.0 h/req -> 1,000 h -> GBP 40,000.
    # digital: 0.1 + 0.6 x 0.2 = 0.22 h/req -> 220 h -> GBP 8,800; DEMS 5,000 + 600 x 2.
    expected_a = {
        "embedded_police": (0.1, 0.1, 100.0, 4_000.0, 30_600.0, 34_600.0),
        "officer_attends": (1.0, 1.6, 1_000.0, 40_000.0, 0.0, 40_000.0),
        "digital_transfer": (0.22, 0.3, 220.0, 8_800.0, 6_200.0, 15_000.0),
    }
    # Borough B: N = 200, a = 0.5, trip 0.18 h (road 2 x 1.2 km x 1.5 = 3.6 km).
    # embedded: 0.1 h/req -> 20 h -> GBP 800; post 200/1,000 x 30,600 = 6,120; total 6,920.
    # attends: 0.1 + 0.5 x (0.18 + 0.75) = 0.565 h/req -> 113 h -> GBP 4,520.
    # digital: 0.1 + 0.5 x 0.2 = 0.2 h/req -> 40 h -> GBP 1,600; DEMS 5,000 + 100 x 2 = 5,200.
    expected_b = {
        "embedded_police": (0.1, 0.1, 20.0, 800.0, 6_120.0, 6_920.0),
        "officer_attends": (0.565, 1.03, 113.0, 4_520.0, 0.0, 4_520.0),
        "digital_transfer": (0.2, 0.3, 40.0, 1_600.0, 5_200.0, 6_800.0),
    }
    cols = [
        "officer_hours_per_request",
        "officer_hours_per_item_with_footage",
        "officer_hours_per_year",
        "staff_cost_gbp_per_year",
        "fixed_cost_gbp_per_year",
        "total_cost_gbp_per_year",
    ]
    for borough, expected in ((A, expected_a), (B, expected_b)):
        for model, values in expected.items():
            row = _row(table, borough, model)
            assert [row[c] for c in cols] == pytest.approx(list(values)), (borough, model)
    assert _row(table, A, "officer_attends")["road_trip_km"] == pytest.approx(15.0)
    assert _row(table, B, "officer_attends")["road_trip_km"] == pytest.approx(3.6)
    assert _row(table, A, "embedded_police")["requests_per_year"] == 1000  # 2021, not 2019


def test_cheapest_and_savings(
    estate: Estate, assumptions: Assumptions, stations: gpd.GeoDataFrame
) -> None:
    table = evidence_ops_table(estate, assumptions, stations=stations)
    choices = evidence_ops_choices(table)
    # A: digital 15,000 < embedded 34,600 < attends 40,000 (current): saves 25,000 and 780 h.
    # B: attends 4,520 < digital 6,800 < embedded 6,920 (current): saves 2,400 but
    #    adds 113 - 20 = 93 officer hours (the embedded post's time is paid in GBP, not hours).
    assert choices.loc[A, "cheapest_model"] == "digital_transfer"
    assert choices.loc[B, "cheapest_model"] == "officer_attends"
    assert choices.loc[A, "saving_gbp_per_year"] == pytest.approx(25_000.0)
    assert choices.loc[B, "hours_saved_per_year"] == pytest.approx(-93.0)
    savings = evidence_ops_savings(table)
    assert savings.boroughs == 2
    assert savings.boroughs_switching == 2
    assert dict(savings.chosen_model) == {A: "digital_transfer", B: "officer_attends"}
    # Hours 1,000 + 20 = 1,020 now; 220 + 113 = 333 cheapest; 687 saved.
    assert savings.current_officer_hours_per_year == pytest.approx(1_020.0)
    assert savings.cheapest_officer_hours_per_year == pytest.approx(333.0)
    assert savings.officer_hours_saved_per_year == pytest.approx(687.0)
    # GBP 40,000 + 6,920 = 46,920 now; 15,000 + 4,520 = 19,520 cheapest; 27,400 saved.
    assert savings.current_cost_gbp_per_year == pytest.approx(46_920.0)
    assert savings.cheapest_cost_gbp_per_year == pytest.approx(19_520.0)
    assert savings.saving_gbp_per_year == pytest.approx(27_400.0)


def test_recosted_at_another_share_matches_a_rerun(
    estate: Estate, assumptions: Assumptions, stations: gpd.GeoDataFrame
) -> None:
    """Replacing every borough's share in the table equals rebuilding the table from
    evidence statistics holding that share (second method), and A's attends row by hand."""
    table = evidence_ops_table(estate, assumptions, stations=stations)
    got = evidence_ops_at_share(table, assumptions, 1.0)
    rerun = evidence_ops_table(
        estate.replace_tables(
            evidence_stats=estate.evidence_stats.assign(footage_available_share=1.0)
        ),
        assumptions,
        stations=stations,
    )
    pd.testing.assert_frame_equal(got, rerun, check_dtype=False)
    # A attends at a = 1: 0.1 + 1 x (0.75 + 0.25 + 0.5) = 1.6 h/req, 1,600 h, GBP 64,000.
    attends = _row(got, A, "officer_attends")
    assert attends["officer_hours_per_year"] == pytest.approx(1_600.0)
    assert attends["total_cost_gbp_per_year"] == pytest.approx(64_000.0)


def test_tie_keeps_current_model() -> None:
    table = pd.DataFrame(
        {
            "borough_code": [A] * 3,
            "name": ["Alpha"] * 3,
            "model": list(MODELS),
            "current": [False, True, False],
            "officer_hours_per_year": [1.0, 2.0, 3.0],
            "total_cost_gbp_per_year": [10.0, 10.0, 10.0],
        }
    )
    assert evidence_ops_savings(table).chosen_model == {A: "officer_attends"}


def test_borough_without_room_is_an_error(
    estate: Estate, assumptions: Assumptions, stations: gpd.GeoDataFrame
) -> None:
    rooms = estate.control_rooms[estate.control_rooms["room_id"] == "room-a"]
    no_b = estate.replace_tables(control_rooms=rooms)
    with pytest.raises(DataError, match=f"no control room serves borough.*{B}"):
        evidence_ops_table(no_b, assumptions, stations=stations)


def test_no_kept_station_is_an_error(estate: Estate, assumptions: Assumptions) -> None:
    cut_only = gpd.GeoDataFrame(
        {"name": ["S2"], "status_2017_plan": ["cut"]},
        geometry=shapely.points([[500_100, 180_000]]),
        crs=BNG,
    )
    with pytest.raises(DataError, match="keep"):
        evidence_ops_table(estate, assumptions, stations=cut_only)


@pytest.fixture(scope="module")
def london_table() -> pd.DataFrame:
    return evidence_ops_table(
        build_london_estate("london"), read_assumptions(), stations=read_police_stations()
    )


def test_london_smoke(london_table: pd.DataFrame) -> None:
    assert len(london_table) == 33 * 3
    assert london_table["borough_code"].nunique() == 33
    assert set(london_table["model"]) == set(MODELS)
    assert london_table.groupby("borough_code")["current"].sum().eq(1).all()
    numeric = london_table.select_dtypes("number").to_numpy(float)
    assert np.isfinite(numeric).all()
    assert (numeric >= 0).all()
    savings = evidence_ops_savings(london_table)
    assert savings.boroughs == 33
    assert savings.saving_gbp_per_year >= 0
    assert savings.cheapest_cost_gbp_per_year <= savings.current_cost_gbp_per_year
    assert math.isfinite(savings.officer_hours_saved_per_year)


def test_london_officer_attends_calibrates_to_hampshire(london_table: pd.DataFrame) -> None:
    """Hampshire: about 1 h of officer time per item collected in person (verified anchor).

    The model's median officer_attends time per item with footage (check + round trip
    + wait + export) should be within a factor 1.5 of it either way.
    """
    anchor_h = float(read_assumptions().value("economics_evidence.hampshire_officer_h_per_item"))
    attends = london_table[london_table["model"] == "officer_attends"]
    median_h = float(attends["officer_hours_per_item_with_footage"].median())
    assert anchor_h / 1.5 <= median_h <= anchor_h * 1.5


def test_chart_written(london_table: pd.DataFrame, tmp_path: Path) -> None:
    path = evidence_ops_chart(london_table, tmp_path / "evidence_ops.svg")
    assert path.exists()
    text = path.read_text(encoding="utf-8")
    assert TITLE in text
    assert "Current model" in text
    assert "synthetic" in text
