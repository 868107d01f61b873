from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cctvscope.crs import bng_to_wgs84, looks_like_wgs84, wgs84_to_bng


def test_big_ben_published_value():
    # ecosystem-notes: pyproj's Helmert gives (530268.08, 179643.90) for Big Ben.
    x, y = wgs84_to_bng([-0.124625], [51.500729])
    assert abs(x[0] - 530268.08) < 0.05
    assert abs(y[0] - 179643.90) < 0.05


@given(st.floats(min_value=-0.55, max_value=0.35), st.floats(min_value=51.25, max_value=51.72))
def test_round_trip(lon, lat):
    x, y = wgs84_to_bng([lon], [lat])
    lon2, lat2 = bng_to_wgs84(x, y)
    assert np.allclose([lon2[0], lat2[0]], [lon, lat], atol=1e-7)  # about 1 cm


def test_looks_like_wgs84():
    assert looks_like_wgs84([-0.1, 0.05], [51.5, 51.6])
    assert not looks_like_wgs84([530268.0], [179643.0])
    assert not looks_like_wgs84([np.nan], [np.nan])
