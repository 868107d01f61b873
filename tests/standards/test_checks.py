"""Each rule's check on hand-built cameras whose outcome is worked out by hand."""

from __future__ import annotations

import math

import pytest

from cctvscope.coverage.detail import hfov_from_lens_deg
from cctvscope.model import Camera, ControlRoom, Estate
from cctvscope.model.frames import records_to_frame, with_points
from cctvscope.standards import read_standard
from cctvscope.standards.registry import CheckContext, run_check
from tests.conftest import make_camera

HFOV_2_8MM = float(hfov_from_lens_deg(4.8, 2.8))  # 1/3" sensor, 2.8 mm lens: 81.2°


def room(room_id: str, hours: float, positions: int) -> ControlRoom:
    return ControlRoom(
        room_id=room_id,
        name=room_id,
        operator_kind="council",
        operator="Test Council",
        borough_code="E09000001",
        served_boroughs=("E09000001",),
        x_m=500_500,
        y_m=180_500,
        operator_positions=positions,
        hours_per_day=hours,
        days_per_week=7,
        staff_fte=5,
        screens_per_operator=4,
        provenance="synthetic",
        source="test",
    )


def estate_with(
    base: Estate, cameras: list[Camera], rooms: list[ControlRoom] | None = None
) -> Estate:
    return base.replace_tables(
        cameras=with_points(records_to_frame(Camera, cameras)),
        control_rooms=with_points(records_to_frame(ControlRoom, rooms or [])),
    )


def outcomes(
    estate: Estate, rule_id: str, cop_scores: dict[str, float] | None = None
) -> dict[str, tuple[str, str]]:
    rule = read_standard("london-v1").rule(rule_id)
    ctx = CheckContext.from_estate(estate, cop_scores)
    result = run_check(ctx, rule)
    return {r.entity_id: (r.outcome, r.message) for r in result.itertuples(index=False)}


def test_iq01_worked_examples(tiny_estate: Estate) -> None:
    cams = [
        # 1920 px at 81.2° reaches Recognise (125 px/m) at 1920/(250·tan 40.6°) = 8.96 m < 10 m
        make_camera("wide", hfov_deg=HFOV_2_8MM),
        # 1920 px at 30° reaches 1920/(2·125·tan 15°) = 28.66 m ≥ 10 m
        make_camera("narrow", hfov_deg=30.0),
        # PTZ at 81.2° with 2x zoom: tan(HFOV/2) halves, reach 2 x 8.96 = 17.91 m ≥ 10 m
        make_camera("ptz", hfov_deg=HFOV_2_8MM, ptz=True, ptz_max_zoom=2.0),
        # private → entrance, Identify 250 px/m at 5 m: 1920/(500·tan 30°) = 6.65 m
        make_camera("priv", owner_type="private", hfov_deg=60.0),
        # tfl → wide area, Detect 25 px/m at 30 m: 1280/(50·tan 45°) = 25.6 m
        make_camera("tfl", owner_type="tfl", hfov_deg=90.0, resolution_h_px=1280),
    ]
    got = outcomes(estate_with(tiny_estate, cams), "IQ-01")
    assert 1920 / (250 * math.tan(math.radians(HFOV_2_8MM / 2))) == pytest.approx(8.96, abs=0.01)
    assert got["wide"] == ("fail", "street (recognise, 125 px/m): reach 9.0 m < need 10 m")
    assert got["narrow"][0] == "pass"
    assert "reach 28.7 m ≥ need 10 m" in got["narrow"][1]
    assert got["ptz"][0] == "pass"
    assert "reach 17.9 m (PTZ fully zoomed) ≥ need 10 m" in got["ptz"][1]
    assert got["priv"] == ("pass", "entrance (identify, 250 px/m): reach 6.7 m ≥ need 5 m")
    assert got["tfl"] == ("fail", "wide_area (detect, 25 px/m): reach 25.6 m < need 30 m")


@pytest.mark.parametrize(
    ("rule_id", "fields", "expected"),
    [
        ("IQ-02", {"fps": 5.0}, "fail"),
        ("IQ-02", {"fps": 6.0}, "pass"),
        ("IQ-03", {"resolution_h_px": 704, "resolution_v_px": 288}, "pass"),
        ("IQ-03", {"resolution_h_px": 640, "resolution_v_px": 480}, "fail"),
        ("IQ-03", {"resolution_h_px": 720, "resolution_v_px": 240}, "fail"),
        ("IQ-04", {"codec": "mpeg4"}, "fail"),
        ("IQ-04", {"codec": "h265"}, "pass"),
        ("TS-01", {"time_sync": "manual"}, "fail"),
        ("TS-01", {"time_sync": "gps"}, "pass"),
        ("RT-01", {"retention_days": 30}, "fail"),
        ("RT-01", {"retention_days": 31}, "pass"),
        ("EX-01", {"export_formats": ("native",)}, "fail"),
        ("EX-01", {"export_formats": ("native", "mp4")}, "pass"),
        ("EX-01", {"export_formats": ()}, "unknown"),
        ("EX-02", {"export_formats": ("mp4",)}, "fail"),
        ("EX-02", {"export_formats": ("native",)}, "pass"),
        ("EX-03", {"export_formats": ("native",)}, "unknown"),
        ("IO-01", {"onvif_profiles": ("S", "G")}, "pass"),
        ("IO-02", {"onvif_profiles": ("S", "G")}, "pass"),
        ("IO-03", {"onvif_profiles": ("S", "G")}, "fail"),
        ("IO-01", {"onvif_profiles": ()}, "fail"),
    ],
)
def test_camera_rule_outcomes(
    tiny_estate: Estate, rule_id: str, fields: dict[str, object], expected: str
) -> None:
    estate = estate_with(tiny_estate, [make_camera("c", **fields)])
    assert outcomes(estate, rule_id)["c"][0] == expected


def test_messages_state_value_and_threshold(tiny_estate: Estate) -> None:
    estate = estate_with(tiny_estate, [make_camera("c", fps=10.0, retention_days=14)])
    assert outcomes(estate, "IQ-02")["c"][1] == "fps 10 ≥ minimum 6 (below recommended 12.5)"
    assert outcomes(estate, "RT-01")["c"][1] == "retention 14 < 31 days"
    assert "must declare" in outcomes(estate, "EX-03")["c"][1]


@pytest.mark.parametrize("rule_id", ["IO-01", "IO-02", "IO-03"])
def test_analogue_cameras_fail_onvif(tiny_estate: Estate, rule_id: str) -> None:
    cam = make_camera("an", signal="analogue", codec="mpeg4")
    assert outcomes(estate_with(tiny_estate, [cam]), rule_id)["an"] == (
        "fail",
        "analogue: no ONVIF",
    )


def test_op01_room_staffing(tiny_estate: Estate) -> None:
    rooms = [room("r24", 24, 2), room("r12", 12, 2), room("r0", 24, 0)]
    cams = [
        make_camera("c24", control_room_id="r24"),
        make_camera("c12", control_room_id="r12"),
        make_camera("c0", control_room_id="r0"),
        make_camera("none"),
        make_camera("ghost", control_room_id="nowhere"),
    ]
    got = outcomes(estate_with(tiny_estate, cams, rooms), "OP-01")
    assert got["c24"] == (
        "pass",
        "room r24 staffed 24 h/day, 2 positions meets 24 h/day, 1 position(s)",
    )
    assert got["c12"][0] == "fail"
    assert got["c0"][0] == "fail"
    assert got["none"] == ("unknown", "not monitored by a control room")
    assert got["ghost"] == ("unknown", "control room nowhere not in the estate")


def test_decommissioned_and_planned_cameras_are_excluded(tiny_estate: Estate) -> None:
    cams = [
        make_camera("on"),
        make_camera("faulty", status="faulty"),
        make_camera("gone", status="decommissioned"),
        make_camera("future", status="planned"),
    ]
    assert set(outcomes(estate_with(tiny_estate, cams), "RT-01")) == {"on", "faulty"}


def test_cop_is_borough_level_from_supplied_scores(tiny_estate: Estate) -> None:
    got = outcomes(tiny_estate, "CoP", cop_scores={"E09000001": 0.8})
    assert got == {
        "E09000001": ("pass", "self-assessment score 80% ≥ 75%"),
        "E09000002": ("unknown", "no Code of Practice self-assessment score supplied"),
    }
    assert outcomes(tiny_estate, "CoP", cop_scores={"E09000002": 0.5})["E09000002"][0] == "fail"
