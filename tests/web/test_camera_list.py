"""The camera list: text search, sort, names not codes, and CSV/GeoJSON exports that hold the
same cameras as the list (checked against pandas on the stored estate)."""

from __future__ import annotations

import io
import json

import pandas as pd
import sqlalchemy as sa

from cctvscope.store.web_tables import audit_log
from tests.web.conftest import CAMDEN
from tests.web.test_views import api, registrations


def _public(env) -> pd.DataFrame:
    cams = env.estate().cameras
    return pd.DataFrame(cams[cams["owner_type"] != "private"].drop(columns="geometry"))


def test_text_search_matches_id_location_or_operator(clients, env):
    public = _public(env)
    text = "camden"
    hit = pd.Series(False, index=public.index)
    for column in ("camera_id", "location_text", "operator"):
        hit |= public[column].fillna("").str.lower().str.contains(text, regex=False)
    data = api(clients["analyst"], "/api/cameras?q=CamDen&page_size=500")
    assert data["total"] == int(hit.sum()) > 0
    assert {c["camera_id"] for c in data["items"]} <= set(public.loc[hit, "camera_id"])


def test_sort_descending_with_ties_by_id_and_area_names(clients, env):
    public = _public(env)
    data = api(clients["analyst"], "/api/cameras?sort=install_year&desc=true&page_size=500")
    expected = public.sort_values(["install_year", "camera_id"], ascending=[False, True])
    assert [c["camera_id"] for c in data["items"]] == list(expected["camera_id"][:500])
    camden = api(clients["analyst"], f"/api/cameras?borough={CAMDEN}&page_size=1")
    assert camden["items"][0]["borough"] == "Camden"
    by_res = api(clients["analyst"], "/api/cameras?sort=resolution&page_size=500")
    pixels = [c["resolution_h_px"] * c["resolution_v_px"] for c in by_res["items"]]
    assert pixels == sorted(pixels)
    assert clients["analyst"].get("/api/cameras?sort=nonsense").status_code == 422


def test_exports_hold_the_listed_cameras(clients, env):
    public = _public(env)
    wanted = public[(public["borough_code"] == CAMDEN) & (public["owner_type"] == "council")]
    query = f"borough={CAMDEN}&owner=council"
    response = clients["analyst"].get(f"/api/cameras.csv?{query}")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    table = pd.read_csv(io.StringIO(response.text))
    assert sorted(table["camera_id"]) == sorted(wanted["camera_id"])
    assert set(table["borough"]) == {"Camden"}
    geo = json.loads(clients["analyst"].get(f"/api/cameras.geojson?{query}").text)
    assert len(geo["features"]) == len(wanted)
    first = geo["features"][0]
    row = wanted.set_index("camera_id").loc[first["properties"]["camera_id"]]
    # The export's point is the camera's BNG position taken to WGS84 (compared in metres).
    from cctvscope.crs import wgs84_to_bng

    x, y = wgs84_to_bng(*first["geometry"]["coordinates"])
    assert abs(float(x) - row["x_m"]) < 0.1 and abs(float(y) - row["y_m"]) < 0.1
    assert clients["analyst"].get("/api/cameras.xlsx").status_code == 422


def test_a_business_export_is_audited_with_every_private_id(clients, env):
    regs = registrations(env)
    business_id = clients["business"].get("/api/me").json()["business_id"]
    own = set(regs.loc[regs["business_id"] == business_id, "camera_id"])
    own &= set(env.estate().cameras["camera_id"])
    response = clients["business"].get("/api/cameras.csv")
    assert set(pd.read_csv(io.StringIO(response.text))["camera_id"]) == own
    with env.engine.connect() as connection:
        row = connection.execute(
            sa.select(audit_log.c.detail)
            .where(audit_log.c.target == "cameras export (csv)")
            .order_by(audit_log.c.id.desc())
        ).first()
    assert row is not None
    detail = row[0] if isinstance(row[0], dict) else json.loads(row[0])
    assert sorted(detail["camera_ids"]) == sorted(own)
