"""Smoke test of benchmarks/coverage.py: its core functions on a tiny scene, areas agreeing."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import shapely

from cctvscope.coverage.raycast import fan_polygons
from cctvscope.coverage.synthetic_city import synthetic_city

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "coverage.py"


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("bench_coverage", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_baseline_and_cctvscope_agree_on_a_tiny_city(bench: ModuleType) -> None:
    scene = bench.make_scene("tiny", synthetic_city(seed=5, width_m=400.0, height_m=400.0))
    cams = bench.make_cameras(scene, 60, seed=6)
    visible, seconds = bench.run_baseline(cams, scene)
    ref = bench.baseline_level_areas(visible, cams)
    got, wall_s, cpu_s = bench.run_cctvscope(cams, scene)
    assert seconds > 0 and wall_s > 0 and cpu_s >= 0
    assert got.shape == ref.shape == (60, 6)
    err = bench.area_errors(got, ref)
    assert abs(err["total_outer"]) < 0.01 and err["worst_total"] < 0.01
    # the fused pass measures what the two-step path (every ray kept) measures
    two_step, fans, _, _ = bench.run_fans(cams, scene)
    np.testing.assert_allclose(got, two_step, rtol=1e-12, atol=1e-9)
    # the benchmark's vectorised fan polygons are the library's fan polygons
    radius = cams.reach_m[:, 1]
    mine = bench.fan_polygon_array(fans, radius)
    np.testing.assert_allclose(shapely.area(mine), shapely.area(fan_polygons(fans, radius)))


def test_lookup_over_fan_polygons_answers(bench: ModuleType) -> None:
    scene = bench.make_scene("tiny", synthetic_city(seed=5, width_m=400.0, height_m=400.0))
    lookup, build_s, n_cams = bench.build_lookup(scene, 120, seed=8, chunk=7)
    assert n_cams == 20 and len(lookup) == 120 and build_s > 0
    x, y = float(lookup.cameras["x_m"].iloc[0]), float(lookup.cameras["y_m"].iloc[0])
    # a camera's own position is on (sector apex) or in (full circle) its polygons
    answer = lookup.cameras_at(x, y)
    assert lookup.cameras["camera_id"].iloc[0] in set(answer["camera_id"])
