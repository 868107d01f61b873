"""Cell parsers and header aliases of the camera import."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cctvscope.ingest.camera_fields import normalise_header, parse_cell, parse_heading
from cctvscope.ingest.cameras import canonical_field
from cctvscope.ingest.locate import BoroughIndex
from cctvscope.ingest.london import read_borough_table


@pytest.mark.parametrize(
    ("text", "value", "noted"),
    [
        ("45", 45.0, False),
        ("NE", 45.0, False),
        ("wsw", 247.5, False),
        ("north-west", 315.0, False),
        ("360", 0.0, False),
        ("90°", 90.0, False),
        ("90-180", 135.0, True),
        ("350-10", 0.0, True),
        ("E-W", 180.0, True),
        ("W-E", 0.0, True),
        ("N;S", 0.0, True),
        ("up", "up", False),
    ],
)
def test_heading(text, value, noted):
    got = parse_heading(text)
    assert got.value == value
    assert (got.note is not None) == noted


@given(st.floats(min_value=0, max_value=359.99), st.floats(min_value=0, max_value=359.99))
def test_heading_range_midpoint_lies_inside_the_clockwise_span(a, b):
    got = parse_heading(f"{a!r}-{b!r}")
    span = (b - a) % 360 or (360.0 if a != b else 0.0)
    expected = (a + span / 2) % 360
    gap = abs(got.value - expected) % 360
    assert min(gap, 360 - gap) < 1e-5
    assert 0 <= got.value < 360


def test_cells():
    assert parse_cell("ptz", "Y").value is True
    assert parse_cell("ptz", "0").value is False
    assert parse_cell("ptz", "perhaps").value == "perhaps"
    assert parse_cell("onvif_profiles", "s, g T").value == ("S", "G", "T")
    assert parse_cell("onvif_profiles", "Profile S;Profile G").value == ("S", "G")
    assert parse_cell("export_formats", "MP4;native").value == ("mp4", "native")
    assert parse_cell("resolution_h_px", "1920.0").value == 1920
    assert parse_cell("resolution_h_px", "1920.5").value == 1920.5
    assert parse_cell("mount_height_m", "5,5 m").value == 5.5
    assert parse_cell("codec", "H.264").value == "h264"
    assert parse_cell("signal", "Analog").value == "analogue"


def test_headers_and_field_names():
    assert normalise_header("Height (m)") == "height"
    assert normalise_header("\ufeffCamera ID") == "camera_id"
    assert normalise_header("camera:direction") == "camera_direction"
    assert canonical_field("Location Text") == "location_text"
    assert canonical_field("LONG") == "lon"
    assert canonical_field("borough_code") == "borough"
    assert canonical_field("colour") is None


def test_borough_names():
    index = BoroughIndex.of(read_borough_table())
    assert index.resolve("e09000012") == "E09000012"
    assert index.resolve("London Borough of Hackney") == "E09000012"
    assert index.resolve("Royal Borough of Kensington & Chelsea") == "E09000020"
    assert index.resolve("City of Westminster") == "E09000033"
    assert index.resolve("city of london") == "E09000001"
    assert index.resolve("Gotham") is None
    assert index.suggest("Kingston") == "Kingston upon Thames"
    assert index.operator("E09000001") == "City of London Corporation"
