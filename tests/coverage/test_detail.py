"""Detail levels and reach: published worked examples and monotonic properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cctvscope.coverage.detail import (
    DetailLevel,
    assumed_usable_range_m,
    detail_distance_m,
    hfov_from_lens_deg,
    pixel_density_px_per_m,
    ptz_reach_m,
    zoomed_hfov_deg,
)
from cctvscope.model.assumptions import read_assumptions

# domain-research.md §1.3 worked example: 1920 px, 1/3" (4.8 mm), 2.8 mm lens.
WORKED_DISTANCES_M = {
    DetailLevel.MONITOR: 89.6,
    DetailLevel.DETECT: 44.8,
    DetailLevel.OBSERVE: 17.9,
    DetailLevel.RECOGNISE: 9.0,
    DetailLevel.IDENTIFY: 4.5,
    DetailLevel.INSPECT: 1.1,
}


def test_levels_are_the_en_62676_4_table() -> None:
    assert [lv.px_per_m for lv in DetailLevel] == [12.5, 25.0, 62.5, 125.0, 250.0, 1000.0]
    assert DetailLevel.RECOGNISE.label == "recognise"


def test_hfov_worked_example() -> None:
    assert float(hfov_from_lens_deg(4.8, 2.8)) == pytest.approx(81.2, abs=0.05)


@pytest.mark.parametrize(("level", "expected_m"), WORKED_DISTANCES_M.items())
def test_dori_distances_worked_example(level: DetailLevel, expected_m: float) -> None:
    hfov = hfov_from_lens_deg(4.8, 2.8)
    assert float(detail_distance_m(1920, hfov, level.px_per_m)) == pytest.approx(
        expected_m, abs=0.05
    )


def test_panopticity_density_example() -> None:
    ppm = float(pixel_density_px_per_m(1920, hfov_from_lens_deg(4.8, 25.0), 10.0))
    assert ppm == pytest.approx(1000.0, rel=0.005)  # README prints 998


def test_scalar_and_array_share_one_path() -> None:
    hfov = np.array([81.2, 40.0, 200.0])
    arr = detail_distance_m(1920, hfov, 25.0)
    assert arr.shape == (3,)
    for i, h in enumerate(hfov):
        assert float(detail_distance_m(1920, h, 25.0)) == pytest.approx(arr[i])


def test_usable_range_caps_reach() -> None:
    hfov = hfov_from_lens_deg(4.8, 2.8)
    levels = np.array([lv.px_per_m for lv in DetailLevel])
    capped = detail_distance_m(1920, hfov, levels, usable_range_m=40.0)
    np.testing.assert_allclose(capped, [40.0, 40.0, 17.92, 8.96, 4.48, 1.12], rtol=1e-9)


def test_default_usable_range_is_a_stated_assumption() -> None:
    entry = read_assumptions().get("coverage.usable_range_m")
    assert entry.status == "assumption" and entry.unit == "m"
    assert assumed_usable_range_m(read_assumptions()) == float(entry.value) > 0


def test_ptz_zoomed_reach_scales_with_zoom() -> None:
    reach = ptz_reach_m(1920, 60.0, np.array([1.0, 30.0]), DetailLevel.IDENTIFY.px_per_m)
    np.testing.assert_allclose(reach.wide_m, reach.wide_m[0])
    np.testing.assert_allclose(reach.zoomed_m, reach.wide_m * [1.0, 30.0])
    assert float(zoomed_hfov_deg(60.0, 1.0)) == pytest.approx(60.0)


def test_fisheye_uses_the_arc() -> None:
    ppm = float(pixel_density_px_per_m(2880, 360.0, 10.0))
    assert ppm == pytest.approx(2880 / (2 * np.pi * 10.0))


@pytest.mark.parametrize("bad", [0.0, -5.0, 361.0])
def test_bad_hfov_rejected(bad: float) -> None:
    with pytest.raises(ValueError, match="hfov"):
        detail_distance_m(1920, bad, 25.0)


hfovs = st.floats(1.0, 170.0)
res = st.integers(320, 8192)


@settings(max_examples=200, deadline=None)
@given(res, hfovs, st.floats(0.1, 500.0), st.floats(0.1, 500.0))
def test_density_falls_with_distance(n: int, hfov: float, d1: float, d2: float) -> None:
    near, far = sorted((d1, d2))
    assert pixel_density_px_per_m(n, hfov, near) >= pixel_density_px_per_m(n, hfov, far)


@settings(max_examples=200, deadline=None)
@given(res, hfovs, hfovs, st.sampled_from(list(DetailLevel)))
def test_wider_lens_never_reaches_further(n: int, h1: float, h2: float, lv: DetailLevel) -> None:
    narrow, wide = sorted((h1, h2))
    assert detail_distance_m(n, wide, lv.px_per_m) <= detail_distance_m(n, narrow, lv.px_per_m)


@settings(max_examples=200, deadline=None)
@given(res, hfovs, st.floats(1.0, 100.0))
def test_finer_levels_reach_less_far(n: int, hfov: float, cap: float) -> None:
    ppm = np.array([lv.px_per_m for lv in DetailLevel])
    d = detail_distance_m(n, hfov, ppm, usable_range_m=cap)
    assert np.all(np.diff(d) <= 0)
    assert np.all(np.diff(detail_distance_m(n, hfov, ppm)) < 0)
