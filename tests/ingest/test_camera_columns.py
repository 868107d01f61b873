"""The import's camera table holds a column of one value as one cell, not an array.

Checked against a second method: the same records converted all at once by
:func:`records_to_frame`. Columns change from one value to many in the second, the
last and no piece; a NaN, a None and a -0.0 (not 0.0) are values like any other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cctvscope.ingest.camera_columns import CameraColumns
from cctvscope.model.entities import Camera
from cctvscope.model.frames import records_to_frame
from tests.conftest import make_camera


def _camera(i: int, **changes: object) -> Camera:
    return make_camera(f"C{i}", "E09000033", 529_000.0 + i, 179_000.0, **changes)


def _records() -> list[Camera]:
    """Eleven cameras: pieces of 4 are rows 0-3, 4-7, 8-10."""
    out = []
    for i in range(11):
        changes: dict[str, object] = {}
        if i >= 4:
            changes["hfov_deg"] = 90.0  # one value in the first piece, another after
        if i == 9:
            changes["ir_range_m"] = 0.5  # NaN everywhere but one row of the last piece
            changes["fault_notes"] = "lens cracked"  # None everywhere else
            changes["ptz"] = True
            changes["heading_deg"] = -0.0  # 90 elsewhere; -0.0 is a value of its own
        out.append(_camera(i, **changes))
    return out


def _filled(records: list[Camera], piece: int) -> CameraColumns:
    table = CameraColumns(len(records))
    for start in range(0, len(records), piece):
        table.add(records[start : start + piece])
    return table


def test_columns_in_pieces_hold_the_records_converted_at_once() -> None:
    records = _records()
    whole = records_to_frame(Camera, records, objects=True)
    for piece in (1, 4, 11):
        got = _filled(records, piece).frame()
        pd.testing.assert_frame_equal(got, whole)
        assert got["ir_range_m"].isna().sum() == 10 and got["ir_range_m"].iloc[9] == 0.5
        assert np.signbit(got["heading_deg"].iloc[9]) and got["heading_deg"].iloc[8] == 90.0
        assert got["fault_notes"].tolist() == [""] * 9 + ["lens cracked", ""]
        views = _filled(records, piece).frame(views=True)
        pd.testing.assert_frame_equal(views, whole)


def test_a_column_of_one_value_is_one_cell() -> None:
    table = _filled(_records(), 4)
    one_value = {"owner_type", "operator", "y_m", "tilt_deg", "install_year", "codec", "make"}
    changing = {"camera_id", "x_m", "hfov_deg", "ir_range_m", "fault_notes", "ptz", "heading_deg"}
    assert one_value.isdisjoint(table.columns) and changing <= set(table.columns)
    frame = table.frame(views=True)
    for name in one_value:
        column = frame[name].to_numpy()
        assert column.strides == (0,) and len(column) == 11  # one cell, seen on every row
    # Replaced whole, never written through.
    frame["operator"] = frame["operator"].where(frame.index != 2, "Camden")
    assert frame["operator"].tolist() == ["Test Council"] * 2 + ["Camden"] + ["Test Council"] * 8


def test_without_views_every_column_is_an_array_of_its_own() -> None:
    frame = _filled(_records(), 4).frame()
    for name in frame.columns:
        assert frame[name].to_numpy().strides == (frame[name].dtype.itemsize,)
    frame.loc[2, "operator"] = "Camden"
    assert frame["operator"].tolist() == ["Test Council"] * 2 + ["Camden"] + ["Test Council"] * 8


def test_an_empty_table_has_every_column() -> None:
    frame = CameraColumns(0).frame()
    assert list(frame.columns) == list(Camera.model_fields) and frame.empty
    assert frame["x_m"].dtype == np.float64 and frame["camera_id"].dtype == object
