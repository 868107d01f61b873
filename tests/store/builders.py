"""Small estates built in code for the store tests: every number is known."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import shapely

from cctvscope.crs import BNG
from cctvscope.model import (
    Borough,
    Camera,
    Contract,
    ControlRoom,
    CostItem,
    Estate,
    EvidenceStats,
    Link,
    Region,
)
from cctvscope.model.estate import FINDING_COLUMNS
from cctvscope.model.frames import records_to_frame, with_points
from tests.conftest import make_camera

BOROUGH_CODES = ("E09000001", "E09000002", "E09000003")
SQUARE_M = 1_000.0
X0, Y0 = 530_000.0, 180_000.0


def borough_polygon(index: int) -> shapely.Geometry:
    """Borough ``index``: the 1 km square at X0 + index km; the third is a MultiPolygon."""
    x = X0 + index * SQUARE_M
    square = shapely.box(x, Y0, x + SQUARE_M, Y0 + SQUARE_M)
    if index == 2:
        return shapely.MultiPolygon([square, shapely.box(x, Y0 - 500, x + 500, Y0 - 100)])
    return square


def camera(camera_id: str, borough: int, dx: float, dy: float, **kw: object) -> Camera:
    """A valid camera inside borough ``borough`` at offset (dx, dy) m; keywords override."""
    return make_camera(
        camera_id, BOROUGH_CODES[borough], X0 + borough * SQUARE_M + dx, Y0 + dy, **kw
    )


def make_cameras(n: int, *, prefix: str = "c") -> gpd.GeoDataFrame:
    """``n`` cameras spread over the three boroughs (for bulk tests)."""
    records = [
        camera(
            f"{prefix}{i:06d}",
            i % 3,
            (i * 7.3) % 990 + 5,
            (i * 3.1) % 990 + 5,
            heading_deg=float(i % 360),
            install_year=2000 + i % 25,
            onvif_profiles=("S", "T") if i % 2 else (),
            sensor_width_mm=None if i % 5 else 6.4,
        )
        for i in range(n)
    ]
    return with_points(records_to_frame(Camera, records))


def make_estate(name: str = "testville") -> Estate:
    """Three boroughs, two control rooms, five cameras and one or more of everything else.

    Values are chosen to exercise every storage kind: optional floats and strings
    (None), tuple fields (empty and multi-valued), dates, booleans, a MultiPolygon.
    """
    boroughs = [
        Borough(
            gss_code=code,
            name=f"Borough {i + 1}",
            inner_outer="Inner" if i == 0 else "Outer",
            area_km2=1.0 + 0.2 * (i == 2),
            population=10_000 * (i + 1),
            recorded_crimes_per_year=1_234 * i,
            cost_profile="test",
            provenance="real",
            source="test fixture",
        )
        for i, code in enumerate(BOROUGH_CODES)
    ]
    borough_frame = gpd.GeoDataFrame(
        records_to_frame(Borough, boroughs),
        geometry=[borough_polygon(i) for i in range(3)],
        crs=BNG,
    )
    rooms = [
        ControlRoom(
            room_id="R1",
            name="Central",
            operator_kind="council",
            operator="Borough 1",
            borough_code="E09000001",
            served_boroughs=("E09000001", "E09000002"),
            x_m=X0 + 500,
            y_m=Y0 + 500,
            operator_positions=4,
            hours_per_day=24,
            days_per_week=7,
            staff_fte=11.5,
            screens_per_operator=3,
            provenance="real",
            source="test",
        ),
        ControlRoom(
            room_id="R2",
            name="Outside",
            operator_kind="police",
            operator="Police",
            x_m=X0 - 5_000,
            y_m=Y0 + 2_000,
            operator_positions=2,
            hours_per_day=12.5,
            days_per_week=5,
            staff_fte=3.0,
            screens_per_operator=2,
            provenance="synthetic",
            source="test",
        ),
    ]
    cameras = [
        camera("A-1", 0, 100.25, 100.5, control_room_id="R1", onvif_profiles=("S", "G", "T")),
        camera(
            "A-2",
            0,
            200,
            200,
            signal="analogue",
            codec="mpeg4",
            resolution_h_px=720,
            resolution_v_px=576,
            export_formats=("native", "still"),
            install_year=2004,
        ),
        camera(
            "B-1",
            1,
            500,
            500,
            ptz=True,
            ptz_max_zoom=30.0,
            sensor_width_mm=5.6,
            focal_length_mm=4.3,
            owner_type="tfl",
            provenance="real",
            location_text="Junction of A and B, outside the café",
            defaulted_fields=("fps", "retention_days"),
        ),
        camera("B-2", 1, 0.1 + 0.2, 999.9, status="faulty", time_sync="none"),
        camera("C-1", 2, 250, 300, owner_type="private", control_room_id="R2", fps=12.5),
    ]
    links = [
        Link(
            link_id="L1",
            camera_id="A-1",
            control_room_id="R1",
            link_type="fibre",
            bandwidth_mbps=8.0,
            length_km=0.4,
            annual_cost_gbp=1_200.0,
            provenance="synthetic",
        ),
        Link(
            link_id="L2",
            camera_id="C-1",
            control_room_id="R2",
            link_type="wireless",
            bandwidth_mbps=4.5,
            length_km=5.9,
            annual_cost_gbp=0.0,
            provenance="synthetic",
        ),
    ]
    contracts = [
        Contract(
            contract_id="K1",
            borough_code="E09000001",
            category="maintenance",
            supplier="Acme CCTV",
            annual_value_gbp=125_000.0,
            start_date=dt.date(2021, 4, 1),
            end_date=dt.date(2026, 3, 31),
            provenance="real",
        ),
        Contract(
            contract_id="K2",
            borough_code="E09000003",
            category="transmission",
            supplier="FibreCo",
            annual_value_gbp=80_500.5,
            start_date=dt.date(2019, 1, 1),
            end_date=dt.date(2029, 12, 31),
            provenance="synthetic",
        ),
    ]
    evidence = [
        EvidenceStats(
            borough_code=code,
            year=2023,
            requests_per_year=100 * (i + 1),
            footage_available_share=0.5 + 0.1 * i,
            retrieval_model=("embedded_police", "officer_attends", "digital_transfer")[i],
            provenance="synthetic",
        )
        for i, code in enumerate(BOROUGH_CODES)
    ]
    costs = [
        CostItem(
            profile="test",
            item="camera_capex",
            value_gbp=3_500.0,
            per="camera",
            price_base_year=2024,
            source="assumption",
        ),
        CostItem(
            profile="test",
            item="operator_fte",
            value_gbp=32_000.0,
            per="FTE-year",
            price_base_year=2024,
            source="assumption",
        ),
    ]
    found = pd.DataFrame(
        [
            ["cameras", "B-2", 4, "fps", "0", "fps defaulted", "survey.csv"],
            ["cameras", None, None, None, None, "file has no header comment", "survey.csv"],
        ],
        columns=FINDING_COLUMNS,
    )
    return Estate(
        name=name,
        region=Region(region_code="E12000007", name="London"),
        boroughs=borough_frame,
        control_rooms=with_points(records_to_frame(ControlRoom, rooms)),
        cameras=with_points(records_to_frame(Camera, cameras)),
        links=records_to_frame(Link, links),
        contracts=records_to_frame(Contract, contracts),
        evidence_stats=records_to_frame(EvidenceStats, evidence),
        cost_items=records_to_frame(CostItem, costs),
        findings=found,
        metadata={"built_by": "tests", "seed": 7, "sources": ["fixture"]},
    )
