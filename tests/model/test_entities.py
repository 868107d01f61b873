from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from cctvscope.model import ENTITY_TYPES, Camera, Contract
from cctvscope.model.frames import frame_to_records, records_to_frame
from cctvscope.model.schema import field_unit, schema_markdown
from tests.conftest import make_camera

DOCS = Path(__file__).resolve().parents[2] / "docs" / "schema.md"


def test_every_attribute_has_a_unit_and_description():
    for table, entity in ENTITY_TYPES.items():
        for name, info in entity.model_fields.items():
            assert field_unit(info), f"{table}.{name} has no unit"
            assert info.description, f"{table}.{name} has no description"


def test_schema_doc_is_current():
    assert DOCS.read_text(encoding="utf-8").strip() == schema_markdown().strip(), (
        "docs/schema.md is stale: run `make schema-doc`"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hfov_deg", 0),
        ("hfov_deg", 400),
        ("mount_height_m", -3),
        ("heading_deg", 360),
        ("fps", 0),
        ("retention_days", -1),
        ("install_year", 1900),
        ("borough_code", "E09 000001"),  # area codes are any codes, but never with spaces
        ("borough_code", "x" * 33),
        ("borough_code", ""),
        ("owner_type", "martian"),
    ],
)
def test_camera_rejects_absurd_values(field, value):
    fields = {"borough_code": "E09000001", field: value}
    with pytest.raises(ValidationError) as info:
        make_camera("c", x_m=0, y_m=0, **fields)
    assert info.value.errors()[0]["loc"] == (field,)


def test_camera_cross_field_rules():
    with pytest.raises(ValidationError, match="fixed camera"):
        make_camera("c", "E09000001", 0, 0, ptz=False, ptz_max_zoom=20)
    with pytest.raises(ValidationError, match="analogue"):
        make_camera("c", "E09000001", 0, 0, signal="analogue", onvif_profiles=("S",))


def test_contract_dates_ordered():
    with pytest.raises(ValidationError, match="end_date"):
        Contract(
            contract_id="k",
            borough_code="E09000001",
            category="maintenance",
            supplier="s",
            annual_value_gbp=1.0,
            start_date="2024-01-01",
            end_date="2023-01-01",
            provenance="synthetic",
        )


def test_records_frame_round_trip():
    cams = [
        make_camera("a", "E09000001", 1.5, 2.5, onvif_profiles=("S", "G"), export_formats=("mp4",)),
        make_camera("b", "E09000002", 3.0, 4.0, control_room_id=None),
    ]
    frame = records_to_frame(Camera, cams)
    assert frame.loc[0, "onvif_profiles"] == "S;G"
    assert frame.loc[0, "codec"] == "h264"
    assert frame_to_records(Camera, frame) == cams
