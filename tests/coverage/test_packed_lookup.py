"""Packed lookup: the same answers as the built lookup, and damage is caught, not answered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from cctvscope.coverage.lookup import CameraLookup
from cctvscope.coverage.packed_lookup import PackedLookup, PackedLookupError
from tests.coverage.test_lookup import LOOKUP, _brute, _edge_points, _got

PACKED = PackedLookup.from_arrays(LOOKUP.packed().arrays())


def _points(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.vstack([rng.uniform(-70, 270, (400, 2)), _edge_points(LOOKUP, 300)])


def test_packed_answers_equal_built_answers_edges_included():
    pts = _points(11)
    seen = 0
    for x, y in pts:
        want = LOOKUP.cameras_at(float(x), float(y)).to_frame()
        got = PACKED.cameras_at(float(x), float(y)).to_frame()
        pd.testing.assert_frame_equal(got, want)
        assert _got(got) == _brute(LOOKUP, float(x), float(y))  # a second method
        seen += len(got)
    assert seen > 400  # many points are seen, so equality is not of empty answers
    pd.testing.assert_frame_equal(
        PACKED.cameras_at_many(pts).to_frame(with_point=True),
        LOOKUP.cameras_at_many(pts).to_frame(with_point=True),
    )
    pd.testing.assert_frame_equal(
        PACKED.cameras_at_many(shapely.points(pts)).to_frame(with_point=True),
        LOOKUP.cameras_at_many(pts).to_frame(with_point=True),
    )


def test_round_trip_keeps_polygons_exactly():
    arrays = LOOKUP.packed().arrays()
    assert arrays["camera_id"].dtype.kind == "U"  # text is stored without pickling
    back = PackedLookup.from_arrays(arrays)
    assert len(back) == len(LOOKUP)
    got = back.polygons(np.arange(len(back), dtype=np.int64))
    assert shapely.equals_exact(got, LOOKUP.polygons, tolerance=0.0).all()
    assert list(back.columns.labels) == [lv.label for lv in LOOKUP.levels]


def test_empty_lookup_packs_and_answers_nothing():
    cams = pd.DataFrame(
        columns=["camera_id", "x_m", "y_m", "heading_deg", "hfov_deg", "resolution_h_px"]
    )
    packed = PackedLookup.from_arrays(CameraLookup.build(cams).packed().arrays())
    assert len(packed) == 0
    assert packed.cameras_at(0.0, 0.0).empty
    assert packed.cameras_at_many(np.zeros((3, 2))).empty


def test_damage_is_an_error():
    arrays = LOOKUP.packed().arrays()
    with pytest.raises(PackedLookupError, match="lacks wkb_crc"):
        PackedLookup.from_arrays({k: v for k, v in arrays.items() if k != "wkb_crc"})
    with pytest.raises(PackedLookupError, match="offsets"):
        PackedLookup.from_arrays(arrays | {"wkb": arrays["wkb"][:-10]})
    with pytest.raises(PackedLookupError, match="camera out of range"):
        PackedLookup.from_arrays(arrays | {"polygon_camera": arrays["polygon_camera"] + 10_000})
    with pytest.raises(PackedLookupError, match="differ in length"):
        PackedLookup.from_arrays(arrays | {"x_m": arrays["x_m"][:-1]})
    # One byte flipped inside polygon 0's WKB: caught by its CRC when it is decoded.
    flipped = arrays["wkb"].copy()
    flipped[int(arrays["wkb_offset"][0]) + 20] ^= 0xFF
    damaged = PackedLookup.from_arrays(arrays | {"wkb": flipped})
    x, y = shapely.get_coordinates(shapely.centroid(LOOKUP.polygons[0]))[0]
    with pytest.raises(PackedLookupError, match="polygon 0 fails its CRC"):
        damaged.cameras_at(float(x), float(y))
    with pytest.raises(PackedLookupError, match="CRC"):
        damaged.verify()
    PACKED.verify()  # the undamaged one passes
