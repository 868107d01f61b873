from __future__ import annotations

import pytest

from cctvscope.errors import DataError
from cctvscope.model.assumptions import STATUSES, parse_assumptions, read_assumptions


def test_bundled_file_is_complete():
    assumptions = read_assumptions()
    assert len(assumptions.entries) >= 18
    for key, entry in assumptions.entries.items():
        assert entry.unit, key
        assert entry.source.strip(), key
        assert entry.note.strip(), key
        assert entry.status in STATUSES, key
        if entry.status == "assumption":
            assert entry.source == "assumption", key
    assert assumptions.value("camera_defaults.retention_days") == 31
    assert len(assumptions.sha256) == 64


def test_every_camera_field_with_a_default_is_covered():
    from cctvscope.model import Camera

    defaults = read_assumptions().section("camera_defaults")
    required_from_source = {"camera_id", "x_m", "y_m", "borough_code", "operator", "provenance"}
    optional_in_model = {n for n, i in Camera.model_fields.items() if not i.is_required()}
    needs_default = set(Camera.model_fields) - required_from_source - optional_in_model - {"source"}
    assert needs_default <= set(defaults), needs_default - set(defaults)


def test_missing_keys_are_all_reported():
    text = (
        "s:\n  a: {value: 1, unit: m}\n"
        "  b: {value: 2, unit: m, source: x, note: y, status: maybe}\n"
    )
    with pytest.raises(DataError) as info:
        parse_assumptions(text)
    message = str(info.value)
    assert "s.a: missing source, note, status" in message
    assert "s.b: status 'maybe'" in message


def test_assumption_status_needs_assumption_source():
    text = "s:\n  a: {value: 1, unit: m, source: 'a paper', note: n, status: assumption}\n"
    with pytest.raises(DataError, match="needs source 'assumption'"):
        parse_assumptions(text)


def test_unknown_key_is_named():
    with pytest.raises(DataError, match=r"'nope\.x'"):
        read_assumptions().get("nope.x")


def test_bad_yaml():
    with pytest.raises(DataError, match="not valid YAML"):
        parse_assumptions("a: [unclosed")
