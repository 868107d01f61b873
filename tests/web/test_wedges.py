"""View wedges on the maps: a camera's reach per detail level, worked by hand from its lens."""

from __future__ import annotations

import math

import numpy as np

from cctvscope.coverage.detail import DetailLevel
from cctvscope.crs import bng_to_wgs84
from cctvscope.model.assumptions import read_assumptions
from tests.web.conftest import CAMDEN
from tests.web.test_views import api


def _fixed_council_camera(env):
    cams = env.estate().cameras
    fixed = cams[(cams["borough_code"] == CAMDEN) & (cams["owner_type"] == "council")]
    return fixed[~fixed["ptz"].astype(bool)].iloc[0]


def test_a_camera_wedges_reach_where_each_density_is_met(clients, env):
    cam = _fixed_council_camera(env)
    data = api(clients["analyst"], f"/api/cameras/{cam['camera_id']}/wedges")
    usable = float(read_assumptions().value("coverage.usable_range_m"))
    # Width of the scene at distance d is 2 d tan(hfov/2): density res / width meets
    # the level's px/m at d = res / (2 tan(hfov/2) px/m), capped at the usable range.
    half = math.tan(math.radians(float(cam["hfov_deg"])) / 2)
    reach = {f["properties"]["level"]: f["properties"]["reach_m"] for f in data["features"]}
    for level in ("detect", "observe", "recognise", "identify"):
        ppm = DetailLevel[level.upper()].px_per_m
        expected = min(float(cam["resolution_h_px"]) / (2 * half * ppm), usable)
        assert abs(reach[level] - expected) <= 0.05 + 1e-9, level
    # The wedge's apex is the camera.
    lon, lat = bng_to_wgs84([cam["x_m"]], [cam["y_m"]])
    apex = data["features"][0]["geometry"]["coordinates"][0][0]
    assert np.allclose(apex, [lon[0], lat[0]], atol=1e-7)
    assert clients["business"].get(f"/api/cameras/{cam['camera_id']}/wedges").status_code == 404
    assert api(clients["analyst"], f"/api/cameras/{cam['camera_id']}")["borough"] == "Camden"


def test_wedges_in_view_are_bounded(clients, env, monkeypatch):
    cam = _fixed_council_camera(env)
    lon, lat = bng_to_wgs84([cam["x_m"]], [cam["y_m"]])
    d = 0.002  # about 140 m by 220 m around the camera
    bbox = f"{lon[0] - d:.6f},{lat[0] - d:.6f},{lon[0] + d:.6f},{lat[0] + d:.6f}"
    data = api(clients["analyst"], f"/api/layers/wedges?bbox={bbox}")
    shown = {f["properties"]["camera_id"] for f in data["features"]}
    cams = env.estate().cameras
    public = cams[cams["owner_type"] != "private"]
    lon_all, lat_all = bng_to_wgs84(public["x_m"].to_numpy(), public["y_m"].to_numpy())
    ids = public["camera_id"].to_numpy()

    def within(margin: float) -> set[str]:
        box = (abs(lon_all - lon[0]) <= d + margin) & (abs(lat_all - lat[0]) <= d + margin)
        return set(ids[box])

    # Exactly the cameras inside the box in WGS84 (the bbox is sent to 6 decimals, so
    # 1e-6° either side). The grid is turned about 1° against the meridians: a box made
    # in BNG from two corners missed two Camden cameras 7 m inside its west edge.
    assert cam["camera_id"] in shown
    assert within(-1e-6) <= shown <= within(1e-6)
    # More cameras in view than a map request draws: refused, whatever the estate holds.
    monkeypatch.setattr("cctvscope.web.wedges.MAX_WEDGE_CAMERAS", len(shown) - 1)
    crowded = clients["analyst"].get(f"/api/layers/wedges?bbox={bbox}")
    assert crowded.status_code == 413 and "zoom in" in crowded.text
    assert clients["analyst"].get("/api/layers/wedges?bbox=0,1,0,1").status_code == 422
    assert clients["analyst"].get("/api/layers/wedges?bbox=nan,1,2,3").status_code == 422
